from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action
from audit.services import Origin, record_event, record_repeated_refusal


@receiver(user_logged_in)
def record_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(
        actor=user,
        action=Action.SIGNED_IN,
        object_type="user",
        object_ref=user.get_username(),
        origin=Origin.of(request),
    )


@receiver(user_logged_out)
def record_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(
            actor=user,
            action=Action.SIGNED_OUT,
            object_type="user",
            object_ref=user.get_username(),
            origin=Origin.of(request),
        )


@receiver(user_login_failed)
def record_failed_sign_in(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    # People type passwords into the username box. The audit log cannot be
    # edited, so it names an account only when the username is a real one;
    # otherwise it keeps a one-way hash, enough to spot repeated attempts.
    typed = str(credentials.get("username", ""))
    User = get_user_model()
    if User.objects.filter(username=typed).exists():
        # A real account: every failure is kept (they are slowed per
        # username and locked out per address, so they cannot flood).
        record_event(
            actor=None,
            action=Action.SIGN_IN_FAILED,
            object_type="user",
            object_ref=typed[:64],
            origin=Origin.of(request),
        )
        return
    # Made-up names cost an attacker nothing: fold them by address.
    ref = "unknown:" + hashlib.sha256(typed.encode()).hexdigest()[:16]
    if request is not None:
        record_repeated_refusal(
            request,
            object_type="user",
            object_ref=ref,
            reason="no such username",
            action=Action.SIGN_IN_FAILED,
        )
