"""The provider interface the task calls."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from photos.models import Order

log = logging.getLogger(__name__)

# report(state, progress, detail) moves the order's state and progress bar.
Report = Callable[[int, int, str], None]


@dataclass
class ProviderResult:
    photo_jpeg: bytes
    sheet_jpeg: bytes | None = None
    measurements: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


class ProviderError(Exception):
    """The task failed: ``state`` is the upstream's negative state, ``message`` is for the
    customer, ``staff_note`` holds details for staff (an upstream's raw answer, say)."""

    def __init__(self, state: int, message: str, staff_note: str = ""):
        super().__init__(message)
        self.state = state
        self.message = message
        self.staff_note = staff_note


class Provider(Protocol):
    name: str

    def process(
        self, order: Order, source: bytes, *, report: Report, deadline: float
    ) -> ProviderResult:
        """Produce the order's results before ``deadline`` (time.monotonic())."""
        ...


def complete_order(order: Order, result: ProviderResult) -> bool:
    """Store a provider's result and mark the order done; False if it had already ended.

    Shared by the task and the picwish callback receiver, so both store results one way.
    """
    from photos.services.orders import order_complete

    try:
        return order_complete(
            order,
            photo_jpeg=result.photo_jpeg,
            sheet_jpeg=result.sheet_jpeg,
            measurements=result.measurements,
            warnings=result.warnings,
        )
    except OSError as error:
        log.exception("storing the result of order %s failed", order.task_id)
        raise ProviderError(
            Order.State.STORE_FAILED, "The photo was made but could not be stored."
        ) from error
