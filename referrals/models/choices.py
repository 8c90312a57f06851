"""The answers a referral's questions allow, and other fixed lists."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    CONSULTATION = "consultation", "Consultation"
    # Anything the front door received and recorded itself (a phone call, a
    # letter, a member of the public): counted as a contact until a worker
    # makes it a referral (the Children in Need census counts referrals only).
    CONTACT = "contact", "Contact"


# What a partner agency chooses between when it sends one through the portal.
SENDER_KINDS = (Kind.REFERRAL, Kind.CONSULTATION)


class Channel(models.TextChoices):
    """How it reached the front door. "email" is also what the front door's
    shared mailbox will record when it is read by the portal."""

    PORTAL = "portal", "Portal"
    API = "api", "Agency system (API)"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter or form by post"
    IN_PERSON = "in_person", "In person"
    PUBLIC_FORM = "public_form", "Report a concern page (public)"


# The channels a front-door worker records a contact from.
RECORDED_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.IN_PERSON)


class SourceType(models.TextChoices):
    """Who a contact recorded by the front door came from."""

    PROFESSIONAL = "professional", "A professional"
    PUBLIC = "public", "A member of the public"
    ANONYMOUS = "anonymous", "Anonymous: they would not give their name"


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Received, waiting to be acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECIDED = "decided", "Decided"


# Referrals the front door still owes a decision on.
OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED)


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice and information given"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Child and family assessment (section 17)"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47)"
    OPEN_CASE = "open_case", "Passed to the team that already has the case"
    # A contact closed when it was recorded: nothing for children's social
    # care to do, but counted (local authorities log many contacts per referral).
    INFORMATION_ONLY = "information_only", "Information only: closed as a contact"


class ChallengeOutcome(models.TextChoices):
    UPHELD = "upheld", "The decision stands"
    CHANGED = "changed", "The decision will be changed"


class LinkStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Same child or household"
    REJECTED = "rejected", "Not the same"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class PlanStatus(models.TextChoices):
    NONE = "none", "No"
    CHILD_IN_NEED = "child_in_need", "Yes: child in need plan"
    CHILD_PROTECTION = "child_protection", "Yes: child protection plan"
    LOOKED_AFTER = "looked_after", "Yes: looked after by a local authority"
    NOT_KNOWN = "not_known", "Not known"


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    MOTHERS_PARTNER = "mothers_partner", "Mother's partner"
    FATHERS_PARTNER = "fathers_partner", "Father's partner"
    MALE_CARER = "male_carer", "Other male carer"
    FEMALE_CARER = "female_carer", "Other female carer"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_HOUSEHOLD = "other_household", "Other adult in the household"
    OTHER = "other", "Other"


# Relationships that answer "who are the men around this child?"
# ("The Myth of Invisible Men"; Child BF finding 3).
FATHER_FIGURES = frozenset(
    {
        Relationship.FATHER,
        Relationship.MALE_CARER,
        Relationship.MOTHERS_PARTNER,
        Relationship.STEP_PARENT,
    }
)


class AdultConcern(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health difficulties"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug misuse"
    ALCOHOL_MISUSE = "alcohol_misuse", "Alcohol misuse"
    DOMESTIC_ABUSE_VICTIM = "domestic_abuse_victim", "Experiencing domestic abuse"
    DOMESTIC_ABUSE_PERPETRATOR = "domestic_abuse_perpetrator", "Causing domestic abuse"
    CRIMINAL_HISTORY = "criminal_history", "Criminal history"
    RISK_TO_CHILDREN = "risk_to_children", "Known risk to children"
    NONE_KNOWN = "none_known", "Nothing known"


class AgencyType(models.TextChoices):
    GP = "gp", "GP"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    MIDWIFE = "midwife", "Midwife"
    SCHOOL = "school", "School or nursery"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    ADULT_MENTAL_HEALTH = "adult_mental_health", "Adult mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug and alcohol service"
    PROBATION = "probation", "Probation"
    HOSPITAL = "hospital", "Hospital"
    OTHER = "other", "Other"


class ConcernCategory(models.TextChoices):
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse", "Parental drug or alcohol misuse"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    NON_MOBILE_INJURY = "non_mobile_injury", "Injury to a baby who is not yet mobile"
    PRE_BIRTH = "pre_birth", "Concern about an unborn baby"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    GIVEN = "given", "Yes"
    REFUSED = "refused", "No, they refused"
    NOT_SOUGHT = "not_sought", "I have not asked them"
    # Only for a contact recorded by the front door: the caller could not say.
    NOT_KNOWN = "not_known", "Not known: the person could not say"


class NoConsentBasis(models.TextChoices):
    RISK_TO_CHILD = "risk_to_child", "Asking would put the child at greater risk of harm"
    RISK_TO_ADULT = "risk_to_adult", "Asking would put an adult at risk"
    PREJUDICE_INVESTIGATION = (
        "prejudice_investigation",
        "Asking could prejudice a police investigation",
    )
    SIGNIFICANT_HARM = (
        "significant_harm",
        "The child is at risk of significant harm and cannot wait",
    )
    NOT_CONTACTABLE = "not_contactable", "I could not reach them and delay would harm the child"
    OTHER = "other", "Another reason, explained below"


class EscalationRule(models.TextChoices):
    NOT_ACKNOWLEDGED = "not_acknowledged", "Not acknowledged in time"
    NOT_DECIDED = "not_decided", "No decision in time"
    INFORMATION_UNANSWERED = (
        "information_unanswered",
        "Request for information not answered in time",
    )
    CHALLENGE_UNRESOLVED = "challenge_unresolved", "Challenge not resolved in time"
