"""Reads for the back office: credit use per user and per day, and the queue's health.

Each report runs one grouped query per table (users, ledger, orders), never one per user.
Money columns come from the ledger (when credits moved), order columns from the orders
created in the period.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from photos.models import ApiKey, CreditEntry, Order, User

RUNNING_STATES = (
    Order.State.QUEUED,
    Order.State.PREPARING,
    Order.State.WAITING,
    Order.State.PROCESSING,
)
Kind = CreditEntry.Kind


@dataclass(frozen=True)
class Period:
    """Whole local days from ``start`` to ``end``, both included."""

    key: str
    start: date
    end: date

    PRESETS = {"today": ("Today", 1), "7d": ("Last 7 days", 7), "30d": ("Last 30 days", 30)}

    @classmethod
    def preset(cls, key: str, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(key, today - timedelta(days=cls.PRESETS[key][1] - 1), today)

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def label(self) -> str:
        if self.key in self.PRESETS:
            return self.PRESETS[self.key][0]
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def lookup(self, name: str = "created_at") -> dict:
        return {f"{name}__gte": self.starts_at, f"{name}__lt": self.ends_before}


@dataclass
class CreditUse:
    """One customer's (or the total's) figures for a period; balance is as of now."""

    user_id: int | None = None
    username: str = ""
    email: str = ""
    is_staff: bool = False
    api_keys: int = 0
    balance: int = 0
    spent: int = 0
    refunded: int = 0
    topups: int = 0
    adjustments: int = 0
    orders: int = 0
    completed: int = 0
    failed: int = 0
    running: int = 0
    previews: int = 0

    @property
    def net_spend(self) -> int:
        return self.spent - self.refunded

    @property
    def has_activity(self) -> bool:
        return bool(self.spent or self.refunded or self.topups or self.adjustments or self.orders)


NUMBERS = tuple(f.name for f in fields(CreditUse) if f.type is int)
SORT_KEYS = ("username", "email", *NUMBERS, "net_spend")


def _ledger_sums() -> dict:
    """Charges are negative amounts; ``spent`` is reported as a positive number."""
    zero = Value(0, output_field=IntegerField())
    return {
        "spent": Coalesce(Sum("amount", filter=Q(kind=Kind.CHARGE)), zero) * -1,
        "refunded": Coalesce(Sum("amount", filter=Q(kind=Kind.REFUND)), zero),
        "topups": Coalesce(Sum("amount", filter=Q(kind=Kind.TOPUP)), zero),
        "adjustments": Coalesce(Sum("amount", filter=Q(kind=Kind.ADJUST)), zero),
    }


def _order_counts() -> dict:
    paid = Q(preview=False)
    return {
        "orders": Count("pk"),
        "completed": Count("pk", filter=paid & Q(state=Order.State.COMPLETED)),
        "failed": Count("pk", filter=paid & Q(state__lt=0)),
        "running": Count("pk", filter=paid & Q(state__in=RUNNING_STATES)),
        "previews": Count("pk", filter=Q(preview=True)),
    }


def balance_subquery(user_ref: str = "pk"):
    """A user's balance now: the ``balance_after`` of the last ledger line."""
    last = CreditEntry.objects.filter(user=OuterRef(user_ref)).order_by("-sequence")
    return Coalesce(Subquery(last.values("balance_after")[:1]), 0)


def credit_use_rows(period: Period, *, search: str = "") -> list[CreditUse]:
    """Every customer and API key owner (and staff with credits), with the period's figures.

    Three queries: users (with balance and key count), the ledger grouped by user, the
    orders grouped by owner.
    """
    users = (
        User.objects.filter(
            Q(is_staff=False)
            | Exists(CreditEntry.objects.filter(user=OuterRef("pk")))
            | Exists(ApiKey.objects.filter(user=OuterRef("pk")))
        )
        .annotate(balance_now=balance_subquery(), key_count=Count("api_keys"))
        .order_by("username")
    )
    if search:
        users = users.filter(Q(username__icontains=search) | Q(email__icontains=search))
    ledger = {
        row.pop("user_id"): row
        for row in CreditEntry.objects.filter(**period.lookup())
        .values("user_id")
        .annotate(**_ledger_sums())
        .order_by()
    }
    orders = {
        row.pop("owner_id"): row
        for row in Order.objects.filter(**period.lookup())
        .values("owner_id")
        .annotate(**_order_counts())
        .order_by()
    }
    return [
        CreditUse(
            user_id=user.pk,
            username=user.username,
            email=user.email,
            is_staff=user.is_staff,
            api_keys=user.key_count,
            balance=user.balance_now,
            **ledger.get(user.pk, {}),
            **orders.get(user.pk, {}),
        )
        for user in users
    ]


