"""The soak's figures, and the verdict: 0 when every check passed, 1 otherwise."""

from soak.verify import SHOWN


def print_figures(figures: dict, options) -> int:
    lines, failures = [], []

    def line(text: str = "") -> None:
        lines.append(text)

    def must_be_empty(name: str, items: list) -> None:
        line(f"{name}: {len(items)}")
        for item in items[:SHOWN]:
            line(f"    {item}")
        if len(items) > SHOWN:
            line(f"    … and {len(items) - SHOWN} more")
        if items:
            failures.append(name)

    ledger, stage, findings, runs = (
        figures["ledger"],
        figures["stage"],
        figures["findings"],
        figures["runs"],
    )
    stats = figures["zoho_stats"]
    trial_results, unexplained_kills = figures["trial_results"]
    line("== Soak figures ==")
    line(
        f"workload: {figures['workload_seconds']:.0f} s, {options.workspaces} workspaces, "
        f"seed {options.seed}; two qclusters on Redis, gunicorn, PostgreSQL"
        + ("; production timings" if options.production_timings else "")
    )
    line(f"operations: {ledger.tally.total()}  ({_counts(ledger.tally.done)})")
    if ledger.tally.refused:
        line(f"refused by Zoho (as expected for some): {_counts(ledger.tally.refused)}")
    must_be_empty("web requests answered with an error", stage.web_errors)
    must_be_empty("workload errors", stage.problems)
    fatal = sum(runs.errors.values())
    line(
        f"Zoho calls: {stats['total_calls']}; faults injected: {stats['faults_served']}; "
        f"faults survived: {stats['faults_served'] - fatal} "
        f"(injected minus the {fatal} runs a Zoho error ended; those are retried by the next run)"
    )
    _kills(line, must_be_empty, figures, trial_results, unexplained_kills)
    line(
        f"sync runs: {runs.total} ({_counts(runs.by_status)}); interrupted by kills: "
        f"{runs.interrupted}; longest a dead run showed 'running': {runs.stale_seconds:.0f} s"
    )
    for error, count in runs.errors.most_common(SHOWN):
        line(f"    {count} × {error}")
    must_be_empty("runs left running", runs.running)
    must_be_empty("overlapping runs in one workspace", runs.overlaps)
    _forms(line, must_be_empty, figures["forms"])
    _burst(line, must_be_empty, figures.get("burst_result"))
    must_be_empty("clusters that died by themselves", figures.get("clusters_died", []))
    line(
        f"convergence: {findings.contacts} Plezi contacts, {findings.leads} Zoho leads, "
        f"{findings.zoho_contacts} Zoho contacts; {findings.converged} contacts equal on both "
        f"sides; time to converge: {figures['converge_seconds']:.1f} s"
    )
    must_be_empty("fields not converged", findings.mismatches)
    must_be_empty("records lost (must be 0)", findings.lost)
    must_be_empty("duplicates (must be 0)", findings.duplicates)
    must_be_empty("records pulled outside the filter", findings.scope_leaks)
    must_be_empty(
        "edits lost (a field holds a value the sync's rule does not allow)", findings.lost_edits
    )
    line(
        f"rep edits overwritten by a write made from an earlier read (Zoho has no conditional "
        f"update; from the sandbox's read and write logs): {len(findings.overwritten_unseen)}"
    )
    for item in findings.overwritten_unseen[:SHOWN]:
        line(f"    {item}")
    line(
        f"failed records visible as issues: {sum(findings.visible_failures.values())} "
        f"({_counts(findings.visible_failures)}); failed once, then retried to success: "
        f"{findings.retried_to_success}"
    )
    must_be_empty("failures nobody can see", findings.unexplained)
    _secrets(line, must_be_empty, figures["secrets"])
    line(f"RESULT: {'FAIL (' + ', '.join(failures) + ')' if failures else 'PASS'}")
    print("\n".join(lines), flush=True)
    return 1 if failures else 0


def _counts(counter) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counter.items())) or "none"


def _kills(line, must_be_empty, figures, trial_results, unexplained) -> None:
    trials = figures["trials"]
    modes = {m: sum(1 for t in trials if t.mode == m) for m in ("worker", "cluster")}
    busy = sum(1 for t in trials if t.busy)
    interrupted = sum(len(r.interrupted) for r in trial_results)
    slowest = max((r.recovery_seconds for r in trial_results), default=0)
    line(
        f"kill -9 trials: {len(trials)} ({modes['worker']} single processes, "
        f"{modes['cluster']} whole clusters; {busy} while talking to Zoho); runs interrupted: "
        f"{interrupted}; worker restarts seen: {figures['reincarnations']}; slowest recovery "
        f"(kill to the next completed run): {slowest:.0f} s"
    )
    not_recovered = [
        f"kill at {r.trial.at:.0f} ({r.trial.mode} {r.trial.cluster}): runs {r.interrupted}"
        for r in trial_results
        if not r.recovered
    ]
    must_be_empty("kills after which the next run did not complete", not_recovered)
    must_be_empty("runs interrupted without a kill", unexplained)
    quiet = figures.get("quiet_trial")
    if quiet is None:
        return
    if quiet.served_after is not None:
        line(
            f"quiet trial in {quiet.slug}: run {quiet.killed_run} killed with both clusters; "
            f"one click after the restart was served in {quiet.served_after:.0f} s"
        )
        return
    must_be_empty(
        "clicks never served after a kill (quiet trial)",
        [
            f"{quiet.slug}: run {quiet.killed_run} killed with both clusters; one "
            f"“Synchronise now” click after the restart; after {quiet.waited:.0f} s no run had "
            f"started (the dead run's lease ran out long before), and run {quiet.killed_run} "
            f"still shows “{quiet.dead_run_status}”"
        ],
    )


def _burst(line, must_be_empty, burst: dict | None) -> None:
    if not burst:
        line("concurrent triggers: not run (the workload was too short)")
        return
    line(
        f"concurrent triggers in {burst['slug']}: {burst['triggers']} at once (6 form "
        f"submissions, 2 clicks, the schedule) → {burst['runs']} runs in the next 30 s "
        f"({burst['completed']} completed); visitors' leads in Zoho before the workload "
        f"ended: {burst['pushed_in_time']}/{len(burst['emails'])}"
    )
    dropped = []
    if not burst["completed"]:
        dropped.append("no run completed in the 30 s after the burst")
    if burst["pushed_in_time"] < len(burst["emails"]):
        dropped.append("a visitor's lead reached Zoho only with the last sync")
    must_be_empty("triggers dropped in the burst", dropped)


def _secrets(line, must_be_empty, scan) -> None:
    line(
        f"secrets looked for: {_counts(scan.secrets)}; in {len(scan.places)} places "
        f"({', '.join(scan.places)})"
    )
    leaks = [f"{leak.kind} in {leak.where}: …{leak.excerpt}…" for leak in scan.leaks]
    must_be_empty("secrets found in clear text", leaks)


def _forms(line, must_be_empty, forms) -> None:
    lat = sorted(forms.latencies)
    if lat:
        p50, p95 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        spread = f"p50 {p50:.1f} s, p95 {p95:.1f} s, max {lat[-1]:.1f} s"
    else:
        spread = "none measured"
    line(
        f"form submissions → their lead written in Zoho (the sandbox's write log): "
        f"{forms.measured} measured, {spread}; {forms.near_kill} with a kill in between; "
        f"{forms.never_written} never written (no last name, or converted)"
    )
    must_be_empty("form submissions late to Zoho", forms.late)
