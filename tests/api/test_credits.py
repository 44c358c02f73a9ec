"""The reference's credit rules through the API: charged once when accepted, refunded on
failure, refused before any work when the balance is short."""

import pytest
from django.db import transaction

from photos.models import ApiKey, CreditEntry, Order, SourceImage
from photos.params import parse_params
from photos.services.credits import credits_balance, credits_topup
from photos.services.orders import order_create, source_image_create
from photos.tasks import process_order
from tests.api.conftest import TASKS


@pytest.mark.parametrize(
    ("fields", "price"),
    [
        ({}, 6),
        ({"clothes_id": "woman_3"}, 15),
        ({"auto_bright": "1"}, 14),
        ({"auto_sharp": "1", "auto_smooth": "1"}, 14),
        ({"layout": "1"}, 11),
        ({"clothes_id": "child_1", "auto_thin_face": "1", "layout": "1"}, 28),
        ({"clothes_id": "man_1", "layout": "1", "preview": "1"}, 0),
    ],
)
def test_the_price_is_charged_when_the_task_is_accepted(api, api_key, local_server, fields, price):
    user, _ = api_key
    response = api.post(TASKS, data={"image_url": f"{local_server.url}/p.jpg", **fields})
    assert response.status_code == 200, response.text
    order = Order.objects.get(task_id=response.json()["data"]["task_id"])
    assert order.credits == price
    assert credits_balance(user) == 100 - price
    charges = CreditEntry.objects.filter(kind="charge")
    assert [(e.order_id, e.amount) for e in charges] == ([(order.pk, -price)] if price else [])


def test_insufficient_credits_answer_402_before_any_work(api, api_key, portrait_jpeg):
    user, plain = api_key
    credits_topup(user=user, amount=-95, reason="test: leave 5 credits")
    response = api.post(
        TASKS,
        data={"spec_id": ""},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    body = response.json()
    assert response.status_code == body["status"] == 402
    assert "needs 6" in body["message"] and "balance is 5" in body["message"]
    assert not Order.objects.exists() and not SourceImage.objects.exists()
    assert credits_balance(user) == 5
    # A free preview still works.
    response = api.post(
        TASKS, data={"preview": "1"}, files={"image_file": ("s.jpg", portrait_jpeg, "image/jpeg")}
    )
    assert response.status_code == 200
    assert credits_balance(user) == 5


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_charged_once_even_when_the_worker_runs_twice(api_key, portrait_jpeg, landscape_jpeg):
    user, _ = api_key
    key = ApiKey.objects.get(user=user)
    made = []
    for data in (portrait_jpeg, landscape_jpeg):
        with transaction.atomic():
            order = order_create(
                owner=user,
                params=parse_params({"layout": "1"}),
                source=source_image_create(owner=user, data=data),
                api_key=key,
                channel=Order.Channel.API,
                enqueue=False,
            )
        assert process_order(order.pk) == process_order(order.pk)
        made.append(order)
    ok, failed = made
    assert list(ok.credit_entries.values_list("kind", "amount")) == [("charge", -11)]
    assert sorted(failed.credit_entries.values_list("kind", "amount")) == [
        ("charge", -11),
        ("refund", 11),
    ]
    assert credits_balance(user) == 89
