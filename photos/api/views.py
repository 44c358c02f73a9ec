"""The upstream-compatible task endpoints; thin: parse, call one service, render JSON.

``POST /api/tasks/visual/external/idphoto`` creates a task (async, sync or with a
callback); ``GET /api/tasks/visual/external/idphoto/{task_id}`` polls it. The contract is
shared/reference/idphoto-api.txt; the choices it leaves open are on /api/docs/.
"""

import uuid

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt

from photos import pricing
from photos.api.auth import api_endpoint
from photos.api.queries import task_for_owner
from photos.api.responses import TASK_FIELDS, base_url_for, envelope, error, task_response
from photos.models import ApiKey, Order
from photos.net import UnsafeURL, check_url
from photos.params import ParamError, parse_params
from photos.services import orders as order_services
from photos.services.credits import InsufficientCredits, credits_balance

MAX_SPEC_ID = 2**31 - 1
MAX_BODY_BYTES = order_services.MAX_IMAGE_BYTES + 1024 * 1024  # the image and the form fields


def _checked_url(form, name: str) -> str:
    url = (form.get(name) or "").strip()
    if not url:
        return ""
    try:
        return check_url(url)
    except UnsafeURL as e:
        raise ParamError(name, f"Invalid {name}: {e}") from None


def _reject_nul(form) -> None:
    """NUL characters are never meaningful and PostgreSQL's jsonb refuses them."""
    for name, values in form.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise ParamError(name, f"Invalid {name.strip(chr(0))!r}: NUL characters.")


def _check_spec(params: dict) -> None:
    spec_id = params.get("spec_id")
    if spec_id is not None and spec_id > MAX_SPEC_ID:
        raise ParamError("spec_id", f"Unknown spec_id {spec_id}: see the specification list.")
    order_services.spec_for(params)


@api_endpoint("POST")
def task_create(request, caller):
    """Create a task from image_file (first), image_url or last_id; charge it; queue or run it."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise order_services.SourceTooLarge("The image is larger than 15 MB.")  # before reading it
    form = request.POST
    _reject_nul(form)
    params = parse_params(form)
    _check_spec(params)
    callback_url = _checked_url(form, "callback_url")
    api_key = (
        ApiKey.objects.select_related("user").filter(pk=caller.api_key_id, is_active=True).first()
    )
    if api_key is None:  # revoked a moment ago (the key lookup is cached for a few seconds)
        return error(401, "Invalid API key")
    user = api_key.user

    upload = request.FILES.get("image_file")
    image_url = ""
    if upload is None:
        if form.get("image_file"):
            raise ParamError("image_file", "image_file must be a file sent as multipart/form-data.")
        image_url = _checked_url(form, "image_url")
        if not image_url and not params.get("last_id"):
            raise ParamError("image_file", "Send image_file, image_url or last_id.")
    elif upload.size > order_services.MAX_IMAGE_BYTES:
        raise order_services.SourceTooLarge("The image is larger than 15 MB.")

    price = pricing.task_price(params)
    if price:
        balance = credits_balance(user)
        if balance < price:
            raise InsufficientCredits(needed=price, balance=balance)

    source = None
    if upload is not None:
        source = order_services.source_image_create(
            owner=user, data=upload.read(), name=upload.name or "upload"
        )
    elif not image_url:
        source = order_services.source_image_for_reuse(owner=user, image_id=params["last_id"])

    base_url = base_url_for(request)
    if callback_url and not settings.PUBLIC_BASE_URL:
        # The worker has no request: remember where result links for the callback point.
        params["_result_base_url"] = base_url
    sync = params.get("sync") == 1
    order = order_services.order_create(
        owner=user,
        params=params,
        channel=Order.Channel.API,
        source=source,
        image_url=image_url,
        callback_url=callback_url,
        api_key=api_key,
        enqueue=not sync,
    )
    if not sync:
        return envelope(200, "ok", {"task_id": str(order.task_id)})  # as the reference's example

    from photos.tasks import process_order

    process_order(order.pk)
    order = Order.objects.select_related("source").only(*TASK_FIELDS).get(pk=order.pk)
    return task_response(order, base_url=base_url)


@api_endpoint("GET")
def task_detail(request, caller, task_id: str):
    """A task of the key's own account: state, progress, result link."""
    try:
        task_uuid = uuid.UUID(task_id)
    except ValueError:
        return error(404, "Task not found.")
    order = task_for_owner(task_uuid, caller.user_id)
    if order is None:
        return error(404, "Task not found.")
    return task_response(order, base_url=base_url_for(request))


@csrf_exempt
def not_found(request, path: str = ""):
    return error(404, "Not found. See /api/docs/.")
