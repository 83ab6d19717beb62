"""The people around the product, each an actor thread doing one thing again and again.

Marketers edit contacts on the edit page, import CSV files and click "Synchronise now"
(through gunicorn); visitors submit the public form; sales reps create, edit and convert
leads and edit contacts in Zoho (the sandbox's control API acts as "Sam Sales"); the
the two-hourly schedule never comes due during the workload (a lost trigger must not
be made good by it). Each write goes into the ledger once the product accepted it, with
when its request was sent.
"""

import csv
import io
import random
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection as db_connection

from contacts.models import Contact
from soak.ledger import CONTACT_KEYS, LEAD_KEYS, Ledger
from soak.web import Marketer, submit_form
from soak.world import FILTER_FIELD, OUT_OF_SCOPE, Tenant
from zoho_sandbox.testing import SandboxError, SandboxHandle

SCHEDULE_NAME = "Zoho sync: every two hours"
EDITABLE = ["first_name", "company", "city", "phone", "job_title", "lead_source"]
REP_LEAD_FIELDS = ["First_Name", "Company", "City", "Phone", "Designation", "Lead_Source"]
REP_CONTACT_FIELDS = ["First_Name", "Phone", "Title", "Mailing_City"]
PLEZI_KEY = {**CONTACT_KEYS, **LEAD_KEYS}  # Zoho API name -> Plezi key, either module
# Fields a person sometimes clears (a clear is a write the checks verify like any other).
CLEARABLE = {"company", "city", "phone", "job_title", "first_name"}
CLEAR_RATE = 0.05


@dataclass
class Stage:
    """What every actor shares."""

    tenants: list[Tenant]
    ledger: Ledger
    web_url: str
    sandbox_url: str
    stop: threading.Event = field(default_factory=threading.Event)
    problems: list[str] = field(default_factory=list)
    web_errors: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        with self.ledger.lock:
            self.problems.append(text)


class Actor(threading.Thread):
    """Runs `act(rng)` until the stage stops, pausing `pause` seconds (mean) between acts."""

    def __init__(self, stage: Stage, name: str, act: Callable, pause: float, seed: int) -> None:
        super().__init__(name=name, daemon=True)
        self.stage, self.act, self.pause = stage, act, pause
        self.rng = random.Random(seed)

    def run(self) -> None:
        try:
            while not self.stage.stop.is_set():
                try:
                    self.act(self.rng)
                except Exception:  # one failed act is a finding, not the end of the actor
                    self.stage.problem(f"{self.name}: {traceback.format_exc(limit=3)}")
                self.stage.stop.wait(self.rng.expovariate(1 / self.pause))
        finally:
            db_connection.close()


