"""Reads used by several storefront views: the catalogue, a customer's orders, prices, rules."""

import functools
import uuid
from pathlib import Path

from django.db.models import Max, Q, QuerySet
from django.http import Http404

from photos import pricing
from photos.forms import color_name
from photos.models import Order, SourceImage, Spec, User
from photos.params import CLOTHES_IDS

GEOMETRY_WORDS = {
    "head_top": ("Top of the head", "below the top edge"),
    "eyes_top": ("Eye line", "below the top edge"),
    "chin_top": ("Chin", "below the top edge"),
    "face_height": ("Head height (chin to top of the head)", ""),
    "face_width": ("Face width", ""),
}


def spec_catalogue(*, query: str = "", category: str = "") -> QuerySet[Spec]:
    """Active specs, popular first; ``query`` matches the title, category or spec number."""
    specs = Spec.objects.filter(is_active=True)
    if category:
        specs = specs.filter(category=category)
    for word in query.split()[:6]:
        match = Q(title__icontains=word) | Q(category__icontains=word)
        if word.isdigit():
            match |= Q(spec_id=int(word))
        specs = specs.filter(match)
    return specs


def spec_categories() -> list[str]:
    """Categories, the one with the most popular spec first."""
    rows = (
        Spec.objects.filter(is_active=True)
        .values("category")
        .annotate(top=Max("popularity"))
        .order_by("-top", "category")
    )
    return [row["category"] for row in rows]


def band_words(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high} px"
    if low is not None:
        return f"at least {low} px"
    return f"at most {high} px"


def spec_rules(spec: Spec) -> list[str]:
    """The spec's rules as short sentences a customer can check against the preview."""
    lines = []
    if spec.rules:
        lines.append(spec.rules)
    lines.append(
        f"Size {spec.mm_width} × {spec.mm_height} mm: {spec.px_width} × {spec.px_height} "
        f"pixels at {spec.dpi} dpi."
    )
    if spec.bg_colors:
        names = [color_name(c).lower() for c in spec.bg_colors]
        words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        lines.append(f"Plain {words} background.")
    else:
        lines.append("Any background colour.")
    for name, (low, high) in spec.geometry_bands().items():
        what, where = GEOMETRY_WORDS[name]
        lines.append(f"{what}: {band_words(low, high)} {where}".rstrip() + ".")
    if spec.min_file_size and spec.max_file_size:
        lines.append(
            f"File size {spec.min_file_size // 1024}–{spec.max_file_size // 1024} KB "
            "(we compress it for you)."
        )
    elif spec.max_file_size:
        lines.append(f"File size at most {spec.max_file_size // 1024} KB (we compress it for you).")
    elif spec.min_file_size:
        lines.append(f"File size at least {spec.min_file_size // 1024} KB.")
    if not spec.retouch_allowed:
        lines.append("No retouching: leave the beauty options off.")
    return lines


def price_lines(params: dict) -> list[tuple[str, int]]:
    """The credit rules behind ``pricing.task_price`` for the paid photo, line by line."""
    lines = [
        ("Photo with outfit change", pricing.WITH_OUTFIT)
        if params.get("clothes_id")
        else ("ID photo", pricing.STANDARD)
    ]
    if any(params.get(name) for name in pricing.BEAUTY_SWITCHES):
        lines.append(("Beauty options", pricing.BEAUTY_EXTRA))
    if params.get("layout"):
        lines.append(("Print sheet", pricing.LAYOUT_EXTRA))
    return lines


@functools.lru_cache(maxsize=1)
def _engine_outfits() -> tuple[dict, ...]:
    try:
        from photos.engine.outfit import catalogue
    except ImportError:
        return ()
    try:
        return tuple(dict(entry) for entry in catalogue() if entry.get("id") in CLOTHES_IDS)
    except Exception:  # a broken catalogue must not break the studio
        return ()


def outfit_catalogue() -> list[dict]:
    """The outfits to pick from: the engine's catalogue (with thumbnails) when it has one,
    else the plain ids of the reference."""
    entries = [dict(entry) for entry in _engine_outfits()]
    if not entries:
        entries = [{"id": c, "group": c.split("_")[0]} for c in CLOTHES_IDS]
    for entry in entries:
        number = entry["id"].rsplit("_", 1)[-1]
        entry.setdefault("title", f"{entry['group'].capitalize()} {number}")
        thumbnail = entry.get("thumbnail")
        entry["has_thumbnail"] = bool(thumbnail) and Path(thumbnail).exists()
    return entries


def outfit_thumbnail_path(clothes_id: str):
    """The thumbnail file of an outfit, or None."""
    if clothes_id not in CLOTHES_IDS:
        return None
    try:
        from photos.engine.outfit import thumbnail_path
    except ImportError:
        return None
    try:
        path = Path(thumbnail_path(clothes_id))
    except Exception:
        return None
    return path if path.exists() else None


def customer_orders(user: User, *, include_previews: bool = False) -> QuerySet[Order]:
    orders = Order.objects.filter(owner=user).select_related("spec", "source")
    if not include_previews:
        orders = orders.filter(preview=False)
    return orders


def order_of(user: User, task_id) -> Order:
    """The customer's own order, or 404 (another customer's order does not exist for them)."""
    try:
        uuid.UUID(str(task_id))
    except (TypeError, ValueError):
        raise Http404("No such order.") from None
    order = (
        Order.objects.filter(owner=user, task_id=task_id)
        .select_related("spec", "source", "owner")
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    return order


def source_of(user: User, image_id) -> SourceImage | None:
    """The customer's own, unexpired uploaded photo, or None."""
    try:
        uuid.UUID(str(image_id))
    except (TypeError, ValueError):
        return None
    return SourceImage.objects.filter(owner=user, image_id=image_id, purged_at__isnull=True).first()
