"""The API's JSON: the upstream's ``{status, message, data}`` envelope and the task object.

Field names, states and examples come from "Response Fields" in
shared/reference/idphoto-api.txt. Keys without a value are left out rather than sent as
``null``: the reference's samples test for a key's presence (``data["image"] != null``).
"""

import base64
import json
import uuid

from django.conf import settings
from django.http import HttpResponse

from photos.api import results
from photos.models import Order

RETURN_URL, RETURN_BASE64 = 1, 2  # return_type: 1 = image URL, 2 = base64 image data

# What task_data reads: load only these (polling is the API's hottest path).
TASK_FIELDS = (
    "task_id",
    "owner_id",
    "state",
    "progress",
    "state_detail",
    "error_message",
    "params",
    "result",
    "sheet",
    "created_at",
    "processed_at",
    "completed_at",
    "purged_at",
    "source__image_id",
)


def envelope(status: int, message: str, data: dict | None = None, **headers) -> HttpResponse:
    """The response every API endpoint sends; its HTTP status mirrors ``status``."""
    body = {"status": status, "message": message}
    if data is not None:
        body["data"] = data
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json", status=status
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error(status: int, message: str, **headers) -> HttpResponse:
    return envelope(status, message, **headers)


def base_url_for(request) -> str:
    """Scheme and host for absolute result links: PUBLIC_BASE_URL, else the request's host."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


def _timestamp(moment) -> int | None:
    return int(moment.timestamp()) if moment else None


def _image_value(order: Order, kind: str, base_url: str, return_type: int) -> str | None:
    field = order.result if kind == results.PHOTO else order.sheet
    if not field:
        return None
    if return_type == RETURN_BASE64:
        try:
            with field.open("rb") as handle:
                return base64.b64encode(handle.read()).decode("ascii")
        except OSError:
            return None
    return base_url + results.result_path(order, kind)


def task_data(order: Order, *, base_url: str) -> dict:
    """The ``data`` object of a task, as polling (and the callback, and sync=1) return it."""
    params = order.params or {}
    return_type = params.get("return_type") or RETURN_URL
    data = {
        "task_id": str(order.task_id),
        "state": order.state,
        "progress": 100 if order.state == Order.State.COMPLETED else order.progress,
        "state_detail": order.state_detail or Order.State(order.state).label,
        "return_type": return_type,
        "created_at": _timestamp(order.created_at),
    }
    if order.source_id is not None:
        # Polling reads the id with the order (photos.api.queries); others follow the FK.
        image_id = getattr(order, "source_image_uuid", None) or order.source.image_id
        data["image_id"] = str(uuid.UUID(str(image_id)))
    if order.processed_at:
        data["processed_at"] = _timestamp(order.processed_at)
    if order.is_finished:
        data["completed_at"] = _timestamp(order.completed_at)
        if order.completed_at:
            seconds = (order.completed_at - order.created_at).total_seconds()
            data["time_elapsed"] = f"{max(0.0, seconds):.2f}"
    if order.state == Order.State.COMPLETED and order.purged_at is None:
        image = _image_value(order, results.PHOTO, base_url, return_type)
        if image:
            data["image"] = image
        if params.get("layout"):
            sheet = _image_value(order, results.SHEET, base_url, return_type)
            if sheet:
                data["layout_image"] = sheet
    return data


def task_message(order: Order) -> str:
    """``message``: "success", or why the task failed (the reference's samples show it)."""
    if order.is_failed:
        return order.error_message or Order.State(order.state).label
    if order.purged_at is not None:
        return (
            f"The result was deleted {settings.RESULT_RETENTION_HOURS} hours after the task "
            "was created; submit the photo again."
        )
    return "success"


def task_body(order: Order, *, base_url: str) -> dict:
    return {
        "status": 200,
        "message": task_message(order),
        "data": task_data(order, base_url=base_url),
    }


def task_response(order: Order, *, base_url: str) -> HttpResponse:
    return envelope(200, task_message(order), task_data(order, base_url=base_url))
