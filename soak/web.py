"""What marketers and visitors do through the real web server (gunicorn), over HTTP.

A marketer logs in and posts forms with their CSRF token like a browser: the contact
edit page (read the page, change a field, send every field back), the CSV import, the
"Synchronise now" button. A visitor posts a public form's JSON variant.
"""

import time
from html.parser import HTMLParser

import requests

TIMEOUT = 60


class FormFields(HTMLParser):
    """The values a browser would send for each POST form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: tuple[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form" and attr.get("method", "").lower() == "post":
            self._in_form, self.values = True, {}
            self.forms.append(self.values)
        if not self._in_form:
            return
        if tag == "input" and attr.get("name"):
            self._input(attr)
        elif tag == "select":
            self._select, self._first_option = attr.get("name"), None
        elif tag == "option" and self._select:
            value = attr.get("value", "")
            self._first_option = self._first_option or (self._select, value)
            if "selected" in attr:
                self.values[self._select] = value
        elif tag == "textarea":
            self._textarea = attr.get("name")
            self.values[self._textarea] = ""

    def _input(self, attr: dict) -> None:
        kind = attr.get("type", "text")
        if kind in ("checkbox", "radio"):
            if "checked" in attr:
                self.values[attr["name"]] = attr.get("value", "on")
        elif kind not in ("submit", "button", "file"):
            self.values[attr["name"]] = attr.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if self._select not in self.values and self._first_option:
                self.values[self._select] = self._first_option[1]
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_fields(html: str, *, having: str) -> dict[str, str]:
    """The fields of the page's POST form that has a field named `having`."""
    parser = FormFields()
    parser.feed(html)
    return next((form for form in parser.forms if having in form), {})


class Marketer:
    """One logged-in browser session of a workspace's marketer."""

    def __init__(self, base_url: str, slug: str, email: str, password: str) -> None:
        self.base, self.slug = base_url.rstrip("/"), slug
        self.session = requests.Session()
        self._login(email, password)

    def _url(self, path: str) -> str:
        return f"{self.base}/w/{self.slug}/{path}"

    def _login(self, email: str, password: str) -> None:
        url = f"{self.base}/accounts/login/"
        self.session.get(url, timeout=TIMEOUT).raise_for_status()
        reply = self.session.post(
            url,
            data={"username": email, "password": password, **self._csrf_field()},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        if reply.status_code != 302:
            raise RuntimeError(f"login of {email} failed: HTTP {reply.status_code}")

    def _csrf_field(self) -> dict:
        return {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}

    def _post(self, url: str, **kwargs) -> requests.Response:
        headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", "")}
        return self.session.post(
            url, headers=headers, timeout=TIMEOUT, allow_redirects=False, **kwargs
        )

    def sync_now(self) -> int:
        """Click "Synchronise now" (the page redirects to the history)."""
        return self._post(self._url("sync/now/")).status_code

    def import_csv(self, text: str) -> int:
        files = {"file": ("contacts.csv", text.encode("utf-8"), "text/csv")}
        return self._post(self._url("contacts/import/"), files=files).status_code

    def edit_contact(
        self, pk: int, changes: dict[str, str], *, think: float = 0
    ) -> tuple[int, dict[str, str], float]:
        """Open the edit page, wait `think` seconds, change `changes` and send the whole
        form back, as a browser does: (status, the values the page showed, when the save
        was sent)."""
        url = self._url(f"contacts/{pk}/edit/")
        page = self.session.get(url, timeout=TIMEOUT)
        if page.status_code != 200:
            return page.status_code, {}, time.time()
        seen = form_fields(page.text, having="email")
        time.sleep(think)
        sent = time.time()
        return self._post(url, data={**seen, **changes}).status_code, seen, sent


def submit_form(base_url: str, token: str, answers: dict) -> int:
    """A visitor's submission through the embed snippet (JSON, no cookies)."""
    reply = requests.post(f"{base_url.rstrip('/')}/f/{token}/", json=answers, timeout=TIMEOUT)
    return reply.status_code
