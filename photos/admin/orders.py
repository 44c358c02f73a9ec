"""Orders: thumbnails, coloured states, timings; refund, re-run and early image deletion."""

import json
import uuid

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from photos.admin.common import BR, CSS, admin_view, credit_detail_link, duration_text
from photos.backoffice import views
from photos.backoffice.reports import RUNNING_STATES
from photos.models import CreditEntry, Order
from photos.services.backoffice import (
    BackofficeError,
    order_purge_images,
    order_refund,
    order_rerun,
)
from photos.services.credits import InsufficientCredits


class OutcomeFilter(admin.SimpleListFilter):
    """The states staff think in: still running, done, failed, free previews."""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("running", "Running"),
            ("completed", "Completed"),
            ("failed", "Failed"),
            ("preview", "Free previews"),
            ("rerun", "Re-runs by staff"),
        ]

    def queryset(self, request, queryset):
        return {
            "running": lambda: queryset.filter(state__in=RUNNING_STATES),
            "completed": lambda: queryset.filter(state=Order.State.COMPLETED),
            "failed": lambda: queryset.filter(state__lt=0),
            "preview": lambda: queryset.filter(preview=True),
            "rerun": lambda: queryset.filter(rerun_of__isnull=False),
        }.get(self.value(), lambda: queryset)()


def state_badge(order: Order) -> str:
    if order.state == Order.State.COMPLETED:
        tone = "ok"
    elif order.state < 0:
        tone = "failed"
    else:
        tone = "running"
    label = order.get_state_display()
    if tone == "running":
        label = f"{label} {order.progress}%"
    return format_html(
        '<span class="state-badge state-{}" title="state {}">{}</span>', tone, order.state, label
    )


def image_url(order: Order, kind: str, width: int | None = None) -> str | None:
    if views.order_image_file(order, kind) is None:
        return None
    url = reverse("admin:photos_order_image", args=[order.pk, kind])
    return f"{url}?w={width}" if width else url


def thumbnails_html(order: Order) -> str:
    """Small source and result pictures (or why there are none)."""
    urls = {kind: image_url(order, kind, width=96) for kind in ("source", "result")}
    if not any(urls.values()):
        text = "photos deleted" if order.purged_at else "no photo"
        return format_html('<span class="order-thumbs-none">{}</span>', text)
    cells = [
        format_html(
            '<img src="{}" alt="{}" title="{}" class="order-thumb" loading="lazy">', url, kind, kind
        )
        if url
        else format_html('<span class="order-thumb order-thumb-none" title="{}">—</span>', kind)
        for kind, url in urls.items()
    ]
    return format_html(
        '<span class="order-thumbs">{}</span>', format_html_join("", "{}", ((c,) for c in cells))
    )


def queue_wait(order: Order):
    """From the order to the worker starting on it (still waiting: so far)."""
    if order.processed_at:
        return order.processed_at - order.created_at
    if order.state in RUNNING_STATES:
        return timezone.now() - order.created_at
    return None


