"""CSV import, from the page and the command: upsert by email, errors by line number."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.csv_io import CsvRefused, contacts_import_csv
from contacts.models import Contact
from tests.contacts.conftest import make_contact

MIXED = (
    "email,first_name,last_name,behaviour_score,lead_source,industry,shoe_size,Favourite Colour\n"
    "new@example.com,New,Person,12,Web Download,Retail,42,blue\n"  # line 2: created
    "ADA@example.com,Augusta,,,,,,\n"  # line 3: updated, last name kept
    "not-an-email,Bad,Email,,,,,\n"  # line 4
    "bob@example.com,Bob,,lots,,,,\n"  # line 5: bad number
    "carol@example.com,Carol,,,Fax,,,\n"  # line 6: unknown choice
    " ,No,Email,,,,,\n"  # line 7: missing email
    "\n"  # line 8: blank lines are skipped
    '"dan@example.com","Dan ""The Man""",,51,,,,\n'  # line 9: score out of range
    "ada@example.com,Augusta,,,,,,\n"  # line 10: line 3's email again
)
MIXED_ERRORS = [
    "Line 4: “not-an-email” is not a valid email address.",
    "Line 5: Behaviour score: “lots” is not a number.",
    "Line 6: Lead source: “Fax” is not one of the choices (Advertisement, Cold Call, "
    "Employee Referral, External Referral, Online Store, Partner, Public Relations, "
    "Sales Email Alias, Seminar Partner, Internal Seminar, Trade Show, Web Download, "
    "Web Research, Chat).",
    "Line 7: email is missing: every contact needs an email address.",
    "Line 9: Behaviour score: a whole number from 0 to 50 (got 51).",
    "Line 10: ada@example.com is already on line 3 (emails are compared ignoring case), so "
    "this line was not imported: merge the two lines and import the file again.",
]


