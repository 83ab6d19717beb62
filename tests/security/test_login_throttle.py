"""Login throttling (django-axes): five failures lock a username from one address.

The test settings turn axes off; django-axes 8 reads its settings on every
request (its middleware, backend and signal handlers look at
`settings.AXES_ENABLED` when called), so `override_settings` turns it back on.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.security.production import manage, production_env

LOCKED_OUT = 429  # AXES_HTTP_RESPONSE_CODE: axes' default, kept by the project
WRONG = "not the password"


@pytest.fixture
def axes_on(db):
    # WHITENOISE_AUTOREFRESH: test clients skip indexing static files (0.2 s each).
    with override_settings(AXES_ENABLED=True, WHITENOISE_AUTOREFRESH=True):
        yield
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.all().delete()


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1", **extra):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address, **extra)


PROXY = "10.0.0.1"  # the TLS proxy: every request reaches the app from it


def through_proxy(client: Client, username: str, password: str, *, forwarded: str):
    return log_in(client, username, password, address=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_attempt_is_locked_out_even_with_the_right_password(axes_on, owner):
    client = Client()
    failures = [log_in(client, owner.username, WRONG) for _ in range(5)]

    sixth = log_in(client, owner.username, PASSWORD)

    assert [r.status_code for r in failures] == [200, 200, 200, 200, LOCKED_OUT]
    assert "Please enter a correct email and password" in failures[0].content.decode()
    assert "correct username" not in failures[0].content.decode()
    assert sixth.status_code == LOCKED_OUT
    page = sixth.content.decode()
    assert "Too many failed logins" in page and "Try again later" in page
    assert not signed_in(client)


def test_the_lock_holds_that_username_from_that_address_only(axes_on, owner, member):
    attacker = Client()
    for _ in range(5):
        log_in(attacker, owner.username, WRONG)

    elsewhere, colleague = Client(), Client()
    from_elsewhere = log_in(elsewhere, owner.username, PASSWORD, address="203.0.113.9")
    from_colleague = log_in(colleague, member.username, PASSWORD)

    assert (from_elsewhere.status_code, from_colleague.status_code) == (302, 302)
    assert signed_in(elsewhere) and signed_in(colleague)


def test_the_lock_lifts_after_fifteen_minutes(axes_on, owner):
    attacker = Client()
    for _ in range(5):
        log_in(attacker, owner.username, WRONG)
    assert log_in(attacker, owner.username, PASSWORD).status_code == LOCKED_OUT
    attempt = AccessAttempt.objects.get(username=owner.username)
    attempt.attempt_time -= timedelta(minutes=15, seconds=1)
    attempt.save(update_fields=["attempt_time"])

    client = Client()
    response = log_in(client, owner.username, PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_behind_the_proxy_a_lock_holds_the_attackers_address_not_everyone(axes_on, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    for _ in range(5):
        # Forging the owner's address: the proxy appends the attacker's real one.
        through_proxy(attacker, owner.username, WRONG, forwarded="198.51.100.7, 203.0.113.66")

    owner_browser = Client()
    from_owner = through_proxy(owner_browser, owner.username, PASSWORD, forwarded="198.51.100.7")
    from_attacker = through_proxy(attacker, owner.username, PASSWORD, forwarded="203.0.113.66")

    assert from_owner.status_code == 302 and signed_in(owner_browser)
    assert from_attacker.status_code == LOCKED_OUT
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.66"]


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_lock(axes_on, owner):
    attacker = Client()
    for n in range(5):
        log_in(attacker, owner.username, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = log_in(attacker, owner.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert response.status_code == LOCKED_OUT and not signed_in(attacker)


def test_production_settings_throttle_logins():
    # The suite turns axes off (config/settings_test.py); production must not.
    shown = "from django.conf import settings as s; print(s.AXES_ENABLED, s.AXES_FAILURE_LIMIT)"

    result = manage("shell", "--no-imports", "-c", shown, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True 5"
