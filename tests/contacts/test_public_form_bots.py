"""Bots on the public forms: a filled honeypot or a page sent too fast (or with a stamp that
is not ours) gets a person's reply, and nothing is written: no contact, no sync request."""

import json
import time

import pytest
from django.core import signing
from django.urls import reverse

from contacts.bot_traps import HONEYPOT, STAMP, STAMP_MAX_AGE_SECONDS, stamp_issue
from contacts.models import Contact
from contacts.services import form_save
from integration.models import SyncRequest
from tests.contacts.conftest import as_a_person
from tests.sync.conftest import connected, zoho  # noqa: F401

THANKS = "Thanks, see you soon!"
ANSWERS = {"email": "vi@example.com", "first_name": "Vi"}


@pytest.fixture
def plezi_form(plezi_form, connected):  # noqa: F811
    # Connected to Zoho: a submission that gets through writes a sync request.
    return plezi_form


def public_url(plezi_form) -> str:
    return reverse("contacts:public_form", args=[plezi_form.token])


def post_json(client, plezi_form, answers: dict):
    return client.post(public_url(plezi_form), json.dumps(answers), content_type="application/json")


def nothing_written() -> bool:
    return not Contact.objects.exists() and not SyncRequest.objects.exists()


def thanked(response) -> bool:
    names = [template.name for template in response.templates]
    return response.status_code == 200 and "contacts/public_form_thanks.html" in names


def test_the_hosted_page_carries_a_honeypot_and_a_stamp(client, plezi_form):
    page = client.get(public_url(plezi_form)).content.decode()

    assert f'name="{HONEYPOT}" value="" tabindex="-1" autocomplete="off"' in page
    assert f'<input type="hidden" name="{STAMP}" value="' in page


def test_a_person_is_thanked_and_the_contact_is_sent_to_zoho(client, plezi_form):
    response = client.post(public_url(plezi_form), as_a_person(plezi_form, ANSWERS))

    assert thanked(response) and THANKS in response.content.decode()
    contact = Contact.objects.get()
    assert SyncRequest.objects.get().contact_ids == [contact.pk]


def _tampered(stamp: str) -> str:
    return stamp[:-1] + ("A" if stamp[-1] != "A" else "B")


BOT_POSTS = [
    pytest.param(
        lambda f: {**as_a_person(f, ANSWERS), HONEYPOT: "http://spam.example"}, id="honeypot"
    ),
    pytest.param(lambda f: ANSWERS, id="no-stamp"),
    pytest.param(lambda f: {**ANSWERS, STAMP: "not-a-stamp"}, id="garbage-stamp"),
    pytest.param(
        lambda f: {**ANSWERS, STAMP: _tampered(stamp_issue(f, issued_at=time.time() - 5))},
        id="tampered-stamp",
    ),
    pytest.param(lambda f: as_a_person(f, ANSWERS, seconds=0.5), id="sent-too-fast"),
    pytest.param(
        lambda f: as_a_person(f, ANSWERS, seconds=STAMP_MAX_AGE_SECONDS + 60), id="expired"
    ),
    pytest.param(
        lambda f: {**ANSWERS, STAMP: signing.dumps({"form": f.token, "at": time.time() - 5})},
        id="signed-for-something-else",
    ),
]


@pytest.mark.parametrize("answers_of", BOT_POSTS)
def test_a_bot_on_the_hosted_page_is_thanked_and_nothing_is_written(client, plezi_form, answers_of):
    response = client.post(public_url(plezi_form), answers_of(plezi_form))

    assert thanked(response) and THANKS in response.content.decode()
    assert nothing_written()


def test_a_stamp_of_another_form_is_a_bots(client, workspace, plezi_form):
    other = form_save(workspace=workspace, name="Other", fields=[], thank_you_message="Ta")
    answers = {**ANSWERS, STAMP: stamp_issue(other, issued_at=time.time() - 5)}

    response = client.post(public_url(plezi_form), answers)

    assert thanked(response) and nothing_written()


def test_a_bot_that_fills_in_a_bad_email_is_thanked_too(client, plezi_form):
    # Validation comes after the traps: a bot learns nothing from the reply.
    answers = {**as_a_person(plezi_form, ANSWERS), "email": "nope", HONEYPOT: "x"}

    response = client.post(public_url(plezi_form), answers)

    assert thanked(response) and nothing_written()


def test_a_quick_correction_keeps_the_page_stamp_and_goes_through(client, plezi_form):
    answers = as_a_person(plezi_form, {**ANSWERS, "email": "vi@example"})
    shown_again = client.post(public_url(plezi_form), answers)
    assert f'name="{STAMP}" value="{answers[STAMP]}"' in shown_again.content.decode()

    fixed = client.post(public_url(plezi_form), {**answers, "email": "vi@example.com"})

    assert thanked(fixed)
    assert Contact.objects.get().email == "vi@example.com"


def test_a_bot_filling_the_honeypot_of_the_embed_gets_a_persons_reply(client, plezi_form):
    person = post_json(client, plezi_form, {**ANSWERS, HONEYPOT: ""})
    Contact.objects.all().delete()
    SyncRequest.objects.all().delete()

    bot = post_json(client, plezi_form, {**ANSWERS, HONEYPOT: "http://spam.example"})

    assert (bot.status_code, bot.content) == (person.status_code, person.content)
    assert bot.json() == {"message": THANKS}
    assert nothing_written()


def test_the_json_api_needs_no_stamp(client, plezi_form):
    # The embed snippet posts from the customer's website, from a page we never served.
    response = post_json(client, plezi_form, ANSWERS)

    assert response.json() == {"message": THANKS}
    assert Contact.objects.get().first_name == "Vi"
    assert SyncRequest.objects.count() == 1


def test_the_embed_snippet_carries_the_honeypot(owner_client, workspace, plezi_form):
    url = reverse("contacts:form_edit", args=[workspace.slug, plezi_form.pk])

    content = owner_client.get(url).content.decode()

    assert f"name=&quot;{HONEYPOT}&quot;" in content  # inside the snippet's textarea
