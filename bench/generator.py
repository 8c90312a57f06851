"""Realistic Front Door data at national scale, written with PostgreSQL COPY.

`generate(referrals=N)` builds a regional deployment: ten front doors of
different sizes, each with its partner agencies (police, schools, GP
practices, health visiting, midwifery, hospitals, ambulance, others), their
referrers and safeguarding leads, and the front door's practitioners,
managers, senior managers, an administrator and a partnership viewer. Then
N referrals received over `years` years, newest last, with everything the
portal would have written for them: children (about one in five already
referred to the same front door, by NHS number), adults (mothers, fathers
and male carers, or why not; the same parents each time a child is referred
again, and a few mothers who were referred as children), other agencies,
previous areas, the timeline, requests for information, challenges,
escalations, the outbox (receipts, arrival alerts, outcomes, escalations; a
few failed) and audit events.

About 5% of referrals are still open (the newest): submitted or
acknowledged, each at the escalation level it would have reached by now, so
a sweep at "now" finds nothing due (the steady state). One referral per
front door has a long history (hundreds of timeline entries, emails,
questions, challenges) for the referral-page benchmark.

Simplifications, stated in docs/benchmarks.md: deadlines are fixed offsets
from receipt (8 and 32 hours; 1 and 4 hours when urgent) rather than the
working-day calendar, and history tables get one creation row per referral
only. Rows are written with session_replication_role = replica, which skips
foreign-key triggers during the load: the generator builds consistent data
by construction.

Steps:
1. Create agencies, teams, users and memberships with the ORM (a few
   thousand rows).
2. Draw every referral's receipt time (weekdays and office hours busier),
   sort them, and write referrals in chunks: each chunk builds tab-separated
   text per table in memory and COPYs it, one transaction per chunk.
3. Write the long-history referrals, reset the id sequences, VACUUM ANALYZE.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

import django

if __name__ == "__main__":
    # python -m bench.generator: Django is set up before the models are
    # imported (imported by the tests or bench.run, it already is).
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from agencies.models import Agency, AgencyKind, Membership, Role, Team  # noqa: E402
from bench import data_fingerprint  # noqa: E402
from referrals.models import DeadlinePolicy  # noqa: E402
from referrals.references import ALPHABET, format_reference  # noqa: E402

UTC = dt.UTC
HOUR = 3600
DAY = 86400

TOWNS = [
    "Northbridge",
    "Southport",
    "Eastmere",
    "Westfield",
    "Kingsford",
    "Ashby",
    "Bramley",
    "Colbourne",
    "Dunmore",
    "Fairhaven",
    "Greystoke",
    "Hartwell",
]
# Relative sizes of the front doors (a big city, some counties, small unitaries).
FRONT_DOOR_WEIGHTS = [3.0, 2.0, 1.8, 1.5, 1.2, 1.0, 1.0, 0.9, 0.8, 0.7]
# Partner agencies per front door: (kind, how many, share of referrals, referrers each).
# Shares follow the national pattern of referral sources (police, schools and
# health the largest).
PARTNERS = [
    (AgencyKind.POLICE, 1, 29, 12, "Constabulary Public Protection Unit"),
    (AgencyKind.SCHOOL, 8, 20, 2, "School"),
    (AgencyKind.GP_PRACTICE, 6, 5, 2, "Medical Practice"),
    (AgencyKind.HEALTH_VISITING, 1, 6, 6, "Health Visiting Service"),
    (AgencyKind.MIDWIFERY, 1, 3, 4, "Midwifery Service"),
    (AgencyKind.HOSPITAL, 2, 6, 4, "Hospital Emergency Department"),
    (AgencyKind.AMBULANCE, 1, 2, 4, "Ambulance Service"),
    (AgencyKind.OTHER, 3, 10, 3, "Housing and Community Service"),
]
FIRST_NAMES = [
    "Olivia",
    "Noah",
    "Amelia",
    "Leo",
    "Isla",
    "Oliver",
    "Ava",
    "Arthur",
    "Mia",
    "Muhammad",
    "Ivy",
    "George",
    "Freya",
    "Harry",
    "Lily",
    "Theo",
    "Sophia",
    "Oscar",
    "Grace",
    "Jack",
    "Aisha",
    "Charlie",
    "Evie",
    "Alfie",
    "Zara",
    "Jacob",
    "Ruby",
    "Freddie",
    "Maya",
    "Archie",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Wood",
    "Jackson",
    "Clarke",
    "Marsh",
    "Carter",
    "Fielding",
    "Hussain",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "Ward",
    "Morris",
    "Begum",
    "Ali",
    "Kowalski",
    "Nowak",
]
ADULT_FIRST_F = [
    "Sarah",
    "Emma",
    "Laura",
    "Rebecca",
    "Gemma",
    "Kirsty",
    "Nadia",
    "Fatima",
    "Chloe",
    "Jade",
]
ADULT_FIRST_M = [
    "Daniel",
    "James",
    "Liam",
    "Ryan",
    "Craig",
    "Imran",
    "Lee",
    "Marcus",
    "Tomasz",
    "Dean",
]
STREETS = [
    "Station Road",
    "Church Lane",
    "Park Avenue",
    "Victoria Street",
    "Mill Lane",
    "High Street",
    "Queens Road",
    "Orchard Close",
    "The Crescent",
    "Meadow Way",
]
CATEGORIES = [
    ("neglect", 25),
    ("domestic_abuse", 22),
    ("emotional_abuse", 12),
    ("physical_abuse", 12),
    ("parental_mental_health", 10),
    ("parental_substance_misuse", 8),
    ("sexual_abuse", 5),
    ("other", 6),
]
DECISIONS = [
    ("nfa", 25),
    ("advice", 20),
    ("early_help", 20),
    ("assessment", 25),
    ("strategy_discussion", 7),
    ("open_case", 3),
]
ADULT_CONCERNS = [
    "mental_health",
    "substance_misuse",
    "alcohol_misuse",
    "domestic_abuse_victim",
    "domestic_abuse_perpetrator",
    "criminal_history",
    "risk_to_children",
]
WHAT_HAPPENED = [
    "Child arrived at school hungry and in the same clothes for the third day running; says there "
    "was no food at home.",
    "Police attended a domestic incident at the address overnight; the children were present and "
    "one was crying on the stairs.",
    "Mother disclosed at the antenatal appointment that her partner controls the money and has "
    "pushed her.",
    "Bruising to the upper arm seen at nursery; the explanation given by the carer does not fit "
    "the marks.",
    "Young person told a teacher she is afraid to go home because of her stepfather's drinking.",
    "Home visit found the flat cold and unsafe, with medication within reach of a toddler.",
]
CHILDS_EXPERIENCE = [
    "He said he is always tired and that he looks after his little sister when mum is asleep.",
    "She was quiet and watchful, flinched when an adult raised their voice, and asked to stay "
    "late.",
    "Too young to say; the baby was unsettled and had not been weighed since birth.",
]
ACTIONS = [
    "Spoke to the child, recorded her words, informed the designated safeguarding lead.",
    "Officers stayed until the partner left; a DASH risk assessment was completed (high).",
    "Discussed with the GP and agreed to refer; mother is aware and agreed.",
]


def _choices(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


CAT_VALUES, CAT_WEIGHTS = _choices(CATEGORIES)
DEC_VALUES, DEC_WEIGHTS = _choices(DECISIONS)


_DAYS: dict[int, str] = {}


def _ts(seconds: float | None) -> str:
    """A UTC timestamp as COPY text (dates cached: this runs ~40 times a referral)."""
    if seconds is None:
        return r"\N"
    whole = int(seconds)
    day, rest = divmod(whole, DAY)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()
    return f"{text} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}+00"


def _date(days: int | None) -> str:
    """A date given as days since the Unix epoch."""
    if days is None:
        return r"\N"
    return (dt.date(1970, 1, 1) + dt.timedelta(days=days)).isoformat()


def _b(value: bool) -> str:
    return "t" if value else "f"


def _n(value: object) -> str:
    return r"\N" if value is None else str(value)


def reference_for(referral_id: int) -> str:
    """A unique, valid reference for a generated id: six symbols from the
    scrambled id, and a seventh chosen so the check symbol is a plain one."""
    scrambled = (referral_id * 2654435761 + 12345) % (32**6)
    body = ""
    for _ in range(6):
        body = ALPHABET[scrambled % 32] + body
        scrambled //= 32
    total = 0
    for symbol in body:
        total = total * 32 + ALPHABET.index(symbol)
    for last in range(32):
        if (total * 32 + last) % 37 < 32:
            return format_reference(body + ALPHABET[last])
    raise AssertionError("unreachable")


def nhs_number_for(identity: int) -> str:
    """A valid NHS number (modulus 11 check digit) for a child identity."""
    base = 400_000_000 + (identity * 7919) % 500_000_000
    while True:
        digits = [int(d) for d in f"{base:09d}"]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return f"{base:09d}{check}"
        base += 1


@dataclass
class FrontDoorPeople:
    id: int
    name: str
    alert_email: str
    practitioners: list[tuple[int, str]]
    managers: list[tuple[int, str]]
    seniors: list[tuple[int, str]]
    admin: int
    viewer: int
    partners: list[tuple[int, str, list[tuple[int, str]], int]]  # id, name, referrers, lead
    partner_weights: list[float]
    identities: array = field(default_factory=lambda: array("q"))
    # When this front door last received a referral about each child with an
    # NHS number (whole seconds, as written): for `is_re_referral`.
    last_referred: dict[int, int] = field(default_factory=dict)
    # Children referred here who are old enough to be parents now: a few
    # mothers are drawn from them (a parent known as a child, Rapid Review A2).
    grown_up: list[int] = field(default_factory=list)


def _identity_person(identity: int) -> tuple[str, str, int]:
    """A child identity's name and date of birth, as the children's rows draw them."""
    age_days = (identity * 2654435761) % (17 * 365)
    age_days = int(age_days * ((identity % 7 + 3) / 10))
    return (
        FIRST_NAMES[identity % len(FIRST_NAMES)],
        LAST_NAMES[(identity // 31) % len(LAST_NAMES)],
        20000 - age_days + (identity % 3000),
    )


def _parent_of(
    key: int, first_names: list[str], surname: str, youngest: int
) -> tuple[str, str, int]:
    """A parent's name and date of birth, the same every time for one family."""
    first = first_names[(key * 2654435761 >> 7) % len(first_names)]
    last = surname if key % 4 else LAST_NAMES[(key * 97) % len(LAST_NAMES)]
    born = 20000 - youngest * 365 - (key * 40503) % (25 * 365)
    return first, last, born


