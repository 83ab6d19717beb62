"""What the workload did, so the checks know what must be true at the end.

Every value written is unique (a counter in it), so the final value of a field tells
which write survived. The ledger keeps, per workspace: the emails created on each side,
the Zoho ids of leads and contacts, the conversions, and per (email, field) every write
of each side, blanks included, with the wall-clock span of the request that made it:
the write committed somewhere within, so two writes are ordered only when their spans
do not overlap (never by the order their answers came back).
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


@dataclass(frozen=True)
class Write:
    """One write of a field by one side: its value (None: cleared), and when the request
    that made it was sent and answered."""

    side: str
    value: object
    start: float
    end: float


@dataclass(frozen=True)
class Submission:
    """A visitor's form submission the product accepted: sent, then answered."""

    slug: str
    email: str
    sent: float
    answered: float


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
        # (slug, email, key) -> every write of the field, in the order they were answered.
        self.writes: dict[tuple[str, str, str], list[Write]] = defaultdict(list)
        # (slug, email) -> when a rep's action on the email's Zoho record ended (an edit of
        # any field, a conversion): Zoho dates whole records, so each makes the record's
        # values look that recent to the sync.
        self.touched: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.submissions: list[Submission] = []

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
    def plezi_wrote(
        self, slug: str, email: str, values: dict, *, origin: str, started: float | None = None
    ) -> None:
        self._wrote(slug, email, PLEZI, values, started)
        with self.lock:
            self.emails[slug].setdefault(email, origin)
            self.tally.done[origin] += 1

    def zoho_wrote(
        self,
        slug: str,
        email: str,
        values: dict,
        *,
        module: str = "Leads",
        started: float | None = None,
    ) -> None:
        keys = LEAD_KEYS if module == "Leads" else CONTACT_KEYS
        plezi = {keys[api]: value for api, value in values.items() if api in keys}
        self._wrote(slug, email, ZOHO, plezi, started)

    def zoho_created(
        self, slug: str, record: dict, lead_id: str, *, started: float | None = None
    ) -> None:
        email = record["Email"]
        with self.lock:
            self.leads[slug][email] = lead_id
            self.emails[slug].setdefault(email, "zoho")
        self.zoho_wrote(slug, email, record, started=started)

    def zoho_converted(self, slug: str, email: str, contact_id: str) -> None:
        with self.lock:
            self.converted[slug].add(email)
            self.contacts[slug][email] = contact_id
            self.touched[(slug, email.lower())].append(time.time())

    def form_submitted(self, slug: str, email: str, *, sent: float) -> None:
        with self.lock:
            self.submissions.append(Submission(slug, email.lower(), sent, time.time()))

    def _wrote(self, slug: str, email: str, side: str, values: dict, started) -> None:
        now = time.time()
        with self.lock:
            for key, value in values.items():
                blank = value is None or value == ""
                write = Write(side, None if blank else value, started or now, now)
                self.writes[(slug, email.lower(), key)].append(write)
            if side == ZOHO:
                self.touched[(slug, email.lower())].append(now)

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
