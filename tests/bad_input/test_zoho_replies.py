"""Zoho replies that are not what Zoho promises, met by a real sync run against the sandbox.

The sandbox's fault injection serves the reply: an unreadable one (truncated
JSON, an HTML page), an error, or a custom body (no `data`, wrong types, a
page of 200 records with one broken record, a huge value). Each case checks
the run's status and error, its issue rows, and that nothing was written
wrongly: a run that stops writes nothing, a broken record costs only itself.
"""

import pytest
from django.urls import reverse

from contacts.models import Contact
from integration.models import SyncIssue, SyncRun, SyncState
from tests.bad_input.conftest import snapshot
from tests.sync.conftest import (
    SEED_FIELDS,
    add_contacts,
    connect,
    sync,
)

LEADS = "/crm/v8/Leads$"
UPSERT = "/crm/v8/Leads/upsert$"
UNEXPECTED = "An unexpected error stopped the run."
MESSAGE_BOUND = 1000  # an issue or run error is read by a person: never a whole reply


@pytest.fixture
def connected(zoho, workspace):
    """Acme connected to the sandbox, with the seed's custom fields (as tests/sync has it)."""
    for api_name, data_type in SEED_FIELDS:
        zoho.add_field("Leads", api_name, api_name, data_type, length=255)
    return connect(zoho, workspace)


def page_of(records: list, **info) -> dict:
    return {"data": records, "info": {"per_page": 200, "page": 1, "more_records": False, **info}}


def leads_in_zoho(zoho, count: int) -> list[dict]:
    """`count` real leads, as `GET /crm/v8/Leads` lists them (oldest change first)."""
    zoho.create_records(
        "Leads",
        [{"Email": f"lead{n}@zoho.test", "Last_Name": f"Lead {n}"} for n in range(count)],
    )
    return sorted(zoho.records("Leads"), key=lambda r: (r["Modified_Time"], r["id"]))


def issues_of(run: SyncRun) -> list[SyncIssue]:
    return list(SyncIssue.objects.filter(run=run))


# ---- a listing reply that cannot be used: the run stops, says why, writes nothing ---------
LISTING_CASES = [
    pytest.param(
        {"kind": "malformed", "times": 10},
        'Zoho answered 200 with malformed JSON instead of JSON: “{"data":[{"Owner"',
        id="truncated-json",
    ),
    pytest.param(
        {"kind": "html", "status": 200, "times": 10},
        "Zoho answered 200 with an HTML page instead of JSON: “Zoho Service temporarily "
        "unavailable Please try again after some time.”",
        id="html-page-200",
    ),
    pytest.param(
        {"kind": "html", "status": 502, "times": 10},
        "Zoho answered 502 with an HTML page instead of JSON",
        id="html-page-502",
    ),
    pytest.param(
        {"kind": "html", "status": 404, "body": "<html><body><h1>Not Found</h1></body></html>"},
        "Zoho answered 404 with an HTML page instead of JSON: “Not Found”",
        id="html-page-404",
    ),
    pytest.param(
        {"kind": "error", "status": 500, "body": "upstream connect error", "times": 10},
        "Zoho answered 500 with malformed JSON instead of JSON: “upstream connect error”",
        id="plain-text-500",
    ),
    pytest.param(
        {"kind": "error", "status": 500, "times": 10},
        "Zoho failed on GET /crm/v8/Leads (500, INTERNAL_ERROR: Internal Server Error).",
        id="json-error-500",
    ),
    pytest.param(
        {
            "kind": "error",
            "status": 400,
            "body": {
                "code": "INVALID_DATA",
                "message": "invalid data",
                "status": "error",
                "details": {"param_name": "fields"},
            },
        },
        "Zoho refused GET /crm/v8/Leads (400, INVALID_DATA: invalid data param_name=fields).",
        id="json-error-400",
    ),
    pytest.param(
        {
            "kind": "error",
            "status": 401,
            "body": {
                "code": "OAUTH_SCOPE_MISMATCH",
                "message": "invalid oauth scope to access this URL",
                "status": "error",
                "details": {},
            },
        },
        "Zoho refused GET /crm/v8/Leads: the connection's code lacks the scope for it (needs "
        "ZohoCRM.settings.fields.all,ZohoCRM.modules.all).",
        id="scope-mismatch",
    ),
    pytest.param(
        {"kind": "drop", "times": 10},
        "Zoho GET /crm/v8/Leads: the connection dropped.",
        id="connection-dropped",
    ),
    pytest.param(
        {"kind": "error", "status": 200, "body": [page_of([])]},
        "Zoho",
        id="reply-is-a-list",
    ),
    pytest.param(
        {"kind": "error", "status": 200, "body": {"data": {"id": "1"}, "info": {}}},
        "Zoho",
        id="data-is-an-object",
    ),
    pytest.param(
        {
            "kind": "error",
            "status": 200,
            "body": {"data": [{"id": "1", "Email": "x@zoho.test"}], "info": ["more_records"]},
        },
        "Zoho",
        id="info-is-a-list",
    ),
    pytest.param(
        {
            "kind": "error",
            "status": 400,
            "body": {"code": "INVALID_DATA", "message": "x" * 1_000_000, "status": "error"},
        },
        "Zoho refused GET /crm/v8/Leads (400, INVALID_DATA: xxx",
        id="huge-error-message",
    ),
]


