"""The credit ledger: top-ups, charges and refunds, each one append-only entry.

Every write locks the user's row, reads the last entry and appends the next one inside a
transaction; the database's constraints (balance >= 0, unique sequence per user, one
charge and one refund per order) make a double spend impossible even if that lock failed.
"""

from django.db import IntegrityError, transaction

from photos.models import CreditEntry, Order, User


class InsufficientCredits(Exception):
    def __init__(self, *, needed: int, balance: int):
        super().__init__(
            f"Insufficient credits: this task needs {needed}, the balance is {balance}."
        )
        self.needed = needed
        self.balance = balance


def credits_balance(user: User) -> int:
    last = CreditEntry.objects.filter(user=user).order_by("-sequence").first()
    return last.balance_after if last else 0


def _append(*, user: User, kind: str, amount: int, order=None, reason="", created_by=None):
    """Append one ledger entry after locking the user (callers hold a transaction)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    last = CreditEntry.objects.filter(user=user).order_by("-sequence").first()
    balance = last.balance_after if last else 0
    if balance + amount < 0:
        raise InsufficientCredits(needed=-amount, balance=balance)
    return CreditEntry.objects.create(
        user=user,
        sequence=(last.sequence + 1) if last else 1,
        kind=kind,
        amount=amount,
        balance_after=balance + amount,
        order=order,
        reason=reason[:200],
        created_by=created_by,
    )


def credits_topup(*, user: User, amount: int, reason: str, created_by: User | None = None):
    """Add (or, with a negative amount, correct) credits; staff must give a reason."""
    if not reason.strip():
        raise ValueError("A reason is required for every credit change.")
    if amount == 0:
        raise ValueError("The amount must not be zero.")
    kind = CreditEntry.Kind.TOPUP if amount > 0 else CreditEntry.Kind.ADJUST
    with transaction.atomic():
        return _append(user=user, kind=kind, amount=amount, reason=reason, created_by=created_by)


def credits_charge(*, order: Order) -> CreditEntry | None:
    """Charge the order's price once; a second call for the same order charges nothing."""
    if order.credits == 0:
        return None
    try:
        with transaction.atomic():
            if CreditEntry.objects.filter(order=order, kind=CreditEntry.Kind.CHARGE).exists():
                return None
            return _append(
                user=order.owner,
                kind=CreditEntry.Kind.CHARGE,
                amount=-order.credits,
                order=order,
                reason=f"Task {order.task_id}",
            )
    except IntegrityError:
        # A concurrent charge of the same order won the race: nothing more to charge.
        if CreditEntry.objects.filter(order=order, kind=CreditEntry.Kind.CHARGE).exists():
            return None
        raise


def credits_refund(
    *, order: Order, reason: str = "", created_by: User | None = None
) -> CreditEntry | None:
    """Give back what the order was charged, once, and only if it was charged."""
    try:
        with transaction.atomic():
            charge = CreditEntry.objects.filter(order=order, kind=CreditEntry.Kind.CHARGE).first()
            if charge is None:
                return None
            if CreditEntry.objects.filter(order=order, kind=CreditEntry.Kind.REFUND).exists():
                return None
            return _append(
                user=order.owner,
                kind=CreditEntry.Kind.REFUND,
                amount=-charge.amount,
                order=order,
                reason=(reason or f"Task {order.task_id} failed")[:200],
                created_by=created_by,
            )
    except IntegrityError:
        if CreditEntry.objects.filter(order=order, kind=CreditEntry.Kind.REFUND).exists():
            return None
        raise
