"""What may be mapped how: pure functions over plain data.

A Plezi field is described by a `PleziSpec`, a Zoho field by the dict Zoho's
`GET /crm/v2/settings/fields` returned for it. `check_pair` says, for each
direction, whether the pair may synchronise and if not why, in words a
marketer can act on. The page, the admin and the sync all ask these
functions, so a pair is refused everywhere with the same message.

The seed's "Function" warning: a free-text Zoho field (Single Line, Multi
Line) may NOT fill a Plezi choice field (Zoho → Plezi is refused): every value
typed in Zoho would otherwise have to become a new choice, or be dropped. The
other direction (Plezi choice → Zoho text) is fine.
"""

from dataclasses import dataclass, field

from contacts.catalogue import STANDARD_FIELDS, FieldType

TO_ZOHO = "to_zoho"
FROM_ZOHO = "from_zoho"
DIRECTIONS = (TO_ZOHO, FROM_ZOHO)
LEADS = "Leads"
CONTACTS = "Contacts"

# Mandatory Plezi fields and the Zoho field each one is always mapped to.
MANDATORY = {"email": "Email", "first_name": "First_Name", "last_name": "Last_Name"}
# The seed: "score must be mapped with behaviour_score and status with state".
SPECIAL = {"behaviour_score": "score", "state": "status"}
# Consent is synchronised by the sync itself, whatever the mapping.
CONSENT_KEY = "email_opt_out"
CONSENT_API = "email_opt_out"
PLEZI_URL_API = "plezi_url"

_LABELS = {spec.key: spec.label for spec in STANDARD_FIELDS}
_PLEZI_TYPE_LABELS = dict(FieldType.CHOICES)
ZOHO_TYPE_LABELS = {
    "text": "Single Line",
    "textarea": "Multi Line",
    "email": "Email",
    "phone": "Phone",
    "website": "URL",
    "picklist": "Pick List",
    "multiselectpicklist": "Multi-Select",
    "integer": "Number",
    "bigint": "Long Integer",
    "double": "Decimal",
    "currency": "Currency",
    "boolean": "Checkbox",
    "date": "Date",
    "datetime": "Date/Time",
    "lookup": "Lookup",
    "ownerlookup": "User",
    "formula": "Formula",
    "autonumber": "Auto-Number",
}

_TEXTS = {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL}
_ZOHO_TEXTS = {"text", "textarea", "email", "phone", "website"}
_ZOHO_FREE_TEXT = {"text", "textarea"}
_CHOICES = {FieldType.CHOICE: "picklist", FieldType.MULTI_CHOICE: "multiselectpicklist"}
# Plezi type -> the Zoho types it is compatible with, in both directions.
COMPATIBLE = {
    **{plezi_type: _ZOHO_TEXTS for plezi_type in _TEXTS},
    FieldType.NUMBER: {"integer", "bigint", "double", "currency", "text"},
    FieldType.DATE: {"date"},
    FieldType.BOOLEAN: {"boolean"},
    **{plezi_type: {zoho_type} for plezi_type, zoho_type in _CHOICES.items()},
}
NONE_VALUE = "-None-"

