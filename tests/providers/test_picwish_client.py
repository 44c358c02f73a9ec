"""What the picwish provider sends to the upstream and how it follows a task to its result."""

import base64

import httpx
import pytest
from django.core import signing

from photos import pricing
from photos.models import Order
from photos.providers import picwish
from photos.services.credits import credits_balance
from photos.tasks import process_order
from tests.providers.conftest import (
    IMAGE_ID,
    RESULT_URL,
    SHEET_URL,
    TASK_ID,
    answer,
    completed,
    created,
    ledger,
    running,
)

pytestmark = pytest.mark.django_db


def test_create_uploads_the_source_and_passes_every_chosen_parameter(
    upstream, picwish_order, portrait_jpeg, result_jpeg, customer
):
    order = picwish_order(
        {
            "bg_color": "438EDB",
            "auto_smooth": "1",
            "smooth_factor": "0.3",
            "layout": "1",
            "layout_size": "6inch",
            "add_label": "1",
            "label_text": "ALICE",
            "quality": "90",
        }
    )
    sheet_jpeg = result_jpeg[:-2] + b"\xff\xd9"  # a different file, still a JPEG

    def download(request):
        body = result_jpeg if str(request.url) == RESULT_URL else sheet_jpeg
        return httpx.Response(200, content=body, headers={"content-type": "image/jpeg"})

    upstream.polls = [running(4, 50), completed(layout_image=SHEET_URL)]
    upstream.downloads = [download]

    assert process_order(order.pk) == Order.State.COMPLETED

    [create] = upstream.sent("POST")
    assert create.url == f"https://upstream.test{picwish.TASKS_PATH}"
    assert create.headers["X-API-KEY"] == "pw-test-key"
    form = upstream.form(create)
    filename, uploaded = form.pop("image_file")
    assert filename == f"{order.task_id}.jpg"
    assert uploaded == portrait_jpeg
    expected = {name: str(value) for name, value in order.params.items()}
    expected["sync"] = "0"  # never sync=1: we poll
    assert form == expected
    assert form["spec_id"] == "1102"
    assert form["auto_smooth"] == "1" and form["smooth_factor"] == "0.3"
    assert form["change_bg"] == "1" and form["preview"] == "0"
    assert "callback_url" not in form and "last_id" not in form

    # The key goes to the API only, never to the host that serves the result files.
    downloads = upstream.sent("GET", host="oss.upstream.test")
    assert [str(r.url) for r in downloads] == [RESULT_URL, SHEET_URL]
    assert all("X-API-KEY" not in r.headers for r in downloads)

    order.refresh_from_db()
    assert order.result.read() == result_jpeg
    assert order.sheet.read() == sheet_jpeg
    assert order.measurements == {"width": 295, "height": 413}
    assert order.upstream_task_id == TASK_ID
    assert order.upstream_image_id == IMAGE_ID
    price = 6 + 8 + 5  # standard + beauty + layout ("Credit Consumption Rules")
    assert order.upstream_credits == pricing.task_price(order.params) == price
    assert order.credits == price
    assert ledger(order) == ["charge"]
    assert credits_balance(customer) == 100 - price


def test_progress_follows_the_upstream_live_polling_every_second(upstream, picwish_order, clock):
    order = picwish_order()
    seen = []

    def watch(response):
        """Before each answer, note what the storefront shows for the order right now."""

        def handler(request):
            seen.append(Order.objects.values_list("state", "progress").get(pk=order.pk))
            return response

        return handler

    upstream.polls = [
        watch(running(0, 0)),
        watch(running(2, 10)),
        watch(running(3, 15)),
        watch(running(4, 21)),
        watch(running(4, 80)),
        watch(completed()),
    ]
    process_order(order.pk)

    # Each answer is on the order before the next poll: queued, preparing, waiting, processing.
    assert seen[1:] == [(0, 5), (2, 10), (3, 15), (4, 21), (4, 80)]
    assert clock.slept == [1.0] * 5  # "Recommended polling interval is 1 second."
    order.refresh_from_db()
    assert (order.state, order.progress, order.state_detail) == (1, 100, "Complete")


def test_progress_never_moves_backwards(upstream, picwish_order):
    order = picwish_order()
    reports = []
    upstream.polls = [running(4, 40), running(4, 30), running(0, 0), completed()]
    provider = picwish.PicwishProvider.from_settings()
    provider.process(
        order,
        order.source.file.read(),
        report=lambda state, progress, detail: reports.append((state, progress)),
        deadline=provider.clock() + 300,
    )
    progress = [p for _, p in reports]
    assert progress == sorted(progress)
    assert reports[1:4] == [(4, 40), (4, 40), (0, 40)]


