"""Private files out: results, print sheets and uploaded photos, only to their owner.

Nothing under MEDIA_ROOT is public. Views look the object up by owner first (404 for
anyone else), then call these helpers, which answer 410 once retention has deleted it.
"""

import io

from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from PIL import Image, ImageOps

from photos.models import Order

THUMBNAIL_WIDTHS = (160, 320, 640, 960)


def gone(request, what: str = "This photo") -> HttpResponse:
    body = render_to_string("photos/gone.html", {"what": what}, request=request)
    return HttpResponse(body, status=410)


def _private(response: HttpResponse, *, max_age: int = 3600) -> HttpResponse:
    patch_cache_control(response, private=True, max_age=max_age)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_exists(field) -> bool:
    return bool(field) and field.storage.exists(field.name)


def order_filename(order: Order, kind: str = "photo") -> str:
    """``idphoto-3108-602x602.jpg``, ``idphoto-3108-sheet-5inch.jpg``, ``…-preview.jpg``."""
    spec = str(order.spec_id) if order.spec_id else "custom"
    if kind == "sheet":
        name = f"idphoto-{spec}-sheet-{order.params.get('layout_size', '5inch')}"
    else:
        width, height = order.measurements.get("width"), order.measurements.get("height")
        name = f"idphoto-{spec}-{width}x{height}" if width and height else f"idphoto-{spec}"
    if order.preview:
        name += "-preview"
    return f"{name}.jpg"


def order_file_response(
    request, order: Order, *, kind: str = "photo", attachment: bool = True, width: int = 0
) -> HttpResponse:
    """Stream the order's photo or sheet; a downscaled JPEG when ``width`` is given."""
    field = order.sheet if kind == "sheet" else order.result
    if order.purged_at is not None or (field and not file_exists(field)):
        return gone(request, "This photo")
    if not field:
        return HttpResponse("Not ready yet.", status=404, content_type="text/plain")
    if width:
        return _private(_thumbnail(field, width))
    response = FileResponse(
        field.open("rb"),
        as_attachment=attachment,
        filename=order_filename(order, kind),
        content_type="image/jpeg",
    )
    return _private(response)


def source_file_response(request, source, *, width: int = 640) -> HttpResponse:
    """The uploaded photo, upright and downscaled (an upload can be 15 MB)."""
    if source.purged_at is not None or not file_exists(source.file):
        return gone(request, "Your uploaded photo")
    try:
        return _private(_thumbnail(source.file, width))
    except OSError:
        return gone(request, "Your uploaded photo")


def _thumbnail(field, width: int) -> HttpResponse:
    width = min(THUMBNAIL_WIDTHS, key=lambda w: abs(w - width))
    with field.open("rb") as handle, Image.open(handle) as image:
        image.draft("RGB", (width, width))
        picture = ImageOps.exif_transpose(image).convert("RGB")
        picture.thumbnail((width, width * 2), Image.LANCZOS)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85)
    return HttpResponse(buffer.getvalue(), content_type="image/jpeg")