CONTACTS_TO_ZOHO = (
    "“{plezi}”: Contacts are created and changed by your sales team in Zoho, "
    "so Plezi → Zoho is not available for Contacts."
)
SPECIAL_FROM_ZOHO = "{plezi} can only be sent from Plezi to Zoho (it is computed by Plezi)."
SPECIAL_LEADS_ONLY = "{plezi} is computed by Plezi and only ever sent to Zoho Leads."
SPECIAL_TARGET = "{plezi} can only be sent to the Zoho field “{target}”."
SPECIAL_RESERVED = (
    "Zoho “{zoho}” is reserved for Plezi's {owner}: “{plezi}” cannot be mapped to it."
)
MANDATORY_TARGET = "{plezi} is mandatory: it is always mapped to Zoho “{target}”."
MANDATORY_RESERVED = (
    "Zoho “{zoho}” is reserved for Plezi's mandatory {owner}: “{plezi}” cannot be mapped to it."
)
MANDATORY_LOCKED = (
    "{plezi} is mandatory: it is always mapped to Zoho “{target}” {how} and cannot be changed."
)
CONSENT_PLEZI = (
    "{plezi} is not mapped here: Plezi synchronises consent with Zoho itself, whatever the mapping."
)
CONSENT_RESERVED = (
    "Zoho “{zoho}” holds consent, which Plezi synchronises itself: "
    "“{plezi}” cannot be mapped to it."
)
PLEZI_URL_RESERVED = (
    "Zoho “{zoho}” receives each contact's Plezi link automatically: "
    "“{plezi}” cannot be mapped to it."
)
MISSING = (
    "“{plezi}”: the Zoho field “{api}” does not exist in {module}. Choose another Zoho field, "
    "or create it in Zoho and click Refresh Zoho fields."
)
RETYPED = (
    "“{plezi}”: Zoho “{zoho}” changed type from {old} to {new}. "
    "Check the mapping, then save it again."
)
READ_ONLY = "Zoho “{zoho}” is read-only: Plezi cannot write it, so “{plezi}” cannot be sent to it."
LOOKUP = (
    "Zoho “{zoho}” is a lookup (a link to another Zoho record): Plezi cannot write it, "
    "so “{plezi}” cannot be sent to it."
)
OWNER = (
    "Zoho “{zoho}” is an owner field (a Zoho user): Plezi cannot write it, "
    "so “{plezi}” cannot be sent to it."
)
FORMULA = (
    "Zoho “{zoho}” is a formula computed by Zoho: Plezi cannot write it, "
    "so “{plezi}” cannot be sent to it."
)
AUTONUMBER = (
    "Zoho “{zoho}” is numbered automatically by Zoho: Plezi cannot write it, "
    "so “{plezi}” cannot be sent to it."
)
TYPES_BOTH = (
    "“{plezi}” is {plezi_type} and Zoho “{zoho}” is {zoho_type}: these types are not "
    "compatible. Choose a Zoho field of a matching type."
)
TYPES_FROM_ZOHO = (
    "Zoho “{zoho}” is {zoho_type} and cannot fill “{plezi}”, which is {plezi_type}: "
    "only Plezi → Zoho is available."
)
FREE_TEXT = (
    "Zoho “{zoho}” is free text: it cannot fill the choice list of “{plezi}”, or every value "
    "typed in Zoho would become a new choice. Send “{plezi}” from Plezi to Zoho only, "
    "or use a Zoho picklist."
)
PICKLIST = (
    "“{plezi}” and Zoho “{zoho}” have different values.{missing} "
    "Make the lists identical in both tools, then save again."
)
LENGTH_TO_ZOHO = (
    "“{plezi}” can hold {plezi_length} characters but Zoho “{zoho}” only {zoho_length}: "
    "longer values will be reported at sync time, never cut."
)
LENGTH_FROM_ZOHO = (
    "Zoho “{zoho}” can hold {zoho_length} characters but “{plezi}” only {plezi_length}: "
    "longer values will be reported at sync time, never cut."
)


@dataclass(frozen=True)
class PleziSpec:
    """What the rules need to know about a Plezi field."""

    key: str
    label: str
    type: str
    choices: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def type_label(self) -> str:
        return _PLEZI_TYPE_LABELS.get(self.type, self.type)


@dataclass(frozen=True)
class Check:
    """The verdict on one (Plezi field, Zoho field) pair, per direction."""

    refused: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    def allows(self, direction: str) -> bool:
        return direction not in self.refused


def zoho_label(zoho: dict) -> str:
    return zoho.get("field_label") or zoho.get("display_label") or zoho.get("api_name", "")


def zoho_type(zoho: dict) -> str:
    """The data type values have: a formula's is the type it returns."""
    data_type = zoho.get("data_type") or ""
    if data_type == "formula":
        return (zoho.get("formula") or {}).get("return_type") or data_type
    return data_type


def zoho_type_label(data_type: str) -> str:
    return ZOHO_TYPE_LABELS.get(data_type, data_type)