@pytest.mark.parametrize(("fault", "message"), LISTING_CASES)
def test_an_unusable_listing_stops_the_run_with_a_reason_and_writes_nothing(
    zoho, connected, workspace, fault, message
):
    zoho.create_records("Leads", [{"Email": "ann@zoho.test", "Last_Name": "Ames"}])
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})
    zoho.add_fault(path=LEADS, method="GET", **fault)
    before = snapshot(workspace)

    run = sync(workspace)

    # Contacts were read; the Leads wait for the next run, and so do the pushes.
    assert run.status == SyncRun.Status.PARTIAL
    assert message in run.error and "Zoho Leads could not be read" in run.error
    assert UNEXPECTED not in run.error
    assert len(run.error) <= MESSAGE_BOUND
    assert snapshot(workspace) == before  # no contact, link or watermark moved
    assert [r["Email"] for r in zoho.records("Leads")] == ["ann@zoho.test"]  # nothing pushed


def test_a_listing_without_data_is_not_taken_for_an_empty_one(zoho, connected, workspace):
    zoho.create_records("Leads", [{"Email": "ann@zoho.test", "Last_Name": "Ames"}])
    zoho.add_fault(path=LEADS, method="GET", kind="error", status=200, body={"info": {}})
    before = snapshot(workspace)

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL
    assert "Zoho Leads could not be read" in run.error and "data" in run.error
    assert snapshot(workspace) == before


def test_credits_running_out_mid_run_stop_it_as_partial(zoho, connected, workspace):
    zoho.create_records("Leads", [{"Email": "ann@zoho.test", "Last_Name": "Ames"}])
    body = {
        "code": "TOO_MANY_REQUESTS",
        "status": "error",
        "details": {},
        "message": "You have exceeded your API credit limit",
    }
    zoho.add_fault(path=LEADS, method="GET", kind="error", status=429, body=body)
    before = snapshot(workspace)

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL
    assert run.error.startswith("Zoho's daily API credits ran out, so the run stopped early.")
    assert snapshot(workspace) == before


# ---- a page of 200 records with one broken record: only that record is lost ---------------
BROKEN = 100  # the broken record's place in the page


def _set(key, value):
    return lambda record: {**record, key: value}


def _without(key):
    return lambda record: {k: v for k, v in record.items() if k != key}


BROKEN_CASES = [
    pytest.param(
        _set("Email", 12345),
        "NO_EMAIL",
        id="email-a-number",
    ),
    pytest.param(
        _set("Email", ["ann@zoho.test"]),
        "NO_EMAIL",
        id="email-a-list",
    ),
    pytest.param(
        _set("Modified_Time", 1767225600),
        "",
        id="modified-time-a-number",
    ),
    pytest.param(
        _without("id"),
        "",
        id="record-without-id",
    ),
    pytest.param(
        lambda record: None,
        "",
        id="record-null",
    ),
    pytest.param(
        lambda record: "Lead 100",
        "",
        id="record-a-string",
    ),
    pytest.param(_set("Email", "x" * 100_000 + "@zoho.test"), "NO_EMAIL", id="email-huge"),
    pytest.param(_set("Email", "not an email"), "NO_EMAIL", id="email-invalid"),
]


