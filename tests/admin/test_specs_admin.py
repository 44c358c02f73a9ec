"""The spec catalogue: list with swatches, the change form with colours and bands, and the
SVG preview of the face-geometry bands."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from photos.models import Spec

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:photos_spec_geometry_preview")
SVG = "{http://www.w3.org/2000/svg}"


def form_data(spec: Spec, **changes) -> dict:
    data = {
        "category": spec.category,
        "title": spec.title,
        "is_active": "on" if spec.is_active else "",
        "popularity": spec.popularity,
        "rules": spec.rules,
        "px_width": spec.px_width,
        "px_height": spec.px_height,
        "mm_width": spec.mm_width,
        "mm_height": spec.mm_height,
        "dpi": spec.dpi,
        "bg_colors": ", ".join(spec.bg_colors),
        "retouch_allowed": "on" if spec.retouch_allowed else "",
        "min_file_size": spec.min_file_size or "",
        "max_file_size": spec.max_file_size or "",
    }
    for name in Spec.GEOMETRY_FIELDS:
        for end in ("min", "max"):
            value = getattr(spec, f"{name}_{end}")
            data[f"{name}_{end}"] = "" if value is None else value
    data.update(changes)
    if not data["is_active"]:
        data.pop("is_active")
    return data


def test_list_shows_sizes_swatches_and_bands(admin_client, specs):
    html = admin_client.get(
        reverse("admin:photos_spec_changelist"), {"q": "ID Card"}
    ).content.decode()
    assert "358×441 px" in html
    assert 'class="swatch" style="background:#FFFFFF"' in html
    assert "head top: 7–21" in html and "eyes top: ≤ 234" in html
    with_rules = admin_client.get(reverse("admin:photos_spec_changelist"), {"geometry": "yes"})
    assert "2102" in with_rules.content.decode()


def test_change_form_has_the_live_preview(admin_client, specs):
    html = admin_client.get(reverse("admin:photos_spec_change", args=[2102])).content.decode()
    src = re.search(r'id="geometry-preview" src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert src.startswith(PREVIEW) and "head_top_min=7" in src and "chin_top_max=369" in src
    assert "admin-extra/spec_preview.js" in html
    assert 'id="bg-swatches"' in html
    svg = admin_client.get(src)
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"


def test_edit_colours_bands_sizes_and_deactivate(admin_client, specs):
    spec = Spec.objects.get(pk=2102)
    url = reverse("admin:photos_spec_change", args=[2102])
    response = admin_client.post(
        url,
        form_data(
            spec,
            title="National ID card",
            bg_colors="#ffffff; 438edb",
            head_top_max=25,
            face_width_min=200,
            face_width_max=260,
            max_file_size=200_000,
            is_active="",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    spec.refresh_from_db()
    assert spec.title == "National ID card"
    assert spec.bg_colors == ["FFFFFF", "438EDB"]
    assert (spec.head_top_max, spec.face_width_min, spec.face_width_max) == (25, 200, 260)
    assert spec.max_file_size == 200_000 and not spec.is_active


def test_invalid_values_are_explained(admin_client, specs):
    spec = Spec.objects.get(pk=2102)
    url = reverse("admin:photos_spec_change", args=[2102])
    html = admin_client.post(
        url,
        form_data(spec, bg_colors="white", chin_top_min=380, chin_top_max=370, eyes_top_max=500),
    ).content.decode()
    assert "Not a hex colour: WHITE" in html
    assert "The maximum must not be below the minimum." in html
    assert "Outside the photo: it is 441 px high." in html
    spec.refresh_from_db()
    assert spec.chin_top_min == 353


def test_activate_and_deactivate_actions(admin_client, specs):
    changelist = reverse("admin:photos_spec_changelist")
    admin_client.post(
        changelist, {"action": "deactivate", "_selected_action": [2102, 2101], "index": 0}
    )
    assert Spec.objects.filter(pk__in=[2101, 2102], is_active=True).count() == 0
    admin_client.post(changelist, {"action": "activate", "_selected_action": [2102], "index": 0})
    assert Spec.objects.get(pk=2102).is_active


def test_preview_draws_each_band_at_its_pixels(admin_client, db):
    response = admin_client.get(
        PREVIEW,
        {
            "px_width": 413,
            "px_height": 531,
            "head_top_min": 24,
            "head_top_max": 71,
            "eyes_top_max": 250,
            "face_height_min": 378,
            "face_height_max": 425,
            "face_width_min": 200,
            "face_width_max": 260,
            "bg_colors": "438EDB",
        },
    )
    root = ET.fromstring(response.content)
    photo = root.find(f".//{SVG}rect[@class='photo']")
    assert (photo.get("width"), photo.get("height"), photo.get("fill")) == ("413", "531", "#438EDB")
    head = root.find(f".//{SVG}rect[@class='band band-head_top']")
    assert (head.get("y"), head.get("height")) == ("24", "47")
    eyes = root.find(f".//{SVG}line[@class='band band-eyes_top']")  # one bound: a limit line
    assert eyes.get("y1") == eyes.get("y2") == "250"
    assert root.find(f".//{SVG}g[@class='band band-face_height']") is not None
    assert len(root.findall(f".//{SVG}g[@class='band band-face_width']/{SVG}rect")) == 2
    assert root.find(f".//{SVG}g[@class='silhouette']/{SVG}ellipse") is not None
    legend = "".join(root.find(f".//{SVG}g[@class='legend']").itertext())
    assert "Head top" in legend and "24–71 px" in legend and "≤ 250 px" in legend


def test_preview_without_bands_and_with_bad_values(admin_client, db):
    html = admin_client.get(PREVIEW, {"px_width": 295, "px_height": 413}).content.decode()
    assert "No face-geometry rules" in html
    assert admin_client.get(PREVIEW, {"px_width": "wide", "px_height": 413}).status_code == 400
    bad_colour = admin_client.get(
        PREVIEW, {"px_width": 295, "px_height": 413, "bg_colors": '"><script>'}
    ).content.decode()
    assert "<script" not in bad_colour


def test_preview_needs_the_spec_view_permission(client, django_user_model, db):
    intern = django_user_model.objects.create_user("intern", "i@x.example", "pw", is_staff=True)
    client.force_login(intern)
    assert client.get(PREVIEW, {"px_width": 295, "px_height": 413}).status_code == 403
