"""Deterministic benchmark data: Plezi contacts, Zoho leads and contacts, and edits.

A workspace of size N has N Plezi contacts (`p0000042@plezi.example`) and N Zoho
records, half Leads, half Contacts. A tenth of each half shares its email with a
Plezi contact, so a first sync runs every path: contacts created on both sides,
leads updated both ways (with conflicts), and Plezi contacts that are Zoho Contacts
(pulled, never pushed). Same N, same data, every time.
"""

import itertools
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace
from accounts.services import workspace_create
from contacts.models import Contact
from integration.models import ZohoConnection
from integration.services import connection_update
from zoho_sandbox.testing import SandboxHandle

FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Kay"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"]
PLACES = [("Paris", "France"), ("Lyon", "France"), ("Berlin", "Germany"), ("Boston", "USA")]
TITLES = ["CEO", "CMO", "Marketing Manager", "Developer", "Buyer"]
STATES = ["Unknown", "Engaged", "Accepted", "Closed"]
CHUNK = 2000
OVERLAP = 10  # one Zoho record in OVERLAP shares its email with a Plezi contact


@dataclass
class Manifest:
    """What setup made: counts and the Zoho ids the "1% changed" step edits."""

    workspace_id: int
    plezi: int
    leads: int
    contacts: int
    lead_ids: list[str]
    contact_ids: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def email(n: int) -> str:
    return f"p{n:07d}@plezi.example"


def plezi_values(n: int) -> dict:
    city, country = PLACES[n % len(PLACES)]
    return {
        "email": email(n),
        "first_name": FIRST[n % len(FIRST)],
        "last_name": LAST[(n // 3) % len(LAST)],
        "company": COMPANIES[(n // 5) % len(COMPANIES)],
        "job_title": TITLES[n % len(TITLES)],
        "city": city,
        "country": country,
        "phone": f"+33 1 {n % 100:02d} {(n // 100) % 100:02d} {n % 10000:04d}",
        "behaviour_score": n % 51,
        "state": STATES[n % len(STATES)],
    }


def workspace_connected(
    *, slug: str, handle: SandboxHandle, concurrency: int = 10, **form
) -> Workspace:
    """A workspace connected to the sandbox as an admin does it; `concurrency` is the org's
    cap, as an operator sets it in the admin for the org's Zoho edition."""
    from benchmarks.sandbox import form_data

    workspace, _ = workspace_create(slug=slug, name=f"Benchmark {slug}")
    connection = connection_update(workspace=workspace, data=form_data(handle, **form))
    ZohoConnection.objects.filter(pk=connection.pk).update(max_concurrency=concurrency)
    return workspace


def plezi_seed(*, workspace: Workspace, count: int) -> None:
    """`count` contacts in bulk (the import path's speed is not what we measure)."""
    numbers = iter(range(count))
    while chunk := list(itertools.islice(numbers, CHUNK)):
        with transaction.atomic():
            Contact.objects.bulk_create(
                [Contact(workspace=workspace, **plezi_values(n)) for n in chunk],
                batch_size=500,
            )


def zoho_seed(*, handle: SandboxHandle, count: int, filter_value: str = "") -> tuple[list, list]:
    """`count` Zoho records, half Leads and half Contacts; returns every id of each."""
    half = count // 2
    shared = half // OVERLAP
    extra = {"crm_to_plezi": filter_value} if filter_value else {}
    leads = _create(handle, "Leads", [_lead(n, extra) for n in range(shared)])
    contacts = _create(handle, "Contacts", [_contact(n, extra) for n in range(shared, 2 * shared)])
    if not extra:  # the seed endpoint's records carry no filter value
        leads += _seeded(handle, "Leads", half - shared, 1)
        contacts += _seeded(handle, "Contacts", count - half - shared, 2)
    return leads, contacts


def _lead(n: int, extra: dict) -> dict:
    # Same person as Plezi contact n, edited by sales: another company and city.
    values = plezi_values(n)
    return {
        "Email": values["email"],
        "First_Name": values["first_name"],
        "Last_Name": values["last_name"],
        "Company": f"{COMPANIES[n % len(COMPANIES)]} (from Zoho)",
        "City": "Madrid",
        **extra,
    }


def _contact(n: int, extra: dict) -> dict:
    values = plezi_values(n)
    return {
        "Email": values["email"],
        "First_Name": values["first_name"],
        "Last_Name": values["last_name"],
        "Title": "Head of Sales",
        **extra,
    }


def _create(handle: SandboxHandle, module: str, records: list[dict]) -> list[str]:
    ids: list[str] = []
    for start in range(0, len(records), CHUNK):
        ids += handle.create_records(module, records[start : start + CHUNK])
    return ids


def _seeded(handle: SandboxHandle, module: str, count: int, seed: int) -> list[str]:
    if count <= 0:
        return []
    made = handle.seed(module, count, seed)
    first = int(made["first_id"])
    return [str(first + k) for k in range(made["count"])]  # the sandbox numbers them in a row


def setup(
    *, slug: str, handle: SandboxHandle, plezi: int, zoho: int, concurrency: int = 10, **form
) -> Manifest:
    workspace = workspace_connected(slug=slug, handle=handle, concurrency=concurrency, **form)
    plezi_seed(workspace=workspace, count=plezi)
    leads, contacts = zoho_seed(
        handle=handle, count=zoho, filter_value=form.get("filter_value", "")
    )
    return Manifest(
        workspace_id=workspace.pk,
        plezi=plezi,
        leads=len(leads),
        contacts=len(contacts),
        lead_ids=leads[::100],
        contact_ids=contacts[::100],
    )


def touch(*, manifest: dict, handle: SandboxHandle, every: int = 100) -> dict:
    """Edit one record in `every` on each side: Plezi contacts, then Zoho leads and contacts.

    The sandbox clock moves a minute first, as time passes between two syncs.
    """
    workspace = Workspace.objects.get(pk=manifest["workspace_id"])
    ids = list(
        Contact.objects.for_workspace(workspace)
        .filter(email__startswith="p", email__endswith="@plezi.example")
        .order_by("pk")
        .values_list("pk", flat=True)[::every]
    )
    now = timezone.now()
    for start in range(0, len(ids), 500):
        Contact.objects.filter(pk__in=ids[start : start + 500]).update(
            city="Nantes", updated_at=now
        )
    handle.advance_clock(60)
    stride = max(1, every // 100)  # the manifest keeps every 100th id
    for module, key in (("Leads", "lead_ids"), ("Contacts", "contact_ids")):
        for record_id in manifest[key][::stride]:
            handle.update_record(module, record_id, {"Phone": "+33 9 99 99 99 99"})
    return {
        "plezi_edited": len(ids),
        "zoho_edited": len(manifest["lead_ids"][::stride]) + len(manifest["contact_ids"][::stride]),
    }