@pytest.mark.parametrize(("breaks", "code"), BROKEN_CASES)
def test_a_broken_record_in_a_page_of_200_costs_only_itself(
    zoho, connected, workspace, breaks, code
):
    records = leads_in_zoho(zoho, 200)
    broken_email = records[BROKEN]["Email"]
    records[BROKEN] = breaks(records[BROKEN])
    zoho.add_fault(path=LEADS, method="GET", kind="error", status=200, body=page_of(records))

    run = sync(workspace)

    assert run.status in (SyncRun.Status.SUCCESS, SyncRun.Status.PARTIAL), run.error
    emails = set(Contact.objects.for_workspace(workspace).values_list("email", flat=True))
    assert len(emails) == 199 and broken_email not in emails
    [issue] = issues_of(run)
    assert issue.kind in (SyncIssue.Kind.SKIPPED, SyncIssue.Kind.ERROR)
    assert not code or issue.code == code
    assert len(issue.message) <= MESSAGE_BOUND


# ---- a value Plezi cannot store: reported on its record, the field left alone -------------
VALUE_CASES = [
    pytest.param(
        "Last_Name",
        "x" * 1_000_000,
        "last_name",
        "Zoho's Last_Name holds a value Plezi cannot store. Last name: at most 100 characters "
        "(got 1000000). The Plezi field was left unchanged.",
        id="huge-last-name",
    ),
    pytest.param(
        "Company",
        "C" * 300,
        "company",
        "Zoho's Company holds a value Plezi cannot store. Company: at most 200 characters "
        "(got 300). The Plezi field was left unchanged.",
        id="long-company",
    ),
    pytest.param(
        "Email_Opt_Out",
        "maybe",
        "email_opt_out",
        "Zoho's Email_Opt_Out holds a value Plezi cannot store. Email opt out: “maybe” is not "
        "yes or no. The Plezi field was left unchanged.",
        id="opt-out-not-a-boolean",
    ),
    pytest.param(
        "Last_Name",
        ["Ames", "Smith"],
        "last_name",
        "Zoho's Last_Name holds a value Plezi cannot store.",
        id="last-name-a-list",
    ),
]


@pytest.mark.parametrize(("api_name", "value", "key", "message"), VALUE_CASES)
def test_a_value_plezi_cannot_store_is_reported_and_not_written(
    zoho, connected, workspace, api_name, value, key, message
):
    records = leads_in_zoho(zoho, 200)
    zoho_id, email = records[BROKEN]["id"], records[BROKEN]["Email"]
    records[BROKEN] = {**records[BROKEN], api_name: value}
    zoho.add_fault(path=LEADS, method="GET", kind="error", status=200, body=page_of(records))

    run = sync(workspace)

    assert Contact.objects.for_workspace(workspace).count() == 200
    contact = Contact.objects.for_workspace(workspace).get(email=email)
    default = Contact._meta.get_field(key).get_default()
    assert contact.value(key) in (None, "", default)  # nothing of the bad value was stored
    [issue] = issues_of(run)
    assert (issue.kind, issue.code, issue.zoho_id, issue.field) == (
        SyncIssue.Kind.ERROR,
        "UNKNOWN_VALUE",
        zoho_id,
        key,
    )
    assert issue.message.startswith(message) and len(issue.message) <= MESSAGE_BOUND


# ---- the upsert's reply: a record counts as sent only when Zoho said so, with its id ------
OK = {"code": "SUCCESS", "status": "success", "message": "record added", "action": "insert"}

UPSERT_CASES = [
    pytest.param({"foo": "bar"}, id="no-data"),
    pytest.param({"data": "SUCCESS"}, id="data-a-string"),
    pytest.param({"data": ["ok", None]}, id="entries-not-objects"),
    pytest.param(
        {"data": [{**OK, "details": {}}] * 2},
        id="success-without-id",
    ),
    pytest.param(
        {"data": [{**OK, "details": {"id": {"id": "1"}}}] * 2},
        id="id-an-object",
    ),
]


