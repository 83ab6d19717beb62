"""Triggers become rows (SyncRequest); a lock's pending follow-up becomes one of them."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def follow_ups_to_requests(apps, schema_editor):
    """A follow-up pending at deploy time is kept as a request."""
    SyncLock = apps.get_model("integration", "SyncLock")
    SyncRequest = apps.get_model("integration", "SyncRequest")
    for lock in SyncLock.objects.filter(requested=True):
        SyncRequest.objects.create(
            workspace_id=lock.workspace_id,
            trigger=lock.requested_trigger or "schedule",
            full=lock.requested_full,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("integration", "0007_syncstate_left_scope"),
    ]

    operations = [
        migrations.CreateModel(
            name="SyncRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "trigger",
                    models.CharField(
                        choices=[
                            ("schedule", "Every two hours"),
                            ("form", "Form submission"),
                            ("manual", "Synchronise now"),
                            ("resync", "Resync everything"),
                            ("retry", "Retry failed records"),
                            ("command", "Command line"),
                        ],
                        max_length=20,
                    ),
                ),
                ("full", models.BooleanField(default=False)),
                ("dry_run", models.BooleanField(default=False)),
                ("contact_ids", models.JSONField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("woken_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("holder", models.CharField(blank=True, max_length=64)),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="requests",
                        to="integration.syncrun",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.workspace",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("done_at__isnull", True)),
                        fields=["workspace", "created_at"],
                        name="syncrequest_open",
                    )
                ],
            },
        ),
        migrations.RunPython(follow_ups_to_requests, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="synclock",
            name="requested",
        ),
        migrations.RemoveField(
            model_name="synclock",
            name="requested_full",
        ),
        migrations.RemoveField(
            model_name="synclock",
            name="requested_trigger",
        ),
    ]
