"""Public forms given bad answers: a message the website or visitor can act on, nothing stored.

Visitors post either JSON (the embed snippet) or an HTML form (the hosted
page). Every case checks the status, the exact message, and that no contact
was created or changed. The script-tag test follows a visitor's name to every
page that shows it later.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from contacts.selectors import fields_of
from contacts.services import contact_save, field_create, form_save
from integration.models import SyncIssue
from tests.bad_input.conftest import ESCAPED_SCRIPT, SCRIPT, snapshot
from tests.contacts.conftest import as_a_person
from tests.sync.conftest import SEED_FIELDS, connect, sync

TOO_LARGE = "The answers are too large (at most 64 KB)."
RATE_LIMITED = "Too many submissions from your address: please wait a minute and try again."
WRONG_TYPE = (
    "Send the answers as JSON (Content-Type: application/json) "
    "or as an HTML form (application/x-www-form-urlencoded)."
)
EMAIL_MISSING = "Please give your email address."


@pytest.fixture
def visitor() -> Client:
    client = Client()
    client.raise_request_exception = False  # a crash is a 500 to assert on
    return client


@pytest.fixture
def plezi_form(workspace):
    """A form asking one field of every type, and a contact it may update."""
    custom = [
        ("budget", "Budget", "number", None),
        ("birthday", "Birthday", "date", None),
        ("newsletter", "Newsletter", "boolean", None),
        ("interests", "Interests", "multi_choice", ["Email", "Phone"]),
    ]
    for key, label, type_, choices in custom:
        field_create(workspace=workspace, key=key, label=label, type=type_, choices=choices)
    asked = fields_of(workspace).exclude(special=True).exclude(key="email_opt_out")
    contact_save(
        workspace=workspace,
        values={"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"},
    )
    return form_save(workspace=workspace, name="Demo", fields=asked, thank_you_message="Thanks!")


def public_url(plezi_form) -> str:
    return reverse("contacts:public_form", args=[plezi_form.token])


def post_json(client, plezi_form, body, **extra):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(public_url(plezi_form), raw, content_type="application/json", **extra)


# ---- answers the field rules refuse (JSON) -------------------------------------------------
def answers(**values) -> dict:
    return {"email": "new@example.com", **values}


ANSWER_CASES = [
    pytest.param(
        {"email": "not-an-email"},
        "email",
        "Email: “not-an-email” is not a valid email address.",
        id="email-malformed",
    ),
    pytest.param(
        {"email": "ada@example.com\nBcc: all@example.com"},
        "email",
        "is not a valid email address.",
        id="email-header-injection",
    ),
    pytest.param(
        {"email": "a" * 250 + "@example.com"},
        "email",
        "Email: at most 254 characters (got 262).",
        id="email-too-long",
    ),
    pytest.param({"email": 42}, "email", "Email: send text, not a number.", id="email-number"),
    pytest.param({"first_name": "Ada"}, "email", EMAIL_MISSING, id="email-missing"),
    pytest.param({"email": "   "}, "email", EMAIL_MISSING, id="email-blank"),
    pytest.param(
        {"email": {"$ne": ""}}, "email", "Email: send text, not an object.", id="email-an-object"
    ),
    pytest.param(
        {"email": ["ada@example.com"]},
        "email",
        "Email: send text, not a list of texts.",
        id="email-a-list",
    ),
    pytest.param(
        '{"email": "new@example.com", "last_name": 1e999}',
        "last_name",
        "Last name: send text, not a number.",
        id="text-1e999",
    ),
    pytest.param(
        answers(last_name=True),
        "last_name",
        "Last name: send text, not true or false.",
        id="text-true",
    ),
    pytest.param(
        answers(phone=612345678), "phone", "Phone: send text, not a number.", id="phone-a-number"
    ),
    pytest.param(
        answers(lead_source=["Partner"]),
        "lead_source",
        "Lead source: send text, not a list of texts.",
        id="choice-a-list",
    ),
    pytest.param(
        answers(budget=True),
        "budget",
        "Budget: send a number or text, not true or false.",
        id="number-true",
    ),
    pytest.param(
        '{"email": "new@example.com", "budget": 1e999}',
        "budget",
        "Budget: “1E+999” is too large a number.",
        id="number-1e999",
    ),
    pytest.param(
        answers(newsletter=1),
        "newsletter",
        "Newsletter: send true, false or text, not a number.",
        id="boolean-a-number",
    ),
    pytest.param(
        answers(interests=["Email", 2]),
        "interests",
        "Interests: send text or a list of texts, not a list.",
        id="multi-choice-list-with-a-number",
    ),
    pytest.param(
        answers(first_name="A" * 101),
        "first_name",
        "First name: at most 100 characters (got 101).",
        id="text-too-long",
    ),
    pytest.param(
        answers(phone="call me maybe"),
        "phone",
        "Phone: “call me maybe” is not a phone number (digits, spaces and + - ( ) . / x only).",
        id="phone-words",
    ),
    pytest.param(
        answers(website="javascript:alert(1)"),
        "website",
        "Website: “javascript:alert(1)” is not a web address.",
        id="website-javascript",
    ),
    pytest.param(
        answers(lead_source="Billboard"),
        "lead_source",
        "Lead source: “Billboard” is not one of the choices (Advertisement, Cold Call,",
        id="choice-unknown",
    ),
    pytest.param(
        answers(interests="Email;Carrier pigeon"),
        "interests",
        "Interests: “Carrier pigeon” is not one of the choices (Email, Phone).",
        id="multi-choice-unknown-item",
    ),
    pytest.param(
        answers(budget="lots"), "budget", "Budget: “lots” is not a number.", id="number-words"
    ),
    pytest.param(
        answers(budget="NaN"), "budget", "Budget: “NaN” is not a number.", id="number-nan"
    ),
    pytest.param(
        answers(budget="1e400"),
        "budget",
        "Budget: “1e400” is too large a number.",
        id="number-too-large",
    ),
    pytest.param(
        answers(birthday="31/12/1990"),
        "birthday",
        "Birthday: “31/12/1990” is not a date (YYYY-MM-DD).",
        id="date-day-first",
    ),
    pytest.param(
        answers(birthday="1990-02-30"),
        "birthday",
        "Birthday: “1990-02-30” is not a date (YYYY-MM-DD).",
        id="date-impossible",
    ),
    pytest.param(
        answers(newsletter="maybe"),
        "newsletter",
        "Newsletter: “maybe” is not yes or no.",
        id="boolean-maybe",
    ),
]


@pytest.mark.parametrize(("body", "key", "message"), ANSWER_CASES)
def test_refused_answer_is_named_by_field_and_nothing_is_stored(
    visitor, plezi_form, workspace, body, key, message
):
    before = snapshot(workspace)

    response = post_json(visitor, plezi_form, body)

    assert response.status_code == 400
    [said] = response.json()["errors"][key]
    assert message in said
    assert snapshot(workspace) == before


def test_one_bad_answer_among_good_ones_stores_none_of_them(visitor, plezi_form, workspace):
    before = snapshot(workspace)

    response = post_json(
        visitor, plezi_form, {"email": "ada@example.com", "company": "Analytical", "budget": "x"}
    )

    assert response.json() == {"errors": {"budget": ["Budget: “x” is not a number."]}}
    assert snapshot(workspace) == before


# ---- bodies that are not answers -----------------------------------------------------------
BODY_CASES = [
    pytest.param(
        b'{"email": "ada@example.com"',
        "application/json",
        400,
        "The body is not valid JSON (Expecting ',' delimiter: line 1 column 28 (char 27)).",
        id="truncated-json",
    ),
    pytest.param(
        b"   ", "application/json", 400, "The body is not valid JSON (", id="blank-json-body"
    ),
    pytest.param(b"", "application/json", 400, WRONG_TYPE, id="empty-body-without-type"),
    pytest.param(
        '{"email": "zoë@example.com"}'.encode("latin-1"),
        "application/json",
        400,
        "The body is not valid JSON (",
        id="json-not-utf8",
    ),
    pytest.param(
        b'["ada@example.com"]',
        "application/json",
        400,
        'Send a JSON object of answers, e.g. {"email": "ada@example.com"}.',
        id="json-array",
    ),
    pytest.param(
        b'"ada@example.com"',
        "application/json",
        400,
        'Send a JSON object of answers, e.g. {"email": "ada@example.com"}.',
        id="json-string",
    ),
    pytest.param(b"email=ada@example.com", "text/plain", 400, WRONG_TYPE, id="text-plain"),
    pytest.param(b"<email>ada@example.com</email>", "application/xml", 400, WRONG_TYPE, id="xml"),
    pytest.param(
        json.dumps({"email": "ada@example.com", "company": "x" * (1024 * 1024)}).encode(),
        "application/json",
        413,
        TOO_LARGE,
        id="one-megabyte-json",
    ),
]


NOT_A_NUMBER = "is not a JSON number: send a finite number, or text)."


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_that_only_python_accepts_is_refused(visitor, plezi_form, workspace, constant):
    before = snapshot(workspace)
    body = f'{{"email": "new@example.com", "budget": {constant}}}'

    response = post_json(visitor, plezi_form, body)

    assert response.status_code == 400
    [said] = response.json()["errors"]["__all__"]
    assert said == f"The body is not valid JSON ({constant} {NOT_A_NUMBER}"
    assert snapshot(workspace) == before


def test_json_numbers_true_and_lists_are_taken_where_the_field_takes_them(
    visitor, plezi_form, workspace
):
    body = answers(budget=1250.5, newsletter=True, interests=["Phone", "Email"])

    response = post_json(visitor, plezi_form, body)

    assert response.status_code == 200
    contact = Contact.objects.get(email="new@example.com")
    assert contact.custom == {"budget": 1250.5, "newsletter": True, "interests": ["Phone", "Email"]}


def test_an_answer_of_the_wrong_kind_names_its_field_among_others(visitor, plezi_form, workspace):
    before = snapshot(workspace)

    body = '{"email": "new@example.com", "last_name": 1e999, "company": ["A"], "city": {}}'

    response = post_json(visitor, plezi_form, body)

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "last_name": ["Last name: send text, not a number."],
            "company": ["Company: send text, not a list of texts."],
            "city": ["City: send text, not an object."],
        }
    }
    assert snapshot(workspace) == before


@pytest.mark.parametrize(("body", "content_type", "status", "message"), BODY_CASES)
def test_a_body_that_is_not_answers_is_refused_with_the_reason(
    visitor, plezi_form, workspace, body, content_type, status, message
):
    before = snapshot(workspace)

    response = visitor.post(public_url(plezi_form), body, content_type=content_type)

    assert response.status_code == status
    [said] = response.json()["errors"]["__all__"]
    assert said.startswith(message) if message.endswith("(") else said == message
    assert response["Access-Control-Allow-Origin"] == "*"  # the website can read why
    assert snapshot(workspace) == before


def test_one_megabyte_html_form_gets_a_page_saying_why(visitor, plezi_form, workspace):
    before = snapshot(workspace)

    response = visitor.post(
        public_url(plezi_form), {"email": "ada@example.com", "company": "x" * 2**20}
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "Your answers were not sent" in page and TOO_LARGE in page
    assert snapshot(workspace) == before


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Ada\x00Lovelace",
            id="nul-character",
        ),
        pytest.param(
            "Ada \ud800",
            id="lone-surrogate",
        ),
    ],
)
def test_unstorable_characters_are_refused_with_a_message(visitor, plezi_form, workspace, text):
    before = snapshot(workspace)

    response = post_json(visitor, plezi_form, json.dumps(answers(first_name=text)).encode())

    assert response.status_code == 400, f"answered {response.status_code}"
    assert "First name" in response.json()["errors"]["first_name"][0]
    assert snapshot(workspace) == before


def test_html_form_with_a_bad_email_shows_the_form_again_with_the_message(
    visitor, plezi_form, workspace
):
    before = snapshot(workspace)

    response = visitor.post(
        public_url(plezi_form),
        as_a_person(plezi_form, {"email": "ada at example", "first_name": "A"}),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Email: “ada at example” is not a valid email address." in page
    assert 'value="A"' in page  # what the visitor typed is kept
    assert snapshot(workspace) == before


def test_html_form_without_its_csrf_token_is_refused(plezi_form, workspace):
    before = snapshot(workspace)
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(public_url(plezi_form), {"email": "new@example.com"})

    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert snapshot(workspace) == before


def test_unknown_form_token_is_404(visitor, plezi_form, workspace):
    before = snapshot(workspace)

    response = visitor.post("/f/not-a-token/", {"email": "new@example.com"})

    assert response.status_code == 404
    assert snapshot(workspace) == before


def test_put_is_not_a_submission(visitor, plezi_form, workspace):
    before = snapshot(workspace)

    response = visitor.put(public_url(plezi_form), "{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert snapshot(workspace) == before


def test_fields_the_form_does_not_ask_are_ignored(visitor, plezi_form, workspace):
    # Unknown keys, computed fields and ids are no answer: a website cannot raise a
    # contact's score, change its state or write into another workspace.
    before = snapshot(workspace)
    body = {
        "email": "ada@example.com",
        "behaviour_score": 50,
        "state": "Closed",
        "email_opt_out": True,
        "workspace": 999,
        "id": 1,
        "utm_source": "newsletter",
    }

    response = post_json(visitor, plezi_form, body)

    assert response.status_code == 200
    assert response.json() == {"message": "Thanks!"}
    assert snapshot(workspace) == before


def test_past_the_rate_limit_submissions_are_refused(visitor, plezi_form, workspace, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    for n in range(2):
        assert post_json(visitor, plezi_form, answers(email=f"v{n}@example.com")).status_code == 200
    before = snapshot(workspace)

    as_json = post_json(visitor, plezi_form, answers(email="v2@example.com"))
    as_html = visitor.post(
        public_url(plezi_form), as_a_person(plezi_form, answers(email="v3@x.fr"))
    )

    assert as_json.status_code == 429
    assert as_json.json() == {"errors": {"__all__": [RATE_LIMITED]}}
    assert as_html.status_code == 429 and RATE_LIMITED in as_html.content.decode()
    assert snapshot(workspace) == before


# ---- a script as a name: shown as text on every page that shows it later -------------------
@pytest.fixture
def superuser_client(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client = Client()
    client.force_login(user)
    return client


def test_script_in_a_name_is_escaped_on_every_page_that_shows_it(
    visitor, plezi_form, workspace, owner_client, superuser_client, zoho
):
    for api_name, data_type in SEED_FIELDS:
        zoho.add_field("Leads", api_name, api_name, data_type, length=255)
    email = "mallory@example.com"
    post_json(visitor, plezi_form, {"email": email, "first_name": "Mal", "last_name": SCRIPT})
    connect(zoho, workspace)  # after: no form push waits to go before the preview
    preview = sync(workspace, dry_run=True)  # its page lists what would be sent
    sync(workspace)
    # A sales rep and the visitor change the first name at once: a conflict naming both.
    [lead] = [r for r in zoho.records("Leads") if r["Email"] == email]
    zoho.advance_clock(60)
    zoho.update_record("Leads", lead["id"], {"First_Name": "Malcolm"})
    post_json(visitor, plezi_form, {"email": email, "first_name": SCRIPT})
    conflict = sync(workspace)
    assert SyncIssue.objects.filter(run=conflict, kind="conflict", message__contains=SCRIPT)
    slug, pk = workspace.slug, Contact.objects.get(email=email).pk
    pages = {
        "contact list": (owner_client, reverse("contacts:list", args=[slug])),
        "contact search": (owner_client, reverse("contacts:list", args=[slug]) + "?q=script"),
        "contact detail": (owner_client, reverse("contacts:detail", args=[slug, pk])),
        "contact edit": (owner_client, reverse("contacts:edit", args=[slug, pk])),
        "contact sync panel": (owner_client, reverse("sync:contact_panel", args=[slug, pk])),
        "run issues": (owner_client, reverse("sync:run", args=[slug, conflict.pk])),
        "run preview": (owner_client, reverse("sync:run", args=[slug, preview.pk])),
        "admin contacts": (superuser_client, reverse("admin:contacts_contact_changelist")),
        "admin contact": (superuser_client, reverse("admin:contacts_contact_change", args=[pk])),
        "admin run": (
            superuser_client,
            reverse("admin:integration_syncrun_change", args=[conflict.pk]),
        ),
    }

    for name, (client, page_url) in pages.items():
        page = client.get(page_url).content.decode()
        assert SCRIPT not in page, f"unescaped on the {name} page"
        assert ESCAPED_SCRIPT in page, f"not shown on the {name} page"


def test_script_in_a_name_goes_out_as_text_in_the_csv_export(
    visitor, plezi_form, workspace, owner_client
):
    post_json(visitor, plezi_form, answers(first_name=SCRIPT))

    export = b"".join(owner_client.get(reverse("contacts:export", args=["acme"])).streaming_content)

    assert SCRIPT in export.decode("utf-8-sig")  # a CSV is data, not a page: kept as typed
