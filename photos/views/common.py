"""Small helpers shared by the storefront views."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


def customer_required(view):
    """Like ``login_required``, but an HTMX request is sent to the login page as a whole
    page (``HX-Redirect``) instead of having the login form swapped into a fragment."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            back = request.htmx.current_url_abs_path or "/"
            login = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
        return redirect_to_login(request.get_full_path())

    return wrapper


def thumbnail_width(request, default: int = 0) -> int:
    try:
        return max(0, min(int(request.GET.get("w", default)), 2000))
    except ValueError:
        return default
