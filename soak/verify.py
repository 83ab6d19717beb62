"""The end state, checked: convergence, nothing lost, nothing twice, failures visible.

Read once the faults are off and one more sync ran in every workspace. Both sides are
compared through the product's own mapping plan and value conversion, so "equal" means
what the sync means by it. Each finding is a line a person can follow up.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from accounts.models import Workspace
from contacts.models import Contact
from integration.models import SyncIssue, SyncRun
from integration.sync.context import CONTACTS, LEADS, plan_for
from integration.sync.convert import ValueProblem, to_plezi
from soak.edits import could_end_with, plain
from soak.ledger import DOMAIN, PLEZI, ZOHO, Ledger, Write
from soak.world import FILTER_FIELD, OUT_OF_SCOPE, Tenant

FAILED = (SyncIssue.Kind.ERROR, SyncIssue.Kind.SKIPPED)
CLOCK_SLACK = 0.05  # seconds: the sandbox's clock and the driver's are one machine's
TO_ZOHO = SyncIssue.Direction.TO_ZOHO
SHOWN = 8  # examples printed per finding


@dataclass
class Findings:
    contacts: int = 0
    leads: int = 0
    zoho_contacts: int = 0
    converged: int = 0
    mismatches: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    scope_leaks: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    lost_edits: list[str] = field(default_factory=list)
    # Rep edits a product write overwrote within Zoho's read-then-write window (Zoho has no
    # conditional update): counted and shown, not lost edits of the sync's making.
    overwritten_unseen: list[str] = field(default_factory=list)
    visible_failures: Counter = field(default_factory=Counter)
    retried_to_success: int = 0


class Zoho:
    """Every record of the sandbox org, indexed, and (from the sandbox's own logs) when the
    product read and wrote each lead."""

    def __init__(self, leads: list[dict], contacts: list[dict], writes=(), reads=()) -> None:
        self.leads = {str(r["id"]): r for r in leads}
        self.contacts = {str(r["id"]): r for r in contacts}
        self.leads_by_email = _by_email(leads)
        self.contacts_by_email = _by_email(contacts)
        self.product_writes: dict[str, list[dict]] = defaultdict(list)
        self.rep_writes: dict[str, list[dict]] = defaultdict(list)  # by email
        for write in writes:
            if write["by"] == "api" and write["module"] == LEADS and write["op"] != "delete":
                self.product_writes[write["id"]].append(write)
            elif write["by"] == "rep" and write["op"] in ("create", "update"):
                self.rep_writes[write["email"]].append(write)
        # (lead id, the reading run's User-Agent) -> when that run read the lead
        self.product_reads: dict[tuple[str, str], list[float]] = defaultdict(list)
        for read in reads:
            if read["module"] == LEADS:
                for record_id in read["ids"]:
                    self.product_reads[(record_id, read.get("agent", ""))].append(read["at"])

    def changed_nothing(self, email: str, api_names: set[str], write: Write) -> bool:
        """Whether the rep's `write` left the field as it was (a blank field cleared, a value
        typed again): Zoho shows no change, so no sync can see one."""
        logged = [
            entry
            for entry in self.rep_writes.get(email, ())
            if write.start - CLOCK_SLACK <= entry["at"] <= write.end + CLOCK_SLACK
            and api_names & set(entry["fields"])
        ]
        return bool(logged) and not any(api_names & set(e.get("changed", ())) for e in logged)

    def overwritten_unseen(self, lead_id: str, api_name: str, write: Write) -> bool:
        """Whether a run wrote `api_name` of the lead after the rep's `write` without having
        read the lead itself since: Zoho has no conditional update, so a write made from a
        read just before the rep's can only overwrite it (the read-then-write window). A
        run's calls carry its id in their User-Agent: another run's read (a page read ahead
        meanwhile) is not what the writing run decided from."""
        for product in self.product_writes.get(lead_id, ()):
            if api_name not in product["fields"] or product["at"] <= write.start:
                continue
            reads = self.product_reads.get((lead_id, product.get("agent", "")), ())
            seen = [at for at in reads if at < product["at"]]
            if not seen or max(seen) < write.end:
                return True
        return False


def _by_email(records: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for record in records:
        if record.get("Email"):
            grouped[record["Email"].lower()].append(record)
    return grouped


def check(tenants: list[Tenant], ledger: Ledger, zoho: Zoho) -> Findings:
    findings = Findings(leads=len(zoho.leads), zoho_contacts=len(zoho.contacts))
    _duplicates(zoho, findings)
    for tenant in tenants:
        WorkspaceCheck(tenant, ledger, zoho, findings).run()
    return findings


def _duplicates(zoho: Zoho, findings: Findings) -> None:
    """No email twice among leads (converted ones included) or among contacts."""
    for module, grouped in (("lead", zoho.leads_by_email), ("contact", zoho.contacts_by_email)):
        for email, records in grouped.items():
            if email.endswith(DOMAIN) and len(records) > 1:
                ids = ", ".join(
                    f"{r['id']}{' (converted)' if r.get('$converted') else ''}"
                    f" by {(r.get('Created_By') or {}).get('name')}"
                    for r in records
                )
                findings.duplicates.append(f"{len(records)} Zoho {module}s for {email}: {ids}")


class WorkspaceCheck:
    """Every contact of one workspace against Zoho, and the ledger's emails against both."""

    def __init__(self, tenant: Tenant, ledger: Ledger, zoho: Zoho, findings: Findings) -> None:
        self.tenant, self.ledger, self.zoho, self.findings = tenant, ledger, zoho, findings
        self.workspace = Workspace.objects.get(pk=tenant.workspace_id)
        connection = self.workspace.zoho_connection
        self.plan = plan_for(
            self.workspace,
            filter_field=connection.filter_field,
            filter_value=connection.filter_value,
        )
        self.contacts = {
            c.email: c
            for c in Contact.objects.for_workspace(self.workspace).select_related("sync_state")
        }
        self.rules = {m: {r.key: r for r in self.plan.modules[m].rules} for m in (LEADS, CONTACTS)}
        self.pairs = {
            m: {p.plezi_key: p for p in [*self.plan.modules[m].pull, *self.plan.modules[m].push]}
            for m in (LEADS, CONTACTS)
        }
        self.issues: dict[tuple[int, int], list[SyncIssue]] = defaultdict(list)
        self.ever_failed: set[int] = set()
        rows = SyncIssue.objects.for_workspace(self.workspace).filter(contact__isnull=False)
        kept = ("run_id", "contact_id", "kind", "direction", "field", "code", "message")
        for issue in rows.only(*kept):
            self.issues[(issue.run_id, issue.contact_id)].append(issue)
            if issue.kind == SyncIssue.Kind.ERROR:
                self.ever_failed.add(issue.contact_id)

    def run(self) -> None:
        self.findings.contacts += len(self.contacts)
        for contact in self.contacts.values():
            self._contact(contact)
        self._emails()
        self._edits()

    # ---- one Plezi contact ------------------------------------------------------------------
    def _contact(self, contact: Contact) -> None:
        state = getattr(contact, "sync_state", None)
        where = f"{self.tenant.slug} {contact.email}"
        if OUT_OF_SCOPE in contact.email:
            self.findings.scope_leaks.append(f"{where}: a lead of no workspace was pulled")
            return
        if state is None:
            self.findings.unexplained.append(f"{where}: never considered by a sync")
            return
        failures = [
            i for i in self.issues.get((state.last_run_id, contact.pk), []) if i.kind in FAILED
        ]
        for issue in failures:
            self.findings.visible_failures[f"{issue.kind} {issue.code}"] += 1
        if state.zoho_module == LEADS:
            record = self.zoho.leads.get(state.zoho_id)
            problems = self._compare(contact, record, LEADS, state)
        elif state.zoho_module == CONTACTS:
            record = self.zoho.contacts.get(state.zoho_id)
            problems = self._compare(contact, record, CONTACTS, state)
        else:
            problems = {"": "not linked to any Zoho record"}
        if not problems:
            self.findings.converged += 1
            if contact.pk in self.ever_failed:
                self.findings.retried_to_success += 1
        elif _explained(failures, problems):
            return  # not in sync, but the contact's last run says why: visible
        elif state.zoho_module:
            self.findings.mismatches.append(f"{where}: {'; '.join(problems.values())}")
        else:
            self.findings.lost.append(f"{where}: not in Zoho, and no issue says why")

    def _compare(self, contact: Contact, record: dict | None, module: str, state) -> dict:
        """Mapped fields that differ, by key. Both ways, the sides must be equal; a field
        synced one way only may differ (a rep's later edit of a pushed field, Plezi's of a
        pulled one): each side's value is then judged by the edits check, never excused
        by the product's own record of what was agreed."""
        if record is None:
            return {"": f"its Zoho {module} record {state.zoho_id} does not exist"}
        problems = {}
        for key, rule in self.rules[module].items():
            mine, theirs = plain(contact.value(key)), _zoho_value(self.pairs[module][key], record)
            if mine == theirs:
                continue
            if not (rule.pull and rule.push) and self._written(contact.email, key):
                continue
            problems[key] = f"{key}: Plezi {mine!r} ≠ Zoho {theirs!r}"
        url_field = self.plan.plezi_url_field
        if module == LEADS and url_field and record.get(url_field) != contact.plezi_url:
            problems["plezi_url"] = f"plezi_url: Zoho {record.get(url_field)!r}"
        return problems

    def _written(self, email: str, key: str) -> bool:
        return (self.tenant.slug, email, key) in self.ledger.writes

    # ---- the ledger's emails -------------------------------------------------------------------
    def _emails(self) -> None:
        slug = self.tenant.slug
        for email, origin in list(self.ledger.emails[slug].items()):
            if email not in self.contacts:
                self.findings.lost.append(f"{slug} {email} ({origin}): missing in Plezi")
        for email, records in self.zoho.leads_by_email.items():
            in_scope = [r for r in records if r.get(FILTER_FIELD) == slug]
            if in_scope and email not in self.contacts:
                self.findings.lost.append(f"{slug} {email}: a Zoho lead never reached Plezi")

    def _edits(self) -> None:
        """A field's final value on each side is one the sync's rule may choose from the
        writes that can reach that side (soak/edits.py), judged by the ledger alone."""
        slug = self.tenant.slug
        pulled = {m: {k for k, r in self.rules[m].items() if r.pull} for m in (LEADS, CONTACTS)}
        pushed = {k for k, r in self.rules[LEADS].items() if r.push}
        for (ws, email, key), writes in list(self.ledger.writes.items()):
            contact = self.contacts.get(email) if ws == slug else None
            if contact is None:
                continue
            state = getattr(contact, "sync_state", None)
            converted = email in self.ledger.converted[slug] or (
                state and state.zoho_module == CONTACTS
            )
            if converted and key not in pulled[CONTACTS]:
                continue  # what Plezi holds depends on whether a pull saw the lead in time
            plezi = [w for w in writes if w.side == PLEZI]
            apis = {p.zoho_api_name for m in (LEADS, CONTACTS) if (p := self.pairs[m].get(key))}
            zoho = [
                w
                for w in writes
                if w.side == ZOHO and not self.zoho.changed_nothing(email, apis, w)
            ]
            touched = self.ledger.touched.get((slug, email), ())
            incoming = key in pulled[CONTACTS if converted else LEADS]
            unseen = self._overwritten_unseen(state, key, zoho, converted)
            reaching = plezi + (zoho if incoming else [])
            mine = plain(contact.value(key))
            self._judge(email, key, "Plezi", mine, reaching, touched, unseen)
            if converted or not state or state.zoho_module != LEADS:
                continue  # a Zoho Contact takes no writes from Plezi: nothing to compare
            record, pair = self.zoho.leads.get(state.zoho_id), self.pairs[LEADS].get(key)
            if record and pair:
                reaching = zoho + (plezi if key in pushed else [])
                theirs = _zoho_value(pair, record)
                self._judge(email, key, "Zoho", theirs, reaching, touched, unseen)

    def _overwritten_unseen(self, state, key: str, zoho: list[Write], converted) -> list[Write]:
        """The rep's writes of `key` the product may have overwritten without seeing them."""
        pair = self.pairs[LEADS].get(key)
        if converted or not state or state.zoho_module != LEADS or pair is None:
            return []
        lead_id, api_name = state.zoho_id, pair.zoho_api_name
        return [w for w in zoho if self.zoho.overwritten_unseen(lead_id, api_name, w)]

    def _judge(self, email, key, side, value, reaching: list[Write], touched, unseen) -> None:
        allowed = could_end_with(reaching, touched, key=key)
        if unseen and value not in allowed:
            rest = [w for w in reaching if w not in unseen]
            if value in could_end_with(rest, touched, key=key):
                self.findings.overwritten_unseen.append(f"{self.tenant.slug} {email} {key}")
                return
        if allowed and value not in allowed:
            could = ", ".join(sorted(repr(v) for v in allowed))
            every = ", ".join(f"{w.side} {w.value!r} {w.start:.2f}-{w.end:.2f}" for w in reaching)
            self.findings.lost_edits.append(
                f"{self.tenant.slug} {email} {key}: {side} holds {value!r}, but the writes "
                f"that could be last were {could}; the writes that reach it: {every}"
            )


