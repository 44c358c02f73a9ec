"""Faults at the HTTP boundary: each leaves the order in a clear state with credits right
(one charge; a refund exactly when the order failed)."""

import httpx
import pytest

from photos.models import Order
from photos.providers import picwish
from photos.services.credits import credits_balance
from photos.tasks import process_order
from tests.providers.conftest import (
    TASK_ID,
    answer,
    completed,
    created,
    failed,
    ledger,
    running,
)

pytestmark = pytest.mark.django_db


def run(order) -> Order:
    process_order(order.pk)
    order.refresh_from_db()
    return order


def assert_completed(order, customer):
    assert order.state == Order.State.COMPLETED
    assert order.result
    assert ledger(order) == ["charge"]
    assert credits_balance(customer) == 94
    assert order.upstream_credits == 6


def assert_failed_and_refunded(order, customer, state):
    assert order.state == state
    assert order.error_message
    assert ledger(order) == ["charge", "refund"]
    assert credits_balance(customer) == 100


def test_timeouts_are_retried_with_exponential_backoff(upstream, picwish_order, customer, clock):
    upstream.creates = [httpx.ConnectTimeout("connect timed out"), created()]
    upstream.polls = [
        httpx.ReadTimeout("read timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ReadTimeout("read timed out"),
        completed(),
    ]
    order = run(picwish_order())

    assert_completed(order, customer)
    assert upstream.creates_sent == 2
    assert clock.slept == [0.5, 0.5, 1.0, 2.0]  # create retry; three poll retries


def test_a_create_that_times_out_on_every_try_fails_and_refunds(upstream, picwish_order, customer):
    upstream.creates = [httpx.ReadTimeout("read timed out")]
    order = run(picwish_order())

    assert_failed_and_refunded(order, customer, Order.State.FAILED)
    assert upstream.creates_sent == picwish.MAX_TRIES == 4
    assert order.error_message == picwish.UNREACHABLE
    assert "after 4 tries: ReadTimeout" in order.staff_note
    assert order.upstream_task_id == "" and order.upstream_credits is None


def test_a_connection_reset_while_polling_is_retried(upstream, picwish_order, customer):
    upstream.polls = [
        running(4, 30),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        completed(),
    ]
    order = run(picwish_order())
    assert_completed(order, customer)


def test_500_then_success_creates_once_more_and_completes(upstream, picwish_order, customer):
    upstream.creates = [answer(500, "Internal error; please try again later."), created()]
    upstream.polls = [answer(502, "Bad gateway"), running(), completed()]
    order = run(picwish_order())

    assert_completed(order, customer)
    assert upstream.creates_sent == 2


def test_a_poll_outage_longer_than_the_retries_keeps_polling(upstream, picwish_order, customer):
    upstream.polls = [answer(503, "Service unavailable")] * 4 + [running(), completed()]
    order = run(picwish_order())
    assert_completed(order, customer)


def test_401_is_not_retried_and_tells_staff_the_key_is_wrong(upstream, picwish_order, customer):
    upstream.creates = [answer(401, "Invalid API key")]
    order = run(picwish_order())

    assert_failed_and_refunded(order, customer, Order.State.FAILED)
    assert upstream.creates_sent == 1
    assert order.error_message == "The photo service rejected the request."
    assert order.staff_note.startswith("Upstream 401: invalid PICWISH_API_KEY")
    assert "Invalid API key" in order.staff_note
    assert order.upstream_task_id == "" and order.upstream_credits is None


def test_an_error_status_inside_an_http_200_body_counts(upstream, picwish_order, customer):
    upstream.creates = [httpx.Response(200, json={"status": 401, "message": "Invalid API key"})]
    order = run(picwish_order())
    assert_failed_and_refunded(order, customer, Order.State.FAILED)
    assert order.staff_note.startswith("Upstream 401: invalid PICWISH_API_KEY")


def test_400_is_not_retried_and_shows_the_upstreams_reason(upstream, picwish_order, customer):
    upstream.creates = [answer(400, "Invalid dpi '5': must be int from 10 to 1000.")]
    order = run(picwish_order())

    assert_failed_and_refunded(order, customer, Order.State.FAILED)
    assert upstream.creates_sent == 1
    assert order.error_message == (
        "The photo service rejected the request: Invalid dpi '5': must be int from 10 to 1000."
    )
    assert order.staff_note.startswith("Upstream 400: bad parameters")


def test_an_empty_api_key_fails_clearly(upstream, picwish_order, customer, settings):
    settings.PICWISH_API_KEY = ""
    order = run(picwish_order())
    assert_failed_and_refunded(order, customer, Order.State.FAILED)
    assert "PICWISH_API_KEY is empty" in order.staff_note
    assert upstream.requests == []


def test_429_backs_off_as_told_then_succeeds(upstream, picwish_order, customer, clock):
    upstream.creates = [answer(429, "Too many requests", Retry_After="3"), created()]
    upstream.polls = [answer(429, "Too many requests"), completed()]
    order = run(picwish_order())

    assert_completed(order, customer)
    assert upstream.creates_sent == 2
    assert clock.slept == [3.0, 0.5]


@pytest.mark.parametrize(
    ("state", "message", "expected"),
    [
        (-1, "success", "ID photo processing failed."),
        (-3, "Failed to download image from URL", "Failed to download image from URL"),
        (-7, "success", "The image file is invalid (corrupted or in an unsupported format)."),
        (-8, "Processing timeout", "Processing timeout"),
    ],
)
def test_an_upstream_failure_state_becomes_ours_and_refunds(
    upstream, picwish_order, customer, state, message, expected
):
    upstream.polls = [running(4, 40), failed(state, message)]
    order = run(picwish_order())

    assert_failed_and_refunded(order, customer, state)
    assert order.error_message == expected
    assert f"failed with state {state}" in order.staff_note
    assert f'"state": {state}' in order.staff_note  # the raw upstream JSON, for staff
    assert order.upstream_task_id == TASK_ID
    assert order.upstream_credits == 0


def test_a_result_url_that_404s_fails_with_state_minus_2(upstream, picwish_order, customer):
    upstream.downloads = [httpx.Response(404, text="NoSuchKey")]
    order = run(picwish_order())

    assert_failed_and_refunded(order, customer, Order.State.STORE_FAILED)
    assert len(upstream.sent("GET", host="oss.upstream.test")) == 1  # a 404 is not retried
    assert order.error_message == picwish.NOT_DOWNLOADED
    assert "HTTP 404" in order.staff_note and "result.jpg" in order.staff_note


def test_a_result_that_is_not_an_image_fails_with_state_minus_2(upstream, picwish_order, customer):
    upstream.downloads = [httpx.Response(200, text="<html>Access denied</html>")]
    order = run(picwish_order())
    assert_failed_and_refunded(order, customer, Order.State.STORE_FAILED)
    assert "is not an image" in order.staff_note


def test_polling_stops_at_the_5_minute_limit(upstream, picwish_order, customer, clock):
    upstream.polls = [running(4, 50)]
    order = run(picwish_order())

    assert_failed_and_refunded(order, customer, Order.State.TIMEOUT)
    assert 295 <= len(upstream.sent("GET")) <= 301
    assert set(clock.slept) == {1.0}
    assert "may still finish" in order.staff_note
    assert order.upstream_credits == 6  # unknown outcome: staff reconcile with the upstream


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the task gets to handle it."""


def test_a_worker_killed_between_create_and_poll_resumes_without_a_second_create(
    upstream, picwish_order, customer
):
    upstream.polls = [WorkerKilled(), running(4, 70), completed()]
    order = picwish_order()

    with pytest.raises(WorkerKilled):
        process_order(order.pk)
    order.refresh_from_db()
    assert not order.is_finished
    assert order.upstream_task_id == TASK_ID  # committed before the first poll
    assert order.upstream_credits == 6
    assert ledger(order) == ["charge"]

    # django-q2 hands the task to another worker.
    order = run(order)
    assert_completed(order, customer)
    assert upstream.creates_sent == 1
    assert order.upstream_task_id == TASK_ID
