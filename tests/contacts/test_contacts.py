"""Contact pages: list with search, filters and keyset pages; detail; create, edit, delete."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from contacts.models import Contact
from contacts.services import contact_save
from tests.contacts.conftest import make_contact

EMAIL_TAKEN = (
    "Another contact already has the email ada@example.com (emails are unique, whatever "
    "their case). Search for it and edit that contact instead."
)


def _url(name, workspace, *args):
    return reverse(f"contacts:{name}", args=[workspace.slug, *args])


def test_database_refuses_the_same_email_in_another_case(workspace, contact):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(workspace=workspace, email="ADA@Example.com")


def test_same_email_is_fine_in_another_workspace(contact, other_workspace):
    Contact.objects.create(workspace=other_workspace, email="ada@example.com")
    assert Contact.objects.filter(email="ada@example.com").count() == 2


def test_create_stores_values_and_lowercases_the_email(owner_client, workspace, industry):
    response = owner_client.post(
        _url("create", workspace),
        {"email": " Grace@Example.COM ", "first_name": "Grace", "industry": "software"},
    )
    contact = Contact.objects.get(workspace=workspace)
    assert response.status_code == 302 and response["Location"] == contact.get_absolute_url()
    assert contact.email == "grace@example.com"
    assert contact.first_name == "Grace"
    assert contact.custom == {"industry": "Software"}
    assert (contact.behaviour_score, contact.state) == (0, "Unknown")


def test_create_refuses_an_email_taken_in_another_case(owner_client, workspace, contact):
    response = owner_client.post(_url("create", workspace), {"email": "ADA@example.com"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [EMAIL_TAKEN]
    assert Contact.objects.filter(workspace=workspace).count() == 1


def test_create_form_gives_the_shared_validation_messages(owner_client, workspace, industry):
    response = owner_client.post(
        _url("create", workspace),
        {"email": "not-an-email", "lead_source": "Fax", "industry": "Mining", "phone": "call me"},
    )
    errors = response.context["form"].errors
    assert errors["email"] == ["Email: “not-an-email” is not a valid email address."]
    assert errors["industry"] == [
        "Industry: “Mining” is not one of the choices (Retail, Software)."
    ]
    assert errors["phone"] == [
        "Phone: “call me” is not a phone number (digits, spaces and + - ( ) . / x only)."
    ]
    assert errors["lead_source"][0].startswith("Lead source: “Fax” is not one of the choices (")
    assert not Contact.objects.exists()


def test_create_needs_an_email(owner_client, workspace):
    response = owner_client.post(_url("create", workspace), {"first_name": "Nobody"})
    assert response.context["form"].errors["email"] == ["Every contact needs an email address."]


def test_computed_fields_are_not_on_the_form_and_shown_read_only_on_edit(
    owner_client, workspace, contact
):
    Contact.objects.filter(pk=contact.pk).update(behaviour_score=42, state="Engaged")
    response = owner_client.get(_url("edit", workspace, contact.pk))
    assert "behaviour_score" not in response.context["form"].fields
    assert "state" not in response.context["form"].fields
    assert b"Computed by Plezi (read-only)" in response.content
    owner_client.post(
        _url("edit", workspace, contact.pk),
        {"email": contact.email, "behaviour_score": "3", "state": "Closed"},
    )
    contact.refresh_from_db()
    assert (contact.behaviour_score, contact.state) == (42, "Engaged")


def test_edit_changes_values_and_blank_clears_them(owner_client, workspace, contact, industry):
    contact_save(workspace=workspace, values={"industry": "Retail"}, contact=contact)
    response = owner_client.post(
        _url("edit", workspace, contact.pk),
        {"email": "ada@example.com", "first_name": "Augusta", "last_name": "", "industry": ""},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.custom) == ("Augusta", "", {})


def test_edit_keeps_own_email_in_another_case(owner_client, workspace, contact):
    response = owner_client.post(_url("edit", workspace, contact.pk), {"email": "ADA@example.com"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.email == "ada@example.com"


def test_edit_refuses_another_contacts_email(owner_client, workspace, contact):
    other = make_contact(workspace, "grace@example.com")
    response = owner_client.post(_url("edit", workspace, other.pk), {"email": "Ada@Example.com"})
    assert response.context["form"].errors["email"] == [EMAIL_TAKEN]


def test_edit_form_keeps_a_retired_choice_visible(owner_client, workspace, contact, industry):
    contact_save(workspace=workspace, values={"industry": "Retail"}, contact=contact)
    industry.choices = ["Software"]
    industry.save()
    response = owner_client.get(_url("edit", workspace, contact.pk))
    assert "Retail (no longer a choice)" in response.content.decode()


def test_delete_asks_for_confirmation_then_deletes_on_post(owner_client, workspace, contact):
    response = owner_client.get(_url("delete", workspace, contact.pk))
    assert response.status_code == 200
    assert b"Delete ada@example.com?" in response.content
    assert Contact.objects.filter(pk=contact.pk).exists()
    response = owner_client.post(_url("delete", workspace, contact.pk))
    assert response["Location"] == _url("list", workspace)
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_detail_shows_every_value_in_catalogue_order(owner_client, workspace, contact, industry):
    contact_save(
        workspace=workspace,
        values={"industry": "Retail", "email_opt_out": True, "company": "Analytical Engines"},
        contact=contact,
    )
    response = owner_client.get(_url("detail", workspace, contact.pk))
    content = response.content.decode()
    labels = ["Email", "First name", "Company", "Email opt-out", "State", "Industry"]
    positions = [content.index(f'<dt class="col-sm-4">{label}') for label in labels]
    assert positions == sorted(positions)
    assert "Analytical Engines" in content and "Retail" in content
    assert f"<code>http://testserver/w/acme/contacts/{contact.pk}/</code>" in content


def test_detail_page_loads_the_contact_sync_panel(owner_client, workspace, contact):
    response = owner_client.get(_url("detail", workspace, contact.pk))
    panel = reverse("sync:contact_panel", args=[workspace.slug, contact.pk])
    assert f'hx-get="{panel}"'.encode() in response.content


def test_list_is_empty_with_a_helpful_message(owner_client, workspace):
    response = owner_client.get(_url("list", workspace))
    assert b"No contacts yet \xe2\x80\x94 import a CSV or create one." in response.content


def test_list_searches_email_name_and_company(owner_client, workspace, contact):
    make_contact(workspace, "grace@navy.test", first_name="Grace", company="US Navy")
    make_contact(workspace, "alan@bletchley.test", last_name="Turing")
    for query, expected in [("navy", ["grace@navy.test"]), ("turing", ["alan@bletchley.test"])]:
        response = owner_client.get(_url("list", workspace), {"q": query})
        assert [c.email for c in response.context["page"].contacts] == expected
        assert response.context["page"].total == 1


def test_list_filters_by_lead_source_state_and_opt_out(owner_client, workspace, contact):
    make_contact(workspace, "web@example.com", lead_source="Web Download", email_opt_out=True)
    Contact.objects.filter(pk=contact.pk).update(state="Engaged")
    cases = [
        ({"lead_source": "Web Download"}, ["web@example.com"]),
        ({"state": "Engaged"}, ["ada@example.com"]),
        ({"opt_out": "yes"}, ["web@example.com"]),
        ({"opt_out": "no"}, ["ada@example.com"]),
    ]
    for params, expected in cases:
        response = owner_client.get(_url("list", workspace), params)
        assert [c.email for c in response.context["page"].contacts] == expected, params


def test_list_pages_by_keyset_newest_first(owner_client, workspace):
    emails = [f"c{n:03}@example.com" for n in range(120)]
    for email in emails:
        make_contact(workspace, email)
    newest_first = emails[::-1]
    first = owner_client.get(_url("list", workspace)).context["page"]
    assert [c.email for c in first.contacts] == newest_first[:50]
    assert (first.total, first.has_previous, first.has_next) == (120, False, True)

    second = owner_client.get(_url("list", workspace), {"after": first.last_id}).context["page"]
    assert [c.email for c in second.contacts] == newest_first[50:100]
    assert (second.has_previous, second.has_next) == (True, True)

    third = owner_client.get(_url("list", workspace), {"after": second.last_id}).context["page"]
    assert [c.email for c in third.contacts] == newest_first[100:]
    assert (third.has_previous, third.has_next) == (True, False)

    back = owner_client.get(_url("list", workspace), {"before": third.first_id}).context["page"]
    assert [c.email for c in back.contacts] == newest_first[50:100]
    back = owner_client.get(_url("list", workspace), {"before": back.first_id}).context["page"]
    assert [c.email for c in back.contacts] == newest_first[:50]
    assert back.has_previous is False


def test_list_page_links_keep_the_filters(owner_client, workspace):
    for n in range(55):
        make_contact(workspace, f"c{n}@example.com", company="Acme")
    response = owner_client.get(_url("list", workspace), {"q": "acme"})
    last_id = response.context["page"].last_id
    assert f'href="?q=acme&amp;after={last_id}"' in response.content.decode()


def test_list_page_costs_a_fixed_number_of_queries(
    owner_client, workspace, django_assert_max_num_queries
):
    for n in range(60):
        make_contact(workspace, f"c{n}@example.com")
    with django_assert_max_num_queries(9):
        owner_client.get(_url("list", workspace), {"after": 10**9})