def _explained(failures: list[SyncIssue], problems: dict) -> bool:
    """Whether the last run's failures account for every difference: a record Zoho refused
    or that was skipped explains them all; a field Plezi could not take, only its own."""
    if any(i.kind == SyncIssue.Kind.SKIPPED or i.direction == TO_ZOHO for i in failures):
        return True
    return bool(failures) and set(problems) <= {i.field for i in failures}


def _zoho_value(pair, record: dict):
    try:
        return plain(to_plezi(pair, record.get(pair.zoho_api_name)))
    except ValueProblem:
        return ("unreadable", record.get(pair.zoho_api_name))


# ---- runs ---------------------------------------------------------------------------------
INTERRUPTED = "The worker stopped"


@dataclass
class RunFindings:
    total: int = 0
    by_status: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    running: list[str] = field(default_factory=list)
    overlaps: list[str] = field(default_factory=list)
    interrupted: int = 0
    stale_seconds: float = 0.0  # longest a dead run showed "running" before it was closed


def check_runs(tenants: list[Tenant]) -> RunFindings:
    found = RunFindings()
    for tenant in tenants:
        runs = list(
            SyncRun.objects.filter(workspace_id=tenant.workspace_id, dry_run=False).order_by(
                "started_at", "id"
            )
        )
        found.total += len(runs)
        for run in runs:
            found.by_status[run.status] += 1
            if run.status == SyncRun.Status.RUNNING:
                found.running.append(f"{tenant.slug} run {run.pk} started {run.started_at}")
            elif run.error.startswith(INTERRUPTED):
                found.interrupted += 1
                stale = (run.ended_at - run.heartbeat_at).total_seconds()
                found.stale_seconds = max(found.stale_seconds, stale)
            elif run.error:
                found.errors[run.error[:140]] += 1
        found.overlaps += [f"{tenant.slug}: {line}" for line in run_overlaps(runs)]
    return found


