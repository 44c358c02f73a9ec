"""django-q2 tasks: thin wrappers that load an order and hand it to a provider."""

import logging
import time

from photos.models import Order
from photos.net import DownloadError, fetch_image
from photos.providers import ProviderError, get_provider
from photos.providers.base import complete_order
from photos.services import orders as order_services

log = logging.getLogger(__name__)

PROCESSING_LIMIT = 30.0  # "-8: Processing timeout, maximum processing time is 30 seconds"
UPSTREAM_POLLING_LIMIT = 300.0  # "Total polling time should not exceed 5 minutes"


def _source_bytes(order: Order) -> bytes:
    if order.source_id is None:
        order_services.order_set_progress(
            order, state=Order.State.PREPARING, progress=5, detail="Downloading image"
        )
        try:
            data = fetch_image(order.image_url)
        except DownloadError as error:
            state = Order.State.TOO_LARGE if error.too_large else Order.State.DOWNLOAD_FAILED
            raise ProviderError(state, error.message) from error
        order.source = order_services.source_image_create(
            owner=order.owner, data=data, name=order.image_url
        )
        order.save(update_fields=["source"])
        return data
    with order.source.file.open("rb") as handle:
        return handle.read()


def process_order(order_id: int) -> int:
    """Run one order through its provider; safe to call again for the same order."""
    order = Order.objects.select_related("spec", "source", "owner").get(pk=order_id)
    if order.is_finished:
        return order.state
    limit = PROCESSING_LIMIT if order.provider == "local" else UPSTREAM_POLLING_LIMIT
    deadline = time.monotonic() + limit

    def report(state: int, progress: int, detail: str = "") -> None:
        order_services.order_set_progress(order, state=state, progress=progress, detail=detail)

    try:
        report(Order.State.PREPARING, 2, "Preparing")
        source = _source_bytes(order)
        result = get_provider(order.provider).process(
            order, source, report=report, deadline=deadline
        )
        complete_order(order, result)
    except ProviderError as error:
        order_services.order_fail(
            order, state=error.state, message=error.message, staff_note=error.staff_note
        )
    except Exception as error:
        log.exception("order %s failed unexpectedly", order.task_id)
        order_services.order_fail(
            order,
            state=Order.State.FAILED,
            message="ID photo processing failed.",
            staff_note=f"{error.__class__.__name__}: {error}",
        )
    if order.callback_url:
        from django_q.tasks import async_task

        async_task(
            "photos.api.callbacks.deliver_callback", order.pk, task_name=f"callback-{order.task_id}"
        )
    return order.state
