"""CSV export, as a download and a command; it imports back to the same values."""

import io

from django.core.management import call_command
from django.urls import reverse

from contacts.csv_io import contacts_csv_lines, contacts_import_csv
from contacts.models import Contact
from contacts.selectors import fields_of
from contacts.services import contact_save, field_create
from tests.contacts.conftest import make_contact

HEADER = (
    "email,first_name,last_name,company,phone,mobile,job_title,website,city,country,"
    "lead_source,email_opt_out,behaviour_score,state"
)


def _custom_fields(workspace):
    field_create(
        workspace=workspace, key="tags", label="Tags", type="multi_choice", choices=["A", "B"]
    )
    field_create(workspace=workspace, key="since", label="Since", type="date")
    field_create(workspace=workspace, key="budget", label="Budget", type="number")
    field_create(workspace=workspace, key="vip", label="VIP", type="boolean")
    field_create(workspace=workspace, key="notes", label="Notes", type="long_text")


def test_export_download_streams_every_catalogue_key_in_order(owner_client, workspace, contact):
    response = owner_client.get(reverse("contacts:export", args=[workspace.slug]))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-contacts-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.splitlines() == [
        "\ufeff" + HEADER,
        "ada@example.com,Ada,Lovelace,,,,,,,,,no,0,Unknown",
    ]


def test_export_writes_multi_choices_with_semicolons_and_guards_formulas(workspace):
    _custom_fields(workspace)
    make_contact(workspace, "ada@example.com", company="=HYPERLINK(1)", tags=["B", "A"], vip=True)
    lines = list(contacts_csv_lines(workspace))
    assert lines[0] == HEADER + ",tags,since,budget,vip,notes\r\n"
    assert lines[1] == "ada@example.com,,,'=HYPERLINK(1),,,,,,,,no,0,Unknown,B;A,,,yes,\r\n"


def test_export_command_writes_to_stdout_or_a_file(workspace, contact, tmp_path):
    out = io.StringIO()
    call_command("export_contacts", "acme", stdout=out)
    assert out.getvalue().splitlines()[0] == HEADER
    path = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("export_contacts", "acme", str(path), stdout=out)
    assert out.getvalue() == f"Exported 1 contacts to {path}.\n"
    assert path.read_text(encoding="utf-8").splitlines()[1].startswith("ada@example.com,Ada,")


def test_export_then_import_into_another_workspace_gives_the_same_values(
    workspace, other_workspace, tmp_path
):
    for ws in (workspace, other_workspace):
        _custom_fields(ws)
    values = {
        "first_name": "Zoé",
        "last_name": "O'Brien, Jr.",
        "company": '-Minus & "Quotes"',
        "phone": "+33 1 23 45 67 89",
        "website": "https://example.com/a?b=c",
        "lead_source": "Web Download",
        "email_opt_out": True,
        "tags": ["B", "A"],
        "since": "2024-02-29",
        "budget": 1234.5,
        "vip": False,
        "notes": "Line one\nline two",
    }
    original = make_contact(workspace, "zoe@example.com", **values)
    Contact.objects.filter(pk=original.pk).update(behaviour_score=37, state="Qualified")
    make_contact(workspace, "plain@example.com")

    path = tmp_path / "export.csv"
    call_command("export_contacts", "acme", str(path), stdout=io.StringIO())
    with open(path, "rb") as file:
        result = contacts_import_csv(workspace=other_workspace, file=file)

    assert result.summary() == "created=2 updated=0 unchanged=0 failed=0"
    assert result.unknown_columns == []
    keys = [f.key for f in fields_of(workspace)]
    for email in ("zoe@example.com", "plain@example.com"):
        before = Contact.objects.get(workspace=workspace, email=email)
        after = Contact.objects.get(workspace=other_workspace, email=email)
        assert {k: after.value(k) for k in keys} == {k: before.value(k) for k in keys}
    assert Contact.objects.get(workspace=other_workspace, email="zoe@example.com").custom == {
        "tags": ["B", "A"],
        "since": "2024-02-29",
        "budget": 1234.5,
        "vip": False,
        "notes": "Line one\nline two",
    }


def test_exported_file_imports_back_unchanged(workspace, contact):
    contact_save(workspace=workspace, values={"company": "@risk"}, contact=contact)
    data = "".join(contacts_csv_lines(workspace)).encode()
    result = contacts_import_csv(workspace=workspace, file=io.BytesIO(data))
    assert result.summary() == "created=0 updated=0 unchanged=1 failed=0"
    contact.refresh_from_db()
    assert contact.company == "@risk"
