"""Every write to the Plezi contact store goes through these functions."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.audit import ADDITION, CHANGE, audit_log, change_line
from accounts.models import Workspace
from accounts.services import workspace_mark_settings_changed
from contacts.catalogue import STANDARD_FIELDS, FieldType
from contacts.models import Contact, Field, Form
from contacts.selectors import fields_by_key
from contacts.signals import contact_submitted
from contacts.values import clean_values, normalise_email

CHUNK_SIZE = 1000


def field_catalogue_seed(*, workspace: Workspace) -> None:
    """Give a new workspace the standard fields (idempotent)."""
    existing = set(Field.objects.for_workspace(workspace).values_list("key", flat=True))
    Field.objects.bulk_create(
        Field(
            workspace=workspace,
            key=spec.key,
            label=spec.label,
            type=spec.type,
            choices=list(spec.choices),
            mandatory=spec.mandatory,
            special=spec.special,
            position=position,
        )
        for position, spec in enumerate(STANDARD_FIELDS)
        if spec.key not in existing
    )


@transaction.atomic
def field_create(
    *, workspace: Workspace, key: str, label: str, type: str, choices: list[str] | None = None
) -> Field:
    """Add a custom field at the end of the catalogue (new fields always go last)."""
    last = Field.objects.for_workspace(workspace).aggregate(last=Max("position"))["last"]
    field = Field(
        workspace=workspace,
        key=key,
        label=label,
        type=type,
        choices=choices or [],
        position=(last or 0) + 1,
    )
    field.full_clean()
    field.save()
    # The seed: adding a field is a settings change that calls for a manual sync.
    workspace_mark_settings_changed(workspace=workspace, change=f"Field added: {label}"[:100])
    return field


@transaction.atomic
def field_update(*, field: Field, label: str, choices: list[str] | None = None) -> Field:
    """Rename a field or replace its choices; key and type never change once created.

    `choices=None` keeps the current ones. New choices change what may be sent
    to the CRM, so they mark the workspace as needing a manual sync.
    """
    choices_changed = choices is not None and choices != field.choices
    field.label = label
    if choices is not None:
        field.choices = choices
    field.full_clean()
    field.save(update_fields=["label", "choices"])
    if choices_changed:
        workspace_mark_settings_changed(
            workspace=field.workspace, change=f"Choices changed: {field.label}"[:100]
        )
    return field


@dataclass
class UpsertReport:
    """What an upsert did: counts, and the rows it refused with the reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} failed={self.failed}"
        )


def contacts_upsert(*, workspace: Workspace, rows: Iterable[tuple[int, dict]]) -> UpsertReport:
    """Create or update contacts by email from (row number, raw values) pairs.

    Values are validated by field type; a row with any invalid value is
    refused whole and reported with its number. Blank values never erase what
    is stored. Rows are written in bulk, a chunk at a time.
    """
    upsert = ContactsUpsert(workspace=workspace)
    for chunk in chunks(rows, CHUNK_SIZE):
        upsert.write(chunk)
    return upsert.report


class ContactsUpsert:
    """An upsert fed a chunk of rows at a time, in file order: it remembers each email's
    first line, so a later line repeating one is refused (not merged without a word)."""

    def __init__(self, *, workspace: Workspace, report: UpsertReport | None = None) -> None:
        self.workspace = workspace
        self.fields = fields_by_key(workspace)
        self.report = report or UpsertReport()
        self.first_row: dict[str, int] = {}

    def write(self, chunk: list[tuple[int, dict]]) -> None:
        """Write the chunk's valid rows; count them and the refused ones in `report`."""
        report = self.report
        cleaned = self._clean(chunk, report)
        for _, created, changed in contacts_write(workspace=self.workspace, rows=cleaned):
            if created:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1

    def replay(self, chunk: list[tuple[int, dict]]) -> None:
        """Read a chunk already written (an import resumed): only its emails are kept."""
        self._clean(chunk, UpsertReport())

    def _clean(self, chunk: list[tuple[int, dict]], report: UpsertReport) -> list[dict]:
        cleaned = []
        for number, raw in chunk:
            try:
                row = _clean_row(self.fields, raw)
            except ValidationError as error:
                report.errors.append((number, "; ".join(error.messages)))
                continue
            if row["email"] in self.first_row:
                report.errors.append(
                    (number, _repeated(row["email"], self.first_row[row["email"]]))
                )
                continue
            self.first_row[row["email"]] = number
            cleaned.append(row)
        return cleaned


