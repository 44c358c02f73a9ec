"""Result links that work without the API key and expire after RESULT_URL_MAX_AGE seconds.

The upstream's notice: "The URL of the result image is valid for 1 hour." A link is the
task id and the file kind, signed with a timestamp (``django.core.signing``); it is made
afresh on every poll, so polling again gives a new hour.
"""

from django.conf import settings
from django.core import signing
from django.http import FileResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from photos.models import Order

PHOTO, SHEET = "photo", "sheet"
SALT = "idphoto.api.result"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def result_token(order: Order, kind: str = PHOTO) -> str:
    return _signer().sign(f"{order.task_id}.{kind}")


def result_path(order: Order, kind: str = PHOTO) -> str:
    return reverse("api:result", args=[result_token(order, kind)])


@require_safe
def result_download(request, token: str):
    """Serve a result file to whoever holds a valid, unexpired link."""
    from photos.api.responses import error

    max_age = settings.RESULT_URL_MAX_AGE
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        return error(
            410,
            f"This result link has expired (links are valid for {max_age} seconds). "
            "Query the task again for a fresh link.",
        )
    except signing.BadSignature:
        return error(403, "This result link is not valid.")
    task_id, _, kind = value.partition(".")
    order = Order.objects.filter(task_id=task_id, state=Order.State.COMPLETED).first()
    field = None
    if order is not None:
        field = order.result if kind == PHOTO else order.sheet if kind == SHEET else None
    if order is None or not field:
        return error(404, "This result does not exist.")
    gone = error(
        410,
        f"This result was deleted {settings.RESULT_RETENTION_HOURS} hours after the task "
        "was created.",
    )
    if order.purged_at is not None:
        return gone
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        return gone
    suffix = "-sheet" if kind == SHEET else ""
    response = FileResponse(handle, content_type="image/jpeg", filename=f"{task_id}{suffix}.jpg")
    response["Cache-Control"] = "private, max-age=300"
    return response
