"""Staff writes from the back office: top-ups for several customers, refunds, re-runs and
early deletion of personal images (GDPR requests).

Money still moves only through ``photos.services.credits``; these functions decide *what*
to do for an order and keep the rules in one place (a re-run never charges twice, a
refund is only for a failed order and at most once).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from photos.backoffice.reports import RUNNING_STATES
from photos.models import CreditEntry, Order, SourceImage, User
from photos.services.credits import credits_charge, credits_refund, credits_topup
from photos.services.orders import order_enqueue


class BackofficeError(Exception):
    """A staff request that cannot be done for this order; the message says why."""


def credits_topup_many(*, users, amount: int, reason: str, created_by: User) -> list[CreditEntry]:
    """Add (or correct) the same amount for each user, all or none.

    Raises ``InsufficientCredits`` (nothing written) if a correction would take any of
    them below zero, and ``ValueError`` for a zero amount or an empty reason.
    """
    with transaction.atomic():
        return [
            credits_topup(user=user, amount=amount, reason=reason, created_by=created_by)
            for user in users
        ]


def order_refund(*, order: Order, staff: User) -> CreditEntry | None:
    """Give back a failed order's charge; None if it was never charged or already refunded.

    Failed orders are normally refunded by ``order_fail``; this is the staff's way to make
    sure of it. ``credits_refund`` is idempotent, so clicking twice refunds once.
    """
    if not order.is_failed:
        raise BackofficeError(
            f"Order {order.task_id} has not failed; only failed orders are refunded."
        )
    return credits_refund(
        order=order,
        reason=f"Task {order.task_id} failed; refund confirmed by staff {staff.get_username()}",
        created_by=staff,
    )


def _paid_for(order_ids: list[int]) -> bool:
    """True when one of these orders has a charge that was not refunded."""
    charged = set(
        CreditEntry.objects.filter(
            order_id__in=order_ids, kind=CreditEntry.Kind.CHARGE
        ).values_list("order_id", flat=True)
    )
    refunded = set(
        CreditEntry.objects.filter(
            order_id__in=order_ids, kind=CreditEntry.Kind.REFUND
        ).values_list("order_id", flat=True)
    )
    return bool(charged - refunded)


def order_rerun(*, order: Order) -> Order:
    """Run the same photo and parameters again as a new order linked to the original.

    The customer pays for one photo once: if the original (or an earlier re-run) has a
    charge that stands, the re-run costs 0 credits; if every charge was refunded (the
    order failed), the re-run is charged the original price, and refunded in turn if it
    fails. Raises ``InsufficientCredits`` (nothing written) or ``BackofficeError``.
    """
    if not order.is_finished:
        raise BackofficeError(f"Order {order.task_id} is still running.")
    source = order.source
    if order.purged_at or (source is not None and (source.purged_at or not source.file)):
        raise BackofficeError(f"The photo of order {order.task_id} has been deleted.")
    if source is None and not order.image_url:
        raise BackofficeError(f"Order {order.task_id} has no photo to run again.")
    with transaction.atomic():
        # Lock the original: two staff re-running the same photo at once decide in turn.
        original = Order.objects.select_for_update().get(pk=(order.rerun_of_id or order.pk))
        family = [original.pk, *original.reruns.values_list("pk", flat=True)]
        price = 0 if order.preview or _paid_for(family) else original.credits
        rerun = Order.objects.create(
            owner=order.owner,
            channel=order.channel,
            api_key=order.api_key,
            spec=order.spec,
            params=order.params,
            source=source,
            image_url=order.image_url if source is None else "",
            preview=order.preview,
            provider=settings.IDPHOTO_PROVIDER,
            credits=price,
            rerun_of=original,
        )
        credits_charge(order=rerun)
        transaction.on_commit(lambda: order_enqueue(rerun))
    return rerun


def _delete_files_after_commit(names: list[str], storage) -> None:
    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def order_purge_images(*, order: Order) -> int:
    """Delete the order's photos now (source, result, print sheet): a GDPR request.

    The order and its ledger lines stay (the shop's books); ``purged_at`` records when the
    images went. The source photo is deleted too, so other orders that reused it (the
    API's ``last_id``) lose it as well. Returns the number of files deleted (0: nothing left).
    Running orders are refused: the worker is still reading the photo.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",)).select_related("source").get(pk=order.pk)
        )
        if not locked.is_finished:
            raise BackofficeError(f"Order {locked.task_id} is still running; try again later.")
        if locked.source is not None and _source_in_use(locked.source):
            raise BackofficeError(
                f"The photo of order {locked.task_id} is being used by a running order "
                "(a re-run or last_id); try again when it has finished."
            )
        storage = locked.result.storage
        names = [field.name for field in (locked.result, locked.sheet) if field]
        locked.result = ""
        locked.sheet = ""
        if locked.purged_at is None:
            locked.purged_at = now
        locked.save(update_fields=["result", "sheet", "purged_at"])
        if locked.source is not None:
            names += _purge_source(locked.source, now)
        _delete_files_after_commit(names, storage)
    order.purged_at, order.result, order.sheet = locked.purged_at, locked.result, locked.sheet
    return len(names)


def _source_in_use(source: SourceImage) -> bool:
    return source.orders.filter(state__in=RUNNING_STATES).exists()


def _purge_source(source: SourceImage, now) -> list[str]:
    names = [source.file.name] if source.file else []
    source.file = ""
    source.purged_at = source.purged_at or now
    source.save(update_fields=["file", "purged_at"])
    return names


def user_purge_images(*, user: User) -> int:
    """Delete every photo of one customer (all orders and uploads); returns files deleted.

    Photos of orders still running are left alone: ``BackofficeError`` names them after
    everything else has been deleted.
    """
    deleted = 0
    refused = []
    orders = Order.objects.filter(owner=user).filter(
        Q(purged_at__isnull=True) | ~Q(result="") | ~Q(sheet="")
    )
    for order in orders:
        try:
            deleted += order_purge_images(order=order)
        except BackofficeError as error:
            refused.append(str(error))
    now = timezone.now()
    with transaction.atomic():
        storage = SourceImage._meta.get_field("file").storage
        names = []
        for source in SourceImage.objects.select_for_update().filter(owner=user).exclude(file=""):
            if not _source_in_use(source):
                names += _purge_source(source, now)
        _delete_files_after_commit(names, storage)
    deleted += len(names)
    if refused:
        raise BackofficeError(f"{deleted} file(s) deleted; not yet: " + " ".join(refused))
    return deleted
