"""The client's typed operations against the sandbox: paging, search, upsert, metadata."""

from datetime import UTC, datetime, timedelta

from integration.clients import client_for

FIELDS = ("Email", "Last_Name", "Modified_Time")  # v8 listings name their fields


def lead(n: int, **values) -> dict:
    return {"Last_Name": f"Lead {n}", "Email": f"lead{n}@example.test", **values}


def test_2500_records_come_in_13_pages_past_the_2000_page_cap(zoho, zoho_client):
    zoho.seed("Leads", 2500)

    pages = list(zoho_client.iter_records("Leads", fields=FIELDS))

    assert [len(p) for p in pages] == [200] * 12 + [100]
    ids = [r["id"] for page in pages for r in page]
    assert len(set(ids)) == 2500
    times = [r["Modified_Time"] for page in pages for r in page]
    assert times == sorted(times)  # oldest change first
    # Page 11 by number would be refused (DISCRETE_PAGINATION_LIMIT_EXCEEDED): the
    # client followed next_page_token.
    assert zoho.stats()["calls"]["GET /crm/v8/Leads"] == 13


def test_prefetch_yields_the_same_pages(zoho, connection):
    # Inside the test's transaction: helper threads never touch the database.
    zoho.seed("Leads", 450)
    client = client_for(connection)

    plain = [r["id"] for page in client.iter_records("Leads", fields=FIELDS) for r in page]
    prefetched = [
        r["id"] for page in client.iter_records("Leads", fields=FIELDS, prefetch=True) for r in page
    ]

    assert prefetched == plain and len(plain) == 450


def test_stopping_early_with_prefetch_stops_fetching(zoho, connection):
    zoho.seed("Leads", 1000)
    client = client_for(connection)

    pages = client.iter_records("Leads", fields=FIELDS, prefetch=True)
    next(pages)
    pages.close()

    # This page, and at most the one that was on its way: not the other three.
    assert zoho.stats()["calls"]["GET /crm/v8/Leads"] <= 2


def test_no_records_is_no_pages(zoho_client):
    assert list(zoho_client.iter_records("Contacts", fields=FIELDS)) == []


def test_if_modified_since_returns_only_newer_records(zoho, zoho_client):
    ids = zoho.create_records("Leads", [lead(1), lead(2), lead(3)])
    zoho.advance_clock(3600)
    zoho.update_record("Leads", ids[1], {"First_Name": "Changed"})
    since = datetime.now(UTC) + timedelta(minutes=30)

    pages = list(zoho_client.iter_records("Leads", fields=FIELDS, modified_since=since))

    assert [[r["id"] for r in page] for page in pages] == [[ids[1]]]


def test_nothing_modified_since_is_304_and_no_pages(zoho, zoho_client):
    zoho.create_records("Leads", [lead(1)])

    since = datetime.now(UTC) + timedelta(hours=1)

    assert list(zoho_client.iter_records("Leads", fields=FIELDS, modified_since=since)) == []
    assert zoho.stats()["calls"]["GET /crm/v8/Leads"] == 1


def test_fields_limits_what_comes_back(zoho, zoho_client):
    zoho.create_records("Leads", [lead(1, First_Name="Ada", Company="Acme")])

    [page] = zoho_client.iter_records("Leads", fields=["Email", "Last_Name"])

    assert set(page[0]) == {"id", "Email", "Last_Name"}


def test_more_than_50_fields_are_read_by_id_past_the_listing_s_50(zoho, zoho_client):
    wide = [f"Extra_{n:02}" for n in range(60)]
    for name in wide:
        zoho.add_field("Leads", name)
    ids = zoho.create_records(
        "Leads", [lead(n, **{f: f"{f}-{n}" for f in wide}) for n in range(150)]
    )
    zoho.reset_stats()

    pages = list(zoho_client.iter_records("Leads", fields=["Email", *wide]))

    records = {r["id"]: r for page in pages for r in page}
    assert sorted(records) == sorted(ids)
    assert all(records[i][f] == f"{f}-{n}" for n, i in enumerate(ids) for f in wide)
    # One listing page names 50 fields; the other 11 come by id, 100 ids a call.
    assert zoho.stats()["calls"] == {"GET /crm/v8/Leads": 3}
    found = zoho_client.get_records("Leads", ids[:5], fields=["Email", *wide])
    assert sorted(r["id"] for r in found) == sorted(ids[:5]) and found[0]["Extra_59"]


