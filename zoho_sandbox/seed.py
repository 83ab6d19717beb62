"""Deterministic fake Leads and Contacts, created "by a sales rep", fast enough for 100k.

Names come from ``random.Random(seed)``; emails are unique within and across modules
(``first.last.l42@...`` for the 42nd seeded lead) so two seed calls never collide.
"""

from __future__ import annotations

import random

from zoho_sandbox.fields import LEAD_SOURCES, LEAD_STATUSES
from zoho_sandbox.records import Renderer
from zoho_sandbox.state import Org
from zoho_sandbox.store import Record

FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
    "Karen",
    "Niklaus",
    "Sophie",
    "Leslie",
    "Anita",
    "Guido",
    "Joan",
    "Bjarne",
    "Lucie",
    "Hugo",
    "Chloé",
    "Mathis",
    "Inès",
    "Jules",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Knuth",
    "Jones",
    "Wirth",
    "Wilson",
    "Lamport",
    "Borg",
    "Rossum",
    "Clarke",
    "Stroustrup",
    "Martin",
    "Bernard",
    "Dubois",
    "Moreau",
    "Laurent",
    "Lefèvre",
]
COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
]
PLACES = [
    ("Paris", "France"),
    ("Lyon", "France"),
    ("Nantes", "France"),
    ("London", "UK"),
    ("Berlin", "Germany"),
    ("Madrid", "Spain"),
    ("Boston", "USA"),
    ("Chennai", "India"),
]
TITLES = ["CEO", "CMO", "Marketing Manager", "Sales Director", "Developer", "Buyer"]


def seed(org: Org, module: str, count: int, seed_value: int = 0) -> list[str]:
    """Create ``count`` valid records; returns their ids. Callers hold ``org.lock``."""
    rng = random.Random(seed_value)
    store = org.stores[module]
    owner = org.user_ref(org.rep_id, email=True)
    now = int(org.now())
    tag = "l" if module == "Leads" else "c"
    start = org.seeded.get(module, 0)
    render = Renderer(org, module)
    ids = []
    for n in range(start, start + count):
        values = _values(rng, module, n, tag)
        values["Owner"] = owner
        record = Record(org.new_id(), values, now, now, org.rep_id, org.rep_id)
        store.add(record)
        render.encoded(record)  # pre-encode: a benchmark's first walk then costs O(page) too
        ids.append(record.id)
    org.seeded[module] = start + count
    return ids


def _values(rng: random.Random, module: str, n: int, tag: str) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, country = rng.choice(PLACES)
    email = f"{_ascii(first)}.{_ascii(last)}.{tag}{n}@example.com".lower()
    values = {
        "First_Name": first,
        "Last_Name": last,
        "Email": email,
        "Phone": f"+33 1 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {n % 10000:04d}",
        "Lead_Source": rng.choice(LEAD_SOURCES),
    }
    if module == "Leads":
        values.update(
            Company=rng.choice(COMPANIES),
            City=city,
            Country=country,
            Designation=rng.choice(TITLES),
            Lead_Status=rng.choice(LEAD_STATUSES),
        )
    else:
        values.update(Mailing_City=city, Mailing_Country=country, Title=rng.choice(TITLES))
    return values


def _ascii(name: str) -> str:
    return name.replace("é", "e").replace("è", "e").replace("è", "e").replace("-", "")
