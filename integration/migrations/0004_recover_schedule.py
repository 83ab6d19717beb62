"""The schedule that serves follow-ups whose runner died (integration.tasks.sync_recover)."""

from django.db import migrations

NAME = "Zoho sync: recover after a dead worker"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME,
        defaults={
            "func": "integration.tasks.sync_recover",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("integration", "0003_schedules")]

    operations = [migrations.RunPython(create, remove)]
