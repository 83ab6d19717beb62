"""Validating and normalising field values: one set of rules for every write path.

Forms, CSV import, public forms and the sync all call `clean_value`, so a
value that is refused in one place is refused everywhere, with the same words.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from accounts.emails import normalise_email
from contacts.catalogue import MAX_BEHAVIOUR_SCORE, STANDARD_FIELDS, FieldType
from contacts.models import Field

BLANK = (None, "", [])
TEXT_MAX = 255
LONG_TEXT_MAX = 10_000
NUMBER_LIMIT = Decimal(10) ** 15
_PHONE = re.compile(r"^[0-9+().\-\s/x]{3,30}$")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
_MAX_LENGTHS = {f.key: f.max_length for f in STANDARD_FIELDS}


def clean_value(field: Field, raw):
    """The stored form of `raw` for `field`, or ValidationError saying what is wrong.

    Blank input (None, "", []) returns None: "no value". Callers decide whether
    a blank erases (forms) or is ignored (CSV, public forms).
    """
    if isinstance(raw, str):
        raw = raw.strip()
        _check_storable(field, raw)
    if raw in BLANK:
        return None
    cleaner = _CLEANERS[field.type]
    return cleaner(field, raw)


def max_length(field: Field) -> int:
    if field.key in _MAX_LENGTHS:
        return _MAX_LENGTHS[field.key]
    return LONG_TEXT_MAX if field.type == FieldType.LONG_TEXT else TEXT_MAX


def _check_storable(field: Field, text: str) -> None:
    """NUL and lone surrogates pass JSON and CSV but no database stores them (PostgreSQL
    refuses NUL; neither stores what is not valid UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        storable = False
    else:
        storable = "\x00" not in text
    if not storable:
        raise ValidationError(
            _(
                "%(label)s: contains a character that cannot be stored (a NUL or an invalid "
                "Unicode character). Remove it and try again."
            )
            % {"label": field.label}
        )


def _text(field: Field, raw) -> str:
    value = str(raw)
    limit = max_length(field)
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s: at most %(limit)s characters (got %(length)s).")
            % {"label": field.label, "limit": limit, "length": len(value)}
        )
    return value


def _email(field: Field, raw) -> str:
    try:
        email = normalise_email(str(raw))
    except ValidationError as error:
        raise ValidationError(f"{field.label}: {error.messages[0]}") from None
    return _text(field, email)


def _phone(field: Field, raw) -> str:
    value = str(raw)
    if not _PHONE.match(value):
        raise ValidationError(
            _(
                "%(label)s: “%(value)s” is not a phone number "
                "(digits, spaces and + - ( ) . / x only)."
            )
            % {"label": field.label, "value": value}
        )
    return value


def _url(field: Field, raw) -> str:
    value = str(raw)
    candidate = value if "://" in value else f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(candidate)
    except ValidationError:
        raise ValidationError(
            _("%(label)s: “%(value)s” is not a web address.")
            % {"label": field.label, "value": value}
        ) from None
    return _text(field, value)


def _number(field: Field, raw):
    try:
        number = Decimal(str(raw).replace(",", ".")) if not isinstance(raw, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(
            _("%(label)s: “%(raw)s” is not a number.") % {"label": field.label, "raw": raw}
        )
    if abs(number) >= NUMBER_LIMIT:
        # Bounded so every database stores it (public forms accept any input).
        raise ValidationError(
            _("%(label)s: “%(raw)s” is too large a number.") % {"label": field.label, "raw": raw}
        )
    whole = number == number.to_integral_value()
    if field.key == "behaviour_score" and not (whole and 0 <= number <= MAX_BEHAVIOUR_SCORE):
        raise ValidationError(
            _("%(label)s: a whole number from 0 to %(max)s (got %(raw)s).")
            % {"label": field.label, "max": MAX_BEHAVIOUR_SCORE, "raw": raw}
        )
    return int(number) if number == number.to_integral_value() else float(number)


def _choice(field: Field, raw) -> str:
    value = str(raw)
    canonical = {c.casefold(): c for c in field.choices}
    if value.casefold() not in canonical:
        raise ValidationError(
            _("%(label)s: “%(value)s” is not one of the choices (%(choices)s).")
            % {"label": field.label, "value": value, "choices": ", ".join(field.choices)}
        )
    return canonical[value.casefold()]


def _multi_choice(field: Field, raw) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw).split(";")
    values = [_choice(field, item.strip()) for item in items if str(item).strip()]
    return list(dict.fromkeys(values)) or None


def _date(field: Field, raw) -> str:
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    try:
        return datetime.date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise ValidationError(
            _("%(label)s: “%(raw)s” is not a date (YYYY-MM-DD).")
            % {"label": field.label, "raw": raw}
        ) from None


def _boolean(field: Field, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValidationError(
        _("%(label)s: “%(raw)s” is not yes or no.") % {"label": field.label, "raw": raw}
    )


_CLEANERS = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _text,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
    FieldType.URL: _url,
    FieldType.NUMBER: _number,
    FieldType.CHOICE: _choice,
    FieldType.MULTI_CHOICE: _multi_choice,
    FieldType.DATE: _date,
    FieldType.BOOLEAN: _boolean,
}


def clean_values(fields: dict[str, Field], raw: dict) -> tuple[dict, dict[str, str]]:
    """Clean every known key of `raw`; unknown keys are ignored.

    Returns (cleaned values, {key: error message}).
    """
    cleaned, errors = {}, {}
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            continue
        try:
            cleaned[key] = clean_value(field, value)
        except ValidationError as error:
            errors[key] = error.messages[0]
    return cleaned, errors