def picklist_values(zoho: dict) -> list[str]:
    """The values a Zoho picklist offers, as Zoho expects them written (display values)."""
    values = [entry.get("display_value") for entry in zoho.get("pick_list_values") or []]
    return [v for v in values if v and v not in (NONE_VALUE, "None")]


def allowed_directions(module: str) -> tuple[str, ...]:
    """The seed: Leads go both ways; Contacts only come into Plezi."""
    return DIRECTIONS if module == LEADS else (FROM_ZOHO,)


def locked_directions(module: str) -> frozenset[str]:
    """Mandatory fields go every way the module allows."""
    return frozenset(allowed_directions(module))


def locked_message(module: str, plezi: PleziSpec) -> str:
    how = "in both directions" if module == LEADS else "from Zoho to Plezi"
    return MANDATORY_LOCKED.format(plezi=plezi.label, target=MANDATORY[plezi.key], how=how)


def missing_message(module: str, plezi: PleziSpec, api_name: str) -> str:
    return MISSING.format(plezi=plezi.label, api=api_name, module=module)


def check_pair(module: str, plezi: PleziSpec, api_name: str, zoho: dict | None) -> Check:
    """Whether `plezi` and the Zoho field `api_name` (metadata `zoho`, None when
    Zoho has no such field) may synchronise, direction by direction."""
    refused: dict[str, str] = {}
    for directions, message in _refusals(module, plezi, api_name, zoho):
        for direction in directions:
            refused.setdefault(direction, message)
    warnings = _length_warnings(plezi, zoho, refused) if zoho else {}
    return Check(refused=refused, warnings=warnings)


def row_problem(
    module: str,
    plezi: PleziSpec,
    api_name: str,
    zoho: dict | None,
    directions: set[str] | frozenset[str],
    mapped_type: str = "",
) -> str:
    """Why a saved row cannot synchronise now ("" when it can, or syncs nothing)."""
    if not api_name or not directions:
        return ""
    if zoho is None:
        return missing_message(module, plezi, api_name)
    if mapped_type and zoho.get("data_type") and zoho["data_type"] != mapped_type:
        return RETYPED.format(
            plezi=plezi.label,
            zoho=zoho_label(zoho),
            old=zoho_type_label(mapped_type),
            new=zoho_type_label(zoho["data_type"]),
        )
    check = check_pair(module, plezi, api_name, zoho)
    return next(
        (check.refused[d] for d in DIRECTIONS if d in directions and d in check.refused), ""
    )


def _refusals(module: str, plezi: PleziSpec, api_name: str, zoho: dict | None):
    """(directions, message) pairs; the first message for a direction is the one shown."""
    names = {"plezi": plezi.label, "zoho": zoho_label(zoho) if zoho else api_name}
    if module != LEADS:
        yield (TO_ZOHO,), CONTACTS_TO_ZOHO.format(**names)
    if plezi.key == CONSENT_KEY:
        yield DIRECTIONS, CONSENT_PLEZI.format(plezi=plezi.label)
        return
    if plezi.key in SPECIAL:
        yield (FROM_ZOHO,), SPECIAL_FROM_ZOHO.format(plezi=plezi.label)
    if zoho is None:
        yield DIRECTIONS, missing_message(module, plezi, api_name)
        return
    yield from _reserved(module, plezi, api_name.lower(), names)
    yield from _write_restrictions(zoho, names)
    yield from _type_refusals(plezi, zoho, names)
    yield from _picklist_refusals(plezi, zoho, names)


