"""Users, the spec catalogue, orders (one ID-photo task each), the credit ledger and API keys."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """The shop's customers and staff; custom from day one so accounts can grow."""

    class Meta:
        db_table = "photos_user"


class Spec(models.Model):
    """One row of the upstream's "ID Photo Specifications List".

    The pixel size is what the photo must be, even where it disagrees with mm x dpi
    (the catalogue publishes it that way). Face-geometry bands are output pixels measured
    from the top edge, like the API's face constraint parameters; empty means no rule.
    """

    spec_id = models.PositiveIntegerField(primary_key=True)
    category = models.CharField(max_length=40, db_index=True)
    title = models.CharField(max_length=120)
    mm_width = models.PositiveSmallIntegerField()
    mm_height = models.PositiveSmallIntegerField()
    px_width = models.PositiveSmallIntegerField()
    px_height = models.PositiveSmallIntegerField()
    dpi = models.PositiveSmallIntegerField(default=300)
    bg_colors = models.JSONField(
        default=list, blank=True, help_text="Allowed background colours as hex; empty = any."
    )
    head_top_min = models.PositiveSmallIntegerField(null=True, blank=True)
    head_top_max = models.PositiveSmallIntegerField(null=True, blank=True)
    eyes_top_min = models.PositiveSmallIntegerField(null=True, blank=True)
    eyes_top_max = models.PositiveSmallIntegerField(null=True, blank=True)
    chin_top_min = models.PositiveSmallIntegerField(null=True, blank=True)
    chin_top_max = models.PositiveSmallIntegerField(null=True, blank=True)
    face_height_min = models.PositiveSmallIntegerField(null=True, blank=True)
    face_height_max = models.PositiveSmallIntegerField(null=True, blank=True)
    face_width_min = models.PositiveSmallIntegerField(null=True, blank=True)
    face_width_max = models.PositiveSmallIntegerField(null=True, blank=True)
    min_file_size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes")
    max_file_size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes")
    retouch_allowed = models.BooleanField(
        default=True,
        help_text="False where the issuer rejects retouched photos (US passport/visa).",
    )
    rules = models.TextField(blank=True, help_text="The spec's photo rules in plain words.")
    popularity = models.PositiveIntegerField(default=0, help_text="Higher shows first.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-popularity", "spec_id"]

    def __str__(self):
        return f"{self.spec_id} {self.title} ({self.px_width}×{self.px_height})"

    GEOMETRY_FIELDS = ("head_top", "eyes_top", "chin_top", "face_height", "face_width")

    def geometry_bands(self) -> dict[str, tuple[int | None, int | None]]:
        """The bands that are set, as {name: (min, max)}."""
        bands = {}
        for name in self.GEOMETRY_FIELDS:
            low, high = getattr(self, f"{name}_min"), getattr(self, f"{name}_max")
            if low is not None or high is not None:
                bands[name] = (low, high)
        return bands


class SourceImage(models.Model):
    """A customer's uploaded photo; its ``image_id`` is what ``last_id`` reuses."""

    image_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    file = models.FileField(upload_to="sources/%Y/%m/%d/", blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return str(self.image_id)


class Order(models.Model):
    """One ID-photo task, submitted on the website or through the API."""

    class State(models.IntegerChoices):
        # Task states from "Response Fields" in shared/reference/idphoto-api.txt.
        QUEUED = 0, "Queued"
        COMPLETED = 1, "Completed"
        PREPARING = 2, "Preparing"
        WAITING = 3, "Waiting"
        PROCESSING = 4, "Processing"
        FAILED = -1, "Processing failed"
        STORE_FAILED = -2, "Storing result failed"
        DOWNLOAD_FAILED = -3, "Image download failed"
        TOO_LARGE = -5, "Image too large"
        INVALID_IMAGE = -7, "Invalid image"
        TIMEOUT = -8, "Processing timeout"

    class Channel(models.TextChoices):
        WEB = "web", "Website"
        API = "api", "API"

    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    api_key = models.ForeignKey(
        "ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    spec = models.ForeignKey(Spec, null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(default=dict, help_text="The validated parameters as sent.")
    source = models.ForeignKey(
        SourceImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    image_url = models.URLField(max_length=512, blank=True)
    callback_url = models.URLField(max_length=512, blank=True)
    preview = models.BooleanField(default=False)
    provider = models.CharField(max_length=16, default="local")

    state = models.SmallIntegerField(choices=State.choices, default=State.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    state_detail = models.CharField(max_length=200, blank=True)
    error_message = models.TextField(blank=True)
    staff_note = models.TextField(blank=True, help_text="Details for staff (upstream errors).")

    result = models.FileField(upload_to="results/%Y/%m/%d/", blank=True)
    sheet = models.FileField(upload_to="sheets/%Y/%m/%d/", blank=True)
    measurements = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    credits = models.PositiveIntegerField(default=0, help_text="Credits charged for this task.")
    upstream_task_id = models.CharField(max_length=64, blank=True)
    upstream_image_id = models.CharField(max_length=64, blank=True)
    upstream_credits = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    rerun_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
        help_text="The order staff re-ran to make this one.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return str(self.task_id)

    @property
    def is_finished(self) -> bool:
        return self.state == self.State.COMPLETED or self.state < 0

    @property
    def is_failed(self) -> bool:
        return self.state < 0


class CreditEntry(models.Model):
    """An append-only ledger line. A user's balance is the ``balance_after`` of the last line.

    The database enforces the rules: ``balance_after`` never goes below zero, ``sequence``
    is unique per user (two concurrent writers cannot both append after the same line), and
    an order has at most one charge and one refund.
    """

    class Kind(models.TextChoices):
        TOPUP = "topup", "Top-up"
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        ADJUST = "adjust", "Adjustment"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_entries"
    )
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.IntegerField(help_text="Positive adds credits, negative spends them.")
    balance_after = models.IntegerField()
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="credit_entries"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["user", "-sequence"]
        verbose_name_plural = "credit entries"
        permissions = [("add_credits", "Can add or correct a customer's credits")]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="credit_balance_never_negative"
            ),
            models.UniqueConstraint(fields=["user", "sequence"], name="credit_sequence_unique"),
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=["charge", "refund"]),
                name="credit_one_charge_one_refund_per_order",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.kind} {self.amount:+d} → {self.balance_after}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Credit entries are append-only; add a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Credit entries are append-only and cannot be deleted.")


def hash_api_key(key: str) -> str:
    """Keys are long random tokens, so a plain SHA-256 is enough (and fast per request)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A customer's key for the API. Only its hash is stored; the key is shown once."""

    PREFIX = "idp_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=80, blank=True)
    key_prefix = models.CharField(
        max_length=12, help_text="The key's first characters, to tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    callback_secret = models.CharField(
        max_length=64,
        default=secrets.token_hex,
        help_text="Signs callback bodies (X-Idphoto-Signature).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self):
        return f"{self.key_prefix}… ({self.user})"

    @classmethod
    def generate(cls, *, user, name: str = "") -> tuple["ApiKey", str]:
        """Create a key; returns the model and the plain key (the only time it exists)."""
        plain = cls.PREFIX + secrets.token_urlsafe(32)
        api_key = cls.objects.create(
            user=user, name=name, key_prefix=plain[:10], key_hash=hash_api_key(plain)
        )
        return api_key, plain
