"""Storefront test helpers: logged-in clients and orders in every state, made with the
real services (no engine needed unless a test runs the worker function itself)."""

import io

import pytest
from PIL import Image

from photos.models import Order, Spec
from photos.services import orders as order_services
from photos.services.orders import source_image_create
from photos.services.storefront import preview_create

USA_VISA = 3108  # 602 x 602 px, white only, retouching not allowed, geometry bands


def jpeg(width: int, height: int, color=(200, 200, 200), dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", dpi=(dpi, dpi))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Customers are made by the dozen here; real PBKDF2 would cost half a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_of(client):
    """``client_of(user)``: the test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def logged_in(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def usa_visa(specs) -> Spec:
    return Spec.objects.get(pk=USA_VISA)


@pytest.fixture
def make_preview(usa_visa, portrait_jpeg):
    """A preview order of ``owner``; ``state`` 'queued', 'done' or 'failed'."""

    def make(owner, state="done", params=None, spec=usa_visa):
        source = source_image_create(owner=owner, data=portrait_jpeg, name="me.jpg")
        order = preview_create(
            owner=owner,
            source=source,
            params={"spec_id": spec.pk, "bg_color": "FFFFFF", **(params or {})},
        )
        finish(order, state)
        return order

    return make


@pytest.fixture
def make_paid(make_preview):
    """A paid (charged) order of ``owner`` with a result and, with layout, a sheet."""
    from photos.services.storefront import preview_buy

    def make(owner, state="done", params=None):
        preview = make_preview(owner, params=params)
        order = preview_buy(preview=preview)
        finish(order, state)
        return order

    return make


def finish(order: Order, state: str) -> None:
    spec = order.spec
    width, height = (spec.px_width, spec.px_height) if spec else (413, 531)
    if state == "done":
        order_services.order_complete(
            order,
            photo_jpeg=jpeg(width, height),
            sheet_jpeg=jpeg(1500, 1050) if order.params.get("layout") else None,
            measurements={
                "crown_y": 70.0,
                "eyes_y": 230.0,
                "chin_y": 430.0,
                "face_width": 260.0,
                "face_height": 360.0,
                "width": width,
                "height": height,
                "dpi": 300,
            },
        )
    elif state == "failed":
        order_services.order_fail(
            order,
            state=Order.State.FAILED,
            message="No face was found. Upload a sharp, well-lit photo of one person looking "
            "into the camera.",
        )
    elif state == "processing":
        order_services.order_set_progress(order, state=Order.State.PROCESSING, progress=42)
    order.refresh_from_db()
