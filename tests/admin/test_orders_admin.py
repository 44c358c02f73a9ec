"""Orders in the admin: list with thumbnails and timings, filters and search, the
permission-checked image view, and the refund / re-run / delete-images actions."""

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from photos.models import CreditEntry, Order
from photos.services.backoffice import BackofficeError, order_rerun
from photos.services.credits import credits_balance
from tests.admin.conftest import make_order

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:photos_order_changelist")


def run_action(client, action, orders, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in orders], "index": 0, **extra},
        follow=True,
    )


def test_changelist_shows_thumbnails_state_and_timings(admin_client, photo_order, shop):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("source", "result"):
        assert reverse("admin:photos_order_image", args=[photo_order.pk, kind]) + "?w=96" in html
    assert "/media" not in html
    assert 'class="state-badge state-failed"' in html  # alice's timeout
    assert 'class="state-badge state-running"' in html and "Processing 0%" in html
    assert 'class="state-badge state-ok"' in html
    assert "no photo" in html  # orders without any image say so


def test_filters(admin_client, shop):
    def tasks(**params):
        html = admin_client.get(CHANGELIST, params).content.decode()
        return {o.pk for o in Order.objects.all() if f"/order/{o.pk}/change/" in html}

    orders = shop.orders
    assert tasks(outcome="failed") == {orders["failed"].pk, orders["preview_failed"].pk}
    assert tasks(outcome="running") == {orders["running"].pk}
    assert tasks(outcome="preview") == {orders["preview"].pk, orders["preview_failed"].pk}
    assert tasks(state__exact=-8) == {orders["failed"].pk}
    assert tasks(provider__exact="local") == {o.pk for o in orders.values()}
    assert tasks(channel__exact="api") == set()


def test_search_by_task_id_username_and_email(admin_client, shop):
    failed = shop.orders["failed"]

    def found(term):
        html = admin_client.get(CHANGELIST, {"q": term}).content.decode()
        return {o.pk for o in Order.objects.all() if f"/order/{o.pk}/change/" in html}

    assert found(str(failed.task_id)) == {failed.pk}
    assert found(str(failed.task_id).upper()) == {failed.pk}
    assert found("bob") == {shop.orders["bob_old"].pk}
    assert found("bob@example.com") == {shop.orders["bob_old"].pk}


def test_change_form_shows_images_and_ledger_and_is_read_only(admin_client, photo_order):
    url = reverse("admin:photos_order_change", args=[photo_order.pk])
    html = admin_client.get(url).content.decode()
    assert reverse("admin:photos_order_image", args=[photo_order.pk, "sheet"]) + "?w=320" in html
    assert "Charge -6 → balance 44" in html
    assert 'name="staff_note"' in html and 'name="state"' not in html
    admin_client.post(url, {"staff_note": "Customer called about the collar."})
    photo_order.refresh_from_db()
    assert photo_order.staff_note == "Customer called about the collar."
    assert photo_order.state == Order.State.COMPLETED
    assert admin_client.get(reverse("admin:photos_order_add")).status_code == 403


def test_image_view_makes_private_thumbnails(staff_client, photo_order):
    url = reverse("admin:photos_order_image", args=[photo_order.pk, "result"])
    response = staff_client.get(url, {"w": 96})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    thumb = Image.open(io.BytesIO(response.content))
    assert thumb.width <= 96 and thumb.height <= 192
    full = staff_client.get(reverse("admin:photos_order_image", args=[photo_order.pk, "source"]))
    assert Image.open(io.BytesIO(full.content)).width == 1200
    assert staff_client.get(url.replace("result", "avatar")).status_code == 404


def test_image_view_is_for_staff_with_order_permission(client, photo_order, django_user_model):
    url = reverse("admin:photos_order_image", args=[photo_order.pk, "source"]) + "?w=96"
    assert client.get(url).status_code == 302  # anonymous: to the admin login
    client.force_login(photo_order.owner)  # even the photo's owner does not use this view
    assert "/admin/login/" in client.get(url)["Location"]
    intern = django_user_model.objects.create_user("intern", "i@x.example", "pw", is_staff=True)
    client.force_login(intern)
    assert client.get(url).status_code == 403


def test_refund_action_is_idempotent_and_only_for_failed_orders(admin_client, customer):
    failed = Order.objects.create(owner=customer, credits=6, params={}, state=Order.State.FAILED)
    from photos.services.credits import credits_charge

    credits_charge(order=failed)  # failed without its refund (e.g. a crashed worker)
    done = make_order(customer, credits=6)
    assert credits_balance(customer) == 88
    response = run_action(admin_client, "refund_failed", [failed, done])
    text = response.content.decode()
    assert "Refunded 6 credits for 1 order(s)." in text
    assert "1 order(s) skipped: they have not failed." in text
    assert credits_balance(customer) == 94
    response = run_action(admin_client, "refund_failed", [failed])
    assert "had nothing to refund" in response.content.decode()
    assert CreditEntry.objects.filter(order=failed, kind="refund").count() == 1
    assert CreditEntry.objects.get(order=failed, kind="refund").created_by.is_superuser
    assert credits_balance(customer) == 94


