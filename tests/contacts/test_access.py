"""Every workspace page of the contact store: login required, outsiders see nothing."""

import pytest
from django.urls import reverse

from contacts.models import Contact, Field, Form

# (URL name, which of workspace A's objects its `pk` names)
WORKSPACE_URLS = [
    ("contacts:list", None),
    ("contacts:create", None),
    ("contacts:import", None),
    ("contacts:export", None),
    ("contacts:detail", "contact"),
    ("contacts:edit", "contact"),
    ("contacts:delete", "contact"),
    ("contacts:field_list", None),
    ("contacts:field_create", None),
    ("contacts:field_edit", "field"),
    ("contacts:form_list", None),
    ("contacts:form_create", None),
    ("contacts:form_edit", "form"),
    ("contacts:form_delete", "form"),
]


@pytest.fixture
def urls_of_a(workspace, contact, industry, plezi_form):
    objects = {"contact": contact, "field": industry, "form": plezi_form}

    def url(name, kind):
        args = [workspace.slug] + ([objects[kind].pk] if kind else [])
        return reverse(name, args=args)

    return url


@pytest.mark.parametrize("name,kind", WORKSPACE_URLS)
def test_anonymous_visitor_is_sent_to_login(client, urls_of_a, name, kind):
    for method in (client.get, client.post):
        response = method(urls_of_a(name, kind))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,kind", WORKSPACE_URLS)
def test_outsider_gets_404_for_every_page_of_another_workspace(
    outsider_client, urls_of_a, name, kind
):
    for method in (outsider_client.get, outsider_client.post):
        assert method(urls_of_a(name, kind)).status_code == 404


def test_outsider_post_changes_nothing_in_another_workspace(
    outsider_client, workspace, urls_of_a, contact, plezi_form
):
    outsider_client.post(urls_of_a("contacts:delete", "contact"))
    outsider_client.post(urls_of_a("contacts:form_delete", "form"))
    outsider_client.post(urls_of_a("contacts:field_create", None), {"key": "x", "label": "X"})
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Form.objects.filter(pk=plezi_form.pk).exists()
    assert not Field.objects.filter(key="x").exists()


@pytest.mark.parametrize(
    "name,kind", [("contacts:detail", "contact"), ("contacts:form_edit", "form")]
)
def test_own_workspace_slug_with_another_workspace_id_is_404(
    outsider_client, other_workspace, urls_of_a, workspace, contact, plezi_form, name, kind
):
    objects = {"contact": contact, "form": plezi_form}
    url = reverse(name, args=[other_workspace.slug, objects[kind].pk])
    assert outsider_client.get(url).status_code == 404


def test_member_cannot_add_a_field(member_client, workspace):
    url = reverse("contacts:field_create", args=[workspace.slug])
    data = {"key": "industry", "label": "Industry", "type": "text"}
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, data).status_code == 403
    assert not Field.objects.filter(workspace=workspace, key="industry").exists()


def test_member_cannot_edit_a_field(member_client, workspace, industry):
    url = reverse("contacts:field_edit", args=[workspace.slug, industry.pk])
    assert member_client.post(url, {"label": "Sector"}).status_code == 403
    industry.refresh_from_db()
    assert industry.label == "Industry"


def test_member_sees_the_field_catalogue_read_only(member_client, workspace, industry):
    response = member_client.get(reverse("contacts:field_list", args=[workspace.slug]))
    assert response.status_code == 200
    assert b"Industry" in response.content
    assert reverse("contacts:field_create", args=[workspace.slug]).encode() not in response.content
    assert b"Only workspace admins can add or edit fields." in response.content


def test_unknown_public_form_token_is_404(client, db):
    assert client.get(reverse("contacts:public_form", args=["nope"])).status_code == 404
    assert client.post(reverse("contacts:public_form", args=["nope"])).status_code == 404