@pytest.mark.parametrize("body", UPSERT_CASES)
def test_an_upsert_reply_without_usable_results_leaves_the_contacts_pending(
    zoho, connected, workspace, body
):
    add_contacts(
        workspace,
        {"email": "a@plezi.test", "last_name": "A"},
        {"email": "b@plezi.test", "last_name": "B"},
    )
    zoho.add_fault(path=UPSERT, method="POST", kind="error", status=200, body=body)

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL, run.error
    assert (run.pushed, run.failed) == (0, 2)
    assert {(i.email, i.code) for i in issues_of(run)} == {
        ("a@plezi.test", "NO_RESULT"),
        ("b@plezi.test", "NO_RESULT"),
    }
    assert issues_of(run)[0].message == (
        "Zoho refused this record (NO_RESULT: Zoho gave no result for this record.). "
        "It will be retried."
    )
    states = SyncState.objects.for_workspace(workspace)
    assert not states.exclude(zoho_id="").exists()  # linked to nothing
    assert not states.filter(synced_at__isnull=False).exists()  # still pending
    again = sync(workspace)  # and the next run sends them
    assert again.pushed == 2


UPSERT_STOPS = [
    pytest.param({"kind": "malformed", "times": 10}, "malformed JSON", id="truncated-json"),
    pytest.param({"kind": "html", "status": 200, "times": 10}, "an HTML page", id="html-page"),
    pytest.param(
        {
            "kind": "error",
            "status": 400,
            "body": {"code": "INVALID_DATA", "message": "invalid data", "status": "error"},
        },
        "Zoho refused POST Leads/upsert (400, INVALID_DATA: invalid data).",
        id="request-refused",
    ),
]


@pytest.mark.parametrize(("fault", "message"), UPSERT_STOPS)
def test_an_unreadable_upsert_reply_stops_the_run_and_links_nothing(
    zoho, connected, workspace, fault, message
):
    add_contacts(workspace, {"email": "a@plezi.test", "last_name": "A"})
    zoho.add_fault(path=UPSERT, method="POST", **fault)
    before = snapshot(workspace)

    run = sync(workspace)

    assert run.status == SyncRun.Status.FAILED and message in run.error
    assert snapshot(workspace) == before


def test_a_huge_per_record_error_message_is_not_copied_whole(zoho, connected, workspace):
    add_contacts(workspace, {"email": "a@plezi.test", "last_name": "A"})
    entry = {"code": "SOMETHING_NEW", "status": "error", "message": "m" * 200_000, "details": {}}
    zoho.add_fault(path=UPSERT, method="POST", kind="error", status=200, body={"data": [entry]})

    run = sync(workspace)

    [issue] = issues_of(run)
    assert issue.code == "SOMETHING_NEW" and len(issue.message) <= MESSAGE_BOUND


# ---- the same replies behind the Zoho page's buttons ---------------------------------------
def test_refresh_fields_with_a_broken_field_list_says_so(owner_client, zoho, connected, workspace):
    owner_client.raise_request_exception = False
    body = {"fields": ["Email", "Last_Name"]}
    zoho.add_fault(path="settings/fields", method="GET", kind="error", status=200, body=body)
    before = snapshot(workspace)

    response = owner_client.post(reverse("integration:refresh_fields", args=["acme"]), follow=True)

    assert response.status_code == 200
    assert "Zoho fields not refreshed:" in response.content.decode()
    after = snapshot(workspace)
    # The connection records the failure (its last error, shown on its page); nothing else moves.
    assert {k: v for k, v in after.items() if k != "connection"} == {
        k: v for k, v in before.items() if k != "connection"
    }


def test_refresh_fields_with_an_html_reply_says_so(owner_client, zoho, connected, workspace):
    zoho.add_fault(path="settings/fields", method="GET", kind="html", status=200, times=5)
    before = snapshot(workspace)

    response = owner_client.post(reverse("integration:refresh_fields", args=["acme"]), follow=True)

    page = response.content.decode()
    assert "Zoho fields not refreshed: Zoho answered 200 with an HTML page instead of JSON" in page
    assert snapshot(workspace)["zoho_fields"] == before["zoho_fields"]
    assert snapshot(workspace)["mappings"] == before["mappings"]