def sort_rows(rows: list[CreditUse], key: str) -> list[CreditUse]:
    """Sort by a column (``-`` prefix: descending); ties by username."""
    name = key.lstrip("-")
    if name not in SORT_KEYS:
        name, key = "spent", "-spent"
    descending = key.startswith("-")
    rows = sorted(rows, key=lambda row: row.username.lower())
    return sorted(rows, key=lambda row: _sort_value(row, name), reverse=descending)


def _sort_value(row: CreditUse, name: str):
    value = getattr(row, name)
    return value.lower() if isinstance(value, str) else value


def totals(rows: Iterable[CreditUse]) -> CreditUse:
    total = CreditUse(username="Total")
    for row in rows:
        for name in NUMBERS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def user_credit_use(user: User, period: Period) -> CreditUse:
    """One user's figures: the same sums as the report, for one user."""
    ledger = CreditEntry.objects.filter(user=user, **period.lookup()).aggregate(**_ledger_sums())
    orders = Order.objects.filter(owner=user, **period.lookup()).aggregate(**_order_counts())
    last = CreditEntry.objects.filter(user=user).order_by("-sequence").first()
    return CreditUse(
        user_id=user.pk,
        username=user.username,
        email=user.email,
        is_staff=user.is_staff,
        api_keys=user.api_keys.count(),
        balance=last.balance_after if last else 0,
        **ledger,
        **orders,
    )


@dataclass
class DaySpend:
    day: date
    spent: int = 0
    refunded: int = 0


def daily_spend(period: Period, *, user: User | None = None) -> list[DaySpend]:
    """Credits charged and refunded on each day of the period (days without any: zeros)."""
    entries = CreditEntry.objects.filter(kind__in=(Kind.CHARGE, Kind.REFUND), **period.lookup())
    if user is not None:
        entries = entries.filter(user=user)
    sums = _ledger_sums()
    by_day = {
        row["day"]: row
        for row in entries.annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_current_timezone())
        )
        .values("day")
        .annotate(spent=sums["spent"], refunded=sums["refunded"])
        .order_by()
    }
    return [
        DaySpend(day, by_day.get(day, {}).get("spent", 0), by_day.get(day, {}).get("refunded", 0))
        for day in period.days
    ]


@dataclass
class QueueHealth:
    waiting: int | None
    in_progress: int | None
    oldest_waiting_order: Order | None
    running_orders: int
    failed_orders_24h: int
    failed_tasks_24h: int
    links: dict = field(default_factory=dict)
    broker_error: str = ""

    @property
    def oldest_age(self) -> timedelta | None:
        if self.oldest_waiting_order is None:
            return None
        return timezone.now() - self.oldest_waiting_order.created_at

    @property
    def is_stale(self) -> bool:
        """An order waiting for more than 5 minutes: the worker is probably not running."""
        age = self.oldest_age
        return age is not None and age > timedelta(minutes=5)


def queue_health() -> QueueHealth:
    """Tasks waiting in django-q2's broker and the oldest order not finished yet."""
    from django_q.brokers import get_broker
    from django_q.models import Failure

    waiting = in_progress = None
    broker_error = ""
    try:
        broker = get_broker()
        waiting = broker.queue_size()
        in_progress = broker.lock_size()
    except Exception as error:  # a broker that is down must not break the admin index
        broker_error = f"{error.__class__.__name__}: {error}"
    day_ago = timezone.now() - timedelta(hours=24)
    unfinished = Order.objects.filter(state__in=RUNNING_STATES)
    return QueueHealth(
        waiting=waiting,
        in_progress=in_progress,
        oldest_waiting_order=unfinished.order_by("created_at").first(),
        running_orders=unfinished.count(),
        failed_orders_24h=Order.objects.filter(state__lt=0, completed_at__gte=day_ago).count(),
        failed_tasks_24h=Failure.objects.filter(stopped__gte=day_ago).count(),
        broker_error=broker_error,
    )
