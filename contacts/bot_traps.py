"""Traps for bots on the public forms: a honeypot input and a signed time-to-fill stamp.

A caught submission gets the reply a person gets, so a bot learns nothing to adapt
to, and nothing is written: no contact, no sync request.
"""

import logging
import time
from collections.abc import Mapping

from django.core import signing

from contacts.models import Form

logger = logging.getLogger(__name__)

# Input names with a hyphen: no catalogue key (lowercase letters, digits, "_") can be
# one, so neither ever shadows a real field's answer.
HONEYPOT = "contact-website"
STAMP = "form-stamp"
STAMP_SALT = "contacts.public_form.stamp"
# People take longer than this to fill in even one field; scripts post at once.
MIN_FILL_SECONDS = 2
# A page left open this long is sent again from a fresh page; a stamp is not a
# lasting pass for a script that fetched the page once.
STAMP_MAX_AGE_SECONDS = 24 * 60 * 60


def stamp_issue(plezi_form: Form, *, issued_at: float | None = None) -> str:
    """A signed note of when the hosted page of `plezi_form` was shown."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps({"form": plezi_form.token, "at": issued_at}, salt=STAMP_SALT)


def caught_bot(plezi_form: Form, answers: Mapping, *, stamped: bool) -> bool:
    """True when the answers look like a bot's (logged with the reason).

    `stamped`: the answers come from the hosted page, which carries a stamp.
    """
    reason = _bot_reason(plezi_form, answers, stamped=stamped)
    if reason:
        logger.info("Public form %s: a submission dropped as a bot's (%s).", plezi_form.pk, reason)
    return reason is not None


def _bot_reason(plezi_form: Form, answers: Mapping, *, stamped: bool) -> str | None:
    if answers.get(HONEYPOT):
        return "the hidden field is filled in"
    if not stamped:
        return None
    age = _stamp_age(plezi_form, answers.get(STAMP))
    if age is None:
        return "no stamp, or not one of ours"
    if age < MIN_FILL_SECONDS:
        return f"sent {age:.1f} s after the page was shown"
    if age > STAMP_MAX_AGE_SECONDS:
        return "the stamp has expired"
    return None


def _stamp_age(plezi_form: Form, stamp) -> float | None:
    """Seconds since the stamp was issued for this form; None for a missing or forged one."""
    if not isinstance(stamp, str):
        return None
    try:
        payload = signing.loads(stamp, salt=STAMP_SALT)
    except signing.BadSignature:
        return None
    if payload.get("form") != plezi_form.token:  # a stamp of another form
        return None
    return time.time() - payload["at"]
