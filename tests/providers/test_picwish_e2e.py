"""End to end over real HTTP: our own app under live_server plays the upstream (it speaks
the same API), its django-q2 worker runs the upstream side with our engine, and a
customer order processed through the picwish provider yields the photo a local order would."""

import io

import numpy as np
import pytest
from PIL import Image

from photos import pricing
from photos.models import ApiKey, Order
from photos.params import parse_params
from photos.providers import picwish
from photos.services.credits import credits_balance
from photos.services.orders import order_create, source_image_create
from photos.tasks import process_order
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PARAMS = {"spec_id": "1102", "bg_color": "438EDB", "layout": "1"}


@pytest.fixture
def upstream_api(live_server, specs, make_customer, settings, monkeypatch):
    """Point the provider at live_server with the key of an "upstream account" (50 credits);
    poll fast so the test waits only for the upstream's own work."""
    account = make_customer("upstream-account", credits=50)
    _, key = ApiKey.generate(user=account, name="the shop's picwish key")
    settings.PICWISH_BASE_URL = live_server.url
    settings.PICWISH_API_KEY = key
    settings.PUBLIC_BASE_URL = ""
    original = picwish.PicwishProvider.from_settings.__func__
    monkeypatch.setattr(
        picwish.PicwishProvider,
        "from_settings",
        classmethod(lambda cls, **options: original(cls, **{"poll_interval": 0.2, **options})),
    )
    return account


def customer_order(settings, customer, source, params: dict, provider: str) -> Order:
    """Created as the storefront would with IDPHOTO_PROVIDER=provider; the test runs the task.
    Our API (the upstream here) shares these settings, so it is switched back to local."""
    settings.IDPHOTO_PROVIDER = provider
    try:
        return order_create(
            owner=customer, params=parse_params(params), source=source, enqueue=False
        )
    finally:
        settings.IDPHOTO_PROVIDER = "local"


def jpeg(field) -> Image.Image:
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
    assert image.format == "JPEG"
    return image


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_a_picwish_order_over_real_http_yields_the_photo_a_local_order_would(
    qcluster, upstream_api, make_customer, portrait_jpeg, settings
):
    customer = make_customer("alice", credits=100)
    source = source_image_create(owner=customer, data=portrait_jpeg, name="alice.jpg")
    order = customer_order(settings, customer, source, PARAMS, "picwish")
    price = pricing.task_price(order.params)
    assert price == 11  # standard 6 + layout 5

    assert process_order(order.pk) == Order.State.COMPLETED
    order.refresh_from_db()

    # The upstream side: one task of the upstream account, made by its worker, charged once.
    upstream_order = Order.objects.get(owner=upstream_api)
    assert order.upstream_task_id == str(upstream_order.task_id)
    assert order.upstream_image_id == str(upstream_order.source.image_id)
    assert upstream_order.state == Order.State.COMPLETED
    assert upstream_order.params["bg_color"] == "438EDB" and upstream_order.params["layout"] == 1
    assert credits_balance(upstream_api) == 50 - price
    assert order.upstream_credits == price
    # Our side: the customer paid our price, once.
    assert credits_balance(customer) == 100 - price
    assert list(order.credit_entries.values_list("kind", flat=True)) == ["charge"]

    # A local order of the same photo and parameters, by the same engine in this process.
    local = customer_order(settings, customer, source, PARAMS, "local")
    assert process_order(local.pk) == Order.State.COMPLETED
    local.refresh_from_db()
    for kind in ("result", "sheet"):
        ours, theirs = jpeg(getattr(order, kind)), jpeg(getattr(local, kind))
        assert ours.size == theirs.size
        assert ours.info.get("dpi") == theirs.info.get("dpi")
        assert np.abs(pixels(ours) - pixels(theirs)).mean() < 2.0, kind
    assert jpeg(order.result).size == (295, 413)

    # The same photo again: last_id reuses the upstream's copy instead of a second upload.
    again = customer_order(settings, customer, source, {"spec_id": "1102"}, "picwish")
    assert process_order(again.pk) == Order.State.COMPLETED
    second_upstream = Order.objects.filter(owner=upstream_api).exclude(pk=upstream_order.pk).get()
    assert second_upstream.source_id == upstream_order.source_id
    assert credits_balance(upstream_api) == 50 - price - 6
    assert credits_balance(customer) == 100 - price - price - 6


def test_callback_mode_the_upstream_calls_our_receiver_which_completes_the_order(
    qcluster, upstream_api, live_server, make_customer, portrait_jpeg, settings
):
    """With PUBLIC_BASE_URL set, the upstream's callback alone finishes the order."""
    settings.PUBLIC_BASE_URL = live_server.url
    customer = make_customer("bob", credits=100)
    source = source_image_create(owner=customer, data=portrait_jpeg, name="bob.jpg")
    order = customer_order(settings, customer, source, {"spec_id": "1102"}, "picwish")

    provider = picwish.PicwishProvider.from_settings()
    provider.create(order, portrait_jpeg, report=lambda *args: None, deadline=provider.clock() + 60)
    upstream_order = Order.objects.get(owner=upstream_api)
    assert upstream_order.callback_url.startswith(f"{live_server.url}/providers/picwish/callback/")

    def done():
        order.refresh_from_db()
        return order.is_finished

    wait_for(done, timeout=60)  # nobody polls: the receiver did it
    assert order.state == Order.State.COMPLETED
    assert jpeg(order.result).size == (295, 413)
    assert credits_balance(customer) == 94
    assert credits_balance(upstream_api) == 44
    # The task run later (the poller fallback) finds it done and creates nothing.
    assert process_order(order.pk) == Order.State.COMPLETED
    assert Order.objects.filter(owner=upstream_api).count() == 1
