import sys

from django.core.management.base import BaseCommand

from accounts.management.workspaces import workspace_named
from integration.models import SyncRun
from integration.sync.runner import sync_run

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Synchronise a workspace with Zoho CRM now, showing progress; exit 1 if the run failed."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--full", action="store_true", help="ignore watermarks: resync all")
        parser.add_argument("--dry-run", action="store_true", help="show changes, write nothing")

    def handle(self, slug, full, dry_run, **options):
        workspace = workspace_named(slug)
        run = sync_run(
            workspace_id=workspace.pk,
            trigger=SyncRun.Trigger.COMMAND,
            full=full,
            dry_run=dry_run,
            on_progress=self._draw if sys.stdout.isatty() else None,
        )
        if run is None:
            self.stdout.write("A run is in progress for this workspace; one more run was queued.")
            return
        if sys.stdout.isatty():
            self.stdout.write("")
        if run.error:
            self.stderr.write(run.error)
        if dry_run:
            for change in run.preview:
                self.stdout.write(
                    f"would {change['action']} in {change['side']}: {change['email']}"
                )
        self.stdout.write(run.summary())
        if run.status == SyncRun.Status.FAILED:
            raise SystemExit(1)

    def _draw(self, run: SyncRun) -> None:
        filled = BAR_WIDTH * run.progress_percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        counts = f"{run.done}/{run.total}" if run.total else ""
        self.stdout.write(
            f"\r[{bar}] {run.progress_percent:3d}% {run.phase} {counts}    ", ending=""
        )
        self.stdout.flush()