def _import(workspace, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return contacts_import_csv(workspace=workspace, file=io.BytesIO(data))


def test_mixed_file_imports_good_rows_and_reports_bad_ones_by_line(workspace, contact, industry):
    result = _import(workspace, MIXED)
    assert result.summary() == "created=1 updated=1 unchanged=0 failed=6"
    assert result.error_lines() == MIXED_ERRORS
    assert result.unknown_columns == ["shoe_size", "Favourite Colour"]
    new = Contact.objects.get(email="new@example.com")
    assert (new.first_name, new.behaviour_score, new.lead_source) == ("New", 12, "Web Download")
    assert new.custom == {"industry": "Retail"}
    assert not Contact.objects.filter(email__in=["bob@example.com", "carol@example.com"]).exists()


def test_an_email_repeated_in_a_file_is_refused_on_its_later_line(workspace, contact):
    result = _import(workspace, "email,first_name\nada@example.com,Augusta\nADA@example.com,A\n")
    assert result.summary() == "created=0 updated=1 unchanged=0 failed=1"
    assert result.error_lines()[0].startswith("Line 3: ada@example.com is already on line 2")
    contact.refresh_from_db()
    assert contact.first_name == "Augusta"


def test_blank_cells_never_erase_stored_values(workspace, industry):
    contact = make_contact(workspace, "ada@example.com", first_name="Ada", company="Engines")
    contact.custom = {"industry": "Retail"}
    contact.save()
    result = _import(workspace, "email,first_name,company,industry\nada@example.com, ,,\n")
    assert result.summary() == "created=0 updated=0 unchanged=1 failed=0"
    contact.refresh_from_db()
    assert (contact.first_name, contact.company, contact.custom) == (
        "Ada",
        "Engines",
        {"industry": "Retail"},
    )


def test_a_file_without_an_email_column_is_refused_whole(workspace):
    with pytest.raises(CsvRefused) as refused:
        _import(workspace, "first_name,last_name\nAda,Lovelace\n")
    assert str(refused.value) == (
        "The file has no “email” column: the first line must name the columns "
        "(email,first_name,last_name,…), and email is how contacts are matched."
    )
    assert not Contact.objects.exists()


def test_a_semicolon_separated_file_gets_a_hint(workspace):
    with pytest.raises(CsvRefused, match=r"\(is it separated by semicolons\? Use commas\.\)"):
        _import(workspace, "email;first_name\nada@example.com;Ada\n")


def test_a_file_that_is_not_utf8_is_refused_whole_with_the_line(workspace):
    latin1 = "email,first_name\nada@example.com,Ada\nzoe@example.com,Zoé\n".encode("latin-1")
    with pytest.raises(CsvRefused) as refused:
        _import(workspace, latin1)
    assert str(refused.value) == (
        "The file is not UTF-8 text (the first unreadable character is on line 3). "
        "Save it as “CSV UTF-8” in your spreadsheet (File › Save as) and import it again."
    )
    assert not Contact.objects.exists()


def test_a_utf8_bom_is_accepted(workspace):
    result = _import(workspace, "\ufeffemail,first_name\nzoe@example.com,Zoé\n")
    assert result.summary() == "created=1 updated=0 unchanged=0 failed=0"
    assert Contact.objects.get().first_name == "Zoé"


def test_an_empty_file_is_refused(workspace):
    with pytest.raises(CsvRefused, match="The file is empty"):
        _import(workspace, "")


def test_a_repeated_column_is_refused(workspace):
    with pytest.raises(CsvRefused) as refused:
        _import(workspace, "email,Email\na@example.com,b@example.com\n")
    assert str(refused.value) == "The column “email” appears twice in the header: keep only one."


def test_a_row_with_more_cells_than_columns_is_reported(workspace):
    result = _import(workspace, "email,company\na@example.com,Smith, Jones and Co\n")
    assert result.error_lines() == [
        "Line 2: 3 cells but the header names 2 columns "
        "(a value containing a comma must be in double quotes)."
    ]


def test_quoted_cells_spanning_lines_keep_later_line_numbers_right(workspace):
    text = 'email,city\na@example.com,"Multi\nline"\nbad,Paris\n'
    assert _import(workspace, text).error_lines() == ["Line 4: “bad” is not a valid email address."]


def test_multi_choice_cells_are_split_on_semicolons(workspace):
    from contacts.services import field_create

    field_create(
        workspace=workspace, key="tags", label="Tags", type="multi_choice", choices=["A", "B"]
    )
    _import(workspace, "email,tags\na@example.com,b; A\n")
    assert Contact.objects.get().custom == {"tags": ["B", "A"]}


def test_command_prints_errors_and_the_summary(workspace, contact, industry, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(MIXED, encoding="utf-8")
    out = io.StringIO()
    call_command("import_contacts", "acme", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "Ignored unknown columns: shoe_size, Favourite Colour.",
        *MIXED_ERRORS,
        "created=1 updated=1 unchanged=0 failed=6",
    ]


def test_command_refuses_a_bad_file_with_the_reason(workspace, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("name\nAda\n", encoding="utf-8")
    with pytest.raises(
        CommandError, match="contacts.csv was not imported: The file has no “email”"
    ):
        call_command("import_contacts", "acme", str(path))


def test_command_names_an_unknown_workspace_or_a_missing_file(workspace, tmp_path):
    with pytest.raises(CommandError, match="No workspace with the slug 'nope'."):
        call_command("import_contacts", "nope", "x.csv")
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: No such file or directory."):
        call_command("import_contacts", "acme", str(tmp_path / "missing.csv"))


def test_command_lists_only_the_first_100_errors(workspace, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("email\n" + "bad\n" * 130, encoding="utf-8")
    out = io.StringIO()
    call_command("import_contacts", "acme", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 102
    assert lines[-2:] == ["… and 30 more errors.", "created=0 updated=0 unchanged=0 failed=130"]


def test_import_page_shows_the_summary_and_errors(owner_client, workspace, contact, industry):
    upload = SimpleUploadedFile("contacts.csv", MIXED.encode(), content_type="text/csv")
    response = owner_client.post(
        reverse("contacts:import", args=[workspace.slug]), {"file": upload}, follow=True
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<code>created=1 updated=1 unchanged=0 failed=6</code>" in content
    assert "Ignored unknown columns: shoe_size, Favourite Colour" in content
    assert "<li>Line 5: Behaviour score: “lots” is not a number.</li>" in content
    assert Contact.objects.filter(workspace=workspace).count() == 2


def test_import_page_refuses_a_bad_encoding_with_a_message(owner_client, workspace):
    upload = SimpleUploadedFile("c.csv", "email\nzoé@example.com\n".encode("cp1252"))
    response = owner_client.post(
        reverse("contacts:import", args=[workspace.slug]), {"file": upload}, follow=True
    )
    assert response.context["form"].errors["file"] == [
        "The file is not UTF-8 text (the first unreadable character is on line 2). "
        "Save it as “CSV UTF-8” in your spreadsheet (File › Save as) and import it again."
    ]
    assert not Contact.objects.exists()


def test_import_page_escapes_what_the_file_contains(owner_client, workspace):
    upload = SimpleUploadedFile("c.csv", b"email,<b>bold</b>\n<script>@x,1\n")
    content = owner_client.post(
        reverse("contacts:import", args=[workspace.slug]), {"file": upload}, follow=True
    ).content.decode()
    assert "<b>bold</b>" not in content and "&lt;b&gt;bold&lt;/b&gt;" in content
    assert "<script>@x" not in content
