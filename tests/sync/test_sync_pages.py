"""The sync pages a marketer reads: statuses to trust, actions that need Zoho, live
regions, the counters' words and the 30-day chart."""

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from contacts.models import Field
from contacts.services import form_save, form_submit
from integration.models import SyncRequest, SyncRun, ZohoConnection
from integration.selectors.sync import EVERY_TWO_HOURS
from integration.services.health import connection_disconnect
from tests.sync.conftest import add_contacts, sync

HTMX = {"HX-Request": "true"}
COUNTER_WORDS = (
    "Read from Zoho",
    "Created in Plezi",
    "Updated in Plezi",
    "Sent to Zoho",
    "Skipped",
    "Failed",
)
OLD_WORDS = ("read from Zoho,", "Zoho → Plezi", "Plezi → Zoho", "(echoes)", "run(s)")


def history_url(workspace, **query):
    url = reverse("sync:history", args=[workspace.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def a_run(workspace, **fields) -> SyncRun:
    fields.setdefault("trigger", SyncRun.Trigger.MANUAL)
    fields.setdefault("status", SyncRun.Status.SUCCESS)
    fields.setdefault("ended_at", timezone.now())
    return SyncRun.objects.create(workspace=workspace, **fields)


# 1. Statuses a marketer can trust


def test_a_form_without_a_last_name_makes_a_run_that_needs_attention_not_a_success(
    connected, zoho, workspace, owner_client, django_capture_on_commit_callbacks
):
    fields = Field.objects.for_workspace(workspace).filter(key__in=["first_name"])
    form = form_save(workspace=workspace, name="Form", fields=fields, thank_you_message="Thanks")
    with django_capture_on_commit_callbacks(execute=True):
        form_submit(form=form, data={"email": "nameless@web.test", "first_name": "Nina"})
    run = SyncRun.objects.get(trigger=SyncRun.Trigger.FORM)
    # The run itself ended well (the data model keeps SUCCESS); a record was left behind.
    assert (run.status, run.skipped) == (SyncRun.Status.SUCCESS, 1)

    history = page(owner_client, history_url(workspace))
    run_page = page(owner_client, reverse("sync:run", args=[workspace.slug, run.pk]))

    for html in (history, run_page):
        assert '<span class="badge text-bg-warning">Needs attention</span>' in html
        assert ">Success</span>" not in html
    assert "The last synchronisation needs attention." in history
    assert "1 record did not sync." in history
    issues = reverse("sync:run", args=[workspace.slug, run.pk]) + "#issues"
    assert f'href="{issues}">Open the run’s issues</a>' in history
    assert 'id="issues"' in run_page


def test_a_run_that_synced_everything_is_a_success_without_a_banner(
    connected, zoho, workspace, owner_client
):
    add_contacts(workspace, {"email": "ann@plezi.test", "last_name": "Ann"})
    sync(workspace)

    history = page(owner_client, history_url(workspace))

    assert '<span class="badge text-bg-success">Success</span>' in history
    assert "needs attention" not in history


def test_a_partial_run_needs_attention_and_the_banner_names_its_error(workspace, owner_client):
    run = a_run(workspace, status=SyncRun.Status.PARTIAL, error="Zoho's daily API credits ran out")

    history = page(owner_client, history_url(workspace))

    assert "The last synchronisation needs attention." in history
    assert "Zoho&#x27;s daily API credits ran out" in history
    assert reverse("sync:run", args=[workspace.slug, run.pk]) in history


def test_the_banner_follows_the_last_run_that_wrote_not_a_preview(workspace, owner_client):
    a_run(workspace, skipped=2)
    a_run(workspace, dry_run=True)  # a preview writes nothing: it does not clear the banner
    assert "2 records did not sync." in page(owner_client, history_url(workspace))

    a_run(workspace)

    assert "needs attention" not in page(owner_client, history_url(workspace))


def test_the_status_filter_sorts_runs_by_what_the_page_shows(workspace, owner_client):
    clean = a_run(workspace, pulled=11)
    skipped = a_run(workspace, pulled=22, skipped=1)
    partial = a_run(workspace, pulled=33, status=SyncRun.Status.PARTIAL)
    run_link = lambda run: reverse("sync:run", args=[workspace.slug, run.pk])  # noqa: E731

    attention = page(owner_client, history_url(workspace, status="attention"))
    success = page(owner_client, history_url(workspace, status="success"))
    bookmarked = page(owner_client, history_url(workspace, status="partial"))

    assert run_link(skipped) in attention and run_link(partial) in attention
    assert run_link(clean) not in attention
    assert run_link(clean) in success and run_link(skipped) not in success
    assert run_link(skipped) in bookmarked
    assert '<option value="attention" >Needs attention</option>' in success


# 2. Connection-aware pages


@pytest.mark.parametrize("name", ["sync:now", "sync:preview", "sync:resync"])
def test_without_zoho_each_action_is_off_and_the_page_offers_to_connect(
    workspace, owner_client, name
):
    html = page(owner_client, history_url(workspace))

    action = reverse(name, args=[workspace.slug])
    form = html[html.index(f'action="{action}"') :]
    button = form[form.index("<button") : form.index("</button>")]
    assert " disabled" in button and 'aria-describedby="connect-prompt"' in button
    connect = reverse("integration:connection", args=[workspace.slug])
    assert f'href="{connect}">Connect Zoho CRM</a>' in html
    assert "Zoho CRM is not connected: synchronisations are off until you connect it." in html


@pytest.mark.parametrize("name", ["sync:now", "sync:preview", "sync:resync"])
def test_without_zoho_a_post_is_refused_with_a_message_and_changes_nothing(
    workspace, owner_client, name, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse(name, args=[workspace.slug]), follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(history_url(workspace), 302)]
    assert "Zoho CRM is not connected, so nothing was started." in html
    assert "started" not in html.replace("nothing was started", "")
    assert not SyncRequest.objects.exists() and not SyncRun.objects.exists()


def test_a_connection_that_needs_reconnecting_refuses_too(
    connected, workspace, owner_client, django_capture_on_commit_callbacks
):
    ZohoConnection.objects.filter(pk=connected.pk).update(
        status=ZohoConnection.Status.NEEDS_RECONNECT
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("sync:now", args=[workspace.slug]), follow=True)

    assert "Zoho CRM needs reconnecting, so nothing was started." in response.content.decode()
    assert "needs reconnecting: synchronisations are off" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_after_disconnect_the_actions_are_off_and_retry_is_refused(
    connected, zoho, workspace, owner_client, django_capture_on_commit_callbacks
):
    add_contacts(workspace, {"email": "anon@plezi.test"})  # no last name: skipped
    run = sync(workspace)
    connection_disconnect(connection=connected)
    runs_before = SyncRun.objects.count()

    html = page(owner_client, history_url(workspace))
    with django_capture_on_commit_callbacks(execute=True):
        retry = owner_client.post(reverse("sync:retry", args=[workspace.slug, run.pk]), follow=True)

    assert "synchronisations are off until you connect it" in html
    assert "Zoho CRM is not connected, so nothing was started." in retry.content.decode()
    assert SyncRun.objects.count() == runs_before
    assert not SyncRequest.objects.filter(done_at__isnull=True).exists()


def test_connected_pages_show_the_next_and_the_last_automatic_sync(
    connected, workspace, owner_client
):
    next_run = timezone.now() + timedelta(minutes=90)
    Schedule.objects.filter(name=EVERY_TWO_HOURS).update(next_run=next_run)
    last = a_run(workspace, trigger=SyncRun.Trigger.SCHEDULE, skipped=1)

    html = page(owner_client, history_url(workspace))

    local = timezone.localtime(next_run)
    assert f'Next automatic sync:\n  <time datetime="{local:%Y-%m-%dT%H:%M:%S}' in html
    assert f"{local:%Y-%m-%d %H:%M}</time> (an hour from now)" in html
    last_link = reverse("sync:run", args=[workspace.slug, last.pk])
    assert f'Last automatic sync:\n  <a href="{last_link}">' in html
    assert "Synchronise now</button>" in html and "disabled" not in html


def test_without_zoho_no_automatic_sync_is_promised(workspace, owner_client):
    html = page(owner_client, history_url(workspace))

    assert "start once Zoho CRM is connected" in html
    assert "Next automatic sync" not in html


# 3. Live pages


def seen_in(html: str) -> str:
    return unquote(re.search(r"\?seen=([^&\"]+)", html).group(1))


def test_the_polled_card_tells_the_page_when_the_run_it_showed_ended(workspace, owner_client):
    run = a_run(workspace, status=SyncRun.Status.RUNNING, ended_at=None)
    html = page(owner_client, history_url(workspace))
    seen = seen_in(html)
    assert 'hx-trigger="every 1s"' in html
    url = reverse("sync:current", args=[workspace.slug])

    still_running = owner_client.get(url, {"seen": seen}, headers=HTMX)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.SUCCESS, skipped=1)
    ended = owner_client.get(url, {"seen": seen}, headers=HTMX)

    assert "HX-Trigger" not in still_running
    assert ended["HX-Trigger"] == "sync-runs-changed"
    assert b"every 1s" not in ended.content and b"every 30s" in ended.content


def test_a_form_run_inside_a_long_run_does_not_hide_the_long_run_ending(workspace, owner_client):
    outer = a_run(workspace, status=SyncRun.Status.RUNNING, ended_at=None)
    a_run(workspace, trigger=SyncRun.Trigger.FORM, within=outer)  # the fast lane, done
    html = page(owner_client, history_url(workspace))
    assert 'hx-trigger="every 1s"' in html  # the card follows the long run
    url = reverse("sync:current", args=[workspace.slug])

    SyncRun.objects.filter(pk=outer.pk).update(status=SyncRun.Status.SUCCESS)
    ended = owner_client.get(url, {"seen": seen_in(html)}, headers=HTMX)

    assert ended["HX-Trigger"] == "sync-runs-changed"
    assert reverse("sync:run", args=[workspace.slug, outer.pk]) in ended.content.decode()


def test_the_history_region_refetches_itself_with_the_banners_when_told(workspace, owner_client):
    html = page(owner_client, history_url(workspace, trigger="manual"))
    live = reverse("sync:live", args=[workspace.slug])
    assert f'<div id="sync-live" hx-get="{live}?trigger=manual"' in html
    assert 'hx-trigger="sync-runs-changed from:body"' in html
    a_run(workspace, pulled=601, failed=1)

    partial = page(owner_client, f"{live}?trigger=manual", headers=HTMX)

    assert "<html" not in partial and '<td class="text-end">601</td>' in partial
    assert '<div id="sync-banners" hx-swap-oob="true">' in partial
    assert "The last synchronisation needs attention." in partial
    assert '<figure class="sync-chart' in partial  # the chart came along


def test_a_run_page_fetches_its_issues_when_its_progress_ends(workspace, owner_client):
    run = a_run(workspace, status=SyncRun.Status.RUNNING, ended_at=None)
    run_url = reverse("sync:run", args=[workspace.slug, run.pk])
    html = page(owner_client, run_url)
    assert f'<div id="run-results" hx-get="{run_url}" hx-select="#run-results"' in html
    progress = reverse("sync:run_progress", args=[workspace.slug, run.pk])

    running = owner_client.get(progress, headers=HTMX)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.SUCCESS)
    ended = owner_client.get(progress, headers=HTMX)

    assert "HX-Trigger" not in running
    assert ended["HX-Trigger"] == "sync-runs-changed"


