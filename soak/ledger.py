"""What the workload did, so the checks know what must be true at the end.

Every value written is unique (a counter in it), so the final value of a field tells
which write survived. The ledger keeps, per workspace: the emails created on each side,
the Zoho ids of leads and contacts, the conversions, and per (email, field) the last
value each side wrote, in Plezi's field keys.
"""

import random
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from contacts.catalogue import LEAD_SOURCES, STATES

DOMAIN = "soak.test"
# Zoho API name -> Plezi key, per module, as the default mapping pairs them.
LEAD_KEYS = {
    "First_Name": "first_name",
    "Last_Name": "last_name",
    "Company": "company",
    "City": "city",
    "Phone": "phone",
    "Designation": "job_title",
    "Lead_Source": "lead_source",
    "Email_Opt_Out": "email_opt_out",
}
CONTACT_KEYS = {
    "First_Name": "first_name",
    "Last_Name": "last_name",
    "Phone": "phone",
    "Title": "job_title",
    "Mailing_City": "city",
    "Email_Opt_Out": "email_opt_out",
}
PLEZI, ZOHO = "plezi", "zoho"


@dataclass
class Tally:
    """Operations done, by kind, and the ones the product refused (with why)."""

    done: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)

    def total(self) -> int:
        return sum(self.done.values())


class Ledger:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.tally = Tally()
        self._counter = 0
        self.emails: dict[str, dict[str, str]] = defaultdict(dict)  # slug -> email -> origin
        self.leads: dict[str, dict[str, str]] = defaultdict(dict)  # slug -> email -> lead id
        self.contacts: dict[str, dict[str, str]] = defaultdict(dict)  # slug -> email -> id
        self.converted: dict[str, set[str]] = defaultdict(set)
        # Contacts a marketer is working on right now: reps pick them often, so both sides
        # touch the same record at the same moment, as they do around a hot lead.
        self.hot: dict[str, deque] = defaultdict(lambda: deque(maxlen=5))
        # (slug, email, key) -> {side: (time, value)}: the last write of each side.
        self.last: dict[tuple[str, str, str], dict[str, tuple[float, object]]] = defaultdict(dict)

    # ---- unique names and values ------------------------------------------------------------
    def _next(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    def new_email(self, slug: str, origin: str) -> str:
        """A fresh email; it counts as created once the product (or Zoho) took it."""
        return f"{origin[0]}{self._next()}.{slug}@{DOMAIN}"

    def value(self, key: str, rng: random.Random | None = None):
        rng = rng or self.rng
        n = self._next()
        match key:
            case "phone":
                return f"01 {n:08d}"
            case "lead_source":
                return rng.choice(LEAD_SOURCES)
            case "behaviour_score":
                return rng.randint(0, 50)
            case "state":
                return rng.choice(STATES)
            case "email_opt_out":
                return True
        return f"{key.split('_')[-1].capitalize()} {n}"

    def new_lead(self, slug: str, rng: random.Random | None = None) -> dict:
        """A lead as a sales rep types it in Zoho (in the workspace's scope)."""
        return {
            "Email": self.new_email(slug, "zoho"),
            "Last_Name": self.value("last_name", rng),
            "First_Name": self.value("first_name", rng),
            "Company": self.value("company", rng),
            "City": self.value("city", rng),
            "soak_ws": slug,
        }

    # ---- writes -------------------------------------------------------------------------
    def plezi_wrote(self, slug: str, email: str, values: dict, *, origin: str) -> None:
        self._wrote(slug, email, PLEZI, values)
        with self.lock:
            self.emails[slug].setdefault(email, origin)
            self.tally.done[origin] += 1

    def zoho_wrote(self, slug: str, email: str, values: dict, *, module: str = "Leads") -> None:
        keys = LEAD_KEYS if module == "Leads" else CONTACT_KEYS
        plezi = {keys[api]: value for api, value in values.items() if api in keys}
        self._wrote(slug, email, ZOHO, plezi)

    def zoho_created(self, slug: str, record: dict, lead_id: str) -> None:
        email = record["Email"]
        with self.lock:
            self.leads[slug][email] = lead_id
            self.emails[slug].setdefault(email, "zoho")
        self.zoho_wrote(slug, email, record)

    def _wrote(self, slug: str, email: str, side: str, values: dict) -> None:
        now = time.time()
        with self.lock:
            for key, value in values.items():
                if value not in (None, ""):
                    self.last[(slug, email.lower(), key)][side] = (now, value)

    def count(self, kind: str, *, refused: str = "") -> None:
        with self.lock:
            if refused:
                self.tally.refused[f"{kind}: {refused}"] += 1
            else:
                self.tally.done[kind] += 1

    # ---- reading ------------------------------------------------------------------------
    def pick_email(self, slug: str, rng: random.Random, *, hot: float = 0.0) -> str | None:
        """An email of the workspace; with probability `hot`, one being worked on now."""
        with self.lock:
            emails = list(self.emails[slug])
            recent = [e for e in self.hot[slug] if e in self.emails[slug]]
        if recent and rng.random() < hot:
            return rng.choice(recent)
        return rng.choice(emails) if emails else None

    def touch(self, slug: str, email: str) -> None:
        with self.lock:
            self.hot[slug].append(email)

    def pick_lead(self, slug: str, rng: random.Random) -> tuple[str, str] | None:
        """A lead of the workspace that is not converted, often a hot one: (email, id)."""
        with self.lock:
            leads = {e: i for e, i in self.leads[slug].items() if e not in self.converted[slug]}
            hot = [(e, leads[e]) for e in self.hot[slug] if e in leads]
        if hot and rng.random() < 0.4:
            return rng.choice(hot)
        return rng.choice(list(leads.items())) if leads else None

    def pick_contact(self, slug: str, rng: random.Random) -> tuple[str, str] | None:
        with self.lock:
            contacts = list(self.contacts[slug].items())
        return rng.choice(contacts) if contacts else None
