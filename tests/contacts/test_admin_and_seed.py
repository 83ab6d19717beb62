"""Django admin pages of the contact store, and the demo data command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.models import Contact, Field
from contacts.selectors import fields_of
from tests.contacts.conftest import make_contact


@pytest.fixture
def staff_client(client, owner, other_workspace):
    owner.is_staff = True
    owner.save()
    from django.contrib.auth.models import Permission

    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="contacts"))
    client.force_login(owner)
    return client


@pytest.mark.parametrize("model", ["field", "contact", "form"])
def test_admin_lists_load_for_a_superuser(admin_client, workspace, contact, plezi_form, model):
    response = admin_client.get(reverse(f"admin:contacts_{model}_changelist"), {"q": "a"})
    assert response.status_code == 200


def test_staff_admin_sees_only_their_workspaces_contacts(staff_client, workspace, other_workspace):
    make_contact(workspace, "mine@example.com")
    make_contact(other_workspace, "theirs@example.com")
    response = staff_client.get(reverse("admin:contacts_contact_changelist"))
    assert [c.email for c in response.context["cl"].result_list] == ["mine@example.com"]


def test_admin_keeps_emails_lower_case(admin_client, contact):
    url = reverse("admin:contacts_contact_change", args=[contact.pk])
    data = {
        "workspace": contact.workspace_id,
        "email": "Ada.New@Example.com",
        "behaviour_score": 0,
        "state": "Unknown",
        "custom": "{}",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact.refresh_from_db()
    assert contact.email == "ada.new@example.com"


def test_an_admin_edit_remembers_when_each_changed_field_changed(admin_client, contact):
    """The sync's conflict rule compares field change times: an admin edit keeps them too."""
    created = dict(contact.field_changed_at)
    url = reverse("admin:contacts_contact_change", args=[contact.pk])
    data = {
        "workspace": contact.workspace_id,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "city": "Nantes",
        "behaviour_score": contact.behaviour_score,
        "state": contact.state,
        "custom": '{"segment": "Gold"}',
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact.refresh_from_db()
    assert (contact.city, contact.custom) == ("Nantes", {"segment": "Gold"})
    assert {"city", "segment"} <= set(contact.field_changed_at) - set(created)
    assert contact.field_changed_at["first_name"] == created["first_name"]


def test_admin_field_added_goes_last_and_key_is_fixed_afterwards(admin_client, workspace):
    data = {
        "workspace": workspace.pk,
        "key": "tier",
        "label": "Tier",
        "type": "text",
        "choices": "[]",
    }
    response = admin_client.post(reverse("admin:contacts_field_add"), data)
    assert response.status_code == 302
    field = Field.objects.get(key="tier")
    assert fields_of(workspace).last() == field
    change = admin_client.get(reverse("admin:contacts_field_change", args=[field.pk]))
    assert "key" not in change.context["adminform"].form.fields


def test_admin_refuses_a_form_asking_for_another_workspaces_field(
    admin_client, workspace, other_workspace
):
    foreign = other_workspace.fields.get(key="email")
    data = {
        "workspace": workspace.pk,
        "name": "F",
        "fields": [foreign.pk],
        "thank_you_message": "T",
    }
    response = admin_client.post(reverse("admin:contacts_form_add"), data)
    assert response.status_code == 200
    assert "A form can only ask for fields of its own workspace." in str(
        response.context["adminform"].form.errors
    )


def test_seed_demo_contacts_is_deterministic_and_idempotent(workspace, other_workspace):
    out = io.StringIO()
    call_command("seed_demo_contacts", "acme", "--count", "40", "--seed", "7", stdout=out)
    assert (
        out.getvalue()
        == "Seeded demo contacts in 'acme': created=40 updated=0 unchanged=0 failed=0\n"
    )
    call_command(
        "seed_demo_contacts", "globex", "--count", "40", "--seed", "7", stdout=io.StringIO()
    )
    columns = [
        "email",
        "first_name",
        "company",
        "job_title",
        "lead_source",
        "behaviour_score",
        "state",
    ]
    mine = list(Contact.objects.filter(workspace=workspace).order_by("email").values_list(*columns))
    theirs = list(
        Contact.objects.filter(workspace=other_workspace).order_by("email").values_list(*columns)
    )
    assert mine == theirs
    assert len({row[6] for row in mine}) > 2 and all(0 <= row[5] <= 50 for row in mine)

    out = io.StringIO()
    call_command("seed_demo_contacts", "acme", "--count", "40", "--seed", "7", stdout=out)
    assert out.getvalue() == (
        "Workspace 'acme' already has 40 contacts: nothing seeded "
        "(use --force to add the demo contacts anyway).\n"
    )
    out = io.StringIO()
    call_command(
        "seed_demo_contacts", "acme", "--count", "40", "--seed", "7", "--force", stdout=out
    )
    assert out.getvalue().endswith("created=0 updated=0 unchanged=40 failed=0\n")


def test_seed_demo_contacts_names_an_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace with the slug 'nope'."):
        call_command("seed_demo_contacts", "nope")
