"""Issue rows: one constructor per kind, in words a marketer can act on.

Each sets the row's kind (which counter it moves, see `Recorder.issue`) and, where a
kind says the same thing every time, its message; the steps say which record (`About`)
and, for the kinds whose words depend on the case, what happened.
"""

from dataclasses import dataclass
from datetime import datetime

from contacts.models import Contact
from integration.models import SyncIssue
from integration.sync.context import CONSENT_KEY, LEADS, Run
from integration.sync.merge import Conflict
from integration.zoho.replies import RecordResult

Kind = SyncIssue.Kind
FROM_ZOHO, TO_ZOHO = SyncIssue.Direction.FROM_ZOHO, SyncIssue.Direction.TO_ZOHO


@dataclass(frozen=True)
class About:
    """The record an issue is about, as the run's issue list shows it."""

    direction: SyncIssue.Direction
    module: str
    zoho_id: str = ""
    email: str = ""
    contact: Contact | None = None


def from_zoho(
    module: str, zoho_id: str = "", email: str = "", contact: Contact | None = None
) -> About:
    """A record a pull read (its contact, when it has one yet)."""
    return About(FROM_ZOHO, module, zoho_id, email, contact)


def to_zoho(contact: Contact, zoho_id: str = "") -> About:
    """A contact a push sends: always to a Lead (Zoho Contacts are never written)."""
    return About(TO_ZOHO, LEADS, zoho_id, contact.email, contact)


def _issue(
    run: Run, kind: SyncIssue.Kind, about: About, *, code: str, message: str, field: str = ""
) -> None:
    run.recorder.issue(
        kind=kind,
        direction=about.direction,
        module=about.module,
        zoho_id=about.zoho_id,
        email=about.email,
        contact=about.contact,
        field=field,
        code=code,
        message=message,
    )


def conflict(run: Run, about: About, found: Conflict, *, zoho_at: datetime | None) -> None:
    """Both sides changed a field Zoho sent: which change won, and when each was made."""
    plezi_at = about.contact.changed_at(found.key) if about.contact else None
    message = (
        f"Changed on both sides: Plezi “{found.plezi_value}” ({_when(plezi_at)}), Zoho "
        f"“{found.zoho_value}” ({_when(zoho_at)}). The most recent change won ({found.winner})."
    )
    _issue(run, Kind.CONFLICT, about, field=found.key, code="CONFLICT", message=message)


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC" if at else "time unknown"


def duplicate(run: Run, about: About, *, which: str) -> None:
    """A Zoho record not synced because another has its email; `which` names the other."""
    message = (
        f"Several Zoho records have the email {about.email}; this one was not synced. "
        f"{which} Merge the duplicates in Zoho to sync a single record."
    )
    _issue(run, Kind.DUPLICATE, about, code="DUPLICATE_EMAIL", message=message)


_CONSENT = {
    FROM_ZOHO: "Opted out of emails in Zoho: the opt-out now applies in Plezi too.",
    TO_ZOHO: "Opted out of emails in Plezi: the opt-out is sent to Zoho.",
}


def consent(run: Run, about: About) -> None:
    """An opt-out crossing to the other side (the protective value always travels)."""
    message = _CONSENT[about.direction]
    _issue(run, Kind.CONSENT, about, field=CONSENT_KEY, code="CONSENT", message=message)


def skipped(run: Run, about: About, *, code: str, message: str, field: str = "") -> None:
    """A record not synced at all; the message says what to change so that it is."""
    _issue(run, Kind.SKIPPED, about, code=code, message=message, field=field)


def error(run: Run, about: About, *, code: str, message: str, field: str = "") -> None:
    """A value or a record that failed (counted as failed: the run is partial)."""
    _issue(run, Kind.ERROR, about, code=code, message=message, field=field)


def notice(run: Run, about: About, *, code: str, message: str, field: str) -> None:
    """Something worth knowing, synced all the same."""
    _issue(run, Kind.NOTICE, about, code=code, message=message, field=field)


def refused(run: Run, about: About, result: RecordResult) -> str:
    """Zoho refused one record of a write: an error in plain words, also returned (the
    record's outcome quotes it)."""
    message = zoho_record_message(result)
    field = result.details.get("api_name", "")
    error(run, about, code=result.code or "", message=message, field=field)
    return message


# Zoho's record-level error codes in words a marketer can act on.
_BY_CODE = {
    "MANDATORY_NOT_FOUND": "Zoho requires {api_name}, which is empty. Fill it in Plezi.",
    "INVALID_DATA": (
        "Zoho refused the value of {api_name}{expected}. Check the field's type and length in "
        "Zoho (Setup → Modules and Fields) and the value in Plezi."
    ),
    "DUPLICATE_DATA": (
        "Zoho says {api_name} must be unique and another record already has this value. "
        "Change it in Plezi or merge the records in Zoho."
    ),
    "LIMIT_EXCEEDED": "Zoho's limit was reached for this record. It will be retried.",
}


def zoho_record_message(result: RecordResult) -> str:
    details = result.details or {}
    template = _BY_CODE.get(result.code or "")
    if template is None:
        return f"Zoho refused this record ({result.code}: {result.message}). It will be retried."
    expected = details.get("expected_data_type")
    return template.format(
        api_name=details.get("api_name", "a field"),
        expected=f" (Zoho expects {expected})" if expected else "",
    )
