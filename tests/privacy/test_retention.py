"""Retention rules: what is destroyed, what is kept, and the proof left behind."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Action, AuditEvent
from notifications.models import Notification
from privacy.models import DestructionRecord, RetentionHold, RetentionRule
from privacy.retention import apply_retention
from referrals.models import Child, Draft, Referral, ReferralEvent
from referrals.services.decision import decide_referral
from referrals.services.triage import record_link
from tests.conftest import submit

LONG_AGO = dt.datetime(2018, 3, 5, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def rules(db):
    RetentionRule.objects.all().delete()
    RetentionRule.objects.create(
        record_type="decided_referral", decision="", keep_for_days=6 * 365, basis="six years"
    )
    RetentionRule.objects.create(
        record_type="decided_referral",
        decision="assessment",
        keep_for_days=25 * 365,
        basis="case record",
    )
    RetentionRule.objects.create(record_type="draft", keep_for_days=30, basis="drafts")


def decided(world, decision="nfa", when=LONG_AGO, **overrides):
    from referrals.services.oversight import endorse_decision

    referral = submit(world.hv, now=when, **overrides)
    proposal = decide_referral(
        referral=referral,
        actor=world.mash,
        decision=decision,
        reasons="Reasons.",
        next_steps="",
        next_steps_owner="",
        now=when + dt.timedelta(hours=4),
    )
    if proposal is not None:
        # A high-risk referral: final once a manager signs it off.
        endorse_decision(proposal=proposal, actor=world.manager, now=when + dt.timedelta(hours=5))
    referral.refresh_from_db()
    return referral


def test_a_dry_run_reports_and_changes_nothing(world, rules):
    old = decided(world)
    report = apply_retention(dry_run=True)
    assert report.referrals == [old.reference]
    assert Referral.objects.filter(pk=old.pk).exists()
    assert not DestructionRecord.objects.exists()


def test_an_old_decided_referral_goes_entirely_and_leaves_only_its_reference(world, rules):
    old = decided(world)
    recent = decided(world, when=timezone.now() - dt.timedelta(days=30))
    still_open = submit(world.hv, now=LONG_AGO)  # never decided: never touched
    kept_for_longer = decided(world, decision="assessment")

    report = apply_retention(dry_run=False)

    assert report.referrals == [old.reference]
    assert not Referral.objects.filter(pk=old.pk).exists()
    assert set(Referral.objects.values_list("pk", flat=True)) == {
        recent.pk,
        still_open.pk,
        kept_for_longer.pk,
    }
    # Every part and every version of it is gone.
    assert not Child.objects.filter(referral_id=old.pk).exists()
    assert not Child.history.filter(referral_id=old.pk).exists()
    assert not Referral.history.filter(id=old.pk).exists()
    assert not ReferralEvent.objects.filter(referral_id=old.pk).exists()
    assert not Notification.objects.filter(referral_id=old.pk).exists()
    proof = DestructionRecord.objects.get(reference=old.reference)
    assert (
        proof.received_on == LONG_AGO.date() and "six years" not in proof.rule
    )  # the rule's name, not its basis
    assert AuditEvent.objects.filter(action=Action.RETENTION_APPLIED).count() == 1


def test_a_hold_keeps_a_referral_and_a_child_history_goes_together(world, rules):
    held = decided(world)
    RetentionHold.objects.create(
        referral=held, reason="Inquiry", placed_by=world.admin, placed_at=timezone.now()
    )
    earlier = decided(world)
    later = submit(world.hv)  # the same child, referred again this year and still open
    record_link(referral=later, earlier=earlier, actor=world.mash, confirmed=True)

    report = apply_retention(dry_run=False)

    assert report.referrals == []
    assert report.kept_on_hold == [held.reference]
    assert report.kept_for_history == [earlier.reference]
    assert Referral.objects.filter(pk__in=[held.pk, earlier.pk, later.pk]).count() == 3


def test_old_drafts_go_and_recent_ones_stay(world, rules):
    now = timezone.now()
    Draft.objects.create(
        author=world.hv,
        data={},
        created_at=now - dt.timedelta(days=90),
        updated_at=now - dt.timedelta(days=31),
    )
    Draft.objects.create(author=world.hv, data={}, created_at=now, updated_at=now)
    assert apply_retention(dry_run=False).drafts == 1
    assert Draft.objects.count() == 1


def test_a_draft_rule_switched_off_keeps_old_drafts(world, rules):
    now = timezone.now()
    Draft.objects.create(
        author=world.hv,
        data={},
        created_at=now - dt.timedelta(days=90),
        updated_at=now - dt.timedelta(days=60),
    )
    RetentionRule.objects.filter(record_type="draft").update(is_active=False)
    assert apply_retention(dry_run=False).drafts == 0
    assert Draft.objects.count() == 1


def test_the_command_has_a_dry_run(world, rules):
    old = decided(world)
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would destroy 1 decided referrals" in out.getvalue() and old.reference in out.getvalue()
    assert Referral.objects.filter(pk=old.pk).exists()
    call_command("apply_retention", stdout=StringIO())
    assert not Referral.objects.filter(pk=old.pk).exists()


def test_a_referral_still_being_challenged_or_asked_about_is_kept(world, rules):
    from referrals.services.challenge import raise_challenge

    challenged = decided(world)
    raise_challenge(referral=challenged, actor=world.hv, reasons="We disagree.")
    assert challenged.reference not in apply_retention(dry_run=False).referrals
    assert Referral.objects.filter(pk=challenged.pk).exists()


def test_switching_off_a_rule_for_one_decision_keeps_those_referrals(world, rules):
    assessed = decided(world, decision="assessment", when=dt.datetime(1995, 1, 9, tzinfo=dt.UTC))
    RetentionRule.objects.filter(decision="assessment").update(is_active=False)
    assert apply_retention(dry_run=False).referrals == []
    assert Referral.objects.filter(pk=assessed.pk).exists()


def test_a_hold_placed_after_the_list_was_made_still_keeps_the_referral(world, rules):
    from privacy.retention import _destroy

    old = decided(world)
    RetentionHold.objects.create(
        referral=old, reason="Claim", placed_by=world.admin, placed_at=timezone.now()
    )
    rule = RetentionRule.objects.get(record_type="decided_referral", decision="")
    assert _destroy([(old.pk, old.reference, rule)], {old.pk}, timezone.now()) == 0
    assert Referral.objects.filter(pk=old.pk).exists()


def test_no_version_of_a_link_to_a_destroyed_referral_is_left(world, rules):
    from referrals.models import ReferralLink

    old = decided(world)
    later = submit(world.hv)
    record_link(
        referral=later,
        earlier=old,
        actor=world.mash,
        confirmed=False,
        reason="Different child: Leo b. 2019",
    )
    apply_retention(dry_run=False)
    assert not Referral.objects.filter(pk=old.pk).exists()
    assert not ReferralLink.history.filter(earlier_id=old.pk).exists()
