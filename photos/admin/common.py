"""Small pieces shared by the admin modules."""

from datetime import timedelta
from functools import partial

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

CSS = {"all": ("admin-extra/backoffice.css",)}
BR = mark_safe("<br>")  # noqa: S308 - a constant


def admin_view(model_admin, view):
    """``view(request, model_admin, **kwargs)`` behind the admin's staff login."""
    return model_admin.admin_site.admin_view(partial(view, model_admin=model_admin))


def duration_text(delta: timedelta | None) -> str:
    """3.2 s, 4 min 05 s, 2 h 10 min, 3 d 4 h."""
    if delta is None:
        return "—"
    seconds = delta.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def credit_detail_link(user, text=None):
    if user is None:
        return "—"
    url = reverse("admin:photos_user_credit_detail", args=[user.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else user)
