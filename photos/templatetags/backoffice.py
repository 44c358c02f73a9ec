"""``{% backoffice_panel %}``: queue health and daily links on the admin index."""

from django import template
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from photos.admin.common import duration_text
from photos.backoffice.reports import queue_health

register = template.Library()

QUEUE_LINKS = (
    # (model, label, extra query)
    ("ormq", "Queued tasks", ""),
    ("failure", "Failed tasks", ""),
    ("schedule", "Scheduled tasks", ""),
    ("success", "Successful tasks", ""),
)


def _queue_links(user) -> list[tuple[str, str]]:
    """django-q2's admin pages this user may open (the queue page only for the ORM broker)."""
    from django.apps import apps

    links = []
    for model_name, label, query in QUEUE_LINKS:
        model = apps.get_model("django_q", model_name)
        if not admin.site.is_registered(model):
            continue
        if not user.has_perm(f"django_q.view_{model_name}"):
            continue
        try:
            links.append((label, reverse(f"admin:django_q_{model_name}_changelist") + query))
        except NoReverseMatch:
            continue
    return links


@register.inclusion_tag("admin/photos/backoffice/_panel.html", takes_context=True)
def backoffice_panel(context):
    user = context["request"].user
    show_queue = user.has_perm("photos.view_order")
    daily = []
    if user.has_perms(("photos.view_user", "photos.view_creditentry")):
        daily.append(("Credit use per customer", reverse("admin:photos_user_credit_use")))
    if user.has_perm("photos.view_order"):
        orders = reverse("admin:photos_order_changelist")
        daily += [
            ("Failed orders", f"{orders}?outcome=failed"),
            ("Running orders", f"{orders}?outcome=running"),
        ]
    if user.has_perm("photos.view_spec"):
        daily.append(("Spec catalogue", reverse("admin:photos_spec_changelist")))
    health = queue_health() if show_queue else None
    return {
        "show_queue": show_queue,
        "health": health,
        "oldest_age": duration_text(health.oldest_age) if health else "",
        "queue_links": _queue_links(user) if show_queue else [],
        "daily_links": daily,
        "running_url": reverse("admin:photos_order_changelist") + "?outcome=running",
    }


@register.simple_tag
def order_state(order):
    """The coloured state badge of the orders list."""
    from photos.admin.orders import state_badge

    return state_badge(order)


@register.simple_tag
def order_thumbs(order):
    """Source and result thumbnails through the permission-checked image view."""
    from photos.admin.orders import thumbnails_html

    return thumbnails_html(order)