def _parent_history(key: int) -> list[str]:
    """What the reviews' fields say about a parent: mostly nothing, as most
    referrals leave them blank; care history, MARAC and custody for a few."""
    care = "care_leaver" if key % 23 == 0 else ""
    marac = "yes" if key % 31 == 0 else ""
    custody = "yes" if key % 37 == 0 else ""
    return [
        "ADHD" if key % 41 == 0 else "",
        "Adult mental health team" if key % 41 == 0 else "",
        marac,
        "Safety plan agreed" if marac else "",
        care,
        custody,
        "Six months in custody" if custody else "",
        "Cannabis most days" if key % 19 == 0 else "",
    ]


def build_world(
    front_doors: int = 10,
    *,
    password: str = "!unusable-bench",  # noqa: S107 - unusable
) -> list[FrontDoorPeople]:
    """Agencies, teams, users and memberships (step 1). Users cannot sign in
    with a password; the benchmarks make sessions for them."""
    User = get_user_model()
    people: list[FrontDoorPeople] = []
    users: list = []
    memberships: list[tuple[str, int, str, int | None]] = []  # username, agency, role, team
    plans = []
    for i in range(front_doors):
        town = TOWNS[i % len(TOWNS)] + ("" if i < len(TOWNS) else f" {i // len(TOWNS) + 1}")
        slug = town.lower().replace(" ", "")
        fd = Agency.objects.create(
            name=f"{town} Front Door",
            kind=AgencyKind.FRONT_DOOR,
            alert_email=f"mash@{slug}.example",
            edt_alert_email=f"edt@{slug}.example",
            police_alert_email=f"ppu@{slug}.example",
        )
        DeadlinePolicy.objects.create(front_door=fd)
        teams = [Team.objects.create(agency=fd, name=f"Duty team {t}") for t in "AB"]
        fd_users: dict[str, list[str]] = {
            "practitioner": [],
            "manager": [],
            "senior_manager": [],
            "administrator": [],
            "partnership_viewer": [],
        }
        for role, count in [
            (Role.PRACTITIONER, 10),
            (Role.MANAGER, 3),
            (Role.SENIOR_MANAGER, 2),
            (Role.ADMINISTRATOR, 1),
            (Role.PARTNERSHIP_VIEWER, 1),
        ]:
            for k in range(count):
                username = f"{slug}.{role}.{k}"
                users.append(
                    User(
                        username=username,
                        email=f"{username}@{slug}.example",
                        password=password,
                        first_name=random.choice(ADULT_FIRST_F + ADULT_FIRST_M),
                        last_name=random.choice(LAST_NAMES),
                    )
                )
                team = teams[k % 2].pk if role in (Role.PRACTITIONER, Role.MANAGER) else None
                memberships.append((username, fd.pk, role, team))
                fd_users[role].append(username)
        partners = []
        for kind, count, share, referrers, label in PARTNERS:
            for k in range(count):
                name = f"{town} {label}" + (f" {k + 1}" if count > 1 else "")
                agency = Agency.objects.create(name=name, kind=kind, front_door=fd)
                refs = []
                for r in range(referrers):
                    username = f"{slug}.{kind}.{k}.{r}"
                    users.append(
                        User(
                            username=username,
                            email=f"{username}@{slug}.example",
                            password=password,
                            first_name=random.choice(ADULT_FIRST_F),
                            last_name=random.choice(LAST_NAMES),
                        )
                    )
                    memberships.append((username, agency.pk, Role.REFERRER, None))
                    refs.append(username)
                lead = f"{slug}.{kind}.{k}.lead"
                users.append(
                    User(
                        username=lead,
                        email=f"{lead}@{slug}.example",
                        password=password,
                        first_name="Safeguarding",
                        last_name="Lead",
                    )
                )
                memberships.append((lead, agency.pk, Role.AGENCY_LEAD, None))
                partners.append((agency.pk, name, refs, lead, share / count))
        plans.append((fd, fd_users, partners, slug))
    User.objects.bulk_create(users, batch_size=1000)
    ids = dict(User.objects.values_list("username", "id"))
    emails = dict(User.objects.values_list("username", "email"))
    Membership.objects.bulk_create(
        [
            Membership(user_id=ids[u], agency_id=a, role=role, team_id=team, phone="01632 960 000")
            for u, a, role, team in memberships
        ],
        batch_size=1000,
    )
    for fd, fd_users, partners, _slug in plans:

        def pair(username: str) -> tuple[int, str]:
            return ids[username], emails[username]

        people.append(
            FrontDoorPeople(
                id=fd.pk,
                name=fd.name,
                alert_email=fd.alert_email,
                practitioners=[pair(u) for u in fd_users["practitioner"]],
                managers=[pair(u) for u in fd_users["manager"]],
                seniors=[pair(u) for u in fd_users["senior_manager"]],
                admin=ids[fd_users["administrator"][0]],
                viewer=ids[fd_users["partnership_viewer"][0]],
                partners=[
                    (pid, name, [pair(u) for u in refs], ids[lead])
                    for pid, name, refs, lead, _ in partners
                ],
                partner_weights=[w for *_, w in partners],
            )
        )
    return people


