"""The admin index: tasks waiting in django-q2's broker, the oldest unfinished order, and
links to django-q2's own admin pages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from photos.models import Order
from photos.services.orders import order_enqueue
from tests.admin.conftest import make_order

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def cell(html, element_id):
    return re.search(rf'id="{element_id}">\s*(.*?)\s*</td>', html, re.S).group(1)


def test_index_counts_waiting_tasks_and_the_oldest_order(admin_client, customer, task_queue):
    html = admin_client.get(INDEX).content.decode()
    assert cell(html, "queue-waiting") == "0"
    assert cell(html, "oldest-waiting").startswith("none")

    waiting = make_order(customer, state=Order.State.QUEUED)
    make_order(customer, state=Order.State.PROCESSING)
    make_order(customer)  # completed: not waiting
    Order.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=12))
    for order in Order.objects.all():
        order_enqueue(order)

    html = admin_client.get(INDEX).content.decode()
    assert cell(html, "queue-waiting") == "3"
    assert cell(html, "orders-running") == "2"
    oldest = cell(html, "oldest-waiting")
    assert reverse("admin:photos_order_change", args=[waiting.pk]) in oldest
    assert "12 min" in oldest and "Is the worker running?" in oldest
    assert 'class="stale"' in html


def queue_pages():
    """django-q2 registers its queue page only for the database broker."""
    from django.conf import settings

    return (
        ("ormq", "failure", "schedule", "success")
        if "orm" in settings.Q_CLUSTER
        else (
            "failure",
            "schedule",
            "success",
        )
    )


def test_index_links_to_the_task_queue_and_daily_pages(admin_client):
    html = admin_client.get(INDEX).content.decode()
    for name in queue_pages():
        assert reverse(f"admin:django_q_{name}_changelist") in html
    assert reverse("admin:photos_user_credit_use") in html
    assert reverse("admin:photos_order_changelist") + "?outcome=failed" in html


def test_a_broker_that_is_down_does_not_break_the_index(admin_client, monkeypatch):
    import django_q.brokers

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(django_q.brokers, "get_broker", broken)
    response = admin_client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert cell(html, "queue-waiting") == "unknown"
    assert "redis is down" in html


def test_django_q_pages_open(admin_client):
    for name in queue_pages():
        assert admin_client.get(reverse(f"admin:django_q_{name}_changelist")).status_code == 200
