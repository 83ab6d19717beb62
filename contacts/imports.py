"""CSV imports as background jobs: started by the upload page, run by a worker, resumed
after a crash from the last line they wrote.

A small file is imported while the marketer waits (the same job, run in the request);
a bigger one by a worker, the page showing its progress. Either way the job is a row:
if its worker dies, recovery (`imports_recover`) hands it to another one.
"""

import io
import logging
from datetime import timedelta
from uuid import uuid4

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import Workspace
from contacts.csv_io import CsvRefused, CsvRows, csv_check
from contacts.models import ContactImport
from contacts.selectors import fields_by_key
from contacts.services import CHUNK_SIZE, ContactsUpsert, UpsertReport, chunks

TASK = "contacts.imports.import_run"
# Files up to this size are imported in the request (a few seconds at most).
INLINE_MAX_BYTES = 1024 * 1024
# A queued import no worker started is woken again after this long; a running one whose
# worker gave no sign of life for STALE_AFTER is resumed by another worker.
WAKE_AGAIN_AFTER = timedelta(seconds=10)
STALE_AFTER = timedelta(seconds=30)
# The report keeps the first refused lines; the count covers them all.
ERRORS_KEPT = 1000

logger = logging.getLogger(__name__)


class _Lost(Exception):
    """Another worker took the import over (this one was thought dead): stop writing."""


def import_start(*, workspace: Workspace, user, file) -> ContactImport:
    """Store an uploaded CSV file as an import, and start it.

    Raises CsvRefused, storing nothing, when the file cannot be imported at all.
    """
    unknown = csv_check(workspace=workspace, file=file)
    data = file.read()
    job = ContactImport.objects.create(
        workspace=workspace,
        created_by=user,
        filename=(getattr(file, "name", "") or "contacts.csv")[:255],
        data=data,
        lines=data.count(b"\n") + (0 if data.endswith(b"\n") else 1),
        unknown_columns=unknown,
        beat_at=timezone.now(),
    )
    if len(data) <= INLINE_MAX_BYTES:
        import_run(import_id=job.pk)
    else:
        transaction.on_commit(lambda: import_wake(import_id=job.pk))
    return job


def import_wake(*, import_id: int) -> None:
    """Only a wake-up: if it is lost, `imports_recover` wakes a worker again."""
    try:
        async_task(TASK, import_id=import_id, task_name=f"import {import_id}")
    except Exception:
        logger.warning("No worker woken for import %s: recovery will", import_id)


def imports_recover() -> int:
    """Wake a worker for every import no live worker is running; returns how many."""
    now = timezone.now()
    due = ContactImport.objects.filter(
        Q(status=ContactImport.Status.QUEUED, beat_at__lt=now - WAKE_AGAIN_AFTER)
        | Q(status=ContactImport.Status.RUNNING, beat_at__lt=now - STALE_AFTER)
    )
    ids = list(due.values_list("pk", flat=True))
    # A queued import is woken again only once WAKE_AGAIN_AFTER has passed once more.
    ContactImport.objects.filter(pk__in=ids, status=ContactImport.Status.QUEUED).update(beat_at=now)
    for import_id in ids:
        import_wake(import_id=import_id)
    return len(ids)


def import_run(*, import_id: int) -> None:
    """Run (or resume) an import, unless a live worker runs it already."""
    holder = uuid4().hex
    if not _claim(import_id, holder):
        return
    job = ContactImport.objects.select_related("workspace").get(pk=import_id)
    try:
        _import(job, holder)
    except _Lost:
        logger.warning("Import %s was taken over by another worker", import_id)
    except CsvRefused as refused:
        _finish(job, holder, status=ContactImport.Status.FAILED, message=str(refused))
    except Exception:
        logger.exception("Import %s stopped", import_id)
        _finish(
            job,
            holder,
            status=ContactImport.Status.FAILED,
            message=(
                f"The import stopped on an unexpected error after line {job.line_reached}. "
                "Import the file again: the lines already imported are updated, not "
                "duplicated."
            ),
        )


def _claim(import_id: int, holder: str) -> bool:
    now = timezone.now()
    return bool(
        ContactImport.objects.filter(pk=import_id)
        .filter(
            Q(status=ContactImport.Status.QUEUED)
            | Q(status=ContactImport.Status.RUNNING, beat_at__lt=now - STALE_AFTER)
        )
        .update(status=ContactImport.Status.RUNNING, holder=holder, beat_at=now)
    )


def _import(job: ContactImport, holder: str) -> None:
    rows = CsvRows(io.BytesIO(bytes(job.data)), fields_by_key(job.workspace))
    report = UpsertReport(created=job.created, updated=job.updated, unchanged=job.unchanged)
    upsert = ContactsUpsert(workspace=job.workspace, report=report)
    resume_after = job.line_reached
    for chunk in chunks(rows, CHUNK_SIZE):
        last_line = chunk[-1][0]
        if last_line <= resume_after:  # written before a crash: only its emails count
            upsert.replay(chunk)
            rows.errors.clear()
            _save(job, holder)
            continue
        with transaction.atomic():
            upsert.write(chunk)
            _save(job, holder, line_reached=last_line, report=report, rows=rows)
    _finish(job, holder, status=ContactImport.Status.DONE, report=report, rows=rows)


def _save(
    job: ContactImport,
    holder: str,
    *,
    line_reached: int | None = None,
    report: UpsertReport | None = None,
    rows: CsvRows | None = None,
    **fields,
) -> None:
    """Commit the progress with the chunk it describes, if this worker still holds the job."""
    if report is not None:
        refused = sorted(report.errors + rows.errors)
        report.errors.clear()
        rows.errors.clear()
        job.failed += len(refused)
        job.errors = (job.errors + [list(error) for error in refused])[:ERRORS_KEPT]
        job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
        fields.update(
            created=job.created,
            updated=job.updated,
            unchanged=job.unchanged,
            failed=job.failed,
            errors=job.errors,
        )
    if line_reached is not None:
        job.line_reached = fields["line_reached"] = line_reached
    saved = ContactImport.objects.filter(pk=job.pk, holder=holder).update(
        beat_at=timezone.now(), **fields
    )
    if not saved:
        raise _Lost


def _finish(job: ContactImport, holder: str, *, status: str, message: str = "", **progress):
    try:
        _save(
            job,
            holder,
            **progress,
            status=status,
            message=message,
            data=b"",  # the file is not kept once imported
            finished_at=timezone.now(),
        )
    except _Lost:
        logger.warning("Import %s was taken over by another worker", job.pk)
