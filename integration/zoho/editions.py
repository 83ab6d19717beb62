"""Zoho CRM editions and what each allows an org: calls in flight, credits a day.

From zoho-crm-api.md §10 (Kaizen #203 for concurrency; Kaizen #93/#103 and Zoho's API
limits page for credits). Credits are the edition's ceiling: a paid org gets 50,000 plus
a share per user license, up to it.
"""

from dataclasses import dataclass

from django.db import models


class Edition(models.TextChoices):
    FREE = "free", "Free"
    STANDARD = "standard", "Standard"
    PROFESSIONAL = "professional", "Professional"
    ENTERPRISE = "enterprise", "Enterprise"
    ULTIMATE = "ultimate", "Ultimate"


@dataclass(frozen=True)
class Allowance:
    concurrency: int  # CRM calls in flight at once, per app and org
    daily_credits: int | None  # rolling 24 hours; None: unlimited


# Zoho's sub-concurrency: heavy calls (writes of more than 10 records, convert) in
# flight at once, whatever the edition (Kaizen #203, §10).
HEAVY_CALLS_AT_ONCE = 10

ALLOWANCES = {
    Edition.FREE: Allowance(5, 5_000),
    Edition.STANDARD: Allowance(10, 100_000),
    Edition.PROFESSIONAL: Allowance(15, 3_000_000),
    Edition.ENTERPRISE: Allowance(20, 5_000_000),
    Edition.ULTIMATE: Allowance(25, None),
}


def edition_of(org: dict) -> Edition | None:
    """The edition `GET /org` names in `license_details.paid_type`, when it is one we know."""
    license_details = org.get("license_details")
    paid_type = license_details.get("paid_type") if isinstance(license_details, dict) else None
    text = str(paid_type or "").strip().lower()
    return next((e for e in Edition if e.value == text or e.label.lower() == text), None)
