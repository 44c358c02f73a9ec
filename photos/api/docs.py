"""The human documentation page, /api/docs/, built from the same tables as the API."""

import logging

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from photos import pricing
from photos.api import callbacks
from photos.api.auth import AUTH_CACHE_SECONDS
from photos.api.openapi import TASKS_PATH
from photos.models import Order, Spec
from photos.params import CLOTHES_IDS, PARAMS

log = logging.getLogger(__name__)

STATE_MEANINGS = {
    0: "Queued: waiting for a worker.",
    2: "Preparing: downloading or reading the photo.",
    3: "Waiting.",
    4: "Processing: the photo is being made; progress moves.",
    1: "Completed: image (and layout_image) are set.",
    -1: (
        "Processing failed (no face, several faces, not a photo of a real person, "
        "constraints impossible …); refunded."
    ),
    -2: "The photo was made but could not be stored; refunded.",
    -3: "image_url could not be downloaded; refunded.",
    -5: "The image is over 15 MB or 4096×4096 pixels; refunded.",
    -7: "Not a valid image (corrupt or unsupported format); refunded.",
    -8: "Processing took longer than 30 seconds; refunded.",
}


def outfit_titles() -> list[tuple[str, str]]:
    """(clothes_id, title) for every published id; titles from the engine's catalogue."""
    titles: dict[str, str] = {}
    try:
        from photos.engine.outfit import catalogue

        entries = catalogue()
        if isinstance(entries, dict):
            entries = entries.get("outfits", list(entries.values()))
        for entry in entries:
            outfit_id = entry.get("id") if isinstance(entry, dict) else getattr(entry, "id", None)
            title = entry.get("title") if isinstance(entry, dict) else getattr(entry, "title", "")
            if outfit_id:
                titles[str(outfit_id)] = str(title or "")
    except Exception:  # the engine's outfit module is optional for this page
        log.debug("no outfit catalogue", exc_info=True)
    return [(outfit_id, titles.get(outfit_id, "")) for outfit_id in CLOTHES_IDS]


def _groups() -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for param in PARAMS:
        groups.setdefault(param.group, []).append(param)
    return list(groups.items())


@require_safe
def api_docs(request):
    states = [
        (state.value, state.label, STATE_MEANINGS.get(state.value, "")) for state in Order.State
    ]
    context = {
        "tasks_path": TASKS_PATH,
        "groups": _groups(),
        "states": states,
        "pricing": pricing,
        "signature_header": callbacks.SIGNATURE_HEADER,
        "timestamp_header": callbacks.TIMESTAMP_HEADER,
        "retry_delays": callbacks.RETRY_DELAYS,
        "outfits": outfit_titles(),
        "specs": Spec.objects.filter(is_active=True).order_by("spec_id"),
        "qps_limit": settings.API_QPS_LIMIT,
        "auth_cache_seconds": AUTH_CACHE_SECONDS,
        "result_max_age_minutes": settings.RESULT_URL_MAX_AGE // 60,
        "retention_hours": settings.RESULT_RETENTION_HOURS,
        "base_url": settings.PUBLIC_BASE_URL.rstrip("/")
        or request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "api/docs.html", context)
