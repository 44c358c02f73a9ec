"""The studio: upload (with inline errors), options, the free preview it starts, the price."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from photos.models import Order, SourceImage
from tests.web.conftest import jpeg

# Marked so the test database is set up even when a fixture asks for it first.
pytestmark = pytest.mark.django_db

HTMX = {
    "HX-Request": "true",
    "HX-Target": "studio",
    "HX-Current-URL": "http://testserver/make/3108/",
}


def upload(name="me.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_studio_needs_an_account(client, specs):
    response = client.get("/make/3108/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/make/3108/"


def test_htmx_requests_of_logged_out_visitors_redirect_the_whole_page(client, specs):
    response = client.post("/make/3108/", headers=HTMX)
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fmake%2F3108%2F"


def test_studio_page_shows_the_spec_the_rules_and_the_upload_form(logged_in, usa_visa):
    html = logged_in.get("/make/3108/").content.decode()
    assert "<h1>USA Visa</h1>" in html
    assert "602 × 602 px" in html and "300 dpi" in html
    assert 'capture="user"' in html and 'accept="image/*"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert "<progress" in html
    assert "Eye line: 187–265 px below the top edge." in html
    assert "US passports and visas reject retouched photos" in html
    # Only white is allowed: no other swatch, no custom colour, no gradient.
    assert 'value="FFFFFF"' in html and 'value="438EDB"' not in html
    assert 'name="bg_custom"' not in html and 'name="gradient"' not in html
    assert "6 credits" in html and "Your balance: <strong>100 credits</strong>" in html


def test_any_colour_spec_offers_white_blue_red_custom_and_gradient(logged_in, specs):
    html = logged_in.get("/make/1101/").content.decode()
    for value in ("FFFFFF", "438EDB", "FF0000", "custom"):
        assert f'value="{value}"' in html
    assert 'name="bg_custom"' in html and 'name="gradient"' in html
    assert "reject retouched" not in html


def test_unknown_or_missing_spec_is_404(logged_in, specs):
    assert logged_in.get("/make/999999/").status_code == 404
    assert logged_in.post("/make/999999/", {}).status_code == 404


def test_upload_starts_a_free_preview_that_polls(logged_in, customer, usa_visa, portrait_jpeg):
    response = logged_in.post(
        "/make/3108/",
        {"image_file": upload(data=portrait_jpeg), "bg_color": "FFFFFF"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the studio fragment only
    order = Order.objects.get(owner=customer)
    assert order.preview and order.credits == 0 and order.spec == usa_visa
    assert order.params["spec_id"] == 3108 and order.params["bg_color"] == "FFFFFF"
    assert order.source.owner == customer and order.source.size == len(portrait_jpeg)
    assert f'name="source" value="{order.source.image_id}"' in html
    assert f'hx-get="/orders/{order.task_id}/status/?in=studio"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "Update free preview" in html


def test_upload_without_htmx_renders_the_whole_page(logged_in, customer, usa_visa, portrait_jpeg):
    response = logged_in.post("/make/3108/", {"image_file": upload(data=portrait_jpeg)})
    assert "<html" in response.content.decode()
    assert Order.objects.filter(owner=customer, preview=True).count() == 1


def test_options_become_the_tasks_parameters(logged_in, customer, specs, portrait_jpeg):
    data = {
        "image_file": upload(data=portrait_jpeg),
        "bg_color": "custom",
        "bg_custom": "#a0b0c0",
        "gradient": "on",
        "bg_color2": "#102030",
        "auto_smooth": "on",
        "smooth_factor": "0.8",
        "clothes_id": "woman_3",
        "add_label": "on",
        "label_text": "  ANNA SMITH ",
        "layout": "on",
        "layout_size": "6inch",
        "layout_vertical": "1",
        "layout_qr_code_data": "https://example.com/a",
        "layout_label_text": "Anna\r\nSmith",
        "max_file_kb": "200",
    }
    assert logged_in.post("/make/1101/", data, headers=HTMX).status_code == 200
    params = Order.objects.get(owner=customer).params
    assert params["bg_color"] == "A0B0C0" and params["bg_color2"] == "102030"
    assert params["auto_smooth"] == 1 and params["smooth_factor"] == 0.8
    assert "auto_bright" not in params or params["auto_bright"] == 0
    assert params["clothes_id"] == "woman_3"
    assert params["add_label"] == 1 and params["label_text"] == "ANNA SMITH"
    assert params["layout"] == 1 and params["layout_size"] == "6inch"
    assert params["layout_vertical"] == 1
    assert params["layout_label_text"] == "Anna\nSmith"
    assert params["max_file_size"] == 200 * 1024
    assert params["preview"] == 1


def test_custom_size_in_mm_and_px(logged_in, customer, specs, portrait_jpeg):
    logged_in.post(
        "/make/custom/",
        {
            "image_file": upload(data=portrait_jpeg),
            "size_unit": "mm",
            "width": "30",
            "height": "40",
            "dpi": "600",
        },
        headers=HTMX,
    )
    params = Order.objects.get(owner=customer).params
    assert (params["mm_width"], params["mm_height"], params["dpi"]) == (30, 40, 600)
    assert "spec_id" not in params
    source = Order.objects.get(owner=customer).source
    logged_in.post(
        "/make/custom/",
        {"source": str(source.image_id), "size_unit": "px", "width": "500", "height": "600"},
        headers=HTMX,
    )
    params = Order.objects.filter(owner=customer).first().params
    assert (params["px_width"], params["px_height"]) == (500, 600)


def test_custom_size_out_of_range_keeps_the_photo(logged_in, customer, specs, portrait_jpeg):
    response = logged_in.post(
        "/make/custom/",
        {
            "image_file": upload(data=portrait_jpeg),
            "size_unit": "px",
            "width": "2000",
            "height": "600",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert "must be below 1800 px" in html
    assert not Order.objects.exists()
    source = SourceImage.objects.get(owner=customer)
    assert f'name="source" value="{source.image_id}"' in html


def test_wrong_file_type_is_refused_inline(logged_in, usa_visa):
    response = logged_in.post(
        "/make/3108/",
        {"image_file": upload("notes.txt", b"hello, not a photo", "text/plain")},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This file is not a photo we can read" in html
    assert not SourceImage.objects.exists() and not Order.objects.exists()


def test_a_fake_jpeg_is_refused_too(logged_in, usa_visa):
    response = logged_in.post(
        "/make/3108/", {"image_file": upload("me.jpg", b"\xff\xd8garbage")}, headers=HTMX
    )
    assert "This file is not a photo we can read" in response.content.decode()


def test_a_photo_over_15_mb_is_refused_inline(logged_in, usa_visa):
    big = b"\xff\xd8" + b"0" * (15 * 1024 * 1024)
    response = logged_in.post("/make/3108/", {"image_file": upload(data=big)}, headers=HTMX)
    html = response.content.decode()
    assert "the limit is 15 MB" in html
    assert not SourceImage.objects.exists() and not Order.objects.exists()


def test_a_photo_over_4096_px_is_refused_inline(logged_in, usa_visa):
    response = logged_in.post(
        "/make/3108/", {"image_file": upload(data=jpeg(4100, 200))}, headers=HTMX
    )
    assert "the limit is 4096 × 4096" in response.content.decode()


def test_no_photo_at_all(logged_in, usa_visa):
    response = logged_in.post("/make/3108/", {"bg_color": "FFFFFF"}, headers=HTMX)
    assert "Choose a photo first." in response.content.decode()
    assert not Order.objects.exists()


def test_an_error_in_another_field_keeps_the_upload(logged_in, customer, usa_visa, portrait_jpeg):
    response = logged_in.post(
        "/make/3108/",
        {"image_file": upload(data=portrait_jpeg), "add_label": "on", "label_text": ""},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Type the text to print" in html
    assert not Order.objects.exists()
    source = SourceImage.objects.get(owner=customer)
    assert f'name="source" value="{source.image_id}"' in html
    assert "Photo uploaded." in html
    # Fixing the field needs no new upload.
    response = logged_in.post(
        "/make/3108/",
        {"source": str(source.image_id), "add_label": "on", "label_text": "BOB"},
        headers=HTMX,
    )
    order = Order.objects.get(owner=customer)
    assert order.source == source and order.params["label_text"] == "BOB"
    assert SourceImage.objects.count() == 1


def test_a_refused_new_file_keeps_the_earlier_photo(logged_in, customer, make_preview):
    earlier = make_preview(customer).source
    response = logged_in.post(
        "/make/3108/",
        {"source": str(earlier.image_id), "image_file": upload("x.txt", b"text", "text/plain")},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "not a photo we can read" in html
    assert f'name="source" value="{earlier.image_id}"' in html


def test_a_colour_the_spec_does_not_allow_is_refused(logged_in, usa_visa, portrait_jpeg):
    response = logged_in.post(
        "/make/3108/",
        {"image_file": upload(data=portrait_jpeg), "bg_color": "FF0000"},
        headers=HTMX,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Order.objects.exists()


def test_another_customers_photo_cannot_be_used(client_of, make_customer, make_preview):
    owner, other = make_customer("owner"), make_customer("other")
    source = make_preview(owner).source
    response = client_of(other).post("/make/3108/", {"source": str(source.image_id)}, headers=HTMX)
    assert "no longer available" in response.content.decode()
    assert not Order.objects.filter(owner=other).exists()
    html = client_of(other).get(f"/make/3108/?source={source.image_id}").content.decode()
    assert str(source.image_id) not in html


def test_make_another_size_prefills_the_photo(logged_in, customer, make_preview):
    source = make_preview(customer).source
    html = logged_in.get(f"/make/3110/?source={source.image_id}").content.decode()
    assert f'name="source" value="{source.image_id}"' in html
    assert "Update free preview" in html


def test_back_to_a_preview_prefills_its_options(logged_in, customer, make_preview):
    preview = make_preview(
        customer, params={"layout": 1, "layout_size": "6inch", "add_label": 1, "label_text": "ZED"}
    )
    html = logged_in.get(f"/make/3108/?preview={preview.task_id}").content.decode()
    assert 'value="ZED"' in html
    assert 'name="layout" id="id_layout" checked' in html
    assert 'value="6inch" id="id_layout_size_1" checked' in html
    assert f"status-{preview.task_id}" in html  # the finished preview is shown again


def test_price_follows_the_credit_rules(client, customer):
    assert "6 credits" in client.get("/price/").content.decode()
    html = client.get("/price/", {"auto_bright": "on", "layout": "on"}).content.decode()
    assert "<strong data-price>19 credits</strong>" in html
    html = client.get("/price/", {"clothes_id": "man_1", "auto_sharp": "on", "layout": "on"})
    assert "<strong data-price>28 credits</strong>" in html.content.decode()
    client.force_login(customer)
    assert "Your balance: <strong>100 credits</strong>" in client.get("/price/").content.decode()


def test_price_warns_when_the_balance_is_too_low(client_of, make_customer):
    poor = make_customer("poor", credits=10)
    html = client_of(poor).get("/price/", {"clothes_id": "man_1"}).content.decode()
    assert "You need 5 more credits" in html and "/credits/" in html


def test_upload_needs_the_csrf_token(customer, usa_visa, portrait_jpeg):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    response = client.post("/make/3108/", {"image_file": upload(data=portrait_jpeg)})
    assert response.status_code == 403
    assert not SourceImage.objects.exists()
