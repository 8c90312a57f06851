"""Referral.father_recorded: a father or male carer is among the adults
(Child BF: "how will we know"), for the partnership figures. From now on it
is set when a referral is submitted; existing referrals are marked here with
one set-based UPDATE. referral_fd_received includes it, so the figures are
still read from the index alone.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef

# referrals.models.FATHER_FIGURES when this was written.
FATHER_FIGURES = ("father", "male_carer", "mothers_partner", "step_parent")


def mark_fathers_recorded(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Adult = apps.get_model("referrals", "Adult")
    father_figure = Adult.objects.filter(
        referral_id=OuterRef("pk"), relationship__in=FATHER_FIGURES
    )
    Referral.objects.filter(Exists(father_figure)).update(father_recorded=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_webhook_secrets_encrypted"),
        ("referrals", "0009_urgent_information_request_within_hours"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="referral",
            name="referral_fd_received",
        ),
        migrations.AddField(
            model_name="historicalreferral",
            name="father_recorded",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="referral",
            name="father_recorded",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["front_door", "-received_at"],
                include=(
                    "id",
                    "sending_agency",
                    "kind",
                    "status",
                    "decision",
                    "acknowledged_at",
                    "acknowledge_by",
                    "decided_at",
                    "decide_by",
                    "expected_due_date",
                    "is_re_referral",
                    "father_recorded",
                ),
                name="referral_fd_received",
            ),
        ),
        # Last: on PostgreSQL, changing a table's schema after updating its
        # rows in the same transaction can fail on pending trigger events.
        migrations.RunPython(mark_fathers_recorded, migrations.RunPython.noop),
    ]
