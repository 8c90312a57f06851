"""Home, the health check and the error pages."""

from __future__ import annotations

import hmac
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache

from agencies.models import Role
from agencies.selectors import (
    FrontDoorContact,
    front_door_contacts,
    front_doors_without_duty_team,
    get_access,
    last_known_front_door_contacts,
)
from audit.services import record_refusal
from core.heartbeat import heartbeat_status
from notifications.selectors import outbox_health
from referrals.escalation.sweep import HEARTBEAT as SWEEP_HEARTBEAT

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is."""
    if not request.user.is_authenticated:
        return redirect("sign-in")
    access = get_access(request.user)
    if access.can_see_reports and not access.is_front_door_staff:
        return redirect("partnership-report")
    if access.can_see_dashboard:
        return redirect("manager-dashboard")
    if access.is_front_door_staff:
        return redirect("front-door-queue")
    if access.can_send:
        return redirect("referral-sent")
    if access.has_role(Role.POLICE_OFFICER):
        return redirect("police-referrals")
    return render(request, "portal/no_role.html")


def help_page(request: HttpRequest) -> HttpResponse:
    """How to use Front Door and how to reach each front door: open to all."""
    return render(
        request, "portal/help.html", {"all_front_doors": front_door_contacts(), **_operator()}
    )


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", _operator())


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html", _operator())


def _operator() -> dict[str, str]:
    return {
        "operator": settings.SERVICE_OPERATOR,
        "contact_email": settings.SERVICE_CONTACT_EMAIL,
        "data_protection_email": settings.DATA_PROTECTION_EMAIL,
    }


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Health for monitoring: 200 when all is well, 503 with `problems` when not.

    - database, broker: this process cannot serve or queue work;
    - escalation_sweep: no sweep has succeeded for SWEEP_STALLED_AFTER_MINUTES
      (beat or every worker stopped, or a step keeps failing), by the
      database's clock: overdue referrals are not being escalated;
    - outbox: an email has waited longer than OUTBOX_BACKLOG_AFTER_MINUTES
      (retries included), or one failed for good in the last
      OUTBOX_FAILED_ALERT_HOURS: people are not being told.
    And one warning, which leaves the status as it is (the service works,
    one front door is set up short): `duty_team`, a front door has no
    emergency duty team address, so out of hours an urgent referral reaches
    nobody until the office opens.
    Answers within about a second whatever the broker does. Anyone sees the
    status and the names of the problems; monitoring that sends
    `Authorization: Bearer <HEALTHZ_TOKEN>` sees the figures behind them.
    """
    checks: dict[str, Any] = {}
    problems: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report, do not raise
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        problems.append("database")
    checks["broker"] = _broker_status()
    if not checks["broker"]["ok"]:
        problems.append("broker")
    if checks["database"]["ok"]:
        checks["escalation_sweep"] = heartbeat_status(
            SWEEP_HEARTBEAT, stalled_after_minutes=settings.SWEEP_STALLED_AFTER_MINUTES
        )
        checks["outbox"] = outbox_health(timezone.now())
        problems += [name for name in ("escalation_sweep", "outbox") if not checks[name]["ok"]]
        without = list(front_doors_without_duty_team().values_list("name", flat=True))
        checks["duty_team"] = {"ok": not without, "front_doors_without_address": without}
    if not problems:
        status = "ok"
    elif "database" in problems or "broker" in problems:
        status = "unavailable"
    else:
        status = "degraded"
    body: dict[str, Any] = {"status": status, "problems": problems}
    if checks.get("duty_team", {}).get("ok") is False:
        body["warnings"] = ["duty_team"]
    if _is_monitoring(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if not problems else 503)


def _is_monitoring(request: HttpRequest) -> bool:
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


# The broker is asked with short timeouts, so a frozen Redis (which accepts
# connections and never answers) costs /healthz half a second, not a hang.
BROKER_CHECK_SECONDS = 0.5


