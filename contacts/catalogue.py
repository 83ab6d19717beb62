"""The standard Plezi fields every workspace starts with.

Standard fields are columns of `Contact`; custom fields live in its JSON
column. `behaviour_score` and `state` are computed by Plezi: read-only here,
and only ever sent to Zoho (the seed's "special" fields).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


class FieldType:
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    NUMBER = "number"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    DATE = "date"
    BOOLEAN = "boolean"
    URL = "url"

    CHOICES = [
        (TEXT, _("Text (single line)")),
        (LONG_TEXT, _("Long text")),
        (EMAIL, _("Email")),
        (PHONE, _("Phone")),
        (NUMBER, _("Number")),
        (CHOICE, _("Choice (drop-down)")),
        (MULTI_CHOICE, _("Multiple choice")),
        (DATE, _("Date")),
        (BOOLEAN, _("Yes / no")),
        (URL, _("URL")),
    ]


# Plezi's lifecycle of a contact, from first visit to closed deal.
STATES = ["Unknown", "Identified", "Engaged", "Qualified", "Accepted", "Rejected", "Closed"]

# Same spellings as Zoho's default Lead_Source picklist, so the default
# mapping works without editing either side.
LEAD_SOURCES = [
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
]

MAX_BEHAVIOUR_SCORE = 50


@dataclass(frozen=True)
class StandardField:
    key: str
    label: str
    type: str
    choices: list[str] = field(default_factory=list)
    mandatory: bool = False
    special: bool = False
    max_length: int = 255


STANDARD_FIELDS = [
    StandardField("email", "Email", FieldType.EMAIL, mandatory=True, max_length=254),
    StandardField("first_name", "First name", FieldType.TEXT, mandatory=True, max_length=100),
    StandardField("last_name", "Last name", FieldType.TEXT, mandatory=True, max_length=100),
    StandardField("company", "Company", FieldType.TEXT, max_length=200),
    StandardField("phone", "Phone", FieldType.PHONE, max_length=30),
    StandardField("mobile", "Mobile", FieldType.PHONE, max_length=30),
    StandardField("job_title", "Function", FieldType.TEXT, max_length=100),
    StandardField("website", "Website", FieldType.URL, max_length=255),
    StandardField("city", "City", FieldType.TEXT, max_length=100),
    StandardField("country", "Country", FieldType.TEXT, max_length=100),
    StandardField("lead_source", "Lead source", FieldType.CHOICE, choices=LEAD_SOURCES),
    StandardField("email_opt_out", "Email opt-out", FieldType.BOOLEAN),
    StandardField("behaviour_score", "Behaviour score", FieldType.NUMBER, special=True),
    StandardField("state", "State", FieldType.CHOICE, choices=STATES, special=True),
]
STANDARD_KEYS = frozenset(f.key for f in STANDARD_FIELDS)
