"""Orders: progress, the preview with guides, buying, downloads and the history."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from photos import downloads, pricing, selectors
from photos.models import Order, SourceImage
from photos.services.credits import InsufficientCredits, credits_balance
from photos.services.storefront import NotBuyable, preview_buy
from photos.views.common import customer_required, thumbnail_width

# What a customer reads while an order runs (the upstream's states, in plain words).
STATE_WORDS = {
    Order.State.QUEUED: "Waiting for a free worker",
    Order.State.PREPARING: "Getting your photo ready",
    Order.State.WAITING: "Waiting",
    Order.State.PROCESSING: "Making your photo",
}
GUIDE_LINES = (("crown_y", "Top of head"), ("eyes_y", "Eye line"), ("chin_y", "Chin"))
BAND_OF_LINE = {"head_top": "crown_y", "eyes_top": "eyes_y", "chin_top": "chin_y"}
CHECKS = (
    ("head_top", "crown_y", "Top of the head from the top edge"),
    ("eyes_top", "eyes_y", "Eye line from the top edge"),
    ("chin_top", "chin_y", "Chin from the top edge"),
    ("face_height", "face_height", "Head height (chin to top of the head)"),
    ("face_width", "face_width", "Face width"),
)
BOUGHT_SESSION_KEY = "bought_previews"


def _pct(value: float, total: float) -> str:
    return f"{max(0.0, min(100.0, 100.0 * value / total)):.2f}"


def order_guides(order: Order) -> dict | None:
    """Guide lines (measured) and bands (allowed by the spec) as percentages of the height."""
    m = order.measurements or {}
    height = m.get("height")
    if not height:
        return None
    lines = [
        {"key": key, "label": label, "top": _pct(m[key], height), "px": round(m[key])}
        for key, label in GUIDE_LINES
        if m.get(key) is not None
    ]
    bands, checks = [], []
    bands_of_spec = order.spec.geometry_bands() if order.spec else {}
    for name, (low, high) in bands_of_spec.items():
        if name in BAND_OF_LINE:
            top = low if low is not None else 0
            bottom = high if high is not None else height
            bands.append(
                {"key": name, "top": _pct(top, height), "height": _pct(bottom - top, height)}
            )
    for name, key, label in CHECKS:
        if name in bands_of_spec and m.get(key) is not None:
            low, high = bands_of_spec[name]
            value = m[key]
            ok = (low is None or value >= low - 0.5) and (high is None or value <= high + 0.5)
            note = f"{round(100 * value / height)} % of the photo" if key == "face_height" else ""
            checks.append(
                {
                    "label": label,
                    "value": round(value),
                    "note": note,
                    "rule": selectors.band_words(low, high),
                    "ok": ok,
                }
            )
    head = None
    if m.get("face_height"):
        head = {"px": round(m["face_height"]), "percent": round(100 * m["face_height"] / height)}
    return {
        "lines": lines,
        "bands": bands,
        "checks": checks,
        "head": head,
        "head_checked": "face_height" in bands_of_spec,
    }


def order_context(request, order: Order, *, place: str = "page") -> dict:
    """What ``photos/_status.html`` needs for one order, running or finished."""
    context = {
        "order": order,
        "spec": order.spec,
        "place": place,
        "state_words": STATE_WORDS.get(order.state, order.get_state_display()),
        "retention_hours": settings.RESULT_RETENTION_HOURS,
    }
    if order.state == Order.State.COMPLETED:
        context["guides"] = order_guides(order)
        m = order.measurements or {}
        context["result_size"] = (m.get("width"), m.get("height"), m.get("dpi"))
        context["retained"] = order.purged_at is None
    if order.preview:
        paid = {**order.params, "preview": 0}
        context["buy_price"] = pricing.task_price(paid)
        context["buy_lines"] = selectors.price_lines(paid)
    return context


@require_GET
@customer_required
def order_status(request, task_id):
    """The polling fragment: with ``hx-trigger="every 1s"`` while running, without once done."""
    order = selectors.order_of(request.user, task_id)
    place = "studio" if request.GET.get("in") == "studio" else "page"
    return render(request, "photos/_status.html", order_context(request, order, place=place))


@require_GET
@customer_required
def order_detail(request, task_id):
    order = selectors.order_of(request.user, task_id)
    context = order_context(request, order)
    if order.spec:
        context["rules"] = selectors.spec_rules(order.spec)
    return render(request, "photos/order_detail.html", context)


@require_http_methods(["GET", "POST"])
@customer_required
def order_buy(request, task_id):
    """Confirm (GET: states the amount and the balance after) and buy (POST) a preview."""
    preview = selectors.order_of(request.user, task_id)
    if not preview.preview:
        return redirect("order_detail", task_id=preview.task_id)
    bought = request.session.get(BOUGHT_SESSION_KEY, {})
    if str(preview.task_id) in bought:
        # A second click (or a reload) of the same purchase: show the first one.
        return redirect("order_detail", task_id=bought[str(preview.task_id)])
    context = order_context(request, preview)
    balance = credits_balance(request.user)
    context.update(balance=balance, balance_after=balance - context["buy_price"])
    status = 200
    if request.method == "POST":
        try:
            paid = preview_buy(preview=preview)
        except NotBuyable as error:
            messages.error(request, str(error))
            return redirect("order_detail", task_id=preview.task_id)
        except InsufficientCredits as error:
            context.update(insufficient=error, balance=error.balance)
            status = 402
        else:
            bought[str(preview.task_id)] = str(paid.task_id)
            request.session[BOUGHT_SESSION_KEY] = dict(list(bought.items())[-50:])
            return redirect("order_detail", task_id=paid.task_id)
    elif preview.state != Order.State.COMPLETED:
        return redirect("order_detail", task_id=preview.task_id)
    return render(request, "photos/buy_confirm.html", context, status=status)


@require_GET
@customer_required
def order_photo(request, task_id):
    """The order's photo shown in the page (the watermarked one for a preview)."""
    order = selectors.order_of(request.user, task_id)
    kind = "sheet" if request.GET.get("sheet") else "photo"
    return downloads.order_file_response(
        request, order, kind=kind, attachment=False, width=thumbnail_width(request)
    )


@require_GET
@customer_required
def order_download(request, task_id, kind="photo"):
    order = selectors.order_of(request.user, task_id)
    return downloads.order_file_response(request, order, kind=kind)


@require_GET
@customer_required
def source_photo(request, image_id):
    """The customer's uploaded photo, upright and downscaled; only for its owner."""
    source = SourceImage.objects.filter(owner=request.user, image_id=image_id).first()
    if source is None:
        raise Http404("No such photo.")
    return downloads.source_file_response(request, source, width=thumbnail_width(request, 640))


@require_GET
@customer_required
def history(request):
    include_previews = request.GET.get("previews") == "1"
    orders = selectors.customer_orders(request.user, include_previews=include_previews)
    page = Paginator(orders, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "photos/history.html",
        {"page": page, "include_previews": include_previews, "history_url": reverse("history")},
    )
