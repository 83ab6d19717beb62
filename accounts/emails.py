"""Email addresses in one stored form: a contact's and an account's alike."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


def normalise_email(raw: str) -> str:
    """An address's one stored form, so one person is one contact (or one account)
    wherever it was typed: Unicode NFC, lower-cased, the domain in its ASCII (IDNA) form
    as Zoho takes it.
    Invisible format characters (a zero-width space pasted along) are refused, not
    silently dropped: the person should see that the address they typed was not clean."""
    text = unicodedata.normalize("NFC", (raw or "").strip())
    if any(unicodedata.category(ch) == "Cf" for ch in text):
        raise ValidationError(
            _(
                "“%(text)s” holds an invisible character (such as a zero-width space, "
                "often pasted along): type the address again."
            )
            % {"text": text.encode("ascii", "backslashreplace").decode()}
        )
    local, at, domain = text.rpartition("@")
    try:
        email = f"{local}@{domain.encode('idna').decode('ascii')}".lower() if at else text.lower()
        validate_email(email)
    except (UnicodeError, ValidationError):
        raise ValidationError(_("“%(raw)s” is not a valid email address.") % {"raw": raw}) from None
    return email
