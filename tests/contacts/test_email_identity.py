"""One address, one contact: the stored form of an email, whatever path brought it."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from contacts.services import contacts_upsert
from contacts.values import normalise_email

NFC = unicodedata.normalize("NFC", "ann@café.example")
NFD = unicodedata.normalize("NFD", "ann@café.example")
STORED = "ann@xn--caf-dma.example"


def test_nfc_and_nfd_spellings_are_one_address():
    assert NFC != NFD
    assert normalise_email(NFC) == normalise_email(NFD) == STORED


def test_an_idn_domain_and_its_punycode_are_one_address():
    assert normalise_email("Anna@Bücher.Example") == "anna@xn--bcher-kva.example"
    assert normalise_email("anna@xn--bcher-kva.example") == "anna@xn--bcher-kva.example"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u2060", "\u00ad"])
def test_an_invisible_character_is_refused_with_a_message(invisible):
    with pytest.raises(ValidationError) as caught:
        normalise_email(f"ann{invisible}@plezi.test")

    assert "holds an invisible character" in caught.value.messages[0]
    assert "type the address again" in caught.value.messages[0]


def test_a_csv_with_two_spellings_of_one_address_makes_one_contact_and_says_so(workspace):
    rows = [(2, {"email": NFC, "last_name": "A"}), (3, {"email": NFD, "last_name": "B"})]

    report = contacts_upsert(workspace=workspace, rows=rows)

    assert (report.created, report.failed) == (1, 1)
    assert report.errors[0][0] == 3 and "already on line 2" in report.errors[0][1]
    assert workspace.contacts.get().email == STORED


def test_the_migration_rewrites_old_spellings_and_reports_twins_without_merging(workspace, capsys):
    import importlib

    from django.apps import apps

    from contacts.models import Contact

    migration = importlib.import_module("contacts.migrations.0002_emails_in_one_form")
    old = Contact.objects.create(workspace=workspace, email="bob@bücher.example")
    twin_a = Contact.objects.create(workspace=workspace, email=STORED)
    twin_b = Contact.objects.create(workspace=workspace, email=NFD)

    migration.emails_in_one_form(apps, None)

    old.refresh_from_db(), twin_a.refresh_from_db(), twin_b.refresh_from_db()
    assert old.email == "bob@xn--bcher-kva.example"
    assert (twin_a.email, twin_b.email) == (STORED, NFD)  # never merged
    assert f"contact {twin_b.pk}" in capsys.readouterr().out