def _broker_status() -> dict[str, Any]:
    from portal.celery import app

    # The broker the portal's tasks are sent to, as Celery is configured.
    url = str(app.conf.broker_write_url or app.conf.broker_url or settings.CELERY_BROKER_URL)
    transport = url.split("://", 1)[0]
    try:
        if transport in {"redis", "rediss"}:
            client = redis.Redis.from_url(
                url,
                socket_timeout=BROKER_CHECK_SECONDS,
                socket_connect_timeout=BROKER_CHECK_SECONDS,
                retry_on_timeout=False,
            )
            try:
                client.ping()
            finally:
                client.close()
        elif transport == "filesystem":
            folder = Path(app.conf.broker_transport_options["data_folder_in"])
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                raise OSError("the broker's folder cannot be written")
        else:
            _check_other_broker()
        return {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001 - report, do not raise
        return {"ok": False, "transport": transport, "error": type(exc).__name__}


def _check_other_broker() -> None:
    """Any other transport, through kombu, given the same short time."""
    from portal.celery import app

    outcome: list[BaseException | None] = []

    def check() -> None:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=1)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            outcome.append(exc)

    thread = threading.Thread(target=check, daemon=True)
    thread.start()
    thread.join(BROKER_CHECK_SECONDS * 2)
    if not outcome:
        raise TimeoutError("the broker did not answer")
    if outcome[0] is not None:
        raise outcome[0]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Requests Django refuses before a view runs: too large, bad host, and so on."""
    if _caused_by_database_outage(exception):
        # Django reports a session it could not save as "interrupted" (400),
        # even when the database was only restarting: say what happened.
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {
                "error": "bad_request",
                "message": "This request could not be accepted: "
                "it may be too large (the limit is 2.5 MB) or malformed",
            },
            status=400,
        )
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"error": "not_found", "message": "There is nothing at this address"}, status=404
        )
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_refusal(request)
    if _is_api(request):
        return JsonResponse(
            {"error": "permission_denied", "message": "You cannot do this"}, status=403
        )
    return render(request, "403.html", status=403)


# How long a client should wait before trying again when the database is
# unreachable (a restart or fail-over takes seconds).
RETRY_AFTER_SECONDS = 10


def _caused_by_database_outage(error: BaseException | None) -> bool:
    """Whether an error is, or came from, the database being unreachable
    (restarting, failing over, refusing connections)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _database_unavailable() -> bool:
    return _caused_by_database_outage(sys.exc_info()[1])


def server_error(request: HttpRequest) -> HttpResponse:
    if _database_unavailable():
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {"error": "server_error", "message": "Something went wrong; nothing was changed"},
            status=500,
        )
    # Rendered without the request context: whatever broke (the database,
    # say) must not break the error page too.
    context = {"front_door_contacts": _contacts_for_error_page(ask_database=True)}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


def _contacts_for_error_page(*, ask_database: bool) -> list[FrontDoorContact]:
    """Every front door's number, for a page that cannot know whose it is:
    read afresh when the database may answer, else as this process last
    read them."""
    if ask_database:
        try:
            return front_door_contacts()
        except Exception:  # noqa: BLE001 - the error page must still render
            logger.warning("Front doors' numbers could not be read for an error page")
    return last_known_front_door_contacts()


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The database could not be reached: 503 with Retry-After, not a 500.

    A submission's transaction either committed whole or not at all. If it
    was cut off, nothing half-done is left: an API client sends it again with
    the same Idempotency-Key (it is never recorded twice) and a form's draft
    is still there to send (a draft that did go through says so).
    """
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {
                "error": "unavailable",
                "message": "The service could not reach its database, so this request was not "
                "completed. "
                "Send it again in a few seconds; with the same Idempotency-Key a referral is "
                "never recorded twice",
            },
            status=503,
        )
    else:
        context = {"front_door_contacts": _contacts_for_error_page(ask_database=False)}
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
