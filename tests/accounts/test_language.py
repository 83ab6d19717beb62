"""French and English: the browser's language, the navbar's switch, English by default."""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.selectors import fields_of
from contacts.services import form_save
from integration.models import SyncRun
from tests.contacts.conftest import as_a_person

FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture
def plezi_form(workspace):
    asked = fields_of(workspace).filter(key__in=["first_name", "company"])
    return form_save(
        workspace=workspace, name="Newsletter", fields=asked, thank_you_message="Merci !"
    )


def _page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("name", "english", "french"),
    [
        ("workspace_list", "Your workspaces", "Vos espaces de travail"),
        ("contacts:list", "No contacts yet", "Aucun contact pour l’instant"),
        ("contacts:form_list", "New form", "Nouveau formulaire"),
        ("contacts:field_list", "Add a field", "Ajouter un champ"),
        ("sync:history", "Synchronise now", "Synchroniser maintenant"),
        ("integration:connection", "Connect your Zoho CRM", "Connectez votre Zoho CRM"),
        ("mapping:edit", "Connect Zoho CRM first", "Connectez d’abord Zoho CRM"),
    ],
)
def test_a_french_browser_sees_the_main_pages_in_french(
    owner_client, workspace, name, english, french
):
    args = {
        "workspace_list": [],
        "mapping:edit": [workspace.slug, "leads"],
    }.get(name, [workspace.slug])
    url = reverse(name, args=args)

    page = _page(owner_client, url, headers=FRENCH)

    assert french in page
    assert english not in page
    assert '<html lang="fr">' in page
    assert "Se déconnecter (owner@acme.test)" in page  # the navbar too
    if args:
        assert ">Formulaires</a>" in page and ">Champs</a>" in page


def test_english_stays_the_default_language(owner_client, workspace):
    page = _page(owner_client, reverse("sync:history", args=[workspace.slug]))

    assert '<html lang="en">' in page
    assert "Synchronise now" in page
    assert "Resync everything" in page


def test_a_language_the_product_does_not_speak_falls_back_to_english(owner_client, workspace):
    url = reverse("contacts:list", args=[workspace.slug])

    page = _page(owner_client, url, headers={"accept-language": "de-DE,de;q=0.9"})

    assert "No contacts yet" in page


def test_the_zoho_names_follow_zoho_crm_in_french(owner_client, workspace):
    # Zoho CRM's French interface calls Leads "Prospects"; Contacts keep their name.
    page = _page(
        owner_client, reverse("mapping:edit", args=[workspace.slug, "leads"]), headers=FRENCH
    )

    assert ">Prospects</a>" in page
    assert ">Contacts</a>" in page
    assert ">Correspondances</a>" in page


def test_a_visitor_of_a_public_form_gets_the_language_of_their_browser(plezi_form):
    visitor = Client()

    french = _page(visitor, plezi_form.get_public_url(), headers=FRENCH)
    english = _page(visitor, plezi_form.get_public_url())

    assert ">Envoyer</button>" in french
    assert ">Send</button>" in english


def test_a_french_visitor_reads_why_the_answers_were_refused_in_french(plezi_form):
    answers = as_a_person(plezi_form, {"email": "", "first_name": "Ada"})
    response = Client().post(plezi_form.get_public_url(), answers, headers=FRENCH)

    assert "Veuillez indiquer votre adresse e-mail." in response.content.decode()


def test_the_switch_is_on_every_page_and_posts_to_set_language(owner_client, workspace):
    contacts = reverse("contacts:list", args=[workspace.slug])

    page = _page(owner_client, contacts)

    assert f'action="{reverse("set_language")}"' in page
    assert f'name="next" value="{contacts}"' in page
    assert 'name="language" value="fr" lang="fr">Français</button>' in page
    assert 'name="language" value="en"' not in page  # the current language is not offered


def test_the_switch_is_on_the_public_form_and_the_login_page_too(plezi_form):
    for url in (plezi_form.get_public_url(), reverse("login")):
        page = _page(Client(), url)
        assert 'value="fr" lang="fr">Français</button>' in page


def test_switching_to_french_changes_the_language_of_the_next_pages(owner_client, workspace):
    contacts = reverse("contacts:list", args=[workspace.slug])

    response = owner_client.post(reverse("set_language"), {"language": "fr", "next": contacts})

    assert response.status_code == 302
    assert response.url == contacts
    page = _page(owner_client, contacts)
    assert "Aucun contact pour l’instant" in page
    assert 'value="en" lang="en">English</button>' in page


def test_the_switch_wins_over_the_browser_language(owner_client, workspace):
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = _page(owner_client, reverse("sync:history", args=[workspace.slug]), headers=FRENCH)

    assert "Synchronise now" in page


def test_messages_after_an_action_are_in_the_language_of_the_user(owner_client, workspace):
    owner_client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    response = owner_client.post(reverse("sync:now", args=[workspace.slug]), follow=True)

    # Zoho is not connected here: the refusal, in French.
    assert "Zoho CRM n’est pas connecté, rien n’a donc été lancé." in response.content.decode()


def test_a_french_admin_reads_what_to_fix_in_the_zoho_configuration_in_french(
    owner_client, workspace
):
    data = {"client_id": "not-an-id", "org": "org5444456755445", "domain": "com"}

    response = owner_client.post(
        reverse("integration:connection", args=[workspace.slug]), data, headers=FRENCH
    )

    page = response.content.decode()
    assert "Votre configuration n’a pas été enregistrée et rien n’a changé." in page
    assert "Un Client ID Zoho ressemble à 1000.ABCD1234" in page


def test_a_new_form_offers_its_thank_you_message_in_the_marketer_language(owner_client, workspace):
    url = reverse("contacts:form_create", args=[workspace.slug])

    assert "Nous revenons vers vous très vite." in _page(owner_client, url, headers=FRENCH)
    assert "Thank you! We will be in touch soon." in _page(owner_client, url)


def test_a_preview_run_reads_in_french(owner_client, workspace):
    change = {"side": "Zoho", "action": "create", "email": "ada@example.com", "changes": {}}
    run = SyncRun.objects.create(
        workspace=workspace,
        trigger=SyncRun.Trigger.MANUAL,
        dry_run=True,
        status=SyncRun.Status.SUCCESS,
        preview=[change],
    )

    page = _page(owner_client, reverse("sync:run", args=[workspace.slug, run.pk]), headers=FRENCH)

    assert "(aperçu\u00a0: rien n’est écrit)" in page
    assert "Ce que cette synchronisation ferait" in page
    assert "<td>création</td>" in page
