"""Values between Plezi's representation and Zoho's, checked against Zoho's field metadata.

Checking before sending is what the seed asks for ("Zoho blocks the creation
/update of a contact whose field values don't match"): a value Zoho would
refuse is reported on the record instead of failing its batch.
"""

from django.core.exceptions import ValidationError

from contacts.models import Field
from contacts.values import clean_value
from mapping.selectors import MappedPair

ZOHO_NONE = "-None-"


class ValueProblem(Exception):
    """A value that cannot cross to the other side; the message says what to fix."""


def _plezi_field(pair) -> Field:
    label = pair.plezi_key.replace("_", " ").capitalize()
    return Field(key=pair.plezi_key, label=label, type=pair.plezi_type, choices=pair.plezi_choices)


def to_plezi(pair: MappedPair, raw: object) -> object:
    """Zoho's value of `pair` as Plezi stores it, or ValueProblem."""
    if raw is None or raw == ZOHO_NONE or raw == []:
        return None
    if isinstance(raw, dict):  # lookups and owners: their display name
        raw = raw.get("name")
    if isinstance(raw, list) and pair.plezi_type != "multi_choice":
        raise ValueProblem(
            f"Zoho's {pair.zoho_api_name} holds a value Plezi cannot store. It is a list of "
            "values; Plezi's field takes one value."
        )
    try:
        return clean_value(_plezi_field(pair), raw)
    except ValidationError as error:
        raise ValueProblem(
            f"Zoho's {pair.zoho_api_name} holds a value Plezi cannot store. {error.messages[0]}"
        ) from None


def to_zoho(pair: MappedPair, value: object) -> object:
    """Plezi's `value` as Zoho's field of `pair` takes it, or ValueProblem."""
    if value is None or value == "" or value == []:
        return None
    kind = pair.zoho_data_type
    if kind == "multiselectpicklist":
        items = value if isinstance(value, list) else [value]
        return [_picklist_value(pair, str(item)) for item in items]
    if kind == "picklist":
        return _picklist_value(pair, _as_text(value))
    if kind == "boolean":
        return bool(value)
    if kind == "integer":
        return _number(pair, value, int)
    if kind in ("double", "currency", "decimal", "percent"):
        return _number(pair, value, float)
    return _checked_length(pair, _as_text(value))


def _as_text(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _picklist_value(pair, value: str) -> str:
    allowed = [v for v in pair.zoho_picklist or [] if v != ZOHO_NONE]
    if value not in allowed:
        raise ValueProblem(
            f"“{value}” is not a value of Zoho's {pair.zoho_api_name} drop-down "
            f"({', '.join(allowed) or 'no values'}). Add it to the list in Zoho, "
            f"or pick one of these in Plezi."
        )
    return value


def _number(pair, value, kind):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueProblem(
            f"“{value}” is not a number, as Zoho's {pair.zoho_api_name} needs."
        ) from None
    if kind is int and number != value:
        raise ValueProblem(f"{value} is not a whole number, as Zoho's {pair.zoho_api_name} needs.")
    return number


def _checked_length(pair, text: str) -> str:
    if pair.zoho_length and len(text) > pair.zoho_length:
        raise ValueProblem(
            f"{pair.plezi_key} has {len(text)} characters; Zoho's {pair.zoho_api_name} takes at "
            f"most {pair.zoho_length}. Shorten it in Plezi (we never cut values silently)."
        )
    return text


class Conversions:
    """`to_plezi` (or `to_zoho`) with a memory: names, companies, cities and choices repeat
    from record to record, and each conversion costs a validation (a tenth of a pull's CPU)."""

    LIMIT = 20_000  # remembered values (then it starts afresh): memory stays flat

    def __init__(self, convert=to_plezi) -> None:
        self.convert = convert
        self.known: dict[tuple, object] = {}

    def __call__(self, pair: MappedPair, raw: object) -> object:
        if not isinstance(raw, str | int | float | bool | None):
            return self.convert(pair, raw)  # lists and lookups: not worth remembering
        key = (pair.plezi_key, pair.zoho_api_name, type(raw), raw)
        if key not in self.known:
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            try:
                self.known[key] = self.convert(pair, raw)
            except ValueProblem as problem:
                self.known[key] = problem
        value = self.known[key]
        if isinstance(value, ValueProblem):
            raise ValueProblem(str(value))
        return list(value) if isinstance(value, list) else value  # never shared
