"""The customer journey in a real browser: sign up, choose, upload (with progress), free
preview with guides, buy, watch the progress, download; on a desktop and on a phone."""

import base64

import pytest
from PIL import Image

from photos.models import Order
from photos.services.credits import credits_balance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGINE_TIMEOUT = 90_000  # ms: the first order of a worker also loads the models
PASSWORD = "sunny-passport-2026"


def image_loaded(selector: str) -> str:
    return (
        f"() => {{ const i = document.querySelector({selector!r});"
        " return !!i && i.complete && i.naturalWidth > 0; }"
    )


def throttle_uploads(visit, bytes_per_second: int | None):
    """Slow the upload down (DevTools network emulation) so its progress can be seen."""
    cdp = visit.context.new_cdp_session(visit.page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second or -1,
        },
    )
    return cdp


def download(page, selector: str):
    with page.expect_download() as info:
        page.click(selector)
    return info.value


def assert_photo(path, size, dpi):
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.size == size
        assert tuple(round(d) for d in image.info["dpi"]) == (dpi, dpi)


def test_desktop_journey_from_sign_up_to_download(
    live_server, qcluster, specs, settings, visit, portrait_jpeg
):
    settings.SIGNUP_CREDITS = 50
    v = visit("desktop", viewport={"width": 1280, "height": 900})
    page = v.page

    # 1. Land, search, choose the document.
    page.goto(live_server.url)
    v.shot("01-home", full_page=False)
    page.fill("#q", "usa")
    page.wait_for_selector(".result-count:has-text('matching “usa”')")
    assert page.locator(".spec-card").count() == 2  # USA Visa + the custom size card
    v.shot("02-search")
    page.click(".spec-card:has-text('USA Visa')")

    # Not signed in yet: log-in page, then the sign-up page, back to the document.
    page.wait_for_url("**/accounts/login/?next=/make/3108/")
    page.click("text=Create an account")
    page.fill("#id_username", "dora")
    page.fill("#id_email", "dora@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    v.shot("03-signup")
    page.click("button:has-text('Create account')")
    page.wait_for_url("**/make/3108/")
    assert page.locator("[data-balance]").inner_text() == "50"

    # 2. Options first (a print sheet), the price follows.
    page.click("summary:has-text('Print sheet')")
    page.check("#id_layout")
    page.wait_for_selector("[data-price]:has-text('11 credits')")
    assert "US passports and visas reject retouched photos" in page.content()
    v.shot("04-studio")

    # 3. Upload with a visible progress bar (the upload is slowed down to see it).
    cdp = throttle_uploads(v, 160 * 1024)
    page.set_input_files(
        "#id_image_file",
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": portrait_jpeg}],
    )
    page.wait_for_function(
        "() => { const p = document.querySelector('#upload-progress');"
        " return p && !p.closest('[hidden]') && p.value > 0 && p.value < 100; }"
    )
    page.locator("[data-upload-progress]").scroll_into_view_if_needed()
    v.shot("05-uploading", full_page=False)
    page.wait_for_selector(".status.running, [data-preview-image]", timeout=ENGINE_TIMEOUT)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    if page.locator(".status.running").count():
        v.shot("06-preview-running", full_page=False)

    # 4. The free, watermarked preview next to the original, with guides.
    page.wait_for_function(image_loaded("[data-preview-image]"), timeout=ENGINE_TIMEOUT)
    page.wait_for_function(image_loaded(".compare .original img"))
    preview = Order.objects.get(owner__username="dora")
    assert preview.preview and preview.credits == 0 and preview.state == Order.State.COMPLETED
    assert page.locator(".status.running").count() == 0  # polling stopped
    guides = page.locator(".preview-panel .guides")
    assert guides.is_visible()
    assert page.locator(".guide-eyes_y").is_visible()
    v.shot("07-preview")
    page.uncheck(".guides-toggle")
    assert not guides.is_visible()
    v.shot("08-preview-no-guides", full_page=False)
    page.check(".guides-toggle")

    # 5. Buy: the confirm page states the amount; progress while the photo is made.
    page.click("[data-buy]")
    page.wait_for_selector("[data-pay]")
    assert page.locator("[data-pay]").inner_text() == "Pay 11 credits"
    assert "credits → 39 credits" in page.locator(".confirm-body").inner_text()
    v.shot("09-confirm")
    page.click("[data-pay]")
    page.wait_for_selector(".status.running, [data-download='photo']", timeout=ENGINE_TIMEOUT)
    if page.locator(".status.running").count():
        assert page.locator(".status.running progress").count() == 1
        v.shot("10-processing", full_page=False)
    page.wait_for_selector("[data-download='photo']", timeout=ENGINE_TIMEOUT)
    assert page.locator("[data-balance]").inner_text() in ("39", "50")  # header of that page
    page.reload()
    assert page.locator("[data-balance]").inner_text() == "39"
    assert "100 % scale" in page.locator(".hint").inner_text()
    page.wait_for_function(image_loaded(".sheet-preview img"))
    v.shot("11-done")

    # 6. Download the photo and the sheet: the spec's pixel size and DPI.
    photo = download(page, "[data-download='photo']")
    assert photo.suggested_filename == "idphoto-3108-602x602.jpg"
    assert_photo(photo.path(), (602, 602), 300)
    sheet = download(page, "[data-download='sheet']")
    assert sheet.suggested_filename == "idphoto-3108-sheet-5inch.jpg"
    with Image.open(sheet.path()) as image:
        assert round(image.info["dpi"][0]) == 300 and image.width > 602
    paid = Order.objects.get(owner__username="dora", preview=False)
    assert paid.credits == 11 and credits_balance(paid.owner) == 39

    # 7. History, and another size from the same photo without uploading again.
    page.click("text=My photos")
    page.wait_for_selector(".history-item")
    v.shot("12-history")
    page.click("text=Make another size from this photo")
    page.wait_for_selector(".notice:has-text('Making another size')")
    page.fill("#q", "japan")
    page.wait_for_selector(".result-count:has-text('matching “japan”')")
    page.click(".spec-card:has-text('Japan Visa')")
    page.wait_for_selector("text=Photo uploaded.")
    page.click(".preview-button")
    page.wait_for_function(image_loaded("[data-preview-image]"), timeout=ENGINE_TIMEOUT)
    again = Order.objects.filter(owner__username="dora").first()
    assert again.spec_id == 3109 and again.source_id == paid.source_id
    v.shot("13-another-size")


def test_phone_journey_with_a_photo_without_a_face_first(
    live_server, qcluster, specs, make_customer, visit, portrait_jpeg, landscape_jpeg
):
    make_customer("phoebe", credits=30, password=PASSWORD)
    v = visit(
        "phone",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = v.page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "phoebe")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector("[data-balance]")
    v.shot("01-home", full_page=False)

    page.click(".tabs a:has-text('Visa')")
    page.wait_for_selector(".tabs a[aria-current='page']:has-text('Visa')")
    v.shot("02-visa-tab", full_page=False)
    page.click(".spec-card:has-text('Universal Visa')")
    page.wait_for_selector("label.camera-button")
    assert page.locator("label.camera-button").is_visible()  # a phone gets the camera first
    v.shot("03-studio", full_page=False)

    # A photo without a person: the engine's words come back next to the form.
    page.set_input_files(
        "#id_camera",
        files=[{"name": "cup.jpg", "mimeType": "image/jpeg", "buffer": landscape_jpeg}],
    )
    page.wait_for_selector(".status.failed", timeout=ENGINE_TIMEOUT)
    assert "face" in page.locator(".status.failed .error-message").inner_text().lower()
    page.locator(".status.failed").scroll_into_view_if_needed()
    v.shot("04-no-face", full_page=False)

    # Try again with a real portrait, from the camera input.
    page.set_input_files(
        "#id_camera",
        files=[{"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": portrait_jpeg}],
    )
    page.wait_for_function(image_loaded("[data-preview-image]"), timeout=ENGINE_TIMEOUT)
    page.wait_for_function(image_loaded(".compare .original img"))
    page.locator(".preview-panel").scroll_into_view_if_needed()
    v.shot("05-preview", full_page=False)
    v.shot("05-preview-full")

    page.click("[data-buy]")
    page.wait_for_selector("[data-pay]")
    assert page.locator("[data-pay]").inner_text() == "Pay 6 credits"
    v.shot("06-confirm", full_page=False)
    page.click("[data-pay]")
    page.wait_for_selector("[data-download='photo']", timeout=ENGINE_TIMEOUT)
    page.wait_for_function(image_loaded(".result-panel img"))
    paid = Order.objects.get(owner__username="phoebe", preview=False)
    preview = Order.objects.filter(owner__username="phoebe", preview=True).first()
    v.shot("07-done", full_page=False)
    photo = download(page, "[data-download='photo']")
    assert photo.suggested_filename == "idphoto-3110-413x531.jpg"
    assert_photo(photo.path(), (413, 531), 300)

    page.goto(live_server.url + "/orders/")
    v.shot("08-history", full_page=False)

    # Nothing on any page is wider than the phone, down to 360 px.
    pages = (
        "/",
        "/make/3110/",
        "/make/custom/",
        "/orders/",
        f"/orders/{paid.task_id}/",
        f"/orders/{preview.task_id}/buy/",
        "/credits/",
        "/account/api-keys/",
    )
    for width in (390, 360):
        page.set_viewport_size({"width": width, "height": 780})
        for path in pages:
            page.goto(live_server.url + path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{path} is {scroll_width} px wide at {width} px"
    page.goto(live_server.url + "/make/custom/")
    v.shot("09-custom-360", full_page=False)


def test_checks_before_sending_drag_and_drop_and_other_pages(
    live_server, specs, customer, visit, portrait_jpeg
):
    v = visit("checks", viewport={"width": 1024, "height": 800})
    page = v.page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct-horse-42")
    page.click("button:has-text('Log in')")
    page.goto(live_server.url + "/make/3108/")
    big = b"\xff\xd8" + b"0" * (15 * 1024 * 1024 + 10)
    page.set_input_files(
        "#id_image_file", files=[{"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": big}]
    )
    page.wait_for_selector("[data-upload-errors]:has-text('the limit is 15 MB')")
    page.set_input_files(
        "#id_image_file",
        files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF"}],
    )
    page.wait_for_selector("[data-upload-errors]:has-text('This file is not a photo')")
    v.shot("01-refused", full_page=False)
    assert not Order.objects.exists()
    # Keyboard: the file button is reachable and visibly focused.
    page.focus("#id_image_file")
    assert page.evaluate("document.activeElement.id") == "id_image_file"
    v.shot("02-focus", full_page=False)

    # Drag and drop a photo onto the drop zone: it is sent at once, a preview is queued.
    page.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], "dropped.jpg", { type: "image/jpeg" }));
            const zone = document.querySelector("[data-dropzone]");
            for (const type of ["dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
            }
        }""",
        base64.b64encode(portrait_jpeg).decode(),
    )
    page.wait_for_selector(".status.running")
    order = Order.objects.get(owner=customer)
    assert order.preview and order.source.size == len(portrait_jpeg)

    # The other pages, to look at.
    page.goto(live_server.url + "/make/custom/")
    page.click("summary:has-text('Outfit')")
    page.click("summary:has-text('Beauty')")
    page.check("#id_gradient")
    page.locator(".outfit-grid .outfit").first.click()
    page.check("#id_auto_bright")
    page.wait_for_selector("[data-price]:has-text('23 credits')")  # outfit 15 + beauty 8
    v.shot("03-custom-size")
    page.goto(live_server.url + "/credits/")
    v.shot("04-credits")
    page.goto(live_server.url + "/account/api-keys/")
    page.fill("#id_name", "shop till")
    page.click("button:has-text('Create key')")
    page.wait_for_selector(".key-once")
    assert page.locator(".key-field").input_value().startswith("idp_")
    v.shot("05-api-keys")
