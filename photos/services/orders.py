"""Orders: create (charge + enqueue), move through the upstream's states, finish or fail.

A failed order is refunded in the same transaction that marks it failed, so credits are
never lost; ``credits_charge`` and ``credits_refund`` are idempotent, so a retried worker
never charges or refunds twice.
"""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from photos import pricing
from photos.engine.params import MAX_IMAGE_BYTES
from photos.models import ApiKey, Order, SourceImage, Spec, User
from photos.params import ParamError, stored_params
from photos.services.credits import (
    InsufficientCredits,
    credits_balance,
    credits_charge,
    credits_refund,
)

log = logging.getLogger(__name__)

TERMINAL_FILTER = {"state__lt": 0}


class SourceTooLarge(Exception):
    pass


def source_image_create(*, owner: User, data: bytes, name: str = "upload") -> SourceImage:
    """Store an uploaded photo privately; the engine validates its content later."""
    if len(data) > MAX_IMAGE_BYTES:
        raise SourceTooLarge("The image is larger than 15 MB.")
    source = SourceImage(owner=owner, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "img"
    source.file.save(f"{source.image_id}.{suffix[:5]}", ContentFile(data), save=False)
    source.save()
    return source


def source_image_for_reuse(*, owner: User, image_id: str) -> SourceImage:
    """The source of an earlier task of the same account (``last_id``)."""
    try:
        uuid.UUID(str(image_id))
        return SourceImage.objects.get(image_id=image_id, owner=owner, purged_at__isnull=True)
    except (ValueError, SourceImage.DoesNotExist):
        raise ParamError(
            "last_id",
            f"Unknown last_id '{image_id}': no image of yours has this id (it may have expired).",
        ) from None


def spec_for(params: dict) -> Spec | None:
    spec_id = params.get("spec_id")
    if spec_id is None:
        return None
    spec = Spec.objects.filter(pk=spec_id, is_active=True).first()
    if spec is None:
        raise ParamError("spec_id", f"Unknown spec_id {spec_id}: see the specification list.")
    return spec


def order_create(
    *,
    owner: User,
    params: dict,
    channel: str = Order.Channel.WEB,
    source: SourceImage | None = None,
    image_url: str = "",
    callback_url: str = "",
    api_key: ApiKey | None = None,
    enqueue: bool = True,
) -> Order:
    """Create an order and charge it atomically; the worker is enqueued after commit.

    Raises ParamError (bad spec) or InsufficientCredits before any work is done.
    """
    if source is None and not image_url:
        raise ParamError("image_file", "Send image_file, image_url or last_id.")
    spec = spec_for(params)
    clean = stored_params(params)
    with transaction.atomic():
        order = Order.objects.create(
            owner=owner,
            channel=channel,
            api_key=api_key,
            spec=spec,
            params=clean,
            source=source,
            image_url=image_url,
            callback_url=callback_url,
            preview=bool(params.get("preview")),
            provider=settings.IDPHOTO_PROVIDER,
            credits=pricing.task_price(params),
        )
        credits_charge(order=order)
        if enqueue:
            transaction.on_commit(lambda: order_enqueue(order))
    return order


def order_enqueue(order: Order) -> None:
    from django_q.tasks import async_task

    async_task("photos.tasks.process_order", order.pk, task_name=f"order-{order.task_id}")


def order_set_progress(order: Order, *, state: int, progress: int, detail: str = "") -> None:
    """Move a running order forward; never touches an order that has already ended."""
    fields = {"state": state, "progress": max(0, min(99, int(progress)))}
    if detail:
        fields["state_detail"] = detail
    if order.processed_at is None and state == Order.State.PROCESSING:
        fields["processed_at"] = order.processed_at = timezone.now()
    Order.objects.filter(pk=order.pk, state__gte=0).exclude(state=Order.State.COMPLETED).update(
        **fields
    )
    for name, value in fields.items():
        setattr(order, name, value)


def order_complete(
    order: Order,
    *,
    photo_jpeg: bytes,
    sheet_jpeg: bytes | None = None,
    measurements: dict | None = None,
    warnings: list | None = None,
) -> bool:
    """Store the results and mark the order done; False if it had already ended."""
    now = timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.is_finished:
            return False
        locked.result.save(f"{locked.task_id}.jpg", ContentFile(photo_jpeg), save=False)
        if sheet_jpeg:
            locked.sheet.save(f"{locked.task_id}-sheet.jpg", ContentFile(sheet_jpeg), save=False)
        locked.state = Order.State.COMPLETED
        locked.progress = 100
        locked.state_detail = "Complete"
        locked.measurements = measurements or {}
        locked.warnings = warnings or []
        locked.processed_at = locked.processed_at or now
        locked.completed_at = now
        locked.expires_at = locked.created_at + timedelta(hours=settings.RESULT_RETENTION_HOURS)
        locked.save()
    _refresh(order, locked)
    return True


def order_fail(order: Order, *, state: int, message: str, staff_note: str = "") -> bool:
    """Mark the order failed with the upstream's state and refund it; False if already ended."""
    if state >= 0:
        raise ValueError("A failure state is negative.")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.is_finished:
            return False
        locked.state = state
        locked.state_detail = Order.State(state).label
        locked.error_message = message[:2000]
        locked.staff_note = staff_note[:5000]
        locked.processed_at = locked.processed_at or timezone.now()
        locked.completed_at = timezone.now()
        locked.save()
        credits_refund(order=locked, reason=f"Task {locked.task_id} failed: {message}"[:200])
    _refresh(order, locked)
    return True


def _refresh(order: Order, fresh: Order) -> None:
    for field in fresh._meta.concrete_fields:
        setattr(order, field.attname, getattr(fresh, field.attname))


__all__ = [
    "InsufficientCredits",
    "SourceTooLarge",
    "credits_balance",
    "order_complete",
    "order_create",
    "order_enqueue",
    "order_fail",
    "order_set_progress",
    "source_image_create",
    "source_image_for_reuse",
]


STALE_AFTER = timedelta(minutes=20)  # longer than any provider's limit plus the queue's retry


def orders_fail_stale(*, now=None) -> int:
    """Fail and refund orders stuck in a running state (a web process or worker died mid-task).

    Run every few minutes by the django-q2 schedule "fail-stale-orders". Returns how many.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    running = (
        Order.State.QUEUED,
        Order.State.PREPARING,
        Order.State.WAITING,
        Order.State.PROCESSING,
    )
    failed = 0
    for order in Order.objects.filter(state__in=running, created_at__lt=cutoff).iterator():
        if order_fail(
            order,
            state=Order.State.TIMEOUT,
            message="Processing timeout: the task did not finish in time. Your credits were refunded.",
            staff_note="Failed by the stale-order sweep (no progress for 20 minutes).",
        ):
            failed += 1
    if failed:
        log.warning("failed %d stale orders", failed)
    return failed
