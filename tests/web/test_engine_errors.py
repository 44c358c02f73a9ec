"""Errors only the engine can find (no face) come back inline next to the upload form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from photos.models import Order
from photos.tasks import process_order

# Marked so the test database is set up even when a fixture asks for it first.
pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_a_photo_without_a_face_is_explained_inline(logged_in, customer, usa_visa, landscape_jpeg):
    logged_in.post(
        "/make/3108/",
        {"image_file": SimpleUploadedFile("cup.jpg", landscape_jpeg, "image/jpeg")},
        headers=HTMX,
    )
    order = Order.objects.get(owner=customer)
    process_order(order.pk)  # what the worker does
    order.refresh_from_db()
    assert order.is_failed
    html = logged_in.get(f"/orders/{order.task_id}/status/?in=studio", headers=HTMX)
    html = html.content.decode()
    assert "hx-trigger" not in html
    assert "We could not make this photo" in html
    assert "face" in html.lower() and order.error_message in html
    assert "Try another photo" in html