def test_rerun_never_charges_twice(
    admin_client, photo_order, django_capture_on_commit_callbacks, task_queue
):
    owner = photo_order.owner
    balance = credits_balance(owner)  # 44: the original's 6 stand
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(admin_client, "rerun", [photo_order])
    assert "Queued 1 re-run(s)" in response.content.decode()
    rerun = Order.objects.get(rerun_of=photo_order)
    assert (rerun.credits, rerun.source_id, rerun.params) == (
        0,
        photo_order.source_id,
        photo_order.params,
    )
    assert credits_balance(owner) == balance
    assert task_queue.queue_size() == 1  # enqueued for the worker
    # A re-run of the re-run still belongs to the same paid photo.
    Order.objects.filter(pk=rerun.pk).update(state=Order.State.COMPLETED)
    rerun.refresh_from_db()
    again = order_rerun(order=rerun)
    assert (again.credits, again.rerun_of_id) == (0, photo_order.pk)
    assert credits_balance(owner) == balance


def test_rerun_of_a_refunded_failure_is_charged_once(customer, portrait_jpeg):
    from photos.services.orders import order_create, order_fail, source_image_create

    source = source_image_create(owner=customer, data=portrait_jpeg)
    order = order_create(owner=customer, params={"layout": 1}, source=source, enqueue=False)
    order_fail(order, state=Order.State.TIMEOUT, message="Processing timeout")
    assert credits_balance(customer) == 100  # charged 11, refunded 11
    rerun = order_rerun(order=order)
    assert rerun.credits == 11 and credits_balance(customer) == 89
    with pytest.raises(BackofficeError):
        order_rerun(order=rerun)  # still queued: not finished


def test_rerun_refuses_purged_or_running_orders(admin_client, photo_order, shop):
    response = run_action(admin_client, "rerun", [shop.orders["running"]])
    assert "is still running" in response.content.decode()
    Order.objects.filter(pk=photo_order.pk).update(purged_at=photo_order.created_at)
    photo_order.refresh_from_db()
    with pytest.raises(BackofficeError, match="deleted"):
        order_rerun(order=photo_order)


def test_purge_images_asks_then_deletes_files(
    admin_client, photo_order, django_capture_on_commit_callbacks
):
    names = [photo_order.result.name, photo_order.sheet.name, photo_order.source.file.name]
    assert all(default_storage.exists(name) for name in names)
    confirm = run_action(admin_client, "purge_images", [photo_order])
    assert "Yes, delete the images" in confirm.content.decode()
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        done = run_action(admin_client, "purge_images", [photo_order], confirm="yes")
    assert "Deleted 3 image file(s) of 1 order(s)." in done.content.decode()
    assert not any(default_storage.exists(name) for name in names)
    photo_order.refresh_from_db()
    assert photo_order.purged_at is not None and not photo_order.result
    assert photo_order.source.purged_at is not None
    image = reverse("admin:photos_order_image", args=[photo_order.pk, "source"])
    assert admin_client.get(image).status_code == 404
    assert "photos deleted" in admin_client.get(CHANGELIST).content.decode()
    # The books stay.
    assert CreditEntry.objects.filter(order=photo_order).exists()


def test_purge_refuses_a_running_order(admin_client, shop):
    with_running = run_action(admin_client, "purge_images", [shop.orders["running"]], confirm="yes")
    assert "still running" in with_running.content.decode()


def test_customer_purge_from_the_drill_down(
    admin_client, photo_order, django_capture_on_commit_callbacks
):
    url = reverse("admin:photos_user_credit_detail", args=[photo_order.owner_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"do": "purge"}, follow=True)
    assert "Deleted 3 image file(s) of erin." in response.content.decode()
    assert not default_storage.exists(photo_order.result.name)


def test_purge_waits_for_a_rerun_that_uses_the_photo(admin_client, photo_order):
    rerun = order_rerun(order=photo_order)
    response = run_action(admin_client, "purge_images", [photo_order], confirm="yes")
    assert "is being used by a running order" in response.content.decode()
    assert default_storage.exists(photo_order.source.file.name)
    Order.objects.filter(pk=rerun.pk).update(state=Order.State.COMPLETED)
    response = run_action(admin_client, "purge_images", [photo_order], confirm="yes")
    assert "Deleted 3 image file(s) of 1 order(s)." in response.content.decode()


def test_change_form_has_the_order_actions(admin_client, photo_order, shop):
    html = admin_client.get(
        reverse("admin:photos_order_change", args=[photo_order.pk])
    ).content.decode()
    assert 'value="rerun"' in html and 'value="purge_images"' in html
    assert 'value="refund_failed"' not in html  # completed: nothing to refund
    failed = admin_client.get(
        reverse("admin:photos_order_change", args=[shop.orders["failed"].pk])
    ).content.decode()
    assert 'value="refund_failed"' in failed
    running = admin_client.get(
        reverse("admin:photos_order_change", args=[shop.orders["running"].pk])
    ).content.decode()
    assert 'value="rerun"' not in running
