"""Starting retention rules. Each local authority sets its own schedule: these
are defaults to review with the information governance lead, in the admin."""

from django.db import migrations

SIX_YEARS = 6 * 365 + 2
TWENTY_FIVE_YEARS = 25 * 365 + 6

DEFAULTS = [
    (
        "decided_referral",
        "",
        SIX_YEARS,
        "Default for contacts and referrals that did not lead to a social care service: six years after "
        "the decision. Replace with your local retention schedule.",
    ),
    (
        "decided_referral",
        "assessment",
        TWENTY_FIVE_YEARS,
        "Led to a children's social care assessment: kept as long as a case record (commonly until the "
        "child is 25). Replace with your local retention schedule.",
    ),
    (
        "decided_referral",
        "strategy_discussion",
        TWENTY_FIVE_YEARS,
        "Led to a strategy discussion (section 47): kept as long as a case record (commonly until the "
        "child is 25). Replace with your local retention schedule.",
    ),
    (
        "decided_referral",
        "open_case",
        TWENTY_FIVE_YEARS,
        "Passed to a team that already had the case: kept as long as a case record. Replace with your "
        "local retention schedule.",
    ),
    (
        "draft",
        "",
        30,
        "A draft that was never sent is not a record of the front door: removed 30 days after it was "
        "last changed.",
    ),
    (
        "idempotency",
        "",
        7,
        "API retry records only guard against a repeated send; a week covers any client's retries.",
    ),
]


def add_defaults(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for record_type, decision, days, basis in DEFAULTS:
        RetentionRule.objects.get_or_create(
            record_type=record_type,
            decision=decision,
            defaults={"keep_for_days": days, "basis": basis},
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
