"""The upstream's callback (``callback_url``): a nudge to check a task now, not a result.

The upstream does not sign its callbacks, so the URL carries a token signed with our
SECRET_KEY that names our order, the body's ``task_id`` must be that order's upstream task,
and the outcome is read back from the upstream's API (with our key) rather than taken from
the body. Finishing is idempotent: a second delivery of the same completion is a 200 no-op.
The poller in the django-q2 task stays the fallback when a callback never arrives.
"""

import json
import logging

from django.core import signing
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from photos.models import Order
from photos.providers import picwish

log = logging.getLogger(__name__)


def _answer(status: int, message: str, **data) -> JsonResponse:
    body = {"status": status, "message": message}
    if data:
        body["data"] = data
    return JsonResponse(body, status=status)


def _task_id_of(request) -> str:
    """``data.task_id`` from a JSON body (the reference's callback), or a form field."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return ""
        data = body.get("data") if isinstance(body, dict) else None
        task_id = data.get("task_id") if isinstance(data, dict) else None
        if task_id is None and isinstance(body, dict):
            task_id = body.get("task_id")
    else:
        task_id = request.POST.get("task_id")
    return str(task_id or "")[:64]


@csrf_exempt
@require_POST
def picwish_callback(request, token: str):
    try:
        order_task_id = picwish.order_for_callback_token(token)
    except signing.BadSignature:
        return _answer(403, "Invalid callback token.")
    upstream_task_id = _task_id_of(request)
    if not upstream_task_id:
        return _answer(400, "The callback has no task_id.")
    order = (
        Order.objects.select_related("owner")
        .filter(
            task_id=order_task_id,
            provider=picwish.PicwishProvider.name,
            upstream_task_id=upstream_task_id,
        )
        .first()
    )
    if order is None:
        return _answer(404, "No pending order has this task_id.")
    if order.is_finished:
        return _answer(200, "Already processed.", task_id=upstream_task_id, outcome="finished")
    try:
        outcome = picwish.apply_upstream_task(order)
    except picwish.UpstreamUnavailable as error:
        log.warning("callback for %s: upstream unavailable (%s)", upstream_task_id, error)
        return _answer(503, "The task could not be checked now; the poller will.")
    return _answer(200, "ok", task_id=upstream_task_id, outcome=outcome)


urlpatterns = [
    path("callback/<str:token>/", picwish_callback, name="picwish-callback"),
]
