"""Staff pages inside the admin: credit use (report, drill-down, CSV), order images, the
spec geometry preview. Wired into ``admin.site`` by the ModelAdmins' ``get_urls``, which
wrap them in ``admin_view`` (staff login); each view checks its own model permission.
"""

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods
from PIL import Image, ImageOps

from photos.backoffice import charts, reports
from photos.backoffice.forms import GeometryPreviewForm, PeriodForm, TopUpForm
from photos.models import CreditEntry, Order, User
from photos.services.backoffice import BackofficeError, user_purge_images
from photos.services.credits import InsufficientCredits, credits_topup

REPORT_PERMS = ("photos.view_user", "photos.view_creditentry")
ROWS_PER_PAGE = 100
LEDGER_PER_PAGE = 50

# (sort key, column title, is a number)
COLUMNS = (
    ("username", "Customer", False),
    ("api_keys", "API keys", True),
    ("balance", "Balance now", True),
    ("spent", "Spent", True),
    ("refunded", "Refunded", True),
    ("net_spend", "Net spend", True),
    ("topups", "Top-ups", True),
    ("adjustments", "Corrections", True),
    ("orders", "Orders", True),
    ("completed", "Completed", True),
    ("failed", "Failed", True),
    ("running", "Running", True),
    ("previews", "Free previews", True),
)
CSV_COLUMNS = ("username", "email", *(key for key, _, _ in COLUMNS[1:]))


def _check_report_perms(request) -> None:
    if not request.user.has_perms(REPORT_PERMS):
        raise PermissionDenied


def _query(request, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _headers(request, sort: str) -> list[dict]:
    current, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for key, title, numeric in COLUMNS:
        is_current = key == current
        # Numbers sort largest first on the first click, names A→Z.
        first = f"-{key}" if numeric else key
        toggled = (key if descending else f"-{key}") if is_current else first
        headers.append(
            {
                "key": key,
                "title": title,
                "numeric": numeric,
                "url": _query(request, o=toggled, page=None),
                "sorted": ("desc" if descending else "asc") if is_current else "",
            }
        )
    return headers


def _period(request) -> tuple[PeriodForm, reports.Period]:
    form = PeriodForm(request.GET or None)
    return form, form.period_or_default()


def _report_rows(request, period):
    search = request.GET.get("q", "").strip()[:100]
    rows = reports.credit_use_rows(period, search=search)
    if request.GET.get("active") == "1":
        rows = [row for row in rows if row.has_activity]
    sort = request.GET.get("o") or "-spent"
    if sort.lstrip("-") not in reports.SORT_KEYS:
        sort = "-spent"
    return reports.sort_rows(rows, sort), sort, search


@require_GET
def credit_use(request, model_admin):
    """Every customer's balance, spending, refunds and orders for a period."""
    _check_report_perms(request)
    form, period = _period(request)
    rows, sort, search = _report_rows(request, period)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Credit use per customer",
        "subtitle": f"{period.label}: {period.start:%d %b %Y} – {period.end:%d %b %Y}",
        "form": form,
        "period": period,
        "presets": [
            (key, label, _query(request, period=key, start=None, end=None, page=None))
            for key, (label, _) in reports.Period.PRESETS.items()
        ],
        "page": page,
        "rows": page.object_list,
        "total": reports.totals(rows),
        "headers": _headers(request, sort),
        "search": search,
        "active_only": request.GET.get("active") == "1",
        "csv_url": reverse("admin:photos_user_credit_use_csv") + _query(request, page=None),
        "chart": mark_safe(  # noqa: S308 - built by charts.py, every text escaped there
            charts.spend_chart_svg(
                reports.daily_spend(period), title=f"Credits spent per day, {period.label}"
            )
        ),
        "page_query": _query(request, page=None),
        "keep": {key: request.GET.get(key, "") for key in ("q", "o", "active")},
    }
    return TemplateResponse(request, "admin/photos/user/credit_use.html", context)


def _csv_cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def credit_use_csv(request, model_admin):
    """The report as CSV: the same rows, filters and order as the page, all pages."""
    _check_report_perms(request)
    _, period = _period(request)
    rows, _, _ = _report_rows(request, period)
    keys = list(CSV_COLUMNS)
    header = [*keys, "period_start", "period_end"]
    return _csv_response(
        f"credit-use_{period.start}_{period.end}.csv",
        header,
        ([getattr(row, key) for key in keys] + [period.start, period.end] for row in rows),
    )


