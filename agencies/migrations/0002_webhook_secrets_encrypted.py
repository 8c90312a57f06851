# Webhook signing secrets are kept encrypted (core.secrets): the column keeps
# its name, the field is renamed to say what it holds, and the secrets stored
# in plain text before are encrypted in place.

from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from core.secrets import PREFIX, encrypt

    Webhook = apps.get_model("agencies", "Webhook")
    for hook in Webhook.objects.exclude(encrypted_secret__startswith=PREFIX):
        Webhook.objects.filter(pk=hook.pk).update(encrypted_secret=encrypt(hook.encrypted_secret))


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="webhook", old_name="secret", new_name="encrypted_secret"
        ),
        migrations.AlterField(
            model_name="webhook",
            name="encrypted_secret",
            field=models.CharField(db_column="secret", editable=False, max_length=255),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
