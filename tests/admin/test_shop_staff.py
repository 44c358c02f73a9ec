"""The "Shop staff" group (a data migration) is enough for every daily task, and no more."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse

from photos.models import CreditEntry, Order, Spec
from photos.services.credits import credits_balance

pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_group_with_just_these_permissions():
    group = Group.objects.get(name="Shop staff")
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("photos", "view_order"),
        ("photos", "change_order"),
        ("photos", "view_spec"),
        ("photos", "change_spec"),
        ("photos", "view_creditentry"),
        ("photos", "add_credits"),
        ("photos", "view_user"),
        ("django_q", "view_ormq"),
        ("django_q", "view_failure"),
        ("django_q", "view_schedule"),
        ("django_q", "view_success"),
    }


def test_shop_staff_daily_round(staff_client, shop_staff, shop, photo_order, specs):
    assert not shop_staff.is_superuser
    client = staff_client
    # The index with the queue's health and the daily links.
    index = client.get(reverse("admin:index")).content.decode()
    assert 'id="queue-health"' in index and reverse("admin:photos_user_credit_use") in index
    assert reverse("admin:django_q_failure_changelist") in index
    # Credit use, CSV and a drill-down.
    assert client.get(reverse("admin:photos_user_credit_use")).status_code == 200
    assert client.get(reverse("admin:photos_user_credit_use_csv")).status_code == 200
    detail = reverse("admin:photos_user_credit_detail", args=[shop.alice.pk])
    assert 'name="topup-amount"' in client.get(detail).content.decode()
    # Top up from the drill-down and through the users' action.
    client.post(detail, {"do": "topup", "topup-amount": "10", "topup-reason": "Cash"})
    client.post(
        reverse("admin:photos_user_changelist"),
        {
            "action": "add_credits",
            ACTION_CHECKBOX_NAME: [shop.bob.pk],
            "apply": "1",
            "amount": "5",
            "reason": "Voucher",
        },
    )
    assert (credits_balance(shop.alice), credits_balance(shop.bob)) == (119, 19)
    assert CreditEntry.objects.filter(created_by=shop_staff).count() == 2
    # Orders: list, thumbnails, and the three actions.
    assert client.get(reverse("admin:photos_order_changelist")).status_code == 200
    image = reverse("admin:photos_order_image", args=[photo_order.pk, "result"])
    assert client.get(image, {"w": 96}).status_code == 200
    changelist = reverse("admin:photos_order_changelist")
    for action, order in (("refund_failed", shop.orders["failed"]), ("rerun", photo_order)):
        response = client.post(
            changelist,
            {"action": action, ACTION_CHECKBOX_NAME: [order.pk], "index": 0},
            follow=True,
        )
        assert response.status_code == 200
    rerun = Order.objects.get(rerun_of=photo_order, credits=0)
    Order.objects.filter(pk=rerun.pk).update(state=Order.State.COMPLETED)  # the worker's part
    client.post(
        changelist,
        {"action": "purge_images", ACTION_CHECKBOX_NAME: [photo_order.pk], "confirm": "yes"},
    )
    photo_order.refresh_from_db()
    assert photo_order.purged_at is not None
    # The spec catalogue: edit and deactivate.
    client.post(
        reverse("admin:photos_spec_changelist"),
        {"action": "deactivate", ACTION_CHECKBOX_NAME: [3108], "index": 0},
    )
    assert not Spec.objects.get(pk=3108).is_active
    preview = reverse("admin:photos_spec_geometry_preview")
    assert client.get(preview, {"px_width": 295, "px_height": 413}).status_code == 200
    # The queue pages of django-q2.
    assert client.get(reverse("admin:django_q_failure_changelist")).status_code == 200


def test_shop_staff_cannot_touch_the_ledger_users_or_delete(staff_client, shop):
    client = staff_client
    entry = CreditEntry.objects.filter(user=shop.alice).first()
    assert client.get(reverse("admin:photos_creditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:photos_creditentry_add")).status_code == 403
    change = reverse("admin:photos_creditentry_change", args=[entry.pk])
    assert client.post(change, {"amount": 999}).status_code == 403
    assert (
        client.get(reverse("admin:photos_creditentry_delete", args=[entry.pk])).status_code == 403
    )
    # Users are view-only; orders and specs cannot be added or deleted.
    user_change = reverse("admin:photos_user_change", args=[shop.alice.pk])
    assert 'name="_save"' not in client.get(user_change).content.decode()
    assert client.post(user_change, {"username": "mallory"}).status_code == 403
    assert client.get(reverse("admin:photos_user_add")).status_code == 403
    order = shop.orders["completed"]
    assert client.get(reverse("admin:photos_order_delete", args=[order.pk])).status_code == 403
    assert client.get(reverse("admin:photos_spec_add")).status_code == 403
    # No access to groups, API keys or django-q2's schedule editing.
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:photos_apikey_changelist")).status_code == 403
    assert client.get(reverse("admin:django_q_schedule_add")).status_code == 403
