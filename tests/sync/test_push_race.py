"""An edit that commits while a push reads its wave is never taken for sent.

Plezi's writers stamp a contact under its row lock; the push reads each wave under the
same locks. Two real transactions in two threads on PostgreSQL (SQLite has no row
locks: there, writers and the push are serialised by the database file instead).
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from contacts.models import Contact
from contacts.services import contact_update
from integration.sync import pull
from integration.sync.push import pending_contacts
from tests.sync.conftest import add_contacts, by_email, sync

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_committing_during_the_push_s_read_is_sent_or_stays_pending(
    connected, zoho, workspace, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (CI's second pass)")
    monkeypatch.setattr(pull, "SETTLED_AFTER", timedelta(0))  # Zoho's clock is advanced
    add_contacts(workspace, {"email": "ann@plezi.test", "last_name": "Ames", "city": "Paris"})
    for _ in range(3):  # the lead created, its echo read, the watermark settled past it
        sync(workspace)
        zoho.advance_clock(60)
    ann = contact_update(
        contact=Contact.objects.get(email="ann@plezi.test"), values={"company": "Acme"}
    )
    stamped, release = threading.Event(), threading.Event()

    def marketer_saves_slowly():
        with transaction.atomic():  # stamped now, committed only once released
            contact_update(contact=ann, values={"city": "Lyon"})
            stamped.set()
            release.wait(10)
        connection.close()

    runs = []

    def sync_meanwhile():
        runs.append(sync(workspace))
        connection.close()

    editor = threading.Thread(target=marketer_saves_slowly)
    editor.start()
    stamped.wait(10)
    pusher = threading.Thread(target=sync_meanwhile)
    pusher.start()
    pusher.join(1.0)  # the push reaches the locked row and waits there
    release.set()
    editor.join(10)
    pusher.join(30)

    assert runs[0].pulled == 0  # no page read locks the row: the push's read alone
    lead = by_email(zoho.records("Leads"))["ann@plezi.test"]
    assert lead["Company"] == "Acme"  # the wave was pending for an earlier edit
    sent = lead["City"] == "Lyon"
    pending = pending_contacts(workspace).filter(email="ann@plezi.test").exists()
    assert sent or pending