def run_overlaps(runs: list[SyncRun]) -> list[str]:
    """Two runs of one workspace at once, `runs` in start order. A fast-lane run may
    overlap only the run it was served `within`, and only inside that run's time."""
    by_pk = {run.pk: run for run in runs}
    found = []
    outer = [run for run in runs if run.within_id is None]
    for before, after in zip(outer, outer[1:], strict=False):
        if before.ended_at and after.started_at < before.ended_at:
            found.append(_overlap(after, before))
    for run in runs:
        host = by_pk.get(run.within_id)
        if host and not _inside(run, host):
            found.append(_overlap(run, host))
    return found


def _inside(run: SyncRun, host: SyncRun) -> bool:
    return host.started_at <= run.started_at and (
        host.ended_at is None or (run.ended_at is not None and run.ended_at <= host.ended_at)
    )


def _overlap(run: SyncRun, other: SyncRun) -> str:
    until = f"{other.ended_at:%H:%M:%S.%f}" if other.ended_at else "now"
    return (
        f"run {run.pk} started {run.started_at:%H:%M:%S.%f} while run {other.pk} "
        f"({other.status}) ran until {until}"
    )


# ---- kill trials and the burst ------------------------------------------------------------
@dataclass
class TrialResult:
    trial: object
    interrupted: list[int] = field(default_factory=list)
    recovered: bool = True
    recovery_seconds: float = 0.0