class People:
    """The acts; each actor thread keeps its own browser sessions and sandbox handle."""

    def __init__(self, stage: Stage) -> None:
        self.stage, self.ledger = stage, stage.ledger
        self.local = threading.local()

    # ---- per-thread sessions --------------------------------------------------------------
    def _marketer(self, tenant: Tenant) -> Marketer:
        sessions = self.local.__dict__.setdefault("marketers", {})
        if tenant.slug not in sessions:
            sessions[tenant.slug] = Marketer(
                self.stage.web_url, tenant.slug, tenant.email, tenant.password
            )
        return sessions[tenant.slug]

    def _zoho(self) -> SandboxHandle:
        if not hasattr(self.local, "zoho"):
            self.local.zoho = SandboxHandle(self.stage.sandbox_url)
        return self.local.zoho

    def _web(self, what: str, status: int, expected: tuple[int, ...]) -> bool:
        if status in expected:
            return True
        with self.ledger.lock:
            self.stage.web_errors.append(f"{what}: HTTP {status}")
        return False

    # ---- marketers ------------------------------------------------------------------------
    def edit_contact(self, rng: random.Random) -> None:
        """The edit page: read it, think a moment, change one or two fields, save."""
        tenant = rng.choice(self.stage.tenants)
        email = self.ledger.pick_email(tenant.slug, rng)
        pk = Contact.objects.filter(workspace_id=tenant.workspace_id, email=email).values_list(
            "pk", flat=True
        )
        if not pk:
            return
        self.ledger.touch(tenant.slug, email)
        keys = rng.sample(EDITABLE, 2) + (["last_name"] if rng.random() < 0.1 else [])
        changes = {key: self._plezi_value(key, rng) for key in keys}
        if rng.random() < 0.03:
            changes["email_opt_out"] = "on"
        think = rng.uniform(0, 1.5)
        status, seen, sent = self._marketer(tenant).edit_contact(pk[0], changes, think=think)
        if self._web("edit contact", status, (302,)):
            # What the page already showed is no change (clearing a blank field writes nothing).
            written = {
                k: True if k == "email_opt_out" else v
                for k, v in changes.items()
                if seen.get(k, "") != v
            }
            self.ledger.plezi_wrote(tenant.slug, email, written, origin="edit", started=sent)

    def _plezi_value(self, key: str, rng: random.Random):
        return "" if key in CLEARABLE and rng.random() < CLEAR_RATE else self.ledger.value(key, rng)

    def import_csv(self, rng: random.Random) -> None:
        tenant = rng.choice(self.stage.tenants)
        rows = [self._csv_row(tenant, rng) for _ in range(rng.randint(5, 30))]
        # One line an email, as the import requires (a repeated line is refused, so the
        # ledger would record a write that never happened).
        first_of_each: dict[str, dict] = {}
        for row in rows:
            first_of_each.setdefault(row["email"], row)
        rows = list(first_of_each.values())
        columns = ["email", "first_name", "last_name", "company", "city", "behaviour_score"]
        columns.append("state")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
        sent = time.time()
        status = self._marketer(tenant).import_csv(out.getvalue())
        if self._web("CSV import", status, (302,)):  # to the import's report
            for row in rows:
                values = {k: v for k, v in row.items() if k != "email"}
                self.ledger.plezi_wrote(
                    tenant.slug, row["email"], values, origin="csv", started=sent
                )

    def _csv_row(self, tenant: Tenant, rng: random.Random) -> dict:
        existing = self.ledger.pick_email(tenant.slug, rng) if rng.random() < 0.7 else None
        email = existing or self.ledger.new_email(tenant.slug, "csv")
        row = {"email": email}
        if not existing:
            row["last_name"] = self.ledger.value("last_name", rng)
        for key in rng.sample(["first_name", "company", "city", "behaviour_score", "state"], 2):
            row[key] = self.ledger.value(key, rng)
        return row

    def click_sync_now(self, rng: random.Random) -> None:
        self.click_sync_now_for(rng.choice(self.stage.tenants))

    def click_sync_now_for(self, tenant: Tenant) -> None:
        if self._web("Synchronise now", self._marketer(tenant).sync_now(), (302,)):
            self.ledger.count("sync now")

    # ---- visitors -------------------------------------------------------------------------
    def submit_form(self, rng: random.Random, tenant: Tenant | None = None, new=False) -> str:
        tenant = tenant or rng.choice(self.stage.tenants)
        # Returning visitors, some of them right after their last visit (a campaign email).
        returning = not new and rng.random() < 0.6
        existing = self.ledger.pick_email(tenant.slug, rng, hot=0.3) if returning else None
        email = existing or self.ledger.new_email(tenant.slug, "form")
        answers = {"email": email}
        # Returning visitors sometimes give a new last name (married, corrected a typo).
        if not existing or rng.random() < 0.15:
            answers["last_name"] = self.ledger.value("last_name", rng)
        for key in rng.sample(["first_name", "company", "city", "phone"], 2):
            answers[key] = self.ledger.value(key, rng)
        sent = time.time()
        status = submit_form(self.stage.web_url, tenant.form_token, answers)
        if self._web("public form", status, (200,)):
            values = {k: v for k, v in answers.items() if k != "email"}
            self.ledger.plezi_wrote(tenant.slug, email, values, origin="form", started=sent)
            self.ledger.form_submitted(tenant.slug, email, sent=sent)
            self.ledger.touch(tenant.slug, email)
        return email

    # ---- sales reps in Zoho ---------------------------------------------------------------
    def rep(self, rng: random.Random) -> None:
        tenant = rng.choice(self.stage.tenants)
        roll = rng.random()
        try:
            if roll < 0.70:
                self._edit_lead(tenant, rng)
            elif roll < 0.80:
                self._create_lead(tenant, rng)
            elif roll < 0.83:
                self._create_out_of_scope(rng)
            elif roll < 0.93:
                self._edit_zoho_contact(tenant, rng)
            else:
                self._convert(tenant, rng)
        except SandboxError as error:
            self.ledger.count("rep", refused=str(error)[:120])

    def _edit_lead(self, tenant: Tenant, rng: random.Random) -> None:
        picked = self.ledger.pick_lead(tenant.slug, rng)
        if not picked:
            return
        email, lead_id = picked
        values = {api: self._zoho_value(api, rng) for api in rng.sample(REP_LEAD_FIELDS, 2)}
        if rng.random() < 0.02:
            values["Email_Opt_Out"] = True
        sent = time.time()
        result = self._zoho().update_record("Leads", lead_id, values)
        if result.get("status") == "success":
            self.ledger.zoho_wrote(tenant.slug, email, values, started=sent)
            self.ledger.count("rep edit lead")

    def _zoho_value(self, api: str, rng: random.Random):
        key = PLEZI_KEY[api]
        return (
            None if key in CLEARABLE and rng.random() < CLEAR_RATE else self.ledger.value(key, rng)
        )

    def _create_lead(self, tenant: Tenant, rng: random.Random) -> None:
        record = self.ledger.new_lead(tenant.slug, rng)
        sent = time.time()
        [lead_id] = self._zoho().create_records("Leads", [record])
        self.ledger.zoho_created(tenant.slug, record, lead_id, started=sent)
        self.ledger.count("rep create lead")

    def _create_out_of_scope(self, rng: random.Random) -> None:
        self._zoho().create_records("Leads", [self.ledger.new_lead(OUT_OF_SCOPE, rng)])
        self.ledger.count("rep create lead elsewhere")

    def _edit_zoho_contact(self, tenant: Tenant, rng: random.Random) -> None:
        picked = self.ledger.pick_contact(tenant.slug, rng)
        if not picked:
            return
        email, contact_id = picked
        values = {api: self._zoho_value(api, rng) for api in rng.sample(REP_CONTACT_FIELDS, 2)}
        sent = time.time()
        result = self._zoho().update_record("Contacts", contact_id, values)
        if result.get("status") == "success":
            self.ledger.zoho_wrote(tenant.slug, email, values, module="Contacts", started=sent)
            self.ledger.count("rep edit contact")

    def _convert(self, tenant: Tenant, rng: random.Random) -> None:
        picked = self.ledger.pick_lead(tenant.slug, rng)
        if not picked:
            return
        email, lead_id = picked
        contact_id = self._zoho().convert_lead(lead_id)
        self.ledger.zoho_converted(tenant.slug, email, contact_id)
        self.ledger.count("rep convert lead")

    def learn_ids(self, rng: random.Random) -> None:
        """Which leads exist (those the sync created too): what reps can open in Zoho."""
        slugs = {t.slug for t in self.stage.tenants}
        for lead in self._zoho().records("Leads"):
            slug, email = lead.get(FILTER_FIELD), (lead.get("Email") or "").lower()
            if slug in slugs and email and not lead.get("$converted"):
                with self.ledger.lock:
                    self.ledger.leads[slug].setdefault(email, lead["id"])


