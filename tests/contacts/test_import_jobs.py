"""CSV imports as background jobs: a big file waits for a worker and its page follows it;
a worker killed mid-way is replaced and the import resumes after its last written line,
no line imported twice; a worker thought dead writes nothing more once replaced."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts import imports, services
from contacts.imports import import_start, imports_recover
from contacts.models import Contact, ContactImport


class WorkerKilled(BaseException):
    """What a kill -9 does to the import: nothing after it runs (not even `except`)."""


def csv_file(rows: int, *, repeat: tuple[int, int] | None = None) -> bytes:
    """`rows` contacts; `repeat=(n, m)`: row n repeats row m's email (refused)."""
    lines = ["email,first_name,last_name"]
    for n in range(1, rows + 1):
        email = f"c{repeat[1]}@example.com" if repeat and n == repeat[0] else f"c{n}@example.com"
        lines.append(f"{email},First{n},Last{n}")
    return ("\n".join(lines) + "\n").encode()


def stale(job: ContactImport) -> None:
    """Time passes: the job's worker has given no sign of life for longer than allowed."""
    ContactImport.objects.filter(pk=job.pk).update(
        beat_at=timezone.now() - imports.STALE_AFTER - timedelta(seconds=1)
    )


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 10)


def test_a_big_file_waits_for_a_worker_and_its_page_follows_it(
    owner_client, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "INLINE_MAX_BYTES", 100)
    upload = SimpleUploadedFile("big.csv", csv_file(50), content_type="text/csv")

    with django_capture_on_commit_callbacks() as wake_ups:
        response = owner_client.post(
            reverse("contacts:import", args=[workspace.slug]), {"file": upload}, follow=True
        )

    page = response.content.decode()
    assert "Waiting for a worker…" in page and 'hx-trigger="every 1s"' in page
    assert not Contact.objects.exists()
    [job] = ContactImport.objects.all()
    assert job.lines == 51

    [wake_up] = wake_ups
    wake_up()  # the broker hands the task to a worker (inline in tests)

    report = owner_client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    content = report.content.decode()
    assert "Import finished" in content and "hx-trigger" not in content
    assert "<code>created=50 updated=0 unchanged=0 failed=0</code>" in content
    assert Contact.objects.count() == 50
    job.refresh_from_db()
    assert job.data == b"" and job.finished_at  # the file is not kept


def test_a_killed_worker_is_replaced_and_no_line_is_imported_twice(
    workspace, owner, small_chunks, monkeypatch
):
    """45 rows in chunks of 10; the worker dies writing the third chunk. Row 40 repeats
    row 5's email: the resumed import still refuses it, naming line 6."""
    write = services.ContactsUpsert.write
    calls = []

    def dies_on_the_third_chunk(self, chunk):
        calls.append(chunk[0][0])
        if len(calls) == 3:
            raise WorkerKilled
        write(self, chunk)

    monkeypatch.setattr(services.ContactsUpsert, "write", dies_on_the_third_chunk)
    monkeypatch.setattr(imports, "INLINE_MAX_BYTES", 10**9)  # run in the "request"
    data = csv_file(45, repeat=(40, 5))
    with pytest.raises(WorkerKilled):
        import_start(workspace=workspace, user=owner, file=SimpleUploadedFile("c.csv", data))

    job = ContactImport.objects.get()
    assert (job.status, job.line_reached, job.created) == ("running", 21, 20)
    assert Contact.objects.count() == 20  # the third chunk died with its transaction

    assert imports_recover() == 0  # its worker might still be alive: not yet
    stale(job)
    monkeypatch.setattr(services.ContactsUpsert, "write", write)
    assert imports_recover() == 1  # a worker takes it over (inline in tests)

    job.refresh_from_db()
    assert job.status == "done" and job.summary() == ("created=44 updated=0 unchanged=0 failed=1")
    assert job.errors == [
        [
            41,
            "c5@example.com is already on line 6 (emails are compared ignoring case), so "
            "this line was not imported: merge the two lines and import the file again.",
        ]
    ]
    assert Contact.objects.count() == 44
    assert calls == [2, 12, 22]  # the replacement wrote only from line 22 on (unpatched)


def test_a_worker_thought_dead_writes_nothing_once_replaced(
    workspace, owner, small_chunks, monkeypatch
):
    def taken_over_after_the_first_chunk(rows, size):
        for n, chunk in enumerate(services.chunks(rows, size)):
            if n == 1:  # meanwhile another worker took the job over
                ContactImport.objects.update(holder="another worker")
            yield chunk

    monkeypatch.setattr(imports, "chunks", taken_over_after_the_first_chunk)
    import_start(workspace=workspace, user=owner, file=SimpleUploadedFile("c.csv", csv_file(30)))

    job = ContactImport.objects.get()
    assert (job.status, job.holder, job.line_reached) == ("running", "another worker", 11)
    assert Contact.objects.count() == 10  # the second chunk rolled back with its progress


def test_a_running_import_is_not_taken_from_a_live_worker(workspace):
    job = ContactImport.objects.create(
        workspace=workspace,
        filename="c.csv",
        data=csv_file(3),
        lines=4,
        status="running",
        holder="alive",
        beat_at=timezone.now(),
    )

    imports.import_run(import_id=job.pk)  # a duplicate wake-up

    job.refresh_from_db()
    assert (job.holder, job.line_reached) == ("alive", 0)
    assert not Contact.objects.exists()
