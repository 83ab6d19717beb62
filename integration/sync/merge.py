"""Three-way merge of one contact's mapped fields: Plezi, Zoho and the shadow.

The shadow holds the values both sides agreed on after the last sync. A side
changed a field when its value differs from the shadow, so our own writes
coming back from Zoho (echoes) are not changes, and an edit is never lost to
a stale copy. All values here are in Plezi's representation.

Blanks: a cleared field is a change like any other once both sides agreed on a
value (the shadow has it), so clearing propagates. Before that (first link, no
shadow), a blank on one side never erases a value on the other.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

PLEZI, ZOHO = "plezi", "zoho"


@dataclass(frozen=True)
class FieldRule:
    """What the merge needs to know about one synced Plezi field."""

    key: str
    pull: bool  # Zoho → Plezi
    push: bool  # Plezi → Zoho
    protective: bool = False  # consent: a True on either side wins


@dataclass(frozen=True)
class Conflict:
    key: str
    plezi_value: object
    zoho_value: object
    winner: str


@dataclass
class PullMerge:
    """What pulling one Zoho record does to its Plezi contact."""

    to_plezi: dict = field(default_factory=dict)
    shadow: dict = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    consent: list[str] = field(default_factory=list)


@dataclass
class PushMerge:
    """What pushing one Plezi contact sends, and the shadow once Zoho accepted it."""

    to_zoho: dict = field(default_factory=dict)
    shadow: dict = field(default_factory=dict)
    consent: list[str] = field(default_factory=list)


def merge_pull(
    rules: list[FieldRule],
    *,
    plezi: dict,
    zoho: dict,
    shadow: dict,
    zoho_is_newer: Callable[[str], bool],
) -> PullMerge:
    """Apply Zoho's changes to Plezi; leave Plezi's own changes for the push.

    `zoho` holds only the keys whose values could be read (an unknown choice is
    left out by the caller and so changes nothing). `zoho_is_newer(key)` tells, for a
    field both sides changed, whether Zoho's change is the more recent one.
    """
    result = PullMerge(shadow=dict(shadow))
    for rule in rules:
        if rule.key not in zoho:
            continue
        base, mine = _plain(shadow.get(rule.key)), _plain(plezi.get(rule.key))
        theirs = _plain(zoho[rule.key])
        if rule.protective:
            if rule.pull:
                _pull_consent(result, rule.key, mine, theirs)
            continue
        zoho_changed = theirs != base
        plezi_changed = mine != base and not (base is None and _blank(mine))
        if not zoho_changed:
            continue
        if not rule.pull:
            _pushed_only(result, rule.key, mine, theirs, plezi_changed, zoho_is_newer)
            continue
        if _blank(theirs) and base is None:
            continue  # first link: a blank in Zoho never erases Plezi's value
        if plezi_changed and mine != theirs:
            winner = ZOHO if zoho_is_newer(rule.key) else PLEZI
            result.conflicts.append(Conflict(rule.key, mine, theirs, winner))
            if winner == PLEZI:
                if not rule.push:  # pulled only: Zoho's older change is seen, and lost
                    result.shadow[rule.key] = theirs
                continue  # the shadow keeps the base, so the push sends Plezi's value
        if mine != theirs:
            result.to_plezi[rule.key] = theirs
        result.shadow[rule.key] = theirs
    return result


def _pushed_only(result: PullMerge, key: str, mine, theirs, plezi_changed, zoho_is_newer):
    """A field Plezi only sends: Zoho's value never comes to Plezi, but a rep's change
    more recent than Plezi's is not overwritten by Plezi's older one."""
    if plezi_changed and mine != theirs and zoho_is_newer(key):
        result.conflicts.append(Conflict(key, mine, theirs, ZOHO))
        result.shadow[key] = mine  # counted as sent: the push leaves Zoho's value


def converted_shadow(lead_shadow: dict, contact_values: dict, *, copied: set[str]) -> dict:
    """The shadow a lead's contact keeps once the lead became a Zoho Contact.

    The values Plezi and the lead agreed on hold for the Contact. Where the Contact is
    blank in a field the conversion does not copy (`copied`: Zoho's standard mapping),
    the value was never copied and must not erase Plezi's as a cleared field would; a
    blank copied field was cleared by sales, and is a change like any other.
    """
    return {
        key: value
        for key, value in lead_shadow.items()
        if key in copied or not (key in contact_values and _blank(_plain(contact_values[key])))
    }


def _pull_consent(result: PullMerge, key: str, mine, theirs) -> None:
    """Opt-outs: the most protective value wins, whatever the mapping says."""
    if theirs and not mine:
        result.to_plezi[key] = True
        result.consent.append(f"{key}: opted out in Zoho, applied in Plezi")
    if theirs:
        result.shadow[key] = True


def merge_push(rules: list[FieldRule], *, plezi: dict, shadow: dict, linked: bool) -> PushMerge:
    """The fields Plezi changed since the shadow (all non-blank ones when not linked yet)."""
    result = PushMerge(shadow=dict(shadow))
    for rule in rules:
        if not rule.push:
            continue
        mine, base = _plain(plezi.get(rule.key)), _plain(shadow.get(rule.key))
        if rule.protective:
            if mine and not base:
                result.consent.append(f"{rule.key}: opted out in Plezi, sent to Zoho")
            elif not mine:
                continue  # never send an opt-in: only the protective value travels
        if not linked and _blank(mine):
            continue
        if mine != base or not linked:
            result.to_zoho[rule.key] = mine
            result.shadow[rule.key] = mine
    return result


def _plain(value):
    """One spelling of "no value": Plezi stores "", Zoho sends null."""
    return None if value == "" or value == [] else value


def _blank(value) -> bool:
    return value is None or value is False or value == "" or value == []
