"""The named django-q2 schedules: every two hours (the seed), and the 90-day history cleanup.

Created here, idempotently by name, so every deployment has them without a
manual step; operators may change their timing in the admin.
"""

from django.db import migrations

SCHEDULES = [
    {
        "name": "Zoho sync: every two hours",
        "func": "integration.tasks.sync_all_connected",
        "schedule_type": "I",  # minutes
        "minutes": 120,
    },
    {
        "name": "Zoho sync: history cleanup",
        "func": "integration.tasks.history_cleanup",
        "schedule_type": "D",  # daily
    },
]


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for spec in SCHEDULES:
        defaults = {k: v for k, v in spec.items() if k != "name"}
        Schedule.objects.get_or_create(name=spec["name"], defaults={**defaults, "repeats": -1})


def remove_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[s["name"] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0002_sync_history"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
