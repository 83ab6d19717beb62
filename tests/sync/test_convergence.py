"""Property: whatever edits and faults, once faults stop one more run converges.

Random edits on both sides, random Zoho faults, repeated syncs; then a clean
run must leave every mapped field equal on both sides (per direction), no
email twice among the leads, and no contact lost.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact
from integration.models import SyncRun, SyncState, SyncWatermark
from tests.sync.conftest import add_contacts, by_email, sync

EMAILS = [f"p{i}@conv.test" for i in range(4)]
COMPANIES = ["Acme", "Globex", "Initech", None]

plezi_edit = st.tuples(st.just("plezi"), st.sampled_from(EMAILS), st.sampled_from(COMPANIES))
zoho_edit = st.tuples(st.just("zoho"), st.sampled_from(EMAILS), st.sampled_from(COMPANIES))
fault = st.tuples(st.just("fault"), st.sampled_from([429, 500, 503]), st.integers(1, 3))
sync_step = st.tuples(st.just("sync"), st.none(), st.none())
steps = st.lists(st.one_of(plezi_edit, zoho_edit, fault, sync_step), min_size=1, max_size=8)


def _apply(step, workspace, zoho):
    kind, target, value = step
    if kind == "plezi":
        contact = Contact.objects.for_workspace(workspace).get(email=target)
        contact.company = value or ""
        contact.save()
    elif kind == "zoho":
        lead = by_email(zoho.records("Leads")).get(target)
        if lead:
            zoho.advance_clock(5)
            zoho.update_record("Leads", lead["id"], {"Company": value})
    elif kind == "fault":
        zoho.add_fault(path="/crm/v8/", method="*", times=value, kind="error", status=target)
    else:
        sync(workspace)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_edits_and_faults_then_one_clean_run_converge(connected, zoho, workspace, steps):
    zoho.clear_faults()
    zoho.reset()
    _fresh(workspace, zoho)
    add_contacts(workspace, *[{"email": e, "last_name": "L", "company": "Start"} for e in EMAILS])
    sync(workspace)

    for step in steps:
        _apply(step, workspace, zoho)
    zoho.clear_faults()
    final = sync(workspace)

    assert final.status == SyncRun.Status.SUCCESS, final.error
    leads = zoho.records("Leads")
    emails = [lead["Email"] for lead in leads]
    assert sorted(emails) == sorted(set(emails)), "a lead was created twice"
    assert set(Contact.objects.for_workspace(workspace).values_list("email", flat=True)) == set(
        EMAILS
    )
    for email, lead in by_email(leads).items():
        contact = Contact.objects.for_workspace(workspace).get(email=email)
        assert (contact.company or None) == lead.get("Company"), email


def _fresh(workspace, zoho):
    """Each example starts from empty sides, connected again to the reset sandbox."""
    from tests.sync.conftest import connect

    Contact.objects.for_workspace(workspace).delete()
    SyncState.objects.for_workspace(workspace).delete()
    SyncRun.objects.for_workspace(workspace).delete()
    SyncWatermark.objects.for_workspace(workspace).delete()
    for api_name in ("plezi_url", "score", "status"):
        zoho.add_field("Leads", api_name, api_name, "text", length=255)
    connect(zoho, workspace)
