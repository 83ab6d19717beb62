"""What a Zoho code can see, checked before a connection is saved: the org it belongs to,
the modules' fields, a lead read, the filter field.

Each refusal is a ConnectionProblem naming the form's field to correct; nothing is saved.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils.translation import gettext

from integration.checks import (
    MODULES_SCOPE_MISSING,
    SCOPE_MISSING,
    ConnectionProblem,
    Settings,
    filter_fields,
    is_single_line,
    org_of,
    other_org,
)
from integration.clients import read_one_lead
from integration.zoho.client import ZohoClient
from integration.zoho.editions import Edition, edition_of
from integration.zoho.errors import ZohoAuthError, ZohoError, ZohoScopeError
from mapping.models import Module


@dataclass
class Verified:
    org_name: str = ""
    org_verified: bool = False
    edition: Edition | None = None  # from the org's license, when the org can be read
    fields: dict[str, list[dict]] = field(default_factory=dict)
    filter_field: str = ""


def verify(wanted: Settings, client: ZohoClient) -> Verified:
    verified = Verified()
    with _zoho_problems(scope_missing=SCOPE_MISSING):
        _verify_org(wanted, client, verified)
        for module in Module.values:
            verified.fields[module] = client.fields(module)
    with _zoho_problems(scope_missing=MODULES_SCOPE_MISSING):
        read_one_lead(client)
    verified.filter_field = _verify_filter(wanted, verified.fields)
    return verified


@contextmanager
def _zoho_problems(*, scope_missing: str):
    """Zoho's refusals during the checks, as the form's messages (nothing saved)."""
    try:
        yield
    except ZohoScopeError:
        raise ConnectionProblem(scope_missing, field="code") from None
    except ZohoAuthError as error:
        raise ConnectionProblem(error.message, field="code") from None
    except ZohoError as error:
        raise ConnectionProblem(
            f"Zoho did not answer as expected: {error.message} Nothing was saved; try again "
            "in a minute."
        ) from None


def _verify_org(wanted: Settings, client: ZohoClient, verified: Verified) -> None:
    try:
        org = client.org()
    except ZohoScopeError:
        # The seed's scopes do not always cover GET /org: keep going, unverified.
        return
    actual = other_org(org, wanted.org)
    verified.org_name = str(org.get("company_name") or "")
    if actual:
        message = gettext(
            "This code belongs to the Zoho org %(actual)s (%(name)s), not %(wanted)s. Either "
            "correct the Zoho Org (it is in your CRM address: crm.zoho.%(domain)s/crm/"
            "%(actual)s/tab/…), or sign in to the org %(wanted)s in Zoho and generate the code "
            "there."
        )
        name = verified.org_name or gettext("no name")
        raise ConnectionProblem(
            message
            % {"actual": actual, "name": name, "wanted": wanted.org, "domain": wanted.dc.key},
            field="org",
        )
    verified.org_verified = bool(org_of(org))
    verified.edition = edition_of(org)


def _verify_filter(wanted: Settings, fields: dict[str, list[dict]]) -> str:
    """The filter field's API name (a label is accepted), checked in Leads and Contacts."""
    if not wanted.filter_field:
        return ""
    present = filter_fields(fields, wanted.filter_field)
    if not present:
        message = gettext(
            "Zoho has no field “%(name)s” in Leads or Contacts. Create it in Zoho (open a "
            "contact, click “Edit Page Layout”, add a “Single Line” field), or correct the name."
        )
        raise ConnectionProblem(message % {"name": wanted.filter_field}, field="filter_field")
    for module, meta in present.items():
        if not is_single_line(meta):
            message = gettext(
                "The Zoho field “%(name)s” of %(module)s is a “%(type)s” field; the filter needs "
                "a “Single Line” field. Create a Single Line field in Zoho (Edit Page Layout) "
                "and enter its name."
            )
            values = {"name": meta.get("api_name"), "module": module, "type": meta.get("data_type")}
            raise ConnectionProblem(message % values, field="filter_field")
    return next(iter(present.values()))["api_name"]


def verified_scopes(verified: Verified) -> str:
    scopes = ["ZohoCRM.settings.fields (field metadata read)"]
    if verified.org_verified:
        scopes.append("org read")
    return ", ".join(scopes)
