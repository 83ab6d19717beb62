"""The pages around the product: login, error pages, the icon, and what visitors see."""

from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.conftest import PASSWORD


def test_a_failed_login_speaks_of_the_email_it_asks_for(client, owner):
    response = client.post(reverse("login"), {"username": owner.email, "password": "wrong"})

    page = response.content.decode()
    assert "Please enter a correct email and password." in page
    assert "correct username" not in page
    assert 'type="email"' in page and 'autocomplete="username"' in page


def test_login_with_the_email_still_works(client, owner):
    response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})

    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_unknown_address_gets_the_products_404_page(owner_client):
    response = owner_client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page and "Back to Plezi" in page
    assert 'class="navbar' in page


def test_the_404_page_speaks_french(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Cette page n’existe pas" in response.content.decode()


def test_a_crash_gets_the_products_500_page(db):
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "bootstrap.min.css" in page and "favicon.svg" in page


def test_the_403_page_is_translated(member_client):
    response = member_client.get("/w/acme/team/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 403
    assert "Rien n’a été modifié." in response.content.decode()


def test_browsers_asking_for_favicon_ico_get_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith("/favicon.svg")
