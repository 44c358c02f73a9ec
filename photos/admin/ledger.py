"""The credit ledger (read-only for everyone), API keys and uploaded sources."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from photos.admin.common import CSS, credit_detail_link
from photos.models import ApiKey, CreditEntry, SourceImage


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, edits or deletes a line here, superusers included.

    Credits change through "Add or correct credits…" (a new line with the staff member's
    name); the model itself refuses to save an existing line or delete one.
    """

    list_display = (
        "created_at",
        "customer",
        "sequence",
        "kind",
        "signed_amount",
        "balance_after",
        "order_link",
        "reason",
        "created_by",
    )
    list_filter = ("kind", "created_at", ("created_by", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("user", "order", "created_by")
    actions = None
    readonly_fields = [f.name for f in CreditEntry._meta.fields]

    class Media:
        css = CSS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Customer", ordering="user__username")
    def customer(self, entry):
        return credit_detail_link(entry.user)

    @admin.display(description="Amount", ordering="amount")
    def signed_amount(self, entry):
        tone = "plus" if entry.amount > 0 else "minus"
        return format_html('<span class="amount amount-{}">{}</span>', tone, f"{entry.amount:+d}")

    @admin.display(description="Order")
    def order_link(self, entry):
        if entry.order_id is None:
            return "—"
        url = reverse("admin:photos_order_change", args=[entry.order_id])
        return format_html('<a href="{}">{}…</a>', url, str(entry.order.task_id)[:8])


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("key_prefix", "user", "name", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("key_prefix", "user__username", "name")
    readonly_fields = ("key_prefix", "key_hash", "created_at", "last_used_at")
    exclude = ("callback_secret",)


@admin.register(SourceImage)
class SourceImageAdmin(admin.ModelAdmin):
    list_display = ("image_id", "owner", "size", "width", "height", "created_at", "purged_at")
    search_fields = ("owner__username", "owner__email")
    readonly_fields = ("image_id", "sha256", "size", "width", "height", "created_at", "purged_at")
    exclude = ("file",)  # photos are seen through their orders' permission-checked views

    def has_add_permission(self, request):
        return False
