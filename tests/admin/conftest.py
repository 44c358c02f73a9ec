"""Back-office fixtures: a shop-staff member (the migration's group), a known set of orders
and ledger lines, and real photos stored for orders."""

import importlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from photos.models import CreditEntry, Order, User
from photos.services.credits import credits_charge, credits_refund, credits_topup

STAFF_GROUP = "Shop staff"


def shop_staff_group():
    """The group from the data migration (recreated the same way after a database flush)."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=STAFF_GROUP).first()
    if group is None:
        migration = importlib.import_module("photos.migrations.0003_shop_staff_group")
        migration.create_shop_staff(apps, None)
        group = Group.objects.get(name=STAFF_GROUP)
    return group


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Many accounts per test: a cheap hasher keeps the back-office tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def task_queue():
    """django-q2's broker (the database or Redis), emptied before and after the test."""
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


@pytest.fixture
def shop_staff(db):
    user = User.objects.create_user("sam", "sam@shop.example", "staff-pass-2026", is_staff=True)
    user.groups.add(shop_staff_group())
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def staff_client(client, shop_staff):
    client.force_login(shop_staff)
    return client


def make_order(
    owner, *, credits=6, state=Order.State.COMPLETED, preview=False, days_ago=0, **extra
):
    """An order in a given state, charged (and, if failed, refunded) like the services do."""
    order = Order.objects.create(
        owner=owner,
        credits=0 if preview else credits,
        preview=preview,
        state=state,
        params={},
        **extra,
    )
    credits_charge(order=order)
    if state < 0:
        credits_refund(order=order, reason=f"Task {order.task_id} failed")
    if days_ago:
        backdate(order, days_ago)
    return order


def backdate(order, days: int) -> None:
    """Move an order and its ledger lines into the past (test data only)."""
    when = timezone.now() - timedelta(days=days)
    Order.objects.filter(pk=order.pk).update(created_at=when, processed_at=when, completed_at=when)
    CreditEntry.objects.filter(order=order).update(created_at=when)


@dataclass
class Shop:
    alice: User
    bob: User
    carol: User
    dave: User
    staff: User
    orders: dict


@pytest.fixture
def shop(make_customer, admin_user):
    """Known figures (this month):

    alice: 100 top-up, +50 top-up and -10 correction by staff; orders: completed 6,
    completed 19, failed 15 (refunded), running 6, two free previews
    → balance 109, spent 46, refunded 15, net 31, top-ups 150, corrections -10.
    bob: 20 top-up 40 days ago, a completed 6 order 40 days ago → balance 14, nothing in 30 days.
    carol: a customer with nothing. dave: staff with an API key (listed), no credits.
    """
    from photos.models import ApiKey

    alice = make_customer("alice", credits=100)
    bob = make_customer("bob", credits=20)
    carol = make_customer("carol", credits=0)
    dave = User.objects.create_user("dave", "dave@shop.example", "x-pass-2026", is_staff=True)
    ApiKey.generate(user=dave, name="integration")
    User.objects.create_user("staffonly", "s@shop.example", "x-pass-2026", is_staff=True)
    CreditEntry.objects.filter(user=bob).update(created_at=timezone.now() - timedelta(days=40))
    orders = {
        "completed": make_order(alice, credits=6),
        "completed_extras": make_order(alice, credits=19),
        "failed": make_order(alice, credits=15, state=Order.State.TIMEOUT),
        "running": make_order(alice, credits=6, state=Order.State.PROCESSING),
        "preview": make_order(alice, preview=True),
        "preview_failed": make_order(alice, preview=True, state=Order.State.INVALID_IMAGE),
        "bob_old": make_order(bob, credits=6, days_ago=40),
    }
    credits_topup(user=alice, amount=50, reason="Paid cash, receipt 1042", created_by=admin_user)
    credits_topup(user=alice, amount=-10, reason="Double top-up corrected", created_by=admin_user)
    return Shop(alice, bob, carol, dave, admin_user, orders)


@pytest.fixture
def photo_order(make_customer, portrait_jpeg):
    """Erin's completed, charged order with a real source photo, result and print sheet."""
    from photos.services.orders import order_complete, order_create, source_image_create

    customer = make_customer("erin", credits=50)
    source = source_image_create(owner=customer, data=portrait_jpeg, name="me.jpg")
    order = order_create(owner=customer, params={"spec_id": None}, source=source, enqueue=False)
    order_complete(order, photo_jpeg=portrait_jpeg, sheet_jpeg=portrait_jpeg)
    return order
