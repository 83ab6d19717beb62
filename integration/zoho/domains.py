"""Zoho data centers, and the one rule for which URLs may receive credentials.

Each data center has its own accounts server (OAuth) and API domain (CRM);
see zoho-crm-api.md §1.1. A self client only exists in the data center where it
was created, so the domain a customer picks decides both hosts.

Server-side request forgery guard: a CRM URL or an `api_domain` is accepted
only when it is exactly the API origin of the chosen data center (or of the
local sandbox when `ZOHO_SANDBOX_URL` names one). Everything else (another
host, a port, `http`, user-info tricks such as `https://www.zohoapis.com@evil/`,
a private address) is refused before any request is sent.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from integration.zoho.errors import ZohoAuthError

# The version we speak (v2 cannot list past 2,000 records: zoho-crm-api.md §10), and the
# one the seed tells customers to paste; either is accepted, the host tells the data center.
CRM_PATH = "/crm/v8/"
PASTED_PATHS = ("/crm/v2", "/crm/v2/", "/crm/v8", CRM_PATH)
SEED_CRM_PATH = "/crm/v2/"
SANDBOX = "sandbox"
ORG_KINDS = ("sandbox", "developer")  # Zoho's test orgs, with API hosts of their own


@dataclass(frozen=True)
class DataCenter:
    key: str  # what the customer types: the domain in their CRM address ("eu")
    name: str
    accounts_url: str  # no trailing slash
    api_url: str  # the API origin, no trailing slash

    @property
    def label(self) -> str:
        return f"{self.key} — {self.name}"

    @property
    def crm_url(self) -> str:
        """The CRM URL as the seed's instructions spell it (what customers paste)."""
        return self.api_url + SEED_CRM_PATH

    @property
    def accounts_host(self) -> str:
        return urlsplit(self.accounts_url).netloc

    @property
    def api_origins(self) -> tuple[str, ...]:
        """The production API, then Zoho's own sandbox and developer orgs of this data
        center (their token replies name `sandbox.zohoapis.*` / `developer.zohoapis.*`)."""
        origin = self.api_url.lower()
        if "://www.zohoapis." not in origin:
            return (origin,)  # the local sandbox: one origin
        return (origin, *(origin.replace("://www.", f"://{k}.") for k in ORG_KINDS))


DATA_CENTERS: dict[str, DataCenter] = {
    dc.key: dc
    for dc in (
        DataCenter("com", "United States", "https://accounts.zoho.com", "https://www.zohoapis.com"),
        DataCenter("eu", "Europe", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        DataCenter("uk", "United Kingdom", "https://accounts.zoho.uk", "https://www.zohoapis.uk"),
        DataCenter("in", "India", "https://accounts.zoho.in", "https://www.zohoapis.in"),
        DataCenter(
            "com.au", "Australia", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"
        ),
        DataCenter("jp", "Japan", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        DataCenter(
            "com.cn", "China", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"
        ),
        DataCenter("ca", "Canada", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        DataCenter("sa", "Saudi Arabia", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    )
}


class UnknownDataCenter(KeyError):
    pass


class UnsafeZohoUrl(ValueError):
    """A URL that is not the Zoho API of the chosen data center: never called."""


def sandbox_url() -> str:
    """The local zoho_sandbox's base URL, or "" (the normal case: production never sets it)."""
    from django.conf import settings  # configuration only; this package stays ORM-free

    return (getattr(settings, "ZOHO_SANDBOX_URL", "") or "").rstrip("/")


def data_centers() -> dict[str, DataCenter]:
    """Every data center a customer may pick, the sandbox included only when configured."""
    url = sandbox_url()
    if not url:
        return dict(DATA_CENTERS)
    return {**DATA_CENTERS, SANDBOX: DataCenter(SANDBOX, "local Zoho sandbox", url, url)}


def data_center(key: str) -> DataCenter:
    try:
        return data_centers()[key]
    except KeyError:
        raise UnknownDataCenter(key) from None


def saved_data_center(key: str) -> DataCenter:
    """The data center of a saved connection; ZohoAuthError when this server lacks it."""
    try:
        return data_center(key)
    except UnknownDataCenter:
        raise ZohoAuthError(
            f"This connection's Zoho domain “{key}” is not available here."
        ) from None


def crm_base(url: str, dc: DataCenter) -> str:
    """`url` normalised to `{api origin}/crm/v8/`, or UnsafeZohoUrl if it is not `dc`'s API."""
    origin, path = _origin_and_path(url)
    if origin not in dc.api_origins or path not in PASTED_PATHS:
        raise UnsafeZohoUrl(f"Only {dc.crm_url} is accepted for the {dc.key} domain.")
    return origin + CRM_PATH


def api_base(api_domain: str, dc: DataCenter) -> str:
    """The CRM base URL from the `api_domain` of a token reply, checked like a CRM URL."""
    origin, path = _origin_and_path(api_domain)
    if origin not in dc.api_origins or path not in ("", "/"):
        raise UnsafeZohoUrl(f"Zoho answered with an API domain outside the {dc.key} data center.")
    return origin + CRM_PATH


def _origin_and_path(url: str) -> tuple[str, str]:
    if not isinstance(url, str):
        raise UnsafeZohoUrl("Not a URL.")
    url = url.strip()
    if not url or any(c.isspace() or c == "\\" or ord(c) < 32 for c in url):
        raise UnsafeZohoUrl("Not a URL.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise UnsafeZohoUrl("Not a URL.") from None
    if "@" in parts.netloc or parts.query or parts.fragment or not parts.hostname:
        raise UnsafeZohoUrl("Not a plain https URL.")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}", parts.path
