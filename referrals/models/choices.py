"""The answers a referral's questions allow, and other fixed lists."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    CONSULTATION = "consultation", "Consultation"


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Received, waiting to be acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECIDED = "decided", "Decided"
    # Sent on to a local authority that is not on this deployment: the
    # referral is no longer this front door's to decide.
    TRANSFERRED = "transferred", "Transferred to another local authority"


# Referrals the front door still owes a decision on.
OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED)


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice and information given"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Child and family assessment (section 17)"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47)"
    OPEN_CASE = "open_case", "Passed to the team that already has the case"


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


class CareHistory(models.TextChoices):
    """Whether a parent or carer is or was looked after (Family T: the mother
    was a care leaver, and nobody put it together)."""

    LOOKED_AFTER = "looked_after", "Yes: looked after by a local authority now"
    CARE_LEAVER = "care_leaver", "Yes: was looked after (a care leaver)"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class YesNoNotKnown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


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


class Differential(models.TextChoices):
    """Whether a health referrer counts abuse among the possible causes."""

    YES = "yes", "Yes, abuse is one of the possible causes"
    RULED_OUT = "ruled_out", "No, I have ruled abuse out"
    NOT_ASSESSED = "not_assessed", "No medical assessment has been made yet"


class Consent(models.TextChoices):
    GIVEN = "given", "Yes"
    REFUSED = "refused", "No, they refused"
    NOT_SOUGHT = "not_sought", "I have not asked them"


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
    TRANSFER_UNCONFIRMED = (
        "transfer_unconfirmed",
        "Transfer to another local authority not confirmed in time",
    )
    SIGN_OFF_OVERDUE = "sign_off_overdue", "Decision not signed off in time"
    POLICE_NOT_ACKNOWLEDGED = "police_not_acknowledged", "Police did not acknowledge in time"
    STRATEGY_NOT_HELD = "strategy_not_held", "Strategy discussion not held in time"
    CONFERENCE_NOT_HELD = "conference_not_held", "Child protection conference not held in time"


class TransferMethod(models.TextChoices):
    PORTAL = "portal", "Through Front Door (a front door on this service)"
    SECURE_EMAIL = "secure_email", "Secure email"
    PHONE_AND_EMAIL = "phone_and_email", "Telephone, followed by secure email"
    OTHER_PORTAL = "other_portal", "The other local authority's own portal"
    POST = "post", "Post"


class StrategyOutcome(models.TextChoices):
    SECTION_47 = "section_47", "Section 47 enquiry"
    NO_FURTHER_SECTION_47 = "no_further_section_47", "No further section 47 action"
    ASSESSMENT = "assessment", "Child and family assessment (section 17) instead"
    IMMEDIATE_PROTECTION = (
        "immediate_protection",
        "Immediate protection (police protection or an emergency protection order)",
    )


class ParticipantKind(models.TextChoices):
    POLICE = "police", "Police"
    GP = "gp", "The child's GP"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    MIDWIFE = "midwife", "Midwife"
    REFERRER = "referrer", "The referrer"
    AGENCY = "agency", "Agency named on the referral"


class PoliceReason(models.TextChoices):
    """Why the police are told about a referral."""

    INJURED_BABY = "injured_baby", "Injury to a baby who is not yet mobile"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    POSSIBLE_CRIME = "possible_crime", "Possible crime"