REFERRAL_COLUMNS = [
    "id",
    "reference",
    "kind",
    "urgency",
    "status",
    "sender_phone",
    "sender_availability",
    "concern_categories",
    "what_happened",
    "when_happened",
    "childs_experience",
    "action_taken",
    "immediate_risk",
    "family_aware",
    "consent",
    "no_consent_basis",
    "no_consent_reason",
    "father_not_recorded_reason",
    "expected_due_date",
    "non_mobile_injury",
    "police_notified_at",
    "strategy_discussion_by",
    "received_at",
    "acknowledge_by",
    "decide_by",
    "acknowledged_at",
    "assigned_at",
    "decision",
    "decision_reasons",
    "next_steps",
    "next_steps_owner",
    "decided_at",
    "outcome_sent_at",
    "updated_at",
    "acknowledged_by_id",
    "assigned_to_id",
    "decided_by_id",
    "front_door_id",
    "sender_id",
    "sending_agency_id",
    "is_re_referral",
]
TABLES: dict[str, list[str]] = {
    "referrals_referral": REFERRAL_COLUMNS,
    "referrals_historicalreferral": [c if c != "id" else "id" for c in REFERRAL_COLUMNS]
    + ["history_id", "history_date", "history_change_reason", "history_type", "history_user_id"],
    "referrals_referralclock": [
        "referral_id",
        "acknowledge_open",
        "acknowledge_by",
        "senior_escalation_at",
        "escalation_level",
        "decide_open",
        "decide_by",
        "decision_senior_at",
        "decision_escalation_level",
        "decision_round",
    ],
    "referrals_child": [
        "id",
        "position",
        "first_name",
        "last_name",
        "date_of_birth",
        "expected_date_of_delivery",
        "sex",
        "nhs_number",
        "address",
        "postcode",
        "school_or_nursery",
        "gp_practice",
        "first_language",
        "interpreter_needed",
        "disability",
        "plan_status",
        "referral_id",
    ],
    "referrals_adult": [
        "id",
        "position",
        "first_name",
        "last_name",
        "relationship",
        "date_of_birth",
        "address",
        "lives_with_child",
        "parental_responsibility",
        "known_concerns",
        "notes",
        "condition",
        "condition_known_to",
        "marac",
        "marac_actions",
        "care_history",
        "custody_history",
        "custody_details",
        "substance_misuse",
        "referral_id",
    ],
    "referrals_involvedagency": [
        "id",
        "position",
        "agency_type",
        "organisation",
        "practitioner",
        "phone",
        "email",
        "referral_id",
    ],
    "referrals_previousarea": [
        "id",
        "position",
        "address",
        "local_authority",
        '"when"',
        "person",
        "answer",
        "referral_id",
    ],
    "referrals_referralevent": [
        "id",
        "kind",
        "at",
        "summary",
        "front_door_only",
        "actor_id",
        "referral_id",
    ],
    "referrals_escalation": [
        "id",
        "rule",
        "subject_id",
        "level",
        "due_at",
        "escalated_at",
        "referral_id",
    ],
    "referrals_informationrequest": [
        "id",
        "question",
        "asked_at",
        "due_by",
        "answer",
        "answered_at",
        "is_open",
        "escalation_level",
        "answered_by_id",
        "asked_by_id",
        "to_agency_id",
        "referral_id",
    ],
    "referrals_challenge": [
        "id",
        "reasons",
        "raised_at",
        "step_one_due",
        "step_two_due",
        "is_open",
        "escalation_level",
        "outcome",
        "response",
        "responded_at",
        "raised_by_id",
        "responded_by_id",
        "referral_id",
    ],
    "notifications_notification": [
        "id",
        "idempotency_key",
        "channel",
        "purpose",
        "to_address",
        "subject",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "claim_token",
        "last_error",
        "created_at",
        "sent_at",
        "recipient_id",
        "referral_id",
        "webhook_id",
    ],
    "audit_auditevent": [
        "id",
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_ref",
        "via",
        "ip_address",
        "detail",
        "actor_id",
    ],
}
# The clock's key is its referral's id.
ID_COLUMN = {
    t: (
        "history_id"
        if "historical" in t
        else "referral_id"
        if t == "referrals_referralclock"
        else "id"
    )
    for t in TABLES
}