def _repeated(email: str, first: int) -> str:
    return (
        f"{email} is already on line {first} (emails are compared ignoring case), so this "
        "line was not imported: merge the two lines and import the file again."
    )


def _clean_row(fields: dict[str, Field], raw: dict) -> dict:
    raw_email = str(raw.get("email") or "").strip()
    if not raw_email:
        raise ValidationError("email is missing: every contact needs an email address.")
    email = normalise_email(raw_email)
    values, errors = clean_values(fields, raw)
    if errors:
        raise ValidationError(list(errors.values()))
    values["email"] = email
    return {key: value for key, value in values.items() if value is not None}


def contacts_write(*, workspace: Workspace, rows: list[dict]) -> list[tuple[Contact, bool, bool]]:
    """Write cleaned rows (email + non-blank values) in bulk: (contact, created, changed).

    A concurrent writer may insert the same email between our read and our
    insert; the unique constraint refuses it and we simply read again.
    """
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _write_once(workspace, rows)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _write_once(workspace: Workspace, rows: list[dict]) -> list[tuple[Contact, bool, bool]]:
    merged: dict[str, dict] = {}
    for row in rows:  # the same email twice in a chunk: later values win
        merged.setdefault(row["email"], {}).update(row)
    existing = {
        c.email: c
        for c in Contact.objects.for_workspace(workspace)
        .filter(email__in=list(merged))
        .select_for_update()
    }
    now = timezone.now()
    results, new, changed_contacts, touched = [], [], [], {"updated_at"}
    for email, values in merged.items():
        contact = existing.get(email)
        created = contact is None
        if created:
            contact = Contact(workspace=workspace, email=email, created_at=now)
        changed = [key for key, value in values.items() if contact.value(key) != value]
        for key in changed:
            contact.set_value(key, values[key], at=now)
        contact.updated_at = now
        if created:
            new.append(contact)
        elif changed:
            changed_contacts.append(contact)
            touched.update("custom" if key not in _COLUMNS else key for key in changed)
            touched.add("field_changed_at")
        results.append((contact, created, bool(changed)))
    Contact.objects.bulk_create(new, batch_size=500)
    if changed_contacts:
        Contact.objects.bulk_update(changed_contacts, sorted(touched), batch_size=500)
    return results


_COLUMNS = {f.key for f in STANDARD_FIELDS}


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


@transaction.atomic
def contact_save(*, workspace: Workspace, values: dict, contact: Contact | None = None) -> Contact:
    """Create or edit one contact from a form's cleaned values (blanks erase here)."""
    contact = contact or Contact(workspace=workspace)
    now = timezone.now()
    for key, value in values.items():
        contact.set_value(key, value, at=now)
    contact.email = normalise_email(contact.email)
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, values: dict) -> Contact:
    """Change only `values` of a stored contact, read again under a lock: every other field
    keeps what it holds now, even if another writer (the sync, an import, a public form)
    changed it after `contact` was read (when the edit page was shown)."""
    fresh = Contact.objects.select_for_update().get(pk=contact.pk)
    return contact_save(workspace=fresh.workspace, values=values, contact=fresh)


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


@transaction.atomic
def form_submit(*, form: Form, data: dict) -> tuple[Contact, bool]:
    """Create or update the contact a public form describes, and announce it in the same
    transaction (what a receiver writes, the integration's sync request, commits with it).

    Raises ValidationError (a dict of field errors) and writes nothing when any
    answer is invalid, including an answer of the wrong kind (JSON's numbers, true or
    false, lists or objects where the field takes text). Blank answers (None, "") keep
    what is stored; unknown keys are ignored.
    """
    fields = {f.key: f for f in form.fields.all()}
    fields.setdefault("email", Field.objects.for_workspace(form.workspace).get(key="email"))
    raw = {key: data.get(key) for key in fields}
    errors = _answer_kind_errors(fields, raw)
    values, value_errors = clean_values(fields, {k: v for k, v in raw.items() if k not in errors})
    errors.update(value_errors)
    if not values.get("email") and "email" not in errors:
        errors["email"] = gettext("Please give your email address.")
    if errors:
        raise ValidationError(errors)
    row = {key: value for key, value in values.items() if value is not None}
    [(contact, created, _)] = contacts_write(workspace=form.workspace, rows=[row])
    contact_submitted.send(sender=Form, contact_id=contact.pk, workspace_id=form.workspace_id)
    return contact, created