# 4. The counters' words


def test_the_counters_have_the_same_words_on_every_page(workspace, owner_client):
    run = a_run(workspace, pulled=601, created_plezi=3, updated_plezi=5, pushed=7, echoes=590)
    current = reverse("sync:current", args=[workspace.slug])
    pages = {
        "history": page(owner_client, history_url(workspace)),
        "run": page(owner_client, reverse("sync:run", args=[workspace.slug, run.pk])),
        "card": page(owner_client, current, headers=HTMX),
    }

    for name, html in pages.items():
        for word in COUNTER_WORDS:
            assert word in html, (name, word)
        for old in OLD_WORDS:
            assert old not in html, (name, old)
    assert 'Read from Zoho&nbsp;<strong class="text-body">601</strong>' in pages["card"]
    assert '<dt class="col-sm-3">Unchanged</dt><dd class="col-sm-3">590</dd>' in pages["run"]


def test_the_counters_read_in_french(workspace, owner_client):
    run = a_run(workspace, failed=1)
    french = {"Accept-Language": "fr"}

    html = page(owner_client, reverse("sync:run", args=[workspace.slug, run.pk]), headers=french)

    assert "Lus depuis Zoho" in html and "Inchangés" in html and ">En échec</dt>" in html
    assert ">À vérifier</span>" in html


# 5. The 30-day chart


def test_the_chart_has_dates_counts_and_a_sentence_per_day(workspace, owner_client):
    a_run(workspace, created_plezi=4, updated_plezi=2, pushed=6, skipped=1)
    a_run(workspace, dry_run=True, pushed=100)  # a preview moved nothing
    today = timezone.localdate()

    html = page(owner_client, history_url(workspace))

    chart = html[html.index('<figure class="sync-chart') : html.index("</figure>")]
    assert chart.count('<li class="sync-chart-day" tabindex="0">') == 30
    assert (
        f"<strong>{today:%-d %B}</strong> — 12 records created or updated; 1 skipped or failed"
        in (chart)
    )
    yesterday = today - timedelta(days=1)
    assert f"<strong>{yesterday:%-d %B}</strong> — no synchronisation" in chart
    assert f"<span>{today:%-d %b}</span>" in chart  # the axis ends on today
    assert '<div class="sync-chart-y" aria-hidden="true"><span>12</span><span>0</span>' in chart
    assert "12 records created or updated in 30 days." in chart
    assert "run(s)" not in chart and "cdn" not in chart.lower()
