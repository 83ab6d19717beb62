"""Watermarks: per module, the newest Zoho change pulled, where the next pull starts.

A watermark moves only once its whole module was pulled and committed (a crash
re-pulls from the old one); `<module>.seen` says when it last moved.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Workspace
from integration.models import SyncWatermark
from integration.sync.context import Run

# Zoho's If-Modified-Since has one-second resolution: re-read a little overlap.
OVERLAP = timedelta(seconds=2)

# Past this long after the watermark was seen, Zoho's clock is surely beyond it.
SETTLED_AFTER = timedelta(seconds=5)


def seen_key(key: str) -> str:
    return f"{key}.seen"


def watermark_move(run: Run, key: str, newest: datetime | None) -> None:
    if newest and newest != run.watermarks.get(key) and not run.dry_run:
        marks = {key: newest, seen_key(key): timezone.now()}
        SyncWatermark.objects.bulk_create(
            [
                SyncWatermark(workspace=run.workspace, module=k, modified_since=v)
                for k, v in marks.items()
            ],
            update_conflicts=True,
            unique_fields=["workspace", "module"],
            update_fields=["modified_since"],
        )
        run.watermarks.update(marks)


def watermarks_of(workspace: Workspace) -> dict[str, datetime]:
    """Per module: its watermark, and (`<module>.seen`) when we last saw it move."""
    return dict(
        SyncWatermark.objects.for_workspace(workspace).values_list("module", "modified_since")
    )