def check_trials(trials: list, tenants: list[Tenant]) -> tuple[list[TrialResult], list[str]]:
    """Each run a kill interrupted: the next run of its workspace must complete.

    Returns the trials' results, and the interrupted runs no kill explains.
    """
    runs = list(
        SyncRun.objects.filter(
            workspace_id__in=[t.workspace_id for t in tenants], dry_run=False
        ).order_by("started_at", "id")
    )
    results = [TrialResult(trial) for trial in trials]
    unexplained = []
    for run in runs:
        if not run.error.startswith(INTERRUPTED):
            continue
        result = _trial_of(run, results)
        if result is None:
            unexplained.append(f"run {run.pk} of workspace {run.workspace_id}: no kill explains it")
            continue
        result.interrupted.append(run.pk)
        following = _next_run(runs, run)
        if following is None or following.status not in COMPLETED:
            result.recovered = False
        else:
            seconds = following.ended_at.timestamp() - result.trial.at
            result.recovery_seconds = max(result.recovery_seconds, seconds)
    return results, unexplained


COMPLETED = (SyncRun.Status.SUCCESS, SyncRun.Status.PARTIAL)


def _next_run(runs: list[SyncRun], dead: SyncRun) -> SyncRun | None:
    """The first run of the workspace after `dead` that was not itself interrupted."""
    return next(
        (
            r
            for r in runs
            if r.workspace_id == dead.workspace_id
            and r.started_at >= dead.ended_at
            and not r.error.startswith(INTERRUPTED)
        ),
        None,
    )


