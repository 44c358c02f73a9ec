"""Callback delivery: POST the task JSON (what polling returns) to the task's callback_url.

Signed so receivers can tell it came from us: ``X-Idphoto-Signature: sha256=<hex>`` is
HMAC-SHA256 of the raw request body with the API key's ``callback_secret``. A delivery
that fails (no 2xx answer) is retried by a one-off django-q2 schedule after each delay in
RETRY_DELAYS, then dropped. The URL passes ``photos.net.check_url`` at every attempt and
redirects are not followed, so a callback cannot be pointed at a private address.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from photos.api.responses import task_body
from photos.models import Order
from photos.net import UnsafeURL, check_url

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Idphoto-Signature"
TIMESTAMP_HEADER = "X-Idphoto-Timestamp"
TIMEOUT = 10.0
RETRY_DELAYS = (30, 120, 600, 1800)  # seconds after attempt 1, 2, 3, 4; 5 attempts at most


def callback_signature(secret: str, body: bytes) -> str:
    """The X-Idphoto-Signature value for ``body``; receivers compute the same and compare."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def callback_body(order: Order) -> bytes:
    base_url = settings.PUBLIC_BASE_URL.rstrip("/") or order.params.get("_result_base_url", "")
    return json.dumps(task_body(order, base_url=base_url), ensure_ascii=False).encode()


def _post(order: Order, body: bytes, attempt: int) -> str | None:
    """Send once; None on a 2xx answer, else why it failed."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "idphoto-callback/1",
        SIGNATURE_HEADER: callback_signature(order.api_key.callback_secret, body),
        TIMESTAMP_HEADER: str(int(time.time())),
        "X-Idphoto-Task-Id": str(order.task_id),
        "X-Idphoto-Attempt": str(attempt),
    }
    try:
        response = httpx.post(order.callback_url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as e:
        return f"{e.__class__.__name__}: {e}"
    if 200 <= response.status_code < 300:
        return None
    return f"answered {response.status_code}"


def deliver_callback(order_id: int, attempt: int = 1) -> bool:
    """django-q2 task: deliver one finished order's callback; True once it was accepted."""
    order = Order.objects.select_related("source", "api_key").filter(pk=order_id).first()
    if order is None or not order.callback_url or not order.is_finished:
        return False
    if order.api_key is None:
        log.warning("callback for %s dropped: its API key was deleted", order.task_id)
        return False
    try:
        check_url(order.callback_url)
    except UnsafeURL as e:
        log.warning("callback for %s dropped: %s", order.task_id, e)
        return False
    problem = _post(order, callback_body(order), attempt)
    if problem is None:
        log.info("callback for %s delivered (attempt %d)", order.task_id, attempt)
        return True
    if attempt > len(RETRY_DELAYS):
        log.warning(
            "callback for %s given up after %d attempts: %s", order.task_id, attempt, problem
        )
        return False
    delay = RETRY_DELAYS[attempt - 1]
    log.info("callback for %s failed (%s); retrying in %d s", order.task_id, problem, delay)
    from django_q.models import Schedule
    from django_q.tasks import schedule

    try:
        schedule(
            "photos.api.callbacks.deliver_callback",
            order.pk,
            attempt + 1,
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + timedelta(seconds=delay),
            name=f"callback-{order.task_id}-{attempt + 1}",
        )
    except IntegrityError:  # this retry is already scheduled
        pass
    return False
