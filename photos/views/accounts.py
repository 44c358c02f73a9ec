"""Accounts: sign up (with the shop's welcome credits), credits, API keys."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from photos import pricing
from photos.forms import ApiKeyForm, SignupForm
from photos.models import ApiKey, CreditEntry
from photos.services.api_keys import api_key_create, api_key_revoke
from photos.services.storefront import customer_signup
from photos.views.common import customer_required

NEW_KEY_SESSION_KEY = "new_api_key"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = customer_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        welcome = f"Welcome, {user.username}!"
        if settings.SIGNUP_CREDITS > 0:
            welcome += f" You have {settings.SIGNUP_CREDITS} free credits to start with."
        messages.success(request, welcome)
        return redirect(_next_url(request))
    return render(request, "registration/signup.html", {"form": form, "next": _next_url(request)})


@require_GET
def credits_page(request):
    """How to get credits (staff top-ups for now), the prices, and the customer's ledger."""
    entries = []
    if request.user.is_authenticated:
        entries = (
            CreditEntry.objects.filter(user=request.user)
            .select_related("order__spec")
            .order_by("-sequence")[:30]
        )
    prices = [
        ("ID photo", pricing.STANDARD),
        ("ID photo with an outfit change", pricing.WITH_OUTFIT),
        ("Beauty options (any)", f"+{pricing.BEAUTY_EXTRA}"),
        ("Print sheet", f"+{pricing.LAYOUT_EXTRA}"),
        ("Watermarked preview", "free"),
    ]
    return render(request, "photos/credits.html", {"entries": entries, "prices": prices})


@require_http_methods(["GET", "POST"])
@customer_required
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        api_key, plain = api_key_create(user=request.user, name=form.cleaned_data["name"])
        # Shown once, on the next page, then forgotten (only the hash is stored).
        request.session[NEW_KEY_SESSION_KEY] = {"id": api_key.pk, "key": plain}
        return redirect("api_keys")
    new_key = request.session.pop(NEW_KEY_SESSION_KEY, None)
    keys = ApiKey.objects.filter(user=request.user).order_by("-is_active", "-created_at")
    return render(request, "photos/api_keys.html", {"form": form, "keys": keys, "new_key": new_key})


@require_POST
@customer_required
def api_key_revoke_view(request, pk: int):
    api_key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    api_key_revoke(api_key=api_key)
    messages.success(request, f"The key {api_key.key_prefix}… no longer works.")
    return redirect("api_keys")