def test_a_record_deleted_between_the_listing_and_the_by_id_read_is_left_out(zoho, zoho_client):
    wide = [f"Extra_{n:02}" for n in range(55)]
    for name in wide:
        zoho.add_field("Leads", name)
    ids = zoho.create_records("Leads", [lead(n) for n in range(3)])
    listed = list(zoho_client.iter_records("Leads", fields=wide[:50]))  # the listing's part
    zoho.delete_record("Leads", ids[1])

    [page] = zoho_client._widened("Leads", (p for p in listed), [",".join(wide[50:])])

    assert sorted(r["id"] for r in page) == sorted([ids[0], ids[2]])
    assert all("Extra_54" in r and "Extra_00" in r for r in page)


def test_converted_leads_are_hidden_unless_asked_for(zoho, zoho_client):
    ids = zoho.create_records("Leads", [lead(1), lead(2)])
    zoho.convert_lead(ids[0])

    visible = [r["id"] for p in zoho_client.iter_records("Leads", fields=FIELDS) for r in p]
    every = [
        r["id"]
        for p in zoho_client.iter_records("Leads", fields=FIELDS, converted="both")
        for r in p
    ]

    assert visible == [ids[1]] and sorted(every) == sorted(ids)


def test_get_records_by_ids_skips_unknown_ones(zoho, zoho_client):
    ids = zoho.create_records("Leads", [lead(n) for n in range(3)])

    found = zoho_client.get_records("Leads", [*ids, "1234567890123456789"], fields=FIELDS)

    assert sorted(r["id"] for r in found) == sorted(ids)


def test_upsert_sends_100_a_call_and_returns_each_outcome(zoho, zoho_client):
    records = [lead(n) for n in range(250)]

    results = zoho_client.upsert("Leads", records)

    assert len(results) == 250 and all(r.ok and r.action == "insert" for r in results)
    assert all(r.id and r.modified_time for r in results)
    assert zoho.stats()["calls"]["POST /crm/v8/Leads/upsert"] == 3
    again = zoho_client.upsert("Leads", records[:2])
    assert [r.action for r in again] == ["update", "update"]
    assert [r.id for r in again] == [r.id for r in results[:2]]


def test_upsert_reports_refused_records_in_a_mixed_batch(zoho, zoho_client):
    records = [lead(1), {"Email": "no-last-name@example.test"}, lead(3)]

    results = zoho_client.upsert("Leads", records)  # Zoho answers 207

    assert [r.ok for r in results] == [True, False, True]
    assert results[1].code == "MANDATORY_NOT_FOUND"
    assert results[1].details == {"api_name": "Last_Name"} and results[1].id is None


def test_upsert_all_refused_is_400_with_outcomes_not_an_exception(zoho, zoho_client):
    results = zoho_client.upsert("Leads", [{"Email": "a@example.test"}])
    assert [(r.ok, r.code) for r in results] == [(False, "MANDATORY_NOT_FOUND")]


def test_upsert_accepts_the_legacy_202(zoho, zoho_client):
    zoho.set_limits(legacy_status=True)
    results = zoho_client.upsert("Leads", [lead(1), {"Email": "x@example.test"}])
    assert [r.ok for r in results] == [True, False]


def test_upsert_many_runs_batches_concurrently_in_order(zoho, connection):
    zoho.set_limits(latency_ms=50)
    client = client_for(connection)
    records = [lead(n) for n in range(450)]

    results = client.upsert_many("Leads", iter(records), concurrency=3)

    assert len(results) == 450 and all(r.ok for r in results)
    by_id = {r["id"]: r["Email"] for r in zoho.records("Leads")}
    assert [by_id[r.id] for r in results] == [r["Email"] for r in records]
    assert 2 <= zoho.stats()["max_concurrency_seen"] <= 3


def test_deleted_records_are_listed(zoho, zoho_client):
    ids = zoho.create_records("Leads", [lead(1), lead(2)])
    zoho.delete_record("Leads", ids[0])

    deleted = zoho_client.deleted_records("Leads")

    assert [d["id"] for d in deleted] == [ids[0]]


def test_metadata_and_org(zoho, zoho_client):
    fields = {f["api_name"]: f for f in zoho_client.fields("Leads")}
    assert fields["Last_Name"]["system_mandatory"] is True
    assert zoho_client.org()["domain_name"] == zoho.org()["domain_name"]
