"""What the partnership figures need to be read without touching every row.

1. Referral.is_re_referral: a child in the referral was referred to the same
   front door in the 12 months before (the same NHS number), or a worker
   confirmed a link to an earlier referral from those 12 months. From now on
   it is worked out when a referral is submitted and when a link is recorded;
   existing referrals are marked here with one set-based UPDATE.
2. referral_fd_received includes the columns the figures count, so a year of
   a front door's referrals is read from the index alone. It is rebuilt
   rather than joined by a second index: no extra entry on each insert.
"""

import datetime as dt

from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Q

# referrals.reporting.RE_REFERRAL_WINDOW when this was written.
WINDOW = dt.timedelta(days=365)


def mark_re_referrals(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Child = apps.get_model("referrals", "Child")
    ReferralLink = apps.get_model("referrals", "ReferralLink")
    earlier_same_child = Child.objects.filter(
        nhs_number=OuterRef("nhs_number"),
        referral__front_door_id=OuterRef("referral__front_door_id"),
        referral__received_at__lt=OuterRef("referral__received_at"),
        referral__received_at__gte=OuterRef("referral__received_at") - WINDOW,
    )
    children_referred_before = (
        Child.objects.exclude(nhs_number="")
        .filter(Exists(earlier_same_child))
        .values("referral_id")
    )
    linked_to_earlier = ReferralLink.objects.filter(
        status="confirmed",
        earlier__received_at__lt=F("referral__received_at"),
        earlier__received_at__gte=F("referral__received_at") - WINDOW,
    ).values("referral_id")
    Referral.objects.filter(
        Q(pk__in=children_referred_before) | Q(pk__in=linked_to_earlier)
    ).update(is_re_referral=True)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_referral_clock"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="referral",
            name="referral_fd_received",
        ),
        migrations.AddField(
            model_name="historicalreferral",
            name="is_re_referral",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="referral",
            name="is_re_referral",
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
                ),
                name="referral_fd_received",
            ),
        ),
        # Last: on PostgreSQL, changing a table's schema after updating its
        # rows in the same transaction can fail on pending trigger events.
        migrations.RunPython(mark_re_referrals, migrations.RunPython.noop),
    ]
