"""The reference's callback flow: a tiny receiver gets the finished task, signed."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from photos.api.callbacks import RETRY_DELAYS, callback_signature, deliver_callback
from photos.models import ApiKey, Order
from photos.params import parse_params
from photos.services.orders import order_create, order_fail
from tests.api.conftest import TASKS
from tests.conftest import wait_for


def verify(secret: str, post: dict) -> dict:
    """What a receiver does: recompute the HMAC of the raw body and compare."""
    expected = "sha256=" + hmac.new(secret.encode(), post["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, post["headers"]["X-Idphoto-Signature"])
    return json.loads(post["body"])


@pytest.mark.slow
def test_callback_flow_posts_the_signed_task(
    qcluster, specs, api, api_key, portrait_jpeg, local_server
):
    user, _ = api_key
    secret = ApiKey.objects.get(user=user).callback_secret
    response = api.post(
        TASKS,
        data={"callback_url": f"{local_server.url}/hook", "spec_id": "1102"},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    body = response.json()
    assert body["status"] == 200 and set(body["data"]) == {"task_id"}, body
    task_id = body["data"]["task_id"]

    posts = wait_for(local_server.posts, timeout=60)
    assert len(posts) == 1 and posts[0]["path"] == "/hook"
    assert posts[0]["headers"]["Content-Type"] == "application/json"
    assert posts[0]["headers"]["X-Idphoto-Task-Id"] == task_id
    assert int(posts[0]["headers"]["X-Idphoto-Timestamp"]) > 0
    delivered = verify(secret, posts[0])
    assert delivered["status"] == 200 and delivered["message"] == "success"
    assert delivered["data"]["task_id"] == task_id and delivered["data"]["state"] == 1

    # The same JSON polling returns (links are signed afresh, so compare them by use).
    polled = api.get(f"{TASKS}/{task_id}").json()
    image = delivered["data"].pop("image")
    polled["data"].pop("image")
    assert delivered == polled
    assert api.get(image, headers={"X-API-KEY": ""}).status_code == 200


@pytest.mark.django_db
def test_a_failed_task_is_called_back_too_and_retried_with_backoff(api_key, local_server):
    user, _ = api_key
    order = order_create(
        owner=user,
        params=parse_params({}),
        image_url="http://example.invalid/x.jpg",
        callback_url=f"{local_server.url}/hook",
        api_key=ApiKey.objects.get(user=user),
        channel=Order.Channel.API,
        enqueue=False,
    )
    order_fail(order, state=Order.State.DOWNLOAD_FAILED, message="Failed to download image_url.")
    local_server.post_statuses = [500]

    before = timezone.now()
    assert deliver_callback(order.pk) is False
    retry = Schedule.objects.get(func="photos.api.callbacks.deliver_callback")
    assert retry.schedule_type == Schedule.ONCE
    assert before + timedelta(seconds=RETRY_DELAYS[0] - 1) < retry.next_run
    assert retry.next_run < timezone.now() + timedelta(seconds=RETRY_DELAYS[0] + 1)

    # What the scheduler runs next: the second attempt, which the receiver accepts.
    assert deliver_callback(order.pk, 2) is True
    first, second = local_server.posts()
    assert first["body"] == second["body"]
    assert second["headers"]["X-Idphoto-Attempt"] == "2"
    delivered = verify(order.api_key.callback_secret, second)
    assert delivered["data"]["state"] == -3
    assert delivered["message"] == "Failed to download image_url."
    assert Schedule.objects.filter(func__contains="deliver_callback").count() == 1


@pytest.mark.django_db
def test_callbacks_stop_after_the_last_retry(api_key, local_server):
    user, _ = api_key
    order = order_create(
        owner=user,
        params=parse_params({"preview": "1"}),
        image_url="http://example.invalid/x.jpg",
        callback_url=f"{local_server.url}/hook",
        api_key=ApiKey.objects.get(user=user),
        channel=Order.Channel.API,
        enqueue=False,
    )
    order_fail(order, state=Order.State.FAILED, message="No face.")
    local_server.post_statuses = [503]
    assert deliver_callback(order.pk, len(RETRY_DELAYS) + 1) is False
    assert not Schedule.objects.filter(func__contains="deliver_callback").exists()


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"status": 200}'
    assert callback_signature("s3cret", body) == (
        "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    )


def test_unsafe_callback_url_is_refused_at_creation(live_server, api, api_key, portrait_jpeg):
    for url in ("http://10.0.0.1/hook", "ftp://example.com/hook", "http://169.254.169.254/latest"):
        response = api.post(
            TASKS,
            data={"callback_url": url},
            files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
        )
        assert response.status_code == 400, url
        assert "callback_url" in response.json()["message"]
    assert not Order.objects.exists()
