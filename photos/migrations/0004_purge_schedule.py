"""The hourly django-q2 schedule that deletes photos after RESULT_RETENTION_HOURS."""

from django.db import migrations
from django.utils import timezone

NAME = "purge-expired-files"
FUNC = "photos.services.retention.expired_files_purge"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": FUNC,
            "schedule_type": "H",  # Schedule.HOURLY
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("photos", "0003_shop_staff_group"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
