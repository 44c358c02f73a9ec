"""A django-q2 schedule that fails and refunds orders stuck in a running state."""

from django.db import migrations
from django.utils import timezone

NAME = "fail-stale-orders"
FUNC = "photos.services.orders.orders_fail_stale"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": FUNC,
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 5,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("photos", "0004_purge_schedule")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