# What an answer may be besides text (or None, no answer), by field type. The hosted page
# sends only text and lists of text; a website's JSON can send anything, and a number or
# true where text is expected would be stored as "1e+999" or "True".
_OTHER_KINDS = {
    FieldType.NUMBER: ("a number",),
    FieldType.BOOLEAN: ("true or false",),
    FieldType.MULTI_CHOICE: ("a list of texts",),
}
_EXPECTED = {
    FieldType.NUMBER: "a number or text",
    FieldType.BOOLEAN: "true, false or text",
    FieldType.MULTI_CHOICE: "text or a list of texts",
}


def _answer_kind_errors(fields: dict[str, Field], raw: dict) -> dict[str, str]:
    """{key: message} for each answer whose kind its field does not take."""
    errors = {}
    for key, value in raw.items():
        kind = _kind(value)
        catalogue_field = fields[key]
        if kind != "text" and kind not in _OTHER_KINDS.get(catalogue_field.type, ()):
            expected = _EXPECTED.get(catalogue_field.type, "text")
            errors[key] = f"{catalogue_field.label}: send {expected}, not {kind}."
    return errors


def _kind(value) -> str:
    """An answer's kind, in the words of the message that refuses it."""
    if value is None or isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list):
        return "a list of texts" if all(isinstance(v, str) for v in value) else "a list"
    return "an object"


@transaction.atomic
def form_save(
    *,
    workspace: Workspace,
    name: str,
    fields: Iterable[Field],
    thank_you_message: str,
    form: Form | None = None,
    actor=None,
) -> Form:
    """Create or edit a public form. Email is always on it: it identifies the contact.

    Raises ValidationError for a field of another workspace or a computed
    (special) field: visitors never set those. The change goes to the audit trail.
    """
    chosen = set(fields)
    if any(f.workspace_id != workspace.pk or f.special for f in chosen):
        raise ValidationError("A form can only ask for this workspace's non-computed fields.")
    before = _form_state(form) if form and form.pk else None
    form = form or Form(workspace=workspace)
    form.name = name
    form.thank_you_message = thank_you_message
    form.full_clean()
    form.save()
    form.fields.set({*chosen, Field.objects.for_workspace(workspace).get(key="email")})
    after = _form_state(form)
    action = CHANGE if before else ADDITION
    audit_log(actor=actor, obj=form, action=action, changes=_form_changes(before, after))
    return form


def _form_state(form: Form) -> dict:
    labels = form.fields.order_by("position", "pk").values_list("label", flat=True)
    return {"name": form.name, "thanks": form.thank_you_message, "fields": list(labels)}


def _form_changes(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return [
            gettext("Created the form “%(name)s”, asking for %(fields)s.")
            % {"name": after["name"], "fields": ", ".join(after["fields"])}
        ]
    changes = []
    if before["name"] != after["name"]:
        changes.append(change_line(gettext("Name"), before["name"], after["name"]))
    if before["fields"] != after["fields"]:
        old, new = ", ".join(before["fields"]), ", ".join(after["fields"])
        changes.append(change_line(gettext("Fields asked"), old, new))
    if before["thanks"] != after["thanks"]:
        changes.append(change_line(gettext("Thank you message"), before["thanks"], after["thanks"]))
    return changes


@transaction.atomic
def form_delete(*, form: Form, actor=None) -> None:
    # Logged on the workspace: the form's own History goes with it.
    audit_log(
        actor=actor,
        obj=form.workspace,
        action=CHANGE,
        changes=[gettext("Deleted the form “%(name)s”.") % {"name": form.name}],
    )
    form.delete()