# Tables whose rows are given their key by the caller, not handed one by Batch.add.
def _defaults_for(table: str, written: list[str]) -> tuple[list[str], str]:
    """The columns of `table` the generator leaves out, and the text to add
    to each COPY line for them: each field's default (NULL where it has none
    and may be null)."""
    from django.apps import apps

    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return [], ""
    columns: list[str] = []
    values: list[str] = []
    already = {c.strip('"') for c in written}
    for f in model._meta.concrete_fields:
        if f.column in already:
            continue
        value = f.get_default()
        if value is None or (value == "" and f.null and not f.has_default()):
            if not f.null:
                if f.get_internal_type() in {"CharField", "TextField", "EmailField"}:
                    value = ""
                else:
                    raise RuntimeError(f"{table}.{f.column} has no default for the generator")
            else:
                columns.append(f.column)
                values.append("\\N")
                continue
        if isinstance(value, bool):
            text = "t" if value else "f"
        elif isinstance(value, list | dict):
            text = json.dumps(value)
        else:
            text = str(value)
        columns.append(f.column)
        values.append(text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"))
    return columns, "".join("\t" + v for v in values)


KEYED_BY_CALLER = ("referrals_historicalreferral", "referrals_referralclock")


@dataclass
class Spec:
    """How one referral is to be made; the rest is drawn at random."""

    received: float
    status: str  # submitted, acknowledged, decided
    front_door: FrontDoorPeople
    breached: bool = False  # catch-up scenario: acknowledgement just missed, nothing else due


class Batch:
    """Rows for one chunk, as COPY text per table, with ids handed out here."""

    def __init__(self, next_ids: dict[str, int], now: float, rng: random.Random) -> None:
        self.lines: dict[str, list[str]] = {t: [] for t in TABLES}
        self.next_ids = next_ids
        self.now = now
        self.rng = rng

    def add(self, table: str, values: list[str]) -> int:
        row_id = self.next_ids[table]
        self.next_ids[table] = row_id + 1
        if table not in KEYED_BY_CALLER:
            values = [str(row_id), *values]
        self.lines[table].append("\t".join(values))
        return row_id

    def copy(self, cursor) -> dict[str, int]:
        counts = {}
        for table, lines in self.lines.items():
            if not lines:
                continue
            # Columns the generator does not write take the model's default,
            # so a field added to a model does not stop the benchmarks.
            extra, tail = _defaults_for(table, TABLES[table])
            columns = ", ".join([*TABLES[table], *(f'"{c}"' for c in extra)])
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, len(lines), 5000):
                    chunk = lines[start : start + 5000]
                    if tail:
                        chunk = [line + tail for line in chunk]
                    copy.write("\n".join(chunk) + "\n")
            counts[table] = len(lines)
        return counts

    # -- one referral and everything the portal would have written for it --

    def notification(
        self,
        *,
        referral_id: int,
        purpose: str,
        to: tuple[int | None, str],
        subject: str,
        at: float,
        status: str = "sent",
    ) -> None:
        nid = self.next_ids["notifications_notification"]
        failed = status == "failed"
        self.add(
            "notifications_notification",
            [
                str(uuid.UUID(int=(7 << 96) | nid)),
                "email",
                purpose,
                to[1],
                subject,
                f"{subject}. See it in Front Door: https://frontdoor.example/referrals/",
                status,
                "6" if failed else ("0" if status == "pending" else "1"),
                _ts(at),
                r"\N",
                r"\N",
                "SMTPServerDisconnected: Connection unexpectedly closed" if failed else "",
                _ts(at),
                _ts(at + 4) if status == "sent" else r"\N",
                _n(to[0]),
                str(referral_id),
                r"\N",
            ],
        )

    def event(
        self,
        referral_id: int,
        kind: str,
        at: float,
        actor: int | None,
        summary: str,
        front_door_only: bool = False,
    ) -> None:
        self.add(
            "referrals_referralevent",
            [kind, _ts(at), summary, _b(front_door_only), _n(actor), str(referral_id)],
        )

    def audit(
        self, at: float, actor: int | None, label: str, action: str, reference: str, via: str
    ) -> None:
        self.add(
            "audit_auditevent",
            [
                _ts(at),
                label,
                action,
                "referral",
                reference,
                via,
                "192.0.2.10" if via != "task" else r"\N",
                "{}",
                _n(actor),
            ],
        )

    def escalate(
        self,
        referral_id: int,
        reference: str,
        fd: FrontDoorPeople,
        rule: str,
        level: int,
        due: float,
        subject_id: int = 0,
    ) -> None:
        # As a sweep that found this one referral due: its escalation row (the
        # timeline shows it), the sweep's audit event, and the managers' email.
        at = due + self.rng.randint(10, 70)
        self.add(
            "referrals_escalation",
            [rule, str(subject_id), str(level), _ts(due), _ts(at), str(referral_id)],
        )
        self.add(
            "audit_auditevent",
            [
                _ts(at),
                "",
                "escalated",
                "escalation_sweep",
                f"{rule} level {level}",
                "task",
                r"\N",
                json.dumps(
                    {"rule": rule, "level": level, "escalated": 1, "references": [reference]}
                ),
                r"\N",
            ],
        )
        for person in fd.managers if level == 1 else fd.seniors:
            self.notification(
                referral_id=referral_id,
                purpose="escalation",
                to=person,
                subject=f"Escalated: {reference}",
                at=at,
            )

    def referral(self, spec: Spec, identity_counter: list[int]) -> int:
        r, fd, now = self.rng, spec.front_door, self.now
        rid = self.next_ids["referrals_referral"]
        reference = reference_for(rid)
        received = spec.received
        pid, agency_name, referrers, lead = r.choices(fd.partners, weights=fd.partner_weights)[0]
        sender = r.choice(referrers)
        kind = "consultation" if r.random() < 0.15 else "referral"
        status = spec.status
        # The child or children: about one referral in five is about a child
        # this front door has had a referral about before.
        n_children = r.choices((1, 2, 3, 4), weights=(65, 22, 9, 4))[0]
        today = int(received // DAY)
        pre_birth = r.random() < 0.06
        non_mobile = not pre_birth and r.random() < 0.01 and not spec.breached
        categories = list(
            dict.fromkeys(r.choices(CAT_VALUES, weights=CAT_WEIGHTS, k=r.choice((1, 1, 2))))
        )
        if pre_birth:
            categories = ["pre_birth", *categories[:1]]
        if non_mobile:
            categories = ["non_mobile_injury", "physical_abuse"]
        urgent = (non_mobile or r.random() < 0.07) and not spec.breached
        due_date = today + r.randint(28, 210) if pre_birth else None
        if due_date is not None and due_date - today <= 84:  # pre-birth
            urgent = not spec.breached
        if spec.breached:
            ack_by = received + r.randint(2 * HOUR, 3 * HOUR)
            senior_at, decide_by = now + 4 * HOUR, now + 24 * HOUR
            decision_senior = decide_by + 2 * HOUR
        elif urgent:
            ack_by, decide_by = received + HOUR, received + 4 * HOUR
            senior_at, decision_senior = ack_by + 2 * HOUR, decide_by + 2 * HOUR
        else:
            ack_by, decide_by = received + 8 * HOUR, received + 32 * HOUR
            senior_at, decision_senior = ack_by + 2 * HOUR, decide_by + 2 * HOUR
        worker = r.choice(fd.practitioners)
        acked_at = decided_at = None
        if status != "submitted":
            late = r.random() < 0.12
            acked_at = received + (r.uniform(1.05, 1.6) if late else r.uniform(0.1, 0.9)) * (
                ack_by - received
            )
            if status == "acknowledged" and acked_at > now:
                acked_at = received + (now - received) * 0.5
        if status == "decided":
            assert acked_at is not None  # decided, so acknowledged above
            late = r.random() < 0.15
            span = decide_by - acked_at
            decided_at = acked_at + (r.uniform(1.05, 1.5) if late else r.uniform(0.1, 0.95)) * max(
                span, HOUR
            )
        # Escalation levels this referral reached (or would have by now).
        ack_level = 0
        stop = acked_at if acked_at is not None else now
        for due in (ack_by, senior_at):
            if stop >= due:
                ack_level += 1
        dec_level = 0
        stop = decided_at if decided_at is not None else now
        for due in (decide_by, decision_senior):
            if stop >= due:
                dec_level += 1
        if spec.breached:
            ack_level = dec_level = 0  # the sweep was down: nothing escalated yet
        decision = r.choices(DEC_VALUES, weights=DEC_WEIGHTS)[0] if status == "decided" else ""
        consent = r.choices(("given", "refused", "not_sought"), weights=(55, 15, 30))[0]
        basis = (
            ""
            if consent == "given"
            else r.choice(("risk_to_child", "significant_harm", "not_contactable"))
        )
        has_father = r.random() < 0.55
        updated = decided_at or acked_at or received
        row = [
            reference,
            kind,
            "urgent" if urgent else "standard",
            status,
            "01632 960 123",
            r.choice(("Weekdays 9 to 5", "Mornings", "")),
            json.dumps(categories),
            r.choice(WHAT_HAPPENED),
            r.choice(("Yesterday evening", "This morning", "Over the last month")),
            r.choice(CHILDS_EXPERIENCE),
            r.choice(ACTIONS),
            _b(r.random() < 0.1),
            _b(consent == "given"),
            consent,
            basis,
            "" if consent == "given" else "Mother was not reachable by phone today.",
            "" if has_father else "Mother says the father has had no contact since the birth.",
            _date(due_date),
            _b(non_mobile),
            _ts(received if non_mobile else None),
            _ts(received + 24 * HOUR if non_mobile else None),
            _ts(received),
            _ts(ack_by),
            _ts(decide_by),
            _ts(acked_at),
            _ts(acked_at),
            decision,
            "Reasons recorded by the front door after checks with health and police."
            if decision
            else "",
            "Allocated for assessment within 10 working days." if decision else "",
            "Children's social care" if decision else "",
            _ts(decided_at),
            _ts(decided_at),
            _ts(updated),
            _n(worker[0] if acked_at else None),
            _n(worker[0] if acked_at else None),
            _n(worker[0] if decided_at else None),
            str(fd.id),
            str(sender[0]),
            str(pid),
        ]
        self.add(
            "referrals_referralclock",
            [
                str(rid),
                _b(status == "submitted"),
                _ts(ack_by),
                _ts(senior_at),
                str(ack_level),
                _b(status != "decided"),
                _ts(decide_by),
                _ts(decision_senior),
                str(dec_level),
                "0",
            ],
        )
        # Children: the first may be someone referred before; siblings share the surname.
        surname = ""
        re_referral = False
        first_identity = 0
        for position in range(n_children):
            if position == 0 and len(fd.identities) > 20 and r.random() < 0.22:
                identity = fd.identities[r.randrange(len(fd.identities))]
            else:
                identity = identity_counter[0]
                identity_counter[0] += 1
                fd.identities.append(identity)
            first_identity = first_identity or identity
            first = FIRST_NAMES[identity % len(FIRST_NAMES)]
            surname = surname or LAST_NAMES[(identity // 31) % len(LAST_NAMES)]
            unborn = pre_birth and position == 0
            if unborn:
                dob, edd, first = None, due_date, "Unborn"
            elif non_mobile and position == 0:
                dob, edd = today - r.randint(20, 170), None
            else:
                # A stable date of birth per identity, skewed towards the young.
                age_days = (identity * 2654435761) % (17 * 365)
                age_days = int(age_days * ((identity % 7 + 3) / 10))
                dob, edd = 20000 - age_days + (identity % 3000), None
                dob = min(dob, today - 30)
                if dob <= today - 16 * 365 and len(fd.grown_up) < 5000:
                    fd.grown_up.append(identity)  # old enough to be a parent now
            nhs_number = "" if unborn or identity % 10 == 0 else nhs_number_for(identity)
            if nhs_number:
                # A re-referral as the portal records it: the same NHS number at
                # this front door in the 12 months before.
                last = fd.last_referred.get(identity)
                re_referral = re_referral or (
                    last is not None and int(received) - 365 * DAY <= last < int(received)
                )
                fd.last_referred[identity] = int(received)
            self.add(
                "referrals_child",
                [
                    str(position),
                    first,
                    surname,
                    _date(dob),
                    _date(edd),
                    r.choice(("female", "male")) if not unborn else "not_known",
                    nhs_number,
                    f"{identity % 200 + 1} {STREETS[identity % len(STREETS)]}, "
                    f"{fd.name.split()[0]}",
                    f"NB{identity % 9 + 1} {identity % 9}AB",
                    "" if unborn else "Local primary school",
                    "Riverside Medical Practice",
                    "English" if identity % 6 else "Polish",
                    "no",
                    "",
                    r.choice(
                        ("none", "none", "none", "child_in_need", "child_protection", "not_known")
                    ),
                    str(rid),
                ],
            )
        row.append(_b(re_referral))
        self.add("referrals_referral", row)
        self.add(
            "referrals_historicalreferral",
            [
                str(rid),
                *row,
                str(self.next_ids["referrals_historicalreferral"]),
                _ts(received),
                r"\N",
                "+",
                str(sender[0]),
            ],
        )
        # The family: parents belong to the first child's identity, so a child
        # referred again comes with the same mother and father (the same
        # names and dates of birth), as a family does. About one mother in
        # thirty was referred to this front door as a child herself.
        family = first_identity
        mother_first, mother_last, mother_dob = _parent_of(family, ADULT_FIRST_F, surname, 17)
        if family % 30 == 7 and fd.grown_up:
            once = fd.grown_up[family % len(fd.grown_up)]
            mother_first, mother_last, mother_dob = _identity_person(once)
        self.add(
            "referrals_adult",
            [
                "0",
                mother_first,
                mother_last,
                "mother",
                _date(mother_dob),
                "",
                "yes",
                "yes",
                json.dumps([c for c in ADULT_CONCERNS if r.random() < 0.12] or ["none_known"]),
                "",
                *_parent_history(family),
                str(rid),
            ],
        )
        if has_father:
            father_first, father_last, father_dob = _parent_of(
                family * 7 + 3, ADULT_FIRST_M, surname, 18
            )
            self.add(
                "referrals_adult",
                [
                    "1",
                    father_first,
                    father_last,
                    r.choice(("father", "father", "mothers_partner", "male_carer", "step_parent")),
                    _date(father_dob),
                    "",
                    r.choice(("yes", "no")),
                    r.choice(("yes", "no")),
                    json.dumps([c for c in ADULT_CONCERNS if r.random() < 0.15] or ["none_known"]),
                    "",
                    *_parent_history(family * 7 + 3),
                    str(rid),
                ],
            )
        for position in range(r.choices((0, 1, 2), weights=(40, 40, 20))[0]):
            self.add(
                "referrals_involvedagency",
                [
                    str(position),
                    r.choice(("school", "gp", "health_visitor", "housing")),
                    r.choice(
                        ("St Mary's Primary", "Riverside Medical Practice", "Northbridge Housing")
                    ),
                    "",
                    "01632 960 555",
                    "",
                    str(rid),
                ],
            )
        if r.random() < 0.08:
            self.add(
                "referrals_previousarea",
                [
                    "0",
                    "12 Harbour View, Southport",
                    "Southport Council",
                    "2019 to 2022",
                    "",
                    "",
                    str(rid),
                ],
            )
        # Timeline, outbox and audit of the submission.
        self.event(
            rid,
            "submitted",
            received,
            sender[0],
            f"{'Consultation' if kind == 'consultation' else 'Referral'} received from "
            f"{agency_name}",
        )
        self.audit(
            received, sender[0], "", "created", reference, r.choice(("web", "web", "web", "api"))
        )
        mail_status = "failed" if r.random() < 0.002 else "sent"
        if spec.breached:
            mail_status = "sent"
        self.notification(
            referral_id=rid,
            purpose="receipt",
            to=sender,
            subject=f"Received: {reference}",
            at=received,
            status=mail_status,
        )
        self.notification(
            referral_id=rid,
            purpose="arrival",
            to=(None, fd.alert_email),
            subject=f"New referral {reference}",
            at=received,
        )
        if non_mobile:
            self.event(
                rid, "police_notified", received, None, "Police public protection unit notified"
            )
            self.notification(
                referral_id=rid,
                purpose="police",
                to=(None, "ppu@police.example"),
                subject=f"Injury to a non-mobile baby: {reference}",
                at=received,
            )
        # Escalations reached.
        if ack_level >= 1:
            self.escalate(rid, reference, fd, "not_acknowledged", 1, ack_by)
        if ack_level >= 2:
            self.escalate(rid, reference, fd, "not_acknowledged", 2, senior_at)
        if dec_level >= 1:
            self.escalate(rid, reference, fd, "not_decided", 1, decide_by)
        if dec_level >= 2:
            self.escalate(rid, reference, fd, "not_decided", 2, decision_senior)
        if acked_at is not None:
            self.event(
                rid, "assigned", acked_at - 60, worker[0], f"Assigned to {worker[1].split('@')[0]}"
            )
            self.event(rid, "acknowledged", acked_at, worker[0], "Acknowledged by the front door")
            self.audit(acked_at, worker[0], "", "acknowledged", reference, "web")
            self.notification(
                referral_id=rid,
                purpose="acknowledged",
                to=sender,
                subject=f"Acknowledged: {reference}",
                at=acked_at,
            )
            if r.random() < 0.06:
                asked = acked_at + 600
                due_by = asked + DAY
                answered = status == "decided" or (r.random() < 0.5 and due_by > now)
                to_other = r.random() < 0.3
                level = 0 if answered or due_by > now else 1
                irid = self.add(
                    "referrals_informationrequest",
                    [
                        "Has the child been seen at the surgery since the injury?",
                        _ts(asked),
                        _ts(due_by),
                        "Yes, seen on Monday; no concerns noted." if answered else "",
                        _ts(asked + 3 * HOUR if answered else None),
                        _b(not answered),
                        str(level),
                        _n(sender[0] if answered else None),
                        str(worker[0]),
                        _n(r.choice(fd.partners)[0] if to_other else None),
                        str(rid),
                    ],
                )
                self.event(
                    rid, "information_requested", asked, worker[0], "More information requested"
                )
                if answered:
                    self.event(
                        rid,
                        "information_given",
                        asked + 3 * HOUR,
                        sender[0],
                        "More information given",
                    )
                if level:
                    self.escalate(
                        rid, reference, fd, "information_unanswered", 1, due_by, subject_id=irid
                    )
        if decided_at is not None:
            self.event(
                rid, "decided", decided_at, worker[0], f"Decision: {decision.replace('_', ' ')}"
            )
            self.event(rid, "outcome_sent", decided_at, None, "Outcome sent to the referrer")
            self.audit(decided_at, worker[0], "", "decided", reference, "web")
            self.notification(
                referral_id=rid,
                purpose="outcome",
                to=sender,
                subject=f"Outcome: {reference}",
                at=decided_at,
            )
            if r.random() < 0.02 and decided_at + 6 * DAY < now:
                raised = decided_at + r.randint(1, 5) * DAY
                manager = r.choice(fd.managers)
                self.add(
                    "referrals_challenge",
                    [
                        "We think the threshold for an assessment is met: this is the third "
                        "referral this year.",
                        _ts(raised),
                        _ts(raised + 2 * DAY),
                        _ts(raised + 4 * DAY),
                        "f",
                        "0",
                        r.choice(("upheld", "upheld", "changed")),
                        "Reviewed with the team manager.",
                        _ts(raised + DAY),
                        str(sender[0]),
                        str(manager[0]),
                        str(rid),
                    ],
                )
                self.event(rid, "challenged", raised, sender[0], "Decision challenged")
                self.event(
                    rid, "challenge_answered", raised + DAY, manager[0], "Challenge answered"
                )
        return rid


def _receipt_times(n: int, *, start: float, end: float, rng: random.Random) -> list[float]:
    """Receipt times: weekdays busier than weekends, office hours busiest."""
    days = int((end - start) // DAY) + 1
    day_weights = [
        0.35 if dt.date.fromtimestamp(start + d * DAY).weekday() >= 5 else 1.0 for d in range(days)
    ]
    hour_weights = [1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 10, 11, 12, 11, 10, 7, 5, 4, 3, 2, 2, 1]
    picked_days = rng.choices(range(days), weights=day_weights, k=n)
    picked_hours = rng.choices(range(24), weights=hour_weights, k=n)
    times = [
        start + d * DAY + h * HOUR + rng.random() * HOUR
        for d, h in zip(picked_days, picked_hours, strict=True)
    ]
    times = [min(t, end) for t in times]
    times.sort()
    return times


def _next_ids(cursor) -> dict[str, int]:
    result = {}
    for table, column in ID_COLUMN.items():
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}")  # noqa: S608 - our own names
        result[table] = cursor.fetchone()[0]
    return result


def _reset_sequences(cursor) -> None:
    for table, column in ID_COLUMN.items():
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608 - our own names
            f"(SELECT COALESCE(MAX({column}), 1) FROM {table}))"
        )


def write_referrals(
    specs: list[Spec],
    *,
    now: float,
    rng: random.Random,
    identity_counter: list[int],
    chunk: int = 20_000,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write referrals for `specs` in chunks, one transaction each (step 2).
    Returns rows written per table."""
    totals: dict[str, int] = {}
    with connection.cursor() as c:
        next_ids = _next_ids(c.cursor)
    for start in range(0, len(specs), chunk):
        batch = Batch(next_ids, now, rng)
        for spec in specs[start : start + chunk]:
            batch.referral(spec, identity_counter)
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SET LOCAL session_replication_role = replica")
            for table, count in batch.copy(c.cursor).items():
                totals[table] = totals.get(table, 0) + count
        if progress:
            progress(f"  {min(start + chunk, len(specs)):,} of {len(specs):,} referrals written")
    with connection.cursor() as c:
        _reset_sequences(c.cursor)
    return totals


def write_long_history(
    fd: FrontDoorPeople, *, now: float, rng: random.Random, events: int = 300
) -> str:
    """One open referral with a long history: a repeat referral about the
    same family over two years, hundreds of timeline entries and emails,
    many questions and a few challenges."""
    with connection.cursor() as c:
        next_ids = _next_ids(c.cursor)
    batch = Batch(next_ids, now, rng)
    rid = batch.referral(
        Spec(received=now - 2 * HOUR, status="acknowledged", front_door=fd), [10**9]
    )
    reference = reference_for(rid)
    worker = fd.practitioners[0]
    start = now - 2 * 365 * DAY
    for k in range(events):
        at = start + k * (2 * 365 * DAY / events)
        kind = ("information_requested", "information_given", "assigned", "managers_alerted")[k % 4]
        batch.event(rid, kind, at, worker[0], f"Entry {k + 1} in a long history")
        batch.notification(
            referral_id=rid,
            purpose="information_request",
            to=worker,
            subject=f"Question about {reference}",
            at=at,
        )
        if k % 15 == 0:
            batch.add(
                "referrals_informationrequest",
                [
                    f"Question {k + 1}: any change since the last contact?",
                    _ts(at),
                    _ts(at + DAY),
                    "No change.",
                    _ts(at + HOUR),
                    "f",
                    "0",
                    str(worker[0]),
                    str(worker[0]),
                    r"\N",
                    str(rid),
                ],
            )
        if k % 100 == 0:
            batch.add(
                "referrals_challenge",
                [
                    "We disagree with the decision.",
                    _ts(at),
                    _ts(at + 2 * DAY),
                    _ts(at + 4 * DAY),
                    "f",
                    "0",
                    "upheld",
                    "The decision stands.",
                    _ts(at + DAY),
                    str(worker[0]),
                    str(fd.managers[0][0]),
                    str(rid),
                ],
            )
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL session_replication_role = replica")
        batch.copy(c.cursor)
    with connection.cursor() as c:
        _reset_sequences(c.cursor)
    return reference


META_TABLE = "bench_meta"


def save_meta(meta: dict) -> None:
    with connection.cursor() as c:
        c.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)"
        )
        for key, value in meta.items():
            c.execute(
                f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, json.dumps(value)],
            )


def load_meta() -> dict:
    with connection.cursor() as c:
        c.execute("SELECT to_regclass(%s)", [META_TABLE])
        if c.fetchone()[0] is None:
            return {}
        c.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608
        return {k: (json.loads(v) if isinstance(v, str) else v) for k, v in c.fetchall()}


def max_ids() -> dict[str, int]:
    with connection.cursor() as c:
        return {t: i - 1 for t, i in _next_ids(c.cursor).items()}


def generate(
    *,
    referrals: int,
    front_doors: int = 10,
    years: float = 3.0,
    open_share: float = 0.05,
    seed: int = 1,
    now: dt.datetime | None = None,
    vacuum: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Generate a whole data set into an empty database; returns what was made."""
    from referrals.models import Referral

    if Referral.objects.exists():
        raise RuntimeError(
            "The database already has referrals: generate into an empty, migrated database"
        )
    rng = random.Random(seed)
    random.seed(seed)
    started = time.perf_counter()
    now_ts = (now or dt.datetime.now(tz=UTC)).timestamp()
    people = build_world(front_doors)
    weights = (FRONT_DOOR_WEIGHTS * (front_doors // len(FRONT_DOOR_WEIGHTS) + 1))[:front_doors]
    times = _receipt_times(referrals, start=now_ts - years * 365 * DAY, end=now_ts - 600, rng=rng)
    open_from = int(referrals * (1 - open_share))
    acknowledged_from = open_from + int((referrals - open_from) * 0.6)
    specs = []
    doors = rng.choices(people, weights=weights, k=referrals)
    for i, (received, fd) in enumerate(zip(times, doors, strict=True)):
        # The newest open referrals are not yet acknowledged.
        status = (
            "decided"
            if i < open_from
            else ("acknowledged" if i < acknowledged_from else "submitted")
        )
        specs.append(Spec(received=received, status=status, front_door=fd))
    totals = write_referrals(specs, now=now_ts, rng=rng, identity_counter=[1], progress=progress)
    long_refs = {str(fd.id): write_long_history(fd, now=now_ts, rng=rng) for fd in people}
    if vacuum:  # not possible inside a transaction (as in tests)
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - started
    biggest = people[0]
    meta = {
        "referrals": referrals,
        "front_doors": front_doors,
        "years": years,
        "open_share": open_share,
        "seed": seed,
        "generated_at": dt.datetime.fromtimestamp(now_ts, tz=UTC).isoformat(),
        "fingerprint": data_fingerprint(),
        "seconds": round(elapsed, 1),
        "rows": totals,
        "long_history": long_refs,
        "front_door": {
            "id": biggest.id,
            "name": biggest.name,
            "practitioner": biggest.practitioners[0][0],
            "manager": biggest.managers[0][0],
            "viewer": biggest.viewer,
            "referrer": biggest.partners[0][2][0][0],
            "partners": [[p[0], [u for u, _ in p[2]]] for p in biggest.partners],
        },
        "max_ids": max_ids(),
    }
    save_meta(meta)
    return meta


def people_for(front_door_id: int) -> FrontDoorPeople:
    """Rebuild a front door's people from the database (for adding referrals later)."""
    fd = Agency.objects.get(pk=front_door_id)
    members = list(
        Membership.objects.filter(agency__in=[fd, *fd.partner_agencies.all()])
        .select_related("user", "agency")
        .order_by("id")
    )

    def of(role: str) -> list[tuple[int, str]]:
        return [
            (m.user_id, m.user.email) for m in members if m.agency_id == fd.pk and m.role == role
        ]

    partners = []
    for agency in fd.partner_agencies.order_by("id"):
        refs = [
            (m.user_id, m.user.email)
            for m in members
            if m.agency_id == agency.pk and m.role == Role.REFERRER
        ]
        lead = next(
            (m.user_id for m in members if m.agency_id == agency.pk and m.role == Role.AGENCY_LEAD),
            0,
        )
        partners.append((agency.pk, agency.name, refs, lead))
    return FrontDoorPeople(
        id=fd.pk,
        name=fd.name,
        alert_email=fd.alert_email,
        practitioners=of(Role.PRACTITIONER),
        managers=of(Role.MANAGER),
        seniors=of(Role.SENIOR_MANAGER),
        admin=of(Role.ADMINISTRATOR)[0][0],
        viewer=of(Role.PARTNERSHIP_VIEWER)[0][0],
        partners=partners,
        partner_weights=[1.0] * len(partners),
    )


def insert_breached(count: int, *, now: dt.datetime, seed: int = 2) -> None:
    """The catch-up scenario: `count` referrals received a few hours ago
    across every front door, none acknowledged, all just past their
    acknowledgement deadline and nothing else due (as after a sweep outage)."""
    rng = random.Random(seed)
    now_ts = now.timestamp()
    doors = [
        people_for(pk)
        for pk in Agency.objects.filter(kind=AgencyKind.FRONT_DOOR).values_list("id", flat=True)
    ]
    specs = [
        Spec(
            received=now_ts - rng.randint(4 * HOUR, 5 * HOUR),
            status="submitted",
            front_door=doors[i % len(doors)],
            breached=True,
        )
        for i in range(count)
    ]
    write_referrals(specs, now=now_ts, rng=rng, identity_counter=[2 * 10**9])


def vacuum_analyze() -> None:
    """VACUUM and ANALYZE every generated table: a previous run's catch-up
    inserted and then deleted 110,000 referrals and their rows, and until
    autovacuum gets round to it their dead index entries slow the queue and
    the dashboard and mislead the planner, and autovacuum itself competes
    with whatever is measured next. Run before and after each scale's
    scenarios, so each starts from the same state and leaves nothing behind.
    CHECKPOINT needs a superuser or pg_checkpoint, as the benchmarks' own
    PostgreSQL has."""
    with connection.cursor() as c:
        for table in TABLES:
            c.execute(f"VACUUM (ANALYZE) {table}")
        # Write out now what VACUUM dirtied, not during the next measurement.
        c.execute("CHECKPOINT")


def reset_to_generated() -> dict[str, int]:
    """Remove every row added since generation (by the benchmarks), so the
    next run starts from the generated data set. Audit events are kept: the
    audit table is append-only even here."""
    meta = load_meta()
    removed = {}
    limits = meta["max_ids"]
    order = [t for t in TABLES if t not in ("referrals_referral", "audit_auditevent")] + [
        "referrals_referral"
    ]
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL session_replication_role = replica")
        for table in order:
            c.execute(f"DELETE FROM {table} WHERE {ID_COLUMN[table]} > %s", [limits[table]])  # noqa: S608
            removed[table] = c.rowcount
        # Rows written by submissions that the generator does not write.
        for table in (
            "referrals_historicalchild",
            "referrals_historicaladult",
            "referrals_historicalinvolvedagency",
            "referrals_historicalpreviousarea",
            "referrals_historicalinformationrequest",
            "referrals_historicalchallenge",
            "referrals_idempotencyrecord",
            "referrals_draft",
        ):
            c.execute(f"DELETE FROM {table}")  # noqa: S608
    _reset_sequences(connection.cursor().cursor)
    return removed


def main() -> None:
    """python -m bench.generator --referrals N: fill an empty, migrated
    PostgreSQL database (DATABASE_URL) with a data set."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--referrals", type=int, required=True, help="How many referrals to generate."
    )
    parser.add_argument("--front-doors", type=int, default=10)
    parser.add_argument("--years", type=float, default=3.0, help="Years of referrals kept.")
    parser.add_argument(
        "--open-share", type=float, default=0.05, help="Share still open (0.05 is 5%%)."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(
            "The generator writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database"
        )
    try:
        meta = generate(
            referrals=args.referrals,
            front_doors=args.front_doors,
            years=args.years,
            open_share=args.open_share,
            seed=args.seed,
            progress=print if args.verbose else None,
        )
    except RuntimeError as exc:
        sys.exit(str(exc))
    rows = sum(meta["rows"].values())
    print(f"Generated {meta['referrals']:,} referrals ({rows:,} rows) in {meta['seconds']} s")


if __name__ == "__main__":
    main()
