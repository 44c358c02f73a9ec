"""The callback receiver: authenticated by a signed token, limited to our pending picwish
orders, idempotent, and racing safely with the poller that stays the fallback."""

import json

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from photos.models import Order
from photos.providers import picwish
from photos.services.credits import credits_balance
from photos.tasks import process_order
from tests.providers.conftest import TASK_ID, completed, failed, ledger, running

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(upstream, picwish_order):
    """A picwish order whose upstream task exists (created, not yet finished)."""
    order = picwish_order()
    Order.objects.filter(pk=order.pk).update(upstream_task_id=TASK_ID, upstream_credits=6)
    order.refresh_from_db()
    return order


def deliver(order, body: dict | None = None, *, token: str | None = None):
    """POST what the upstream sends: its task JSON, to the URL we gave it."""
    token = token or picwish.callback_token(order)
    body = body or {"status": 200, "message": "success", "data": {"task_id": TASK_ID, "state": 1}}
    return Client(enforce_csrf_checks=True).post(
        reverse("picwish-callback", args=[token]),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_a_bad_token_is_refused_with_403(pending, upstream):
    assert deliver(pending, token="not-a-token").status_code == 403
    other_salt = signing.dumps(str(pending.task_id), salt="something-else")
    assert deliver(pending, token=other_salt).status_code == 403
    assert upstream.requests == []
    pending.refresh_from_db()
    assert not pending.is_finished


def test_an_unknown_task_is_refused_with_404(pending, upstream, picwish_order):
    wrong_task = {"status": 200, "data": {"task_id": "5b0e0c55-aaaa-4bbb-8ccc-000000000000"}}
    assert deliver(pending, wrong_task).status_code == 404
    local = picwish_order()
    Order.objects.filter(pk=local.pk).update(provider="local", upstream_task_id=TASK_ID)
    assert deliver(local).status_code == 404
    assert upstream.requests == []


def test_a_callback_without_a_task_id_is_refused_with_400(pending):
    assert deliver(pending, {"status": 200, "data": {"state": 1}}).status_code == 400


def test_only_post_is_accepted(pending):
    url = reverse("picwish-callback", args=[picwish.callback_token(pending)])
    assert Client().get(url).status_code == 405


def test_a_completion_is_applied_once_and_a_duplicate_is_a_no_op(pending, upstream, result_jpeg):
    upstream.polls = [completed()]

    first = deliver(pending)
    assert first.status_code == 200
    assert first.json()["data"]["outcome"] == "completed"
    pending.refresh_from_db()
    assert pending.state == Order.State.COMPLETED
    assert pending.result.read() == result_jpeg
    assert pending.upstream_image_id

    second = deliver(pending)
    assert second.status_code == 200
    assert second.json()["data"]["outcome"] == "finished"
    # The outcome was read from the upstream once, the result downloaded once, charged once.
    assert len(upstream.sent("GET")) == 1
    assert len(upstream.sent("GET", host="oss.upstream.test")) == 1
    assert ledger(pending) == ["charge"]

    # The poller, run later, finds the order finished and leaves it alone.
    assert process_order(pending.pk) == Order.State.COMPLETED
    assert upstream.creates_sent == 0


def test_the_body_is_only_a_nudge_the_outcome_comes_from_the_upstream_api(pending, upstream):
    """A forged "state 1 with an image URL" body changes nothing while the task still runs."""
    upstream.polls = [running(4, 40)]
    forged = {"status": 200, "data": {"task_id": TASK_ID, "state": 1, "image": "http://evil/"}}
    response = deliver(pending, forged)
    assert response.json()["data"]["outcome"] == "pending"
    assert upstream.sent("GET", host="evil") == []
    pending.refresh_from_db()
    assert not pending.is_finished


def test_a_failure_callback_fails_the_order_and_refunds_once(pending, upstream, customer):
    upstream.polls = [failed(-7, "Invalid image file")]
    assert deliver(pending).json()["data"]["outcome"] == "failed"
    assert deliver(pending).json()["data"]["outcome"] == "finished"
    pending.refresh_from_db()
    assert pending.state == Order.State.INVALID_IMAGE
    assert pending.error_message == "Invalid image file"
    assert ledger(pending) == ["charge", "refund"]
    assert credits_balance(customer) == 100


def test_the_upstream_unreachable_asks_for_a_redelivery(pending, upstream):
    import httpx

    upstream.polls = [httpx.ConnectError("connection refused")]
    assert deliver(pending).status_code == 503
    pending.refresh_from_db()
    assert not pending.is_finished


def test_a_callback_during_polling_wins_and_the_poller_does_not_finish_twice(
    upstream, picwish_order, customer, result_jpeg
):
    """The upstream calls back while our worker polls: one completion, one download."""
    order = picwish_order()
    polls = iter([running(4, 30), completed()])

    def poll(request):
        answer = next(polls, None)
        if answer is None:  # the receiver's check, or the poller after the receiver
            return completed()
        if answer.json()["data"]["state"] == 1:
            return answer
        # The upstream finishes and calls back before answering this poll.
        upstream.polls = [completed()]
        assert deliver(order).json()["data"]["outcome"] == "completed"
        upstream.polls = [poll]
        return answer

    upstream.polls = [poll]
    assert process_order(order.pk) == Order.State.COMPLETED
    order.refresh_from_db()
    assert order.result.read() == result_jpeg
    assert len(upstream.sent("GET", host="oss.upstream.test")) == 1
    assert ledger(order) == ["charge"]
    assert credits_balance(customer) == 94