def cast(stage: Stage, people: People, *, seed: int, scale: float) -> list[Actor]:
    """The actors, with mean pauses (seconds) scaled by the number of workspaces."""
    plan = [
        ("marketer-edit", people.edit_contact, 0.8, 3),
        ("marketer-csv", people.import_csv, 4.0, 1),
        ("marketer-click", people.click_sync_now, 3.0, 1),
        ("visitor", people.submit_form, 0.8, 2),
        ("rep", people.rep, 0.6, 3),
        ("rep-ids", people.learn_ids, 5.0, 1),
    ]
    actors = []
    for name, act, pause, count in plan:
        for n in range(count):
            actors.append(Actor(stage, f"{name}-{n}", act, pause / scale, seed + len(actors)))
    return actors


def burst(stage: Stage, people: People, rng: random.Random) -> dict:
    """Every trigger at once for one workspace: forms, the button twice, the schedule."""
    from django_q.tasks import async_task

    tenant = rng.choice(stage.tenants)
    gate = threading.Barrier(9)
    emails: list[str] = []

    def form() -> None:
        gate.wait()
        emails.append(people.submit_form(random.Random(rng.random()), tenant, new=True))

    def click() -> None:
        gate.wait()
        people.click_sync_now_for(tenant)

    def schedule() -> None:
        gate.wait()
        async_task("integration.tasks.sync_all_connected", task_name="soak schedule burst")
        db_connection.close()

    threads = [threading.Thread(target=form) for _ in range(6)]
    threads += [threading.Thread(target=click) for _ in range(2)]
    threads.append(threading.Thread(target=schedule))
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return {"slug": tenant.slug, "at": started, "emails": emails, "triggers": len(threads)}
