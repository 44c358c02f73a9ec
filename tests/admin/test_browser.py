"""One run through the back office in Debian's chromium: the credit page (sort, drill down,
top up), the orders list with thumbnails, and the spec form's live geometry preview.
Screenshots go to tests/artifacts/."""

from datetime import timedelta

import pytest

from tests.admin.conftest import make_order
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_staff_morning_round(live_server, page, specs, shop, photo_order, admin_user):
    from photos.models import CreditEntry, Order

    make_order(shop.alice, credits=6, days_ago=3)
    make_order(shop.alice, credits=21, days_ago=5)
    make_order(shop.carol, credits=0, preview=True, days_ago=2)
    done = Order.objects.get(pk=photo_order.pk)
    # Timings like a real worker's: 2.1 s in the queue, 3.4 s of processing.
    for order in Order.objects.filter(state__gte=0).exclude(state__in=(0, 2, 3, 4)):
        Order.objects.filter(pk=order.pk).update(
            processed_at=order.created_at + timedelta(seconds=2.1),
            completed_at=order.created_at + timedelta(seconds=5.5),
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#queue-health")
    page.screenshot(path=str(ARTIFACTS / "admin-index.png"), full_page=True)

    # The credit page: 30 days, sorted by spend; then by balance.
    page.click("text=Credit use per customer")
    page.wait_for_selector("#credit-use-table")
    assert page.locator("svg.spend-chart rect.bar-spent").count() == 30
    page.click("#credit-use-table th >> text=Balance now")
    page.wait_for_url("**o=-balance**")
    first = page.locator("#credit-use-table tbody tr").first.get_attribute("data-user")
    assert first == "alice"
    page.screenshot(path=str(ARTIFACTS / "admin-credit-use.png"), full_page=True)

    # Drill down into alice and add credits with a reason.
    page.click("#credit-use-table >> text=alice")
    page.wait_for_selector("#ledger")
    page.fill("#id_topup-amount", "25")
    page.fill("#id_topup-reason", "Bought a 25-credit voucher in the shop")
    page.click("#topup input[type=submit]")
    page.wait_for_selector("text=the balance is now 107")
    page.screenshot(path=str(ARTIFACTS / "admin-credit-detail.png"), full_page=True)
    entry = CreditEntry.objects.filter(user=shop.alice).order_by("-sequence").first()
    assert (entry.amount, entry.created_by_id) == (25, admin_user.pk)

    # Orders with thumbnails (the photo order has a source and a result).
    page.goto(f"{live_server.url}/admin/photos/order/")
    result_thumb = f"img.order-thumb[src*='/order/{done.pk}/image/result/']"
    page.wait_for_function(
        "sel => { const img = document.querySelector(sel);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=result_thumb,
    )
    assert page.locator(result_thumb).evaluate("img => img.naturalWidth") <= 96
    page.screenshot(path=str(ARTIFACTS / "admin-orders.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/photos/order/{done.pk}/change/")
    page.wait_for_selector(".order-images img")
    page.screenshot(path=str(ARTIFACTS / "admin-order-change.png"), full_page=True)
    page.click("button.object-tool-button >> text=Re-run")
    page.wait_for_selector("text=Queued 1 re-run(s)")
    assert Order.objects.get(rerun_of=done).credits == 0

    # The spec catalogue with swatches and bands; then a spec form, whose preview follows
    # an edit before saving.
    page.goto(f"{live_server.url}/admin/photos/spec/?geometry=yes")
    page.wait_for_selector("#result_list .swatch")
    page.screenshot(path=str(ARTIFACTS / "admin-specs.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/photos/spec/2102/change/")
    preview = page.locator("#geometry-preview")
    preview.wait_for()
    before = preview.get_attribute("src")
    page.fill("#id_head_top_max", "60")
    page.wait_for_function(
        "() => document.getElementById('geometry-preview').src.includes('head_top_max=60')"
    )
    assert preview.get_attribute("src") != before
    page.fill("#id_bg_colors", "FFFFFF, 438EDB")
    assert page.locator("#bg-swatches .swatch").count() == 2
    page.locator(".geometry-fieldset").screenshot(path=str(ARTIFACTS / "admin-spec-geometry.png"))
    page.screenshot(path=str(ARTIFACTS / "admin-spec-form.png"), full_page=True)
