"""Django admin for staff: the spec catalogue, orders, the credit ledger and API keys."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from photos.models import ApiKey, CreditEntry, Order, SourceImage, Spec, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_staff", "date_joined", "last_login")


@admin.register(Spec)
class SpecAdmin(admin.ModelAdmin):
    list_display = (
        "spec_id",
        "title",
        "category",
        "px_width",
        "px_height",
        "mm_width",
        "mm_height",
        "dpi",
        "bg_colors",
        "is_active",
        "popularity",
    )
    list_filter = ("category", "is_active", "dpi", "retouch_allowed")
    search_fields = ("spec_id", "title", "category")
    list_editable = ("is_active", "popularity")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "task_id",
        "owner",
        "spec",
        "state",
        "progress",
        "credits",
        "provider",
        "channel",
        "created_at",
    )
    list_filter = ("state", "provider", "channel", "preview", "spec__category", "created_at")
    search_fields = ("task_id", "owner__username", "owner__email", "upstream_task_id")
    raw_id_fields = ("owner", "source", "api_key", "spec")
    readonly_fields = ("task_id", "created_at", "processed_at", "completed_at")


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "user",
        "kind",
        "amount",
        "balance_after",
        "order",
        "reason",
        "created_by",
    )
    list_filter = ("kind", "created_at")
    search_fields = ("user__username", "user__email", "reason", "order__task_id")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("key_prefix", "user", "name", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("key_prefix", "user__username", "name")
    readonly_fields = ("key_prefix", "key_hash", "created_at", "last_used_at")
    exclude = ("callback_secret",)


@admin.register(SourceImage)
class SourceImageAdmin(admin.ModelAdmin):
    list_display = ("image_id", "owner", "size", "created_at", "purged_at")
    search_fields = ("image_id", "owner__username")
    readonly_fields = ("image_id", "sha256", "size", "created_at")