def processing_time(order: Order):
    if order.processed_at and order.completed_at:
        return order.completed_at - order.processed_at
    return None


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "thumbnails",
        "task",
        "owner_link",
        "spec_short",
        "state_coloured",
        "credits",
        "via",
        "created",
        "timings",
    )
    list_display_links = ("task",)
    list_filter = (
        OutcomeFilter,
        "state",
        "provider",
        "channel",
        "spec__category",
        "created_at",
    )
    date_hierarchy = "created_at"
    search_fields = ("owner__username", "owner__email", "upstream_task_id")
    search_help_text = "A task id (whole), a username or an e-mail address."
    list_select_related = ("owner", "spec", "source")
    list_per_page = 50
    actions = ["refund_failed", "rerun", "purge_images"]
    fieldsets = (
        (
            "Order",
            {
                "fields": (
                    "task_id",
                    "owner_link",
                    "channel",
                    "api_key",
                    "spec",
                    "preview",
                    "provider",
                    "rerun_links",
                )
            },
        ),
        ("Images", {"fields": ("images",)}),
        (
            "State",
            {
                "fields": (
                    "state_coloured",
                    "state_detail",
                    "error_message",
                    "staff_note",
                    "warnings",
                )
            },
        ),
        (
            "Timing",
            {
                "fields": (
                    "created_at",
                    "processed_at",
                    "completed_at",
                    "waited",
                    "processed",
                    "expires_at",
                    "purged_at",
                )
            },
        ),
        ("Credits", {"fields": ("credits", "ledger_lines", "upstream_credits")}),
        (
            "Request",
            {
                "classes": ("collapse",),
                "fields": (
                    "params_pretty",
                    "measurements_pretty",
                    "image_url",
                    "callback_url",
                    "upstream_task_id",
                    "upstream_image_id",
                ),
            },
        ),
    )
    readonly_fields = tuple(
        name
        for _, options in fieldsets
        for name in options["fields"]
        if name != "staff_note"  # the one thing staff write on an order
    )

    class Media:
        css = CSS

    def get_urls(self):
        return [
            path(
                "<int:pk>/image/<str:kind>/",
                admin_view(self, views.order_image),
                name="photos_order_image",
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return False  # orders come from the storefront and the API, through the services

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The order's own buttons for the list's actions that apply to it."""
        order = self.get_object(request, object_id)
        actions = []
        if order is not None:
            if order.is_failed:
                actions.append(("refund_failed", "Refund"))
            if order.is_finished:
                actions += [("rerun", "Re-run"), ("purge_images", "Delete images…")]
        extra_context = {**(extra_context or {}), "order_actions": actions}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """A whole task id finds its order (UUIDs are not stored as text everywhere)."""
        term = search_term.strip()
        try:
            task_id = uuid.UUID(term)
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(Q(task_id=task_id) | Q(upstream_task_id=term)), False

    # Columns ---------------------------------------------------------------------------

    @admin.display(description="Photos")
    def thumbnails(self, order):
        return thumbnails_html(order)

    @admin.display(description="Task", ordering="task_id")
    def task(self, order):
        return format_html('<code title="{}">{}…</code>', order.task_id, str(order.task_id)[:8])

    @admin.display(description="Owner", ordering="owner__username")
    def owner_link(self, order):
        return credit_detail_link(order.owner)

    @admin.display(description="Spec", ordering="spec_id")
    def spec_short(self, order):
        if order.spec is None:
            size = order.params.get("px_width"), order.params.get("px_height")
            return f"custom {size[0]}×{size[1]}" if all(size) else "custom"
        return format_html(
            '<span title="{}">{} · {}</span>', order.spec, order.spec.spec_id, order.spec.title
        )

    @admin.display(description="State", ordering="state")
    def state_coloured(self, order):
        return state_badge(order)

    @admin.display(description="Via", ordering="provider")
    def via(self, order):
        return format_html("{}<br><small>{}</small>", order.provider, order.get_channel_display())

    @admin.display(description="Created", ordering="created_at")
    def created(self, order):
        local = timezone.localtime(order.created_at)
        return format_html(
            '<span title="{}">{}<br><small>{}</small></span>',
            local.isoformat(timespec="seconds"),
            local.strftime("%d %b %Y"),
            local.strftime("%H:%M:%S"),
        )

    @admin.display(description="Wait / processing")
    def timings(self, order):
        return format_html(
            "<small>wait</small> {}<br><small>run</small> {}",
            duration_text(queue_wait(order)),
            duration_text(processing_time(order)),
        )

    @admin.display(description="Queue wait")
    def waited(self, order):
        return duration_text(queue_wait(order))

    @admin.display(description="Processing")
    def processed(self, order):
        return duration_text(processing_time(order))

    # Change form ----------------------------------------------------------------------------

    @admin.display(description="Re-runs")
    def rerun_links(self, order):
        links = []
        if order.rerun_of_id:
            url = reverse("admin:photos_order_change", args=[order.rerun_of_id])
            links.append(format_html('re-run of <a href="{}">{}</a>', url, order.rerun_of))
        for rerun in order.reruns.all():
            url = reverse("admin:photos_order_change", args=[rerun.pk])
            links.append(format_html('re-run as <a href="{}">{}</a>', url, rerun))
        return format_html_join(BR, "{}", ((link,) for link in links)) or "—"

    @admin.display(description="Photos")
    def images(self, order):
        cells = []
        for kind in ("source", "result", "sheet"):
            url = image_url(order, kind, width=320)
            if url is None:
                continue
            cells.append(
                format_html(
                    '<figure class="order-image"><a href="{}" target="_blank" rel="noopener">'
                    '<img src="{}" alt="{}"></a><figcaption>{}</figcaption></figure>',
                    image_url(order, kind),
                    url,
                    kind,
                    kind,
                )
            )
        if not cells:
            return "Deleted" if order.purged_at else "—"
        return format_html(
            '<div class="order-images">{}</div>', format_html_join("", "{}", ((c,) for c in cells))
        )

    @admin.display(description="Ledger")
    def ledger_lines(self, order):
        entries = CreditEntry.objects.filter(order=order).select_related("created_by")
        if not entries:
            return "No credits moved."
        return format_html_join(
            BR,
            "{} {} → balance {} ({})",
            (
                (
                    e.get_kind_display(),
                    f"{e.amount:+d}",
                    e.balance_after,
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                )
                for e in entries.order_by("sequence")
            ),
        )

    @admin.display(description="Parameters")
    def params_pretty(self, order):
        return format_html("<pre>{}</pre>", json.dumps(order.params, indent=2, sort_keys=True))

    @admin.display(description="Measurements")
    def measurements_pretty(self, order):
        return format_html(
            "<pre>{}</pre>", json.dumps(order.measurements, indent=2, sort_keys=True)
        )

    # Actions ---------------------------------------------------------------------------------

    @admin.action(description="Refund selected failed orders", permissions=["change"])
    def refund_failed(self, request, queryset):
        refunded, credits, not_failed, nothing = 0, 0, 0, 0
        for order in queryset.select_related("owner"):
            try:
                entry = order_refund(order=order, staff=request.user)
            except BackofficeError:
                not_failed += 1
                continue
            if entry is None:
                nothing += 1
            else:
                refunded += 1
                credits += entry.amount
        if refunded:
            self.message_user(request, f"Refunded {credits} credits for {refunded} order(s).")
        if nothing:
            self.message_user(
                request,
                f"{nothing} failed order(s) had nothing to refund (already refunded or free).",
                messages.INFO,
            )
        if not_failed:
            self.message_user(
                request, f"{not_failed} order(s) skipped: they have not failed.", messages.WARNING
            )

    @admin.action(
        description="Re-run selected orders (never charged twice)", permissions=["change"]
    )
    def rerun(self, request, queryset):
        made, charged = [], 0
        for order in queryset.select_related("owner", "source", "rerun_of"):
            try:
                new = order_rerun(order=order)
            except (BackofficeError, InsufficientCredits) as error:
                self.message_user(request, f"{order.task_id}: {error}", messages.WARNING)
                continue
            made.append(new)
            charged += new.credits
        if made:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:photos_order_change", args=[o.pk]), str(o.task_id)[:8])
                    for o in made
                ),
            )
            self.message_user(
                request,
                format_html(
                    "Queued {} re-run(s): {}. Credits charged: {} (0 where the original stays paid).",
                    len(made),
                    links,
                    charged,
                ),
            )

    @admin.action(description="Delete personal images now (GDPR)…", permissions=["change"])
    def purge_images(self, request, queryset):
        """A confirmation page first: deleted photos cannot come back."""
        if request.POST.get("confirm") == "yes":
            files, skipped = 0, []
            for order in queryset:
                try:
                    files += order_purge_images(order=order)
                except BackofficeError as error:
                    skipped.append(str(error))
            self.message_user(
                request,
                f"Deleted {files} image file(s) of {queryset.count() - len(skipped)} order(s).",
            )
            for text in skipped:
                self.message_user(request, text, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Delete personal images",
            "opts": self.model._meta,
            "orders": queryset.select_related("owner", "spec", "source"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/photos/order/purge_confirmation.html", context)
