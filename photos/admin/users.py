"""Customers and staff: balance in the list, "Add or correct credits…", the credit-use pages."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.urls import path

from photos.admin.common import CSS, admin_view, credit_detail_link
from photos.backoffice import views
from photos.backoffice.forms import TopUpForm
from photos.backoffice.reports import balance_subquery
from photos.models import User
from photos.services.backoffice import credits_topup_many
from photos.services.credits import InsufficientCredits


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "email",
        "balance",
        "credits_and_orders",
        "is_staff",
        "date_joined",
        "last_login",
    )
    actions = ["add_credits"]
    change_form_template = "admin/photos/user/change_form.html"
    change_list_template = "admin/photos/user/change_list.html"

    class Media:
        css = CSS

    def get_urls(self):
        return [
            path(
                "credit-use/",
                admin_view(self, views.credit_use),
                name="photos_user_credit_use",
            ),
            path(
                "credit-use/csv/",
                admin_view(self, views.credit_use_csv),
                name="photos_user_credit_use_csv",
            ),
            path(
                "<int:user_id>/credits/",
                admin_view(self, views.credit_detail),
                name="photos_user_credit_detail",
            ),
            path(
                "<int:user_id>/credits/csv/",
                admin_view(self, views.ledger_csv),
                name="photos_user_ledger_csv",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(balance_now=balance_subquery())

    @admin.display(description="Balance", ordering="balance_now")
    def balance(self, obj):
        return obj.balance_now

    @admin.display(description="Credits & orders")
    def credits_and_orders(self, obj):
        return credit_detail_link(obj, "Ledger, orders")

    def has_add_credits_permission(self, request) -> bool:
        return request.user.has_perm("photos.add_credits")

    @admin.action(description="Add or correct credits…", permissions=["add_credits"])
    def add_credits(self, request, queryset):
        """An intermediate page: amount and reason, then one ledger entry per customer."""
        form = TopUpForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                entries = credits_topup_many(
                    users=list(queryset), created_by=request.user, **form.cleaned_data
                )
            except InsufficientCredits as error:
                form.add_error(
                    "amount",
                    f"Nothing was changed: a selected customer has only {error.balance} credits.",
                )
            else:
                amount = form.cleaned_data["amount"]
                self.message_user(
                    request,
                    f"{amount:+d} credits for {len(entries)} customer(s): "
                    + ", ".join(f"{e.user} → {e.balance_after}" for e in entries[:20])
                    + ("…" if len(entries) > 20 else ""),
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Add or correct credits",
            "opts": self.model._meta,
            "form": form,
            "customers": queryset.annotate(balance_now=balance_subquery()),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            "query": request.GET,
        }
        return TemplateResponse(request, "admin/photos/user/add_credits.html", context)
