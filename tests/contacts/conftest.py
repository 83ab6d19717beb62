"""Fixtures of the contact store's tests: contacts, a custom field and a public form."""

import time

import pytest
from django.core.cache import cache

from contacts.bot_traps import STAMP, stamp_issue
from contacts.models import Contact
from contacts.selectors import fields_of
from contacts.services import contact_save, field_create, form_save


@pytest.fixture(autouse=True)
def _empty_cache():
    # The rate limit counts in the cache: every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


def as_a_person(plezi_form, answers: dict, *, seconds: float = 5) -> dict:
    """The hosted page's answers with the stamp of a page shown `seconds` ago, as a person
    sends them (the bot traps drop answers sent without one)."""
    return {**answers, STAMP: stamp_issue(plezi_form, issued_at=time.time() - seconds)}


def make_contact(workspace, email, **values) -> Contact:
    return contact_save(workspace=workspace, values={"email": email, **values})


@pytest.fixture
def contact(workspace):
    return make_contact(workspace, "ada@example.com", first_name="Ada", last_name="Lovelace")


@pytest.fixture
def industry(workspace):
    return field_create(
        workspace=workspace,
        key="industry",
        label="Industry",
        type="choice",
        choices=["Retail", "Software"],
    )


@pytest.fixture
def plezi_form(workspace):
    asked = fields_of(workspace).filter(key__in=["first_name", "company", "lead_source"])
    return form_save(
        workspace=workspace,
        name="Newsletter",
        fields=asked,
        thank_you_message="Thanks, see you soon!",
    )
