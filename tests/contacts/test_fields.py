"""The field catalogue page: badges, adding custom fields, editing label and choices."""

from django.urls import reverse

from accounts.models import Workspace
from contacts.models import Field
from contacts.selectors import fields_of


def _create(client, workspace, **data):
    return client.post(reverse("contacts:field_create", args=[workspace.slug]), data)


def test_catalogue_lists_fields_with_keys_types_choices_and_badges(owner_client, workspace):
    response = owner_client.get(reverse("contacts:field_list", args=[workspace.slug]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<code>behaviour_score</code>" in content
    assert "Choice (drop-down)" in content
    assert "Advertisement, Cold Call" in content
    assert content.count(">Mandatory</span>") == 3
    assert content.count(">Special</span>") == 2


def test_admin_adds_a_custom_choice_field_at_the_end(owner_client, workspace):
    last = fields_of(workspace).last()
    response = _create(
        owner_client,
        workspace,
        key="industry",
        label="Industry",
        type="choice",
        choices="Retail\n Software \n\n",
    )
    assert response.status_code == 302
    field = fields_of(workspace).last()
    assert (field.key, field.label, field.type) == ("industry", "Industry", "choice")
    assert field.choices == ["Retail", "Software"]
    assert field.position > last.position and not field.mandatory and not field.special


def test_adding_a_field_asks_for_a_manual_sync(owner_client, workspace):
    _create(owner_client, workspace, key="industry", label="Industry", type="text")
    workspace = Workspace.objects.get(pk=workspace.pk)
    assert workspace.needs_resync
    assert workspace.settings_change == "Field added: Industry"


def test_key_already_used_is_refused_with_the_owner_field_named(owner_client, workspace):
    response = _create(owner_client, workspace, key="email", label="Mail", type="text")
    assert response.status_code == 200
    assert response.context["form"].errors["key"] == [
        "The key “email” is already used by the field “Email”: pick another."
    ]


def test_key_must_be_lowercase_letters_digits_and_underscores(owner_client, workspace):
    response = _create(owner_client, workspace, key="Bad Key", label="Bad", type="text")
    assert response.context["form"].errors["key"] == [
        "Use lowercase letters, digits and underscores, starting with a letter."
    ]


def test_choice_field_needs_choices_and_others_refuse_them(owner_client, workspace):
    response = _create(owner_client, workspace, key="tier", label="Tier", type="choice")
    assert response.context["form"].errors["choices"] == ["List at least one choice, one per line."]
    response = _create(owner_client, workspace, key="tier", label="Tier", type="text", choices="A")
    assert response.context["form"].errors["choices"] == [
        "Only drop-down and multiple-choice fields have choices: clear this box "
        "or pick one of those types."
    ]
    assert not Field.objects.filter(key="tier").exists()


def test_choices_cannot_hold_the_csv_separator_or_repeat(owner_client, workspace):
    data = {"key": "tags", "label": "Tags", "type": "multi_choice"}
    response = _create(owner_client, workspace, **data, choices="a;b")
    assert response.context["form"].errors["choices"] == [
        "“a;b”: a choice cannot contain “;” (it separates choices in CSV files)."
    ]
    response = _create(owner_client, workspace, **data, choices="Red\nred")
    assert response.context["form"].errors["choices"] == ["“red” is listed twice: keep it once."]


def test_edit_changes_label_and_choices_but_never_key_or_type(owner_client, workspace, industry):
    url = reverse("contacts:field_edit", args=[workspace.slug, industry.pk])
    form = owner_client.get(url).context["form"]
    assert set(form.fields) == {"label", "choices"}
    response = owner_client.post(
        url, {"label": "Sector", "choices": "Retail\nHealth", "key": "hacked", "type": "text"}
    )
    assert response.status_code == 302
    industry.refresh_from_db()
    assert (industry.key, industry.type, industry.label) == ("industry", "choice", "Sector")
    assert industry.choices == ["Retail", "Health"]
    assert Workspace.objects.get(pk=workspace.pk).settings_change == "Choices changed: Sector"


def test_special_and_text_fields_offer_only_their_label(owner_client, workspace):
    for key in ("state", "company"):
        field = Field.objects.get(workspace=workspace, key=key)
        url = reverse("contacts:field_edit", args=[workspace.slug, field.pk])
        assert set(owner_client.get(url).context["form"].fields) == {"label"}
