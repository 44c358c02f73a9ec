"""The catalogue: popular first, category tabs, search (HTMX fragment), custom size."""

import pytest
from django.urls import reverse

from photos.models import Spec

# Marked so the test database is set up even when a fixture asks for it first.
pytestmark = pytest.mark.django_db


def test_home_lists_popular_specs_first_with_sizes_and_swatches(client, specs):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    top = list(Spec.objects.filter(is_active=True)[:3])
    positions = [html.index(spec.title) for spec in top]
    assert positions == sorted(positions)
    assert "51 × 51 mm · 602 × 602 px" in html  # USA visa
    assert "--swatch: #438EDB" in html
    assert "Any colour" in html
    assert reverse("studio_custom") in html
    assert "htmx-2" in html and "//unpkg" not in html and "cdn" not in html.lower()


def test_search_returns_only_the_list_fragment_to_htmx(client, specs):
    response = client.get(
        "/", {"q": "usa visa"}, headers={"HX-Request": "true", "HX-Target": "catalogue"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "USA Visa" in html
    assert "Japan Visa" not in html
    assert "1 document matching" in html
    assert "HX-Request" in response["Vary"]


def test_search_without_htmx_renders_the_whole_page(client, specs):
    html = client.get("/", {"q": "japan"}).content.decode()
    assert "<html" in html and "Japan Visa" in html and "USA Visa" not in html


def test_search_by_spec_number_and_no_match(client, specs):
    assert "USA Visa" in client.get("/", {"q": "3108"}).content.decode()
    html = client.get("/", {"q": "zzzz"}).content.decode()
    assert "No document matches" in html and "Custom size" in html


def test_category_tab(client, specs):
    html = client.get("/", {"category": "Visa"}).content.decode()
    assert 'aria-current="page">Visa<' in html
    assert "USA Visa" in html and "Small 1 Inch" not in html
    # An unknown category shows everything rather than an empty page.
    assert "Small 1 Inch" in client.get("/", {"category": "Nope"}).content.decode()


def test_catalogue_carries_a_reused_photo_to_the_studio(client_of, customer, make_preview):
    preview = make_preview(customer)
    image_id = preview.source.image_id
    html = client_of(customer).get("/", {"source": str(image_id)}).content.decode()
    assert "Making another size from your photo" in html
    assert f"/make/3108/?source={image_id}" in html


def test_another_customers_photo_is_not_carried(client_of, make_customer, make_preview):
    owner, other = make_customer("owner"), make_customer("other")
    preview = make_preview(owner)
    html = client_of(other).get("/", {"source": str(preview.source.image_id)}).content.decode()
    assert "Making another size" not in html


def test_logged_out_header_offers_sign_up_and_logged_in_shows_balance(client, customer, specs):
    html = client.get("/").content.decode()
    assert "Sign up" in html and "Log in" in html
    client.force_login(customer)
    html = client.get("/").content.decode()
    assert "data-balance>100<" in html and "Log out" in html


def test_shop_name_and_logo_are_settings(client, specs, settings):
    settings.SHOP_NAME = "Foto Rossi"
    settings.SHOP_LOGO_URL = "https://cdn.fotorossi.example/logo.png"
    html = client.get("/").content.decode()
    assert "<span>Foto Rossi</span>" in html
    assert 'src="https://cdn.fotorossi.example/logo.png"' in html
    assert "· Foto Rossi</title>" in html


def test_outfit_thumbnails_are_served(client):
    from photos import selectors

    if selectors.outfit_thumbnail_path("man_1") is None:
        pytest.skip("the engine has no outfit thumbnails")
    response = client.get("/outfits/man_1/thumbnail/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert client.get("/outfits/nobody_9/thumbnail/").status_code == 404


def test_unknown_page_is_a_friendly_404(client, specs):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
