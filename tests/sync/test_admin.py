from django.urls import reverse

from integration.models import SyncIssue, SyncRun


def test_operators_read_runs_with_their_issues_but_cannot_edit_them(admin_client, workspace):
    run = SyncRun.objects.create(workspace=workspace, trigger="manual", status="partial")
    SyncIssue.objects.create(
        run=run,
        workspace=workspace,
        kind="error",
        direction="to_zoho",
        email="bad@plezi.test",
        code="INVALID_DATA",
        message="Zoho refused the value of City.",
    )

    changelist = admin_client.get(reverse("admin:integration_syncrun_changelist"))
    page = admin_client.get(reverse("admin:integration_syncrun_change", args=[run.pk]))
    post = admin_client.post(reverse("admin:integration_syncrun_change", args=[run.pk]), {})

    assert changelist.status_code == 200 and b"Partial" in changelist.content
    assert b"Zoho refused the value of City." in page.content
    assert b'name="_save"' not in page.content
    assert post.status_code == 403
    assert admin_client.get(reverse("admin:integration_syncrun_add")).status_code == 403