@require_http_methods(["GET", "POST"])
def credit_detail(request, model_admin, user_id: int):
    """One customer: period figures and chart, the full ledger, the orders; top-up form."""
    _check_report_perms(request)
    customer = get_object_or_404(User, pk=user_id)
    can_top_up = request.user.has_perm("photos.add_credits")
    can_see_orders = request.user.has_perm("photos.view_order")
    topup_form = TopUpForm(prefix="topup")
    if request.method == "POST":
        if request.POST.get("do") == "topup":
            if not can_top_up:
                raise PermissionDenied
            topup_form = TopUpForm(request.POST, prefix="topup")
            if topup_form.is_valid():
                try:
                    entry = credits_topup(
                        user=customer,
                        created_by=request.user,
                        **topup_form.cleaned_data,
                    )
                except InsufficientCredits as error:
                    topup_form.add_error(
                        "amount", f"{customer} has only {error.balance} credits to take from."
                    )
                else:
                    messages.success(
                        request,
                        f"{entry.amount:+d} credits for {customer}; the balance is now "
                        f"{entry.balance_after}.",
                    )
                    return redirect(request.get_full_path())
        elif request.POST.get("do") == "purge":
            if not request.user.has_perm("photos.change_order"):
                raise PermissionDenied
            try:
                count = user_purge_images(user=customer)
                messages.success(request, f"Deleted {count} image file(s) of {customer}.")
            except BackofficeError as error:
                messages.warning(request, str(error))
            return redirect(request.get_full_path())
        else:
            return HttpResponseBadRequest("Unknown action.")
    form, period = _period(request)
    ledger = Paginator(
        CreditEntry.objects.filter(user=customer)
        .select_related("order", "created_by")
        .order_by("-sequence"),
        LEDGER_PER_PAGE,
    ).get_page(request.GET.get("lpage"))
    orders = None
    if can_see_orders:
        orders = Paginator(
            Order.objects.filter(owner=customer).select_related("spec", "source"),
            LEDGER_PER_PAGE,
        ).get_page(request.GET.get("opage"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Credits and orders of {customer}",
        "customer": customer,
        "form": form,
        "period": period,
        "presets": [
            (key, label, _query(request, period=key, start=None, end=None))
            for key, (label, _) in reports.Period.PRESETS.items()
        ],
        "use": reports.user_credit_use(customer, period),
        "chart": mark_safe(  # noqa: S308 - built by charts.py, every text escaped there
            charts.spend_chart_svg(
                reports.daily_spend(period, user=customer),
                title=f"Credits spent per day by {customer}, {period.label}",
            )
        ),
        "ledger": ledger,
        "orders": orders,
        "can_top_up": can_top_up,
        "can_purge": request.user.has_perm("photos.change_order"),
        "topup_form": topup_form,
        "ledger_csv_url": reverse("admin:photos_user_ledger_csv", args=[customer.pk]),
        "orders_changelist_url": reverse("admin:photos_order_changelist")
        + "?"
        + urlencode({"owner__id__exact": customer.pk}),
        "report_url": reverse("admin:photos_user_credit_use")
        + _query(request, lpage=None, opage=None),
        "keep": {},
    }
    return TemplateResponse(request, "admin/photos/user/credit_detail.html", context)


@require_GET
def ledger_csv(request, model_admin, user_id: int):
    """One customer's whole ledger as CSV."""
    _check_report_perms(request)
    customer = get_object_or_404(User, pk=user_id)
    entries = (
        CreditEntry.objects.filter(user=customer)
        .select_related("order", "created_by")
        .order_by("sequence")
    )
    return _csv_response(
        f"ledger_{customer.username}.csv",
        ["sequence", "created_at", "kind", "amount", "balance_after", "task_id", "reason", "by"],
        (
            [
                entry.sequence,
                entry.created_at.isoformat(),
                entry.kind,
                entry.amount,
                entry.balance_after,
                entry.order.task_id if entry.order else "",
                entry.reason,
                entry.created_by.username if entry.created_by else "",
            ]
            for entry in entries
        ),
    )


# Images -----------------------------------------------------------------------------------

IMAGE_KINDS = ("source", "result", "sheet")
THUMB_MIN, THUMB_MAX = 32, 800


def order_image_file(order: Order, kind: str):
    """The stored file for one of the order's images, or None (purged or not made)."""
    if order.purged_at and kind != "source":
        return None
    if kind == "source":
        source = order.source
        if source is None or source.purged_at or not source.file:
            return None
        return source.file
    field = getattr(order, kind)
    return field or None


@require_GET
def order_image(request, model_admin, pk: int, kind: str):
    """A source, result or sheet image for staff who may view orders; ``?w=`` a thumbnail.

    Media is never served directly; thumbnails are made on the fly (JPEG draft mode keeps
    that cheap) and cached only by the staff member's browser.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if kind not in IMAGE_KINDS:
        raise Http404
    order = get_object_or_404(Order.objects.select_related("source"), pk=pk)
    stored = order_image_file(order, kind)
    if stored is None:
        raise Http404("This image does not exist (any more).")
    try:
        width = int(request.GET.get("w") or 0)
    except ValueError:
        return HttpResponseBadRequest("w must be a number of pixels.")
    try:
        with stored.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404("The image file is missing.") from None
    try:
        body, content_type = _render_image(data, width)
    except OSError:
        raise Http404("The file is not a readable image.") from None
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="{order.task_id}-{kind}"'
    return response


def _render_image(data: bytes, width: int) -> tuple[bytes, str]:
    image = Image.open(io.BytesIO(data))
    if not width and image.format in ("JPEG", "PNG", "WEBP"):
        return data, Image.MIME[image.format]
    if width:
        width = max(THUMB_MIN, min(THUMB_MAX, width))
        image.draft("RGB", (width, width * 2))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((width, width * 2), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82 if width else 92)
    return buffer.getvalue(), "image/jpeg"


# The spec catalogue --------------------------------------------------------------------------


@require_GET
def spec_geometry_preview(request, model_admin):
    """An SVG of the given size and bands (the spec form's current values, unsaved)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = GeometryPreviewForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "Invalid preview values: " + "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items())
        )
    svg = charts.geometry_svg(
        px_width=form.cleaned_data["px_width"],
        px_height=form.cleaned_data["px_height"],
        bands=form.bands(),
        background=form.background(),
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response