def test_callback_url_points_at_our_receiver_with_a_signed_token(upstream, picwish_order, settings):
    settings.PUBLIC_BASE_URL = "https://shop.example.com/"
    order = picwish_order()
    process_order(order.pk)

    callback_url = upstream.form(upstream.sent("POST")[0])["callback_url"]
    prefix = "https://shop.example.com/providers/picwish/callback/"
    assert callback_url.startswith(prefix)
    token = callback_url.removeprefix(prefix).rstrip("/")
    assert picwish.order_for_callback_token(token) == str(order.task_id)
    with pytest.raises(signing.BadSignature):
        picwish.order_for_callback_token(token[:-2] + "xx")


def test_a_second_order_of_the_same_photo_sends_last_id_instead_of_the_file(
    upstream, picwish_order
):
    first = picwish_order()
    process_order(first.pk)
    first.refresh_from_db()
    assert first.upstream_image_id == IMAGE_ID

    second = picwish_order({"bg_color": "FF0000"}, source=first.source)
    upstream.creates = [created("b1c6a0f4-0000-4000-8000-000000000002")]
    assert process_order(second.pk) == Order.State.COMPLETED

    form = upstream.form(upstream.sent("POST")[-1])
    assert form["last_id"] == IMAGE_ID
    assert "image_file" not in form
    assert form["bg_color"] == "FF0000"
    second.refresh_from_db()
    assert second.upstream_task_id == "b1c6a0f4-0000-4000-8000-000000000002"


def test_an_expired_last_id_falls_back_to_uploading_the_file(
    upstream, picwish_order, portrait_jpeg
):
    first = picwish_order()
    Order.objects.filter(pk=first.pk).update(upstream_image_id="expired-image-id")
    second = picwish_order(source=first.source)
    upstream.creates = [answer(400, "Unknown last_id 'expired-image-id'"), created()]

    assert process_order(second.pk) == Order.State.COMPLETED
    with_last_id, with_file = (upstream.form(r) for r in upstream.sent("POST"))
    assert with_last_id["last_id"] == "expired-image-id"
    assert "last_id" not in with_file
    assert with_file["image_file"][1] == portrait_jpeg


def test_return_type_2_base64_result_is_decoded_without_a_download(
    upstream, picwish_order, result_jpeg
):
    order = picwish_order({"return_type": "2"})
    encoded = base64.b64encode(result_jpeg).decode()
    upstream.polls = [completed(image=encoded, return_type=2)]

    assert process_order(order.pk) == Order.State.COMPLETED
    assert upstream.form(upstream.sent("POST")[0])["return_type"] == "2"
    assert upstream.sent("GET", host="oss.upstream.test") == []
    order.refresh_from_db()
    assert order.result.read() == result_jpeg


def test_a_png_result_is_stored_as_a_jpeg_of_the_same_size(upstream, picwish_order):
    import io

    from PIL import Image

    from tests.conftest import portrait_image

    png = io.BytesIO()
    portrait_image(295).crop((0, 0, 295, 413)).save(png, "PNG", dpi=(300, 300))
    upstream.downloads = [
        httpx.Response(200, content=png.getvalue(), headers={"content-type": "image/png"})
    ]
    order = picwish_order()
    assert process_order(order.pk) == Order.State.COMPLETED
    order.refresh_from_db()
    stored = Image.open(order.result)
    assert (stored.format, stored.size) == ("JPEG", (295, 413))
    assert round(stored.info["dpi"][0]) == 300


def test_layout_requested_but_no_sheet_returned_is_a_warning(upstream, picwish_order):
    order = picwish_order({"layout": "1"})
    assert process_order(order.pk) == Order.State.COMPLETED
    order.refresh_from_db()
    assert not order.sheet
    assert order.warnings == ["The photo service returned no print sheet."]


def test_upstream_fields_map_booleans_and_skip_what_is_not_an_upstream_parameter():
    fields = picwish.upstream_fields(
        {
            "spec_id": 1102,
            "change_bg": True,
            "add_label": False,
            "bright_factor": 0.5,
            "sync": 1,
            "last_id": "x",
            "_result_base_url": "http://internal",
            "bg_color2": None,
        }
    )
    assert fields == {
        "spec_id": "1102",
        "change_bg": "1",
        "add_label": "0",
        "bright_factor": "0.5",
        "sync": "0",
    }
