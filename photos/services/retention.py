"""Delete photos after RESULT_RETENTION_HOURS: sources, results and sheets.

Run hourly by the django-q2 schedule "purge-expired-files" (created by a migration). The
rows stay (history, ledger); their files go and ``purged_at`` records when.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from photos.models import Order, SourceImage

log = logging.getLogger(__name__)

SCHEDULE_NAME = "purge-expired-files"
BATCH = 500


def _delete(field) -> None:
    if field:
        try:
            field.storage.delete(field.name)
        except OSError:
            log.warning("could not delete %s", field.name, exc_info=True)


def expired_files_purge(*, now=None) -> dict:
    """Delete the files of orders and sources older than the retention; returns counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.RESULT_RETENTION_HOURS)
    orders = 0
    for order in Order.objects.filter(created_at__lt=cutoff, purged_at__isnull=True).iterator(
        chunk_size=BATCH
    ):
        _delete(order.result)
        _delete(order.sheet)
        Order.objects.filter(pk=order.pk).update(purged_at=now)
        orders += 1
    # A source still needed by a running order (reused through last_id) waits for it.
    running = Order.objects.filter(
        state__in=[
            Order.State.QUEUED,
            Order.State.PREPARING,
            Order.State.WAITING,
            Order.State.PROCESSING,
        ],
        source__isnull=False,
    ).values("source_id")
    sources = 0
    stale = SourceImage.objects.filter(created_at__lt=cutoff, purged_at__isnull=True).exclude(
        pk__in=running
    )
    for source in stale.iterator(chunk_size=BATCH):
        _delete(source.file)
        SourceImage.objects.filter(pk=source.pk).update(purged_at=now)
        sources += 1
    if orders or sources:
        log.info("purged the files of %d orders and %d sources", orders, sources)
    return {"orders": orders, "sources": sources}
