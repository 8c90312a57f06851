"""Children in Need census referral sources: who a referral came from, in the
codes of the Department for Education's return (CIN_schema_2024.xsd,
`referralsourcetype`), so that the local authority's census can be made from
what the front door recorded.

A portal referral's source follows from the kind of agency that sent it (and,
for a health visiting service's or hospital's staff, their role); a contact
recorded by the front door is given one by the worker who records it.
"""

from __future__ import annotations

from django.db import models


class CensusSource(models.TextChoices):
    # The labels are the schema's own wording (tests/referrals/test_census.py
    # checks them against the XSD shipped in the `liiatools` package).
    FAMILY = "1A", "INDIVIDUAL – family member, relative or carer"
    ACQUAINTANCE = "1B", "INDIVIDUAL – acquaintance (including neighbours and child minders)"
    SELF = "1C", "INDIVIDUAL – self"
    OTHER_INDIVIDUAL = "1D", "INDIVIDUAL – other (including strangers)"
    SCHOOLS = "2A", "SCHOOLS"
    EDUCATION_SERVICES = "2B", "EDUCATION SERVICES"
    GP = "3A", "HEALTH SERVICES – general practitioner (GP)"
    HEALTH_VISITOR = "3B", "HEALTH SERVICES – health visitor"
    SCHOOL_NURSE = "3C", "HEALTH SERVICES – school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "HEALTH SERVICES – other primary health services"
    A_AND_E = "3E", "HEALTH SERVICES – A&E (accident and emergency department)"
    OTHER_HEALTH = "3F", "HEALTH SERVICES – other (for example hospice)"
    HOUSING = "4", "HOUSING - local authority housing or housing association"
    LA_SOCIAL_CARE = "5A", "LA SERVICES – social care for example adults social care services"
    LA_OTHER_INTERNAL = (
        "5B",
        (
            "LA SERVICES – other internal (department other than social care in local "
            "authorities, for example, youth offending (excluding housing))"
        ),
    )
    LA_EXTERNAL = (
        "5C",
        (
            "LA SERVICES – external, for example, from another local authority’s adults social "
            "care services"
        ),
    )
    # The schema's wording starts with a stray "(": kept for the return,
    # left off on the pages (see `plain_label`).
    LA_EARLY_HELP = "5D", "(LA SERVICES – early help"
    POLICE = "6", "POLICE"
    OTHER_LEGAL = (
        "7",
        (
            "OTHER LEGAL AGENCY – including courts, probation, immigration, CAFCASS (Children "
            "and Family Court Advisory and Support Service) or prison"
        ),
    )
    OTHER = (
        "8",
        (
            "OTHER – including children’s centres, independent agency providers or voluntary "
            "organisations"
        ),
    )
    ANONYMOUS = "9", "ANONYMOUS"
    UNKNOWN = "10", "UNKNOWN"


def plain_label(code: str) -> str:
    """The code and its wording as a page shows it: "3B: HEALTH SERVICES – health visitor"."""
    labels = dict(CensusSource.choices)
    if code not in labels:
        return "Not recorded"
    return f"{code}: {str(labels[code]).lstrip('(')}"


def page_choices() -> list[tuple[str, str]]:
    return [(code, plain_label(code)) for code in CensusSource.values]


# The agency kinds of agencies.models.AgencyKind, by value (referrals may
# import agencies, but the mapping reads more plainly by value).
_BY_AGENCY_KIND = {
    "health_visiting": CensusSource.HEALTH_VISITOR,
    "midwifery": CensusSource.OTHER_PRIMARY_HEALTH,
    "gp_practice": CensusSource.GP,
    "hospital": CensusSource.OTHER_HEALTH,
    "ambulance": CensusSource.OTHER_HEALTH,
    "police": CensusSource.POLICE,
    "school": CensusSource.SCHOOLS,
    "front_door": CensusSource.LA_SOCIAL_CARE,
    "other": CensusSource.OTHER,
}

# Job titles that refine a health agency's code: a school nurse employed by a
# health visiting service is 3C, an emergency department's doctor 3E.
_HEALTH_ROLE_WORDS = (
    (("school nurse",), CensusSource.SCHOOL_NURSE),
    (("emergency department", "a&e", "a and e", "accident and emergency"), CensusSource.A_AND_E),
    (("health visitor",), CensusSource.HEALTH_VISITOR),
    ((" gp", "general practitioner"), CensusSource.GP),
)
_HEALTH_KINDS = frozenset({"health_visiting", "midwifery", "gp_practice", "hospital", "ambulance"})


def source_for_agency(*, agency_kind: str, job_title: str = "") -> str:
    """The census source of a referral sent by a member of an agency of this kind."""
    if agency_kind in _HEALTH_KINDS and job_title:
        title = f" {job_title.lower()}"
        for words, code in _HEALTH_ROLE_WORDS:
            if any(word in title for word in words):
                return code
    return _BY_AGENCY_KIND.get(agency_kind, CensusSource.UNKNOWN)