def _trial_of(run: SyncRun, results: list[TrialResult]) -> TrialResult | None:
    """The last kill between the run's start and its close."""
    start, end = run.started_at.timestamp() - 1, run.ended_at.timestamp()
    candidates = [r for r in results if start <= r.trial.at <= end]
    return max(candidates, key=lambda r: r.trial.at) if candidates else None


def check_burst(burst: dict | None, tenants: list[Tenant], zoho: Zoho, end: float):
    """Every trigger at once: one run at a time (the overlap check), the follow-ups
    coalesced (fewer runs than triggers), and nothing dropped: a run that started after
    the burst completed, and the visitors' leads reached Zoho before the workload ended."""
    if not burst:
        return None
    from datetime import UTC, datetime, timedelta

    workspace_id = next(t.workspace_id for t in tenants if t.slug == burst["slug"])
    since = datetime.fromtimestamp(burst["at"], tz=UTC)
    runs = SyncRun.objects.filter(
        workspace_id=workspace_id, started_at__range=(since, since + timedelta(seconds=30))
    )
    in_time = [
        email
        for email in burst["emails"]
        if any(
            datetime.fromisoformat(r["Created_Time"]).timestamp() < end
            for r in zoho.leads_by_email.get(email, [])
        )
    ]
    return {
        **burst,
        "runs": runs.count(),
        "completed": runs.filter(status__in=COMPLETED).count(),
        "pushed_in_time": len(in_time),
    }


# ---- form submissions to Zoho ---------------------------------------------------------------
@dataclass
class FormFindings:
    measured: int = 0
    never_written: int = 0  # refused (no last name) or converted: judged by the other checks
    latencies: list[float] = field(default_factory=list)
    near_kill: int = 0
    late: list[str] = field(default_factory=list)


def check_forms(submissions, writes: list[dict], trials, *, lease: float, recover: float):
    """Each accepted submission's time to the product's first write of its lead, from the
    sandbox's own write log. Within `lease + recover` of a kill a sync may wait for the
    dead run's lease; elsewhere it must be quick. A trigger lost shows as a lead written
    only by the final sync, long after."""
    found = FormFindings()
    by_email = defaultdict(list)
    for write in writes:
        if write["by"] == "api" and write["op"] in ("create", "update"):
            by_email[write["email"]].append(write["at"])
    kills = sorted(t.at for t in trials)
    near = lease + recover
    for sub in submissions:
        reached = next((at for at in sorted(by_email[sub.email]) if at >= sub.sent), None)
        if reached is None:
            found.never_written += 1
            continue
        found.measured += 1
        seconds = max(0.0, reached - sub.answered)
        found.latencies.append(seconds)
        killed = any(sub.sent - near <= k <= reached for k in kills)
        found.near_kill += killed
        limit = near + FORM_SLACK if killed else FORM_LIMIT
        if seconds > limit:
            found.late.append(
                f"{sub.slug} {sub.email}: in Zoho {seconds:.1f} s after the visitor's answer "
                f"(limit {limit:.0f} s{', a kill in between' if killed else ''})"
            )
    return found


# A submission's lead in Zoho within this many seconds (the fast lane, faults retried), or,
# around a kill, within the dead run's lease and the recovery delay plus this slack.
FORM_LIMIT = 20.0
FORM_SLACK = 30.0
