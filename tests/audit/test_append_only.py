from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent, AuditRefused
from audit.services import record_event


def test_an_audit_event_cannot_be_changed_or_deleted_through_the_application(db):
    event = record_event(actor=None, action="viewed", object_type="referral", object_ref="FD-X")
    event.object_ref = "FD-Y"
    with pytest.raises(AuditRefused):
        event.save()
    with pytest.raises(AuditRefused):
        event.delete()
    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).update(object_ref="FD-Y")
    with pytest.raises(AuditRefused):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgres_the_database_itself_refuses_changes_to_audit_rows(db):
    event = record_event(actor=None, action="viewed", object_type="referral", object_ref="FD-X")
    for sql in (
        "UPDATE audit_auditevent SET object_ref = 'FD-Y' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])


def test_sign_ins_and_failed_sign_ins_are_audited(db):
    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_user("someone", password="a-long-test-password")
    client = Client()
    client.post("/sign-in/", {"username": "someone", "password": "wrong"})
    client.post("/sign-in/", {"username": "someone", "password": "a-long-test-password"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "object_ref"))
    assert actions == [("sign_in_failed", "someone"), ("signed_in", "someone")]


def test_a_password_typed_into_the_username_box_is_not_kept_in_the_audit_log(db):
    from django.test import Client

    response = Client().post("/sign-in/", {"username": "Tr0ub4dor&3", "password": "x"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert "Tr0ub4dor" not in event.object_ref
    assert event.object_ref.startswith("unknown:")
    # Nor is the password sent back in the page.
    assert 'value="x"' not in response.content.decode()
    assert "Enter a correct username and password" in response.content.decode()


def test_an_administrator_sees_who_viewed_a_referral_and_others_cannot(world):
    from tests.conftest import client_for, submit

    referral = submit(world.hv)
    client_for(world.gp).get(
        f"/referrals/{referral.reference}/"
    )  # refused: 404, not listed as a view
    client_for(world.mash).get(f"/referrals/{referral.reference}/")
    admin = client_for(world.admin)
    assert (
        "Who has seen this referral"
        in admin.get(f"/referrals/{referral.reference}/").content.decode()
    )
    page = admin.get(f"/referrals/{referral.reference}/who-viewed/").content.decode()
    assert "mash.worker" in page and "hv.visitor" in page  # viewed; created
    assert AuditEvent.objects.filter(object_type="referral_audit", actor=world.admin).count() == 1
    assert (
        client_for(world.manager).get(f"/referrals/{referral.reference}/who-viewed/").status_code
        == 403
    )
    assert (
        client_for(world.gp).get(f"/referrals/{referral.reference}/who-viewed/").status_code == 404
    )
