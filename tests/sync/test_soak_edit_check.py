"""The soak's "edits lost" check judges by the ledger (what was written), not by the product."""

from contacts.models import Contact
from soak.ledger import PLEZI, Ledger
from soak.verify import Zoho, check
from soak.world import Tenant
from tests.sync.conftest import add_contacts, sync


def _findings(zoho, workspace, ledger):
    tenant = Tenant(workspace.slug, workspace.pk, "", "", "")
    return check([tenant], ledger, Zoho(zoho.records("Leads"), zoho.records("Contacts")))


def test_a_plezi_edit_overwritten_by_an_older_value_is_reported(connected, zoho, workspace):
    add_contacts(workspace, {"email": "ann@soak.test", "last_name": "Old"})
    sync(workspace)
    ledger = Ledger(seed=1)
    ledger.plezi_wrote(workspace.slug, "ann@soak.test", {"last_name": "New"}, origin=PLEZI)

    lost = _findings(zoho, workspace, ledger).lost_edits

    assert [line.split(":")[1] for line in lost] == [
        " Plezi holds 'Old', but the last writes were",
        " Zoho holds 'Old', but the last writes were",
    ]
    ann = Contact.objects.for_workspace(workspace).get(email="ann@soak.test")
    ann.last_name = "New"
    ann.save()  # the edit as Plezi makes it, still to be pushed
    assert _findings(zoho, workspace, ledger).lost_edits == [
        f"{workspace.slug} ann@soak.test last_name: Zoho holds 'Old', but the last writes were: "
        "plezi wrote 'New'"
    ]
    sync(workspace)
    assert _findings(zoho, workspace, ledger).lost_edits == []
