"""A real django-q2 worker process picks up orders from the broker and the shared database."""

import pytest

from photos.models import Order
from photos.params import parse_params
from photos.services.credits import credits_balance
from photos.services.orders import order_create
from tests.conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_worker_fails_an_undownloadable_order_and_refunds_it(qcluster, customer, settings):
    settings.IDPHOTO_ALLOW_LOOPBACK_URLS = False  # the worker reads its own env: loopback allowed
    order = order_create(
        owner=customer,
        params=parse_params({"layout": "1"}),
        image_url="http://127.0.0.1:9/nothing-listens-here.jpg",
        channel=Order.Channel.API,
    )
    assert order.credits == 11
    assert credits_balance(customer) == 89

    def finished():
        order.refresh_from_db()
        return order.is_finished

    wait_for(finished, timeout=30)
    assert order.state == Order.State.DOWNLOAD_FAILED
    assert "Failed to download image_url" in order.error_message
    assert credits_balance(customer) == 100
    assert list(order.credit_entries.values_list("kind", flat=True).order_by("id")) == [
        "charge",
        "refund",
    ]
