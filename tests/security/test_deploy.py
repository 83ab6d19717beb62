"""Production settings: Django's deploy checks pass, secrets are required, forms carry CSRF."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from contacts.checks import check_rate_limit_cache
from tests.security.production import manage, production_env
from tests.security.routes import swept_routes, url_of


def test_deploy_checks_find_no_issues_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_checks_fail_when_the_rate_limit_counts_per_process():
    result = manage("check", "--deploy", env=production_env(CACHE_URL=None))

    assert result.returncode != 0
    assert "(contacts.E001) The public forms' rate limit counts in a per-process cache" in (
        result.stderr
    )


PER_PROCESS = "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    ("backend", "limit", "errors"),
    [
        pytest.param(PER_PROCESS, 20, ["contacts.E001"], id="memory-cache"),
        pytest.param(
            "django.core.cache.backends.dummy.DummyCache", 20, ["contacts.E001"], id="dummy"
        ),
        pytest.param("django.core.cache.backends.redis.RedisCache", 20, [], id="redis"),
        pytest.param("django.core.cache.backends.db.DatabaseCache", 20, [], id="database"),
        pytest.param(PER_PROCESS, 0, [], id="limit-off"),
    ],
)
def test_the_rate_limit_cache_check_asks_for_a_shared_cache(settings, backend, limit, errors):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "plezi_cache"}}
    settings.PUBLIC_FORM_RATE_LIMIT = limit

    assert [error.id for error in check_rate_limit_cache()] == errors


@pytest.mark.parametrize("variable", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_settings_refuse_to_load_without_a_secret_when_debug_is_off(variable):
    result = manage("check", env=production_env(**{variable: None}))

    refusal = result.stderr.strip().splitlines()[-1]
    assert result.returncode != 0
    assert refusal.startswith("django.core.exceptions.ImproperlyConfigured: Set ")
    assert variable in refusal and "when DEBUG is off" in refusal


# CSRF --------------------------------------------------------------------------------------


class PostForms(HTMLParser):
    """The POST forms of a page, each with whether it holds a CSRF token, and htmx writes."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.htmx_writes = 0
        self.htmx_csrf_header = False
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._open = {"action": attributes.get("action") or "", "token": False}
            self.forms.append(self._open)
        elif tag == "input" and self._open and attributes.get("name") == "csrfmiddlewaretoken":
            self._open["token"] = bool(attributes.get("value"))
        if any(name in attributes for name in ("hx-post", "hx-put", "hx-patch", "hx-delete")):
            self.htmx_writes += 1
        if "X-CSRFToken" in (attributes.get("hx-headers") or ""):
            self.htmx_csrf_header = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def post_forms(response) -> PostForms:
    parser = PostForms()
    parser.feed(response.content.decode())
    return parser


def test_every_post_form_of_every_page_carries_a_csrf_token(tenants, owner_client, client):
    pages = {url_of(route, tenants): owner_client for route in swept_routes()}
    pages[reverse("contacts:public_form", args=[tenants.form.token])] = client
    pages[reverse("login")] = client
    checked = 0

    for url, visitor in pages.items():
        response = visitor.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parsed = post_forms(response)
        missing = [form["action"] or url for form in parsed.forms if not form["token"]]
        assert missing == [], f"GET {url}: POST forms without csrfmiddlewaretoken: {missing}"
        assert not parsed.htmx_writes or parsed.htmx_csrf_header, f"GET {url}: htmx without CSRF"
        checked += len(parsed.forms)

    assert checked >= 20  # the pages above hold that many forms: the parser found them
