"""Public forms: their settings pages, and what a visitor (HTML or JSON) can do with them."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact, Form
from contacts.signals import contact_submitted
from tests.contacts.conftest import as_a_person, make_contact


def _public(plezi_form):
    return reverse("contacts:public_form", args=[plezi_form.token])


def _post_html(client, plezi_form, answers, **extra):
    return client.post(_public(plezi_form), as_a_person(plezi_form, answers), **extra)


def _post_json(client, plezi_form, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(_public(plezi_form), body, content_type="application/json", **extra)


# Settings pages --------------------------------------------------------------------------


def test_admin_creates_a_form_that_always_asks_for_email(owner_client, workspace):
    company = workspace.fields.get(key="company")
    response = owner_client.post(
        reverse("contacts:form_create", args=[workspace.slug]),
        {"name": "Webinar", "asked_fields": [company.pk], "thank_you_message": "See you there!"},
    )
    plezi_form = Form.objects.get(workspace=workspace)
    assert response["Location"] == reverse(
        "contacts:form_edit", args=[workspace.slug, plezi_form.pk]
    )
    assert sorted(f.key for f in plezi_form.fields.all()) == ["company", "email"]
    assert plezi_form.thank_you_message == "See you there!"


def test_form_cannot_ask_for_computed_fields(owner_client, workspace):
    state = workspace.fields.get(key="state")
    response = owner_client.post(
        reverse("contacts:form_create", args=[workspace.slug]),
        {"name": "Sneaky", "asked_fields": [state.pk], "thank_you_message": "Thanks"},
    )
    assert "asked_fields" in response.context["form"].errors
    assert not Form.objects.exists()


def test_form_edit_page_shows_public_url_and_embed_snippet(owner_client, workspace, plezi_form):
    url = reverse("contacts:form_edit", args=[workspace.slug, plezi_form.pk])
    content = owner_client.get(url).content.decode()
    public_url = f"http://testserver/f/{plezi_form.token}/"
    assert f'value="{public_url}"' in content
    assert f"action=&quot;{public_url}&quot;" in content  # inside the snippet's textarea
    assert "&quot;Content-Type&quot;: &quot;application/json&quot;" in content


def test_form_list_shows_each_form_with_its_link(owner_client, workspace, plezi_form):
    content = owner_client.get(reverse("contacts:form_list", args=[workspace.slug])).content
    assert b"Newsletter" in content
    assert f"http://testserver/f/{plezi_form.token}/".encode() in content
    assert b"Asks: Email, First name, Company, Lead source" in content


def test_form_list_is_empty_with_a_helpful_message(owner_client, workspace):
    content = owner_client.get(reverse("contacts:form_list", args=[workspace.slug])).content
    assert b"No forms yet" in content


def test_form_edit_changes_fields_and_delete_needs_post(owner_client, workspace, plezi_form):
    url = reverse("contacts:form_edit", args=[workspace.slug, plezi_form.pk])
    owner_client.post(url, {"name": "Renamed", "asked_fields": [], "thank_you_message": "Ta"})
    plezi_form.refresh_from_db()
    assert plezi_form.name == "Renamed"
    assert [f.key for f in plezi_form.fields.all()] == ["email"]
    delete = reverse("contacts:form_delete", args=[workspace.slug, plezi_form.pk])
    assert owner_client.get(delete).status_code == 200
    assert Form.objects.filter(pk=plezi_form.pk).exists()
    owner_client.post(delete)
    assert not Form.objects.filter(pk=plezi_form.pk).exists()
    assert Client().get(_public(plezi_form)).status_code == 404


# Visitors: HTML --------------------------------------------------------------------------


def test_visitor_sees_the_form_without_logging_in(client, plezi_form):
    response = client.get(_public(plezi_form))
    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "email",
        "first_name",
        "company",
        "lead_source",
    ]
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_visitor_submits_and_is_thanked(client, workspace, plezi_form):
    response = _post_html(
        client,
        plezi_form,
        {"email": "Visitor@Example.com", "first_name": "Vi", "lead_source": "web download"},
    )
    assert response.status_code == 200
    assert b"Thanks, see you soon!" in response.content
    contact = Contact.objects.get(workspace=workspace)
    assert (contact.email, contact.first_name, contact.lead_source) == (
        "visitor@example.com",
        "Vi",
        "Web Download",
    )


def test_invalid_email_rerenders_with_the_message_and_saves_nothing(client, plezi_form):
    response = _post_html(client, plezi_form, {"email": "nope", "first_name": "Vi"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["Email: “nope” is not a valid email address."]
    }
    assert not Contact.objects.exists()


def test_missing_email_is_asked_for(client, plezi_form):
    response = _post_html(client, plezi_form, {"first_name": "Vi"})
    assert response.context["form"].errors == {"email": ["Please give your email address."]}
    assert not Contact.objects.exists()


def test_one_bad_answer_saves_nothing(client, workspace, plezi_form):
    response = _post_html(client, plezi_form, {"email": "ok@example.com", "lead_source": "Fax"})
    assert "lead_source" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_existing_contact_is_updated_by_email_in_any_case_and_blanks_keep_values(
    client, workspace, plezi_form
):
    contact = make_contact(workspace, "ada@example.com", first_name="Ada", company="Engines")
    response = _post_html(
        client, plezi_form, {"email": "ADA@EXAMPLE.COM", "first_name": "", "company": "Babbage"}
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.first_name, contact.company) == ("Ada", "Babbage")
    assert Contact.objects.count() == 1


def test_fields_not_on_the_form_are_ignored(client, workspace, plezi_form):
    _post_html(
        client,
        plezi_form,
        {"email": "vi@example.com", "last_name": "Hacker", "behaviour_score": "50", "x": "1"},
    )
    contact = Contact.objects.get()
    assert (contact.last_name, contact.behaviour_score, contact.custom) == ("", 0, {})


def test_script_tags_are_shown_as_text_on_the_detail_page(
    client, owner_client, workspace, plezi_form
):
    _post_html(
        client,
        plezi_form,
        {
            "email": "x@example.com",
            "first_name": "<script>alert(1)</script>",
            "company": "<b>B</b>",
        },
    )
    contact = Contact.objects.get()
    assert contact.first_name == "<script>alert(1)</script>"
    content = owner_client.get(contact.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<b>B</b>" not in content


def test_html_variant_keeps_csrf_protection(plezi_form):
    strict = Client(enforce_csrf_checks=True)
    response = _post_html(strict, plezi_form, {"email": "vi@example.com"})
    assert response.status_code == 403
    assert not Contact.objects.exists()
    strict.get(_public(plezi_form))
    token = strict.cookies["csrftoken"].value
    response = _post_html(
        strict, plezi_form, {"email": "vi@example.com", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and Contact.objects.count() == 1


def test_submission_announces_the_contact_inside_its_transaction(
    client, workspace, plezi_form, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    contact_submitted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False):
            _post_html(client, plezi_form, {"email": "vi@example.com"})
            # before the commit: what a receiver writes commits with the contact
            assert received == [
                {
                    "contact_id": Contact.objects.get().pk,
                    "workspace_id": workspace.pk,
                    "signal": contact_submitted,
                }
            ]
    finally:
        contact_submitted.disconnect(receiver)


def test_invalid_submission_announces_nothing(
    client, plezi_form, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _post_html(client, plezi_form, {"email": "nope"})
    assert callbacks == []


# Visitors: JSON --------------------------------------------------------------------------


THANKED = {"message": "Thanks, see you soon!"}


def test_json_creates_then_updates_with_the_same_reply_and_no_id(client, workspace, plezi_form):
    created = _post_json(client, plezi_form, {"email": "vi@example.com", "first_name": "Vi"})
    updated = _post_json(client, plezi_form, {"email": "VI@example.com", "company": "Acme"})

    # The same status and body: a reply that differed would tell who is a contact.
    assert (created.status_code, created.json()) == (200, THANKED)
    assert (updated.status_code, updated.content) == (created.status_code, created.content)
    assert created["Access-Control-Allow-Origin"] == "*"
    contact = Contact.objects.get()
    assert (contact.first_name, contact.company) == ("Vi", "Acme")


def test_json_needs_no_csrf_token(plezi_form):
    response = _post_json(Client(enforce_csrf_checks=True), plezi_form, {"email": "vi@example.com"})
    assert response.status_code == 200 and Contact.objects.count() == 1


def test_json_errors_are_listed_by_field(client, plezi_form):
    response = _post_json(client, plezi_form, {"email": "nope", "lead_source": "Fax", "zzz": 1})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["email"] == ["Email: “nope” is not a valid email address."]
    assert errors["lead_source"][0].startswith("Lead source: “Fax” is not one of the choices")
    assert set(errors) == {"email", "lead_source"}
    assert not Contact.objects.exists()


def test_json_without_email_is_refused(client, plezi_form):
    response = _post_json(client, plezi_form, {"first_name": "Vi"})
    assert response.status_code == 400
    assert response.json() == {"errors": {"email": ["Please give your email address."]}}


@pytest.mark.parametrize(
    "body,message",
    [
        ("{not json", "The body is not valid JSON (Expecting property name enclosed in double"),
        ('["a list"]', 'Send a JSON object of answers, e.g. {"email": "ada@example.com"}.'),
    ],
)
def test_malformed_json_is_refused_with_a_clear_message(client, plezi_form, body, message):
    response = _post_json(client, plezi_form, body)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0].startswith(message)


def test_wrong_content_type_is_refused_with_a_clear_message(client, plezi_form):
    response = client.post(_public(plezi_form), "email=x", content_type="text/plain")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "__all__": [
                "Send the answers as JSON (Content-Type: application/json) "
                "or as an HTML form (application/x-www-form-urlencoded)."
            ]
        }
    }


def test_cors_preflight_is_answered(client, plezi_form):
    response = client.options(_public(plezi_form))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Headers"] == "Content-Type"
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"


def test_oversize_body_is_refused_before_parsing(client, plezi_form):
    big = {"email": "vi@example.com", "first_name": "x" * (64 * 1024)}
    response = _post_json(client, plezi_form, big)
    assert response.status_code == 413
    assert response.json() == {
        "errors": {"__all__": ["The answers are too large (at most 64 KB)."]}
    }
    response = client.post(_public(plezi_form), big)
    assert response.status_code == 413
    assert b"The answers are too large (at most 64 KB)." in response.content
    assert not Contact.objects.exists()


def test_submissions_are_rate_limited_per_form_and_address(client, plezi_form, settings, workspace):
    settings.PUBLIC_FORM_RATE_LIMIT = 3
    for n in range(3):
        assert _post_json(client, plezi_form, {"email": f"v{n}@example.com"}).status_code == 200
    response = _post_json(client, plezi_form, {"email": "v4@example.com"})
    assert response.status_code == 429
    assert response.json() == {
        "errors": {
            "__all__": [
                "Too many submissions from your address: please wait a minute and try again."
            ]
        }
    }
    assert _post_html(client, plezi_form, {"email": "v5@example.com"}).status_code == 429
    other_address = _post_json(
        client, plezi_form, {"email": "v6@example.com"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_address.status_code == 200
    assert Contact.objects.count() == 4


PROXY = "10.0.0.1"  # the TLS proxy: every request reaches the app from it


def _through_proxy(client, plezi_form, email, *, forwarded):
    payload = {"email": email}
    return _post_json(
        client, plezi_form, payload, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_behind_the_proxy_two_visitors_have_separate_limits(client, plezi_form, settings):
    settings.PUBLIC_FORM_RATE_LIMIT, settings.TRUSTED_PROXY_COUNT = 2, 1
    bot = [
        _through_proxy(client, plezi_form, f"bot{n}@example.com", forwarded="203.0.113.66")
        for n in range(3)
    ]

    visitor = _through_proxy(client, plezi_form, "vi@example.com", forwarded="198.51.100.7")

    assert [r.status_code for r in bot][-1] == 429
    assert visitor.status_code != 429
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "bot0@example.com",
        "bot1@example.com",
        "vi@example.com",
    ]


def test_behind_the_proxy_forged_addresses_do_not_escape_the_limit(client, plezi_form, settings):
    settings.PUBLIC_FORM_RATE_LIMIT, settings.TRUSTED_PROXY_COUNT = 2, 1
    # The bot writes a new address on the left each time; the proxy appends its real one.
    replies = [
        _through_proxy(
            client, plezi_form, f"b{n}@example.com", forwarded=f"192.0.2.{n}, 203.0.113.66"
        )
        for n in range(3)
    ]

    assert [r.status_code for r in replies][-1] == 429
    assert Contact.objects.count() == 2


def test_without_trusted_proxies_a_forwarded_header_does_not_escape_the_limit(
    client, plezi_form, settings
):
    settings.PUBLIC_FORM_RATE_LIMIT = 2
    replies = [
        _post_json(
            client, plezi_form, {"email": f"b{n}@example.com"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
        for n in range(3)
    ]

    assert [r.status_code for r in replies][-1] == 429
    assert Contact.objects.count() == 2


def test_a_limit_of_zero_turns_the_rate_limit_off(client, plezi_form, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 0
    replies = [_post_json(client, plezi_form, {"email": f"v{n}@example.com"}) for n in range(25)]

    assert 429 not in {r.status_code for r in replies}
    assert Contact.objects.count() == 25


def test_nested_json_values_are_refused_and_change_nothing(client, workspace, plezi_form):
    make_contact(workspace, "vi@example.com", first_name="Vi")
    response = _post_json(
        client, plezi_form, {"email": "vi@example.com", "first_name": {"$ne": 1}, "company": "C"}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"first_name": ["First name: send text, not an object."]}}
    contact = Contact.objects.get()
    assert (contact.first_name, contact.company) == ("Vi", "")


def test_visitors_see_the_workspaces_name_not_the_products(client, workspace, plezi_form):
    pages = [
        client.get(_public(plezi_form)),
        _post_html(client, plezi_form, {"email": "vera@example.test"}),
    ]

    for response in pages:
        page = response.content.decode()
        assert '<span class="navbar-brand text-break">Acme</span>' in page
        assert "<title>Newsletter · Acme</title>" in page
        assert "Zoho" not in page and "Plezi ⇄" not in page


def test_a_refused_submission_is_branded_too(client, workspace, plezi_form, settings):
    settings.PUBLIC_FORM_RATE_LIMIT = 1
    _post_html(client, plezi_form, {"email": "vera@example.test"})

    refused = _post_html(client, plezi_form, {"email": "vera@example.test"})

    assert refused.status_code == 429
    page = refused.content.decode()
    assert '<span class="navbar-brand text-break">Acme</span>' in page and "Zoho" not in page
