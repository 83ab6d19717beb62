"""The sync page in a browser: it follows a run to its end without a reload, and the chart
answers the keyboard."""

from django.utils import timezone
from playwright.sync_api import expect

from integration.models import SyncRun
from tests.e2e.test_marketer_flow import log_in


def test_the_history_and_the_banner_come_in_by_themselves_when_the_run_ends(
    marketer, page, screenshot
):
    workspace = marketer.workspace
    run = SyncRun.objects.create(workspace=workspace, trigger=SyncRun.Trigger.SCHEDULE)
    log_in(page, marketer)
    page.goto(marketer.url(f"/w/{workspace.slug}/sync/"))
    expect(page.locator("#current-run")).to_contain_text("Running")
    expect(page.get_by_text("Zoho CRM is not connected")).to_be_visible()
    expect(page.get_by_role("button", name="Synchronise now")).to_be_disabled()

    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCESS, ended_at=timezone.now(), pulled=7, pushed=3, skipped=1
    )

    banner = page.locator("#attention-banner")
    expect(banner).to_contain_text("The last synchronisation needs attention.")
    expect(page.locator("#run-history tbody tr").first).to_contain_text("Needs attention")
    expect(page.locator("#current-run")).to_contain_text("Sent to Zoho 3")
    today = page.locator(".sync-chart-day").last
    today.focus()
    expect(today.locator(".sync-chart-tip")).to_be_visible()
    expect(today).to_contain_text("3 records created or updated; 1 skipped or failed")
    screenshot(page, "live-history")