def _reserved(module: str, plezi: PleziSpec, api: str, names: dict):
    if plezi.key in MANDATORY and api != MANDATORY[plezi.key].lower():
        yield DIRECTIONS, MANDATORY_TARGET.format(plezi=plezi.label, target=MANDATORY[plezi.key])
    for key, target in MANDATORY.items():
        if api == target.lower() and plezi.key != key:
            yield DIRECTIONS, MANDATORY_RESERVED.format(owner=_LABELS[key], **names)
    if api == CONSENT_API:
        yield DIRECTIONS, CONSENT_RESERVED.format(**names)
    if module != LEADS:
        return
    if plezi.key in SPECIAL and api != SPECIAL[plezi.key]:
        yield DIRECTIONS, SPECIAL_TARGET.format(plezi=plezi.label, target=SPECIAL[plezi.key])
    for key, target in SPECIAL.items():
        if api == target and plezi.key != key:
            yield DIRECTIONS, SPECIAL_RESERVED.format(owner=_LABELS[key], **names)
    if api == PLEZI_URL_API:
        yield DIRECTIONS, PLEZI_URL_RESERVED.format(**names)


def _write_restrictions(zoho: dict, names: dict):
    """Fields Zoho fills in itself: Plezi → Zoho would be ignored or rejected."""
    data_type = zoho.get("data_type")
    if data_type == "ownerlookup" or data_type == "userlookup":
        yield (TO_ZOHO,), OWNER.format(**names)
    elif data_type in ("lookup", "multiselectlookup"):
        yield (TO_ZOHO,), LOOKUP.format(**names)
    elif data_type == "formula":
        yield (TO_ZOHO,), FORMULA.format(**names)
    elif data_type == "autonumber":
        yield (TO_ZOHO,), AUTONUMBER.format(**names)
    elif zoho.get("read_only") or zoho.get("field_read_only"):
        yield (TO_ZOHO,), READ_ONLY.format(**names)


def _type_refusals(plezi: PleziSpec, zoho: dict, names: dict):
    data_type = zoho_type(zoho)
    compatible = data_type in COMPATIBLE.get(plezi.type, set())
    # Anything can be written to a Zoho text field as text.
    to_ok = compatible or data_type in _ZOHO_FREE_TEXT
    types = {"plezi_type": plezi.type_label, "zoho_type": zoho_type_label(data_type), **names}
    if plezi.type in _CHOICES and data_type in _ZOHO_FREE_TEXT:
        yield (FROM_ZOHO,), FREE_TEXT.format(**names)
    elif not to_ok and not compatible:
        yield DIRECTIONS, TYPES_BOTH.format(**types)
    elif not compatible:
        yield (FROM_ZOHO,), TYPES_FROM_ZOHO.format(**types)


def _picklist_refusals(plezi: PleziSpec, zoho: dict, names: dict):
    """The seed: Zoho blocks a record whose drop-down values it does not know."""
    if _CHOICES.get(plezi.type) != zoho_type(zoho):
        return
    zoho_values = picklist_values(zoho)
    missing_in_zoho = [v for v in plezi.choices if v not in zoho_values]
    missing_in_plezi = [v for v in zoho_values if v not in plezi.choices]
    if not missing_in_zoho and not missing_in_plezi:
        return
    missing = "".join(
        f" Missing in {side}: {', '.join(values)}."
        for side, values in (("Zoho", missing_in_zoho), ("Plezi", missing_in_plezi))
        if values
    )
    message = PICKLIST.format(missing=missing, **names)
    if missing_in_zoho:
        yield (TO_ZOHO,), message
    if missing_in_plezi:
        yield (FROM_ZOHO,), message


def _length_warnings(plezi: PleziSpec, zoho: dict, refused: dict[str, str]) -> dict[str, str]:
    zoho_length = zoho.get("length")
    if not (plezi.type in _TEXTS and zoho_type(zoho) in _ZOHO_TEXTS):
        return {}
    if not isinstance(zoho_length, int) or not plezi.max_length:
        return {}
    lengths = {"plezi_length": plezi.max_length, "zoho_length": zoho_length}
    names = {"plezi": plezi.label, "zoho": zoho_label(zoho), **lengths}
    warnings = {}
    if TO_ZOHO not in refused and plezi.max_length > zoho_length:
        warnings[TO_ZOHO] = LENGTH_TO_ZOHO.format(**names)
    if FROM_ZOHO not in refused and zoho_length > plezi.max_length:
        warnings[FROM_ZOHO] = LENGTH_FROM_ZOHO.format(**names)
    return warnings
