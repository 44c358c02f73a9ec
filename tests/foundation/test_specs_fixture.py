"""The spec catalogue is the upstream's list, all 130 rows, exactly as published."""

import pytest

from photos.models import Spec

pytestmark = pytest.mark.django_db


def test_all_130_specs_load(specs):
    assert Spec.objects.count() == 130
    assert Spec.objects.filter(is_active=True).count() == 130


@pytest.mark.parametrize(
    ("spec_id", "title", "mm", "px", "dpi", "colours"),
    [
        (1102, "1 Inch", (25, 35), (295, 413), 300, []),
        (2102, "ID Card", (26, 32), (358, 441), 350, ["FFFFFF"]),
        (3108, "USA Visa", (51, 51), (602, 602), 300, ["FFFFFF"]),
        (3116, "Vietnam Visa", (35, 45), (413, 531), 300, ["438EDB", "FF0000", "FFFFFF"]),
        # Published pixel sizes that disagree with mm x dpi stay as published.
        (5102, "Anhui Civil Service Exam", (25, 35), (413, 531), 300, ["438EDB", "FFFFFF"]),
        (5107, "Guangzhou Civil Service Exam", (35, 49), (295, 413), 300, ["438EDB", "FFFFFF"]),
        (5506, "English Level 3 Exam", (12, 16), (295, 413), 300, ["438EDB"]),
        (4201, "National Student Registration Photo", (26, 32), (307, 378), 150, ["FFFFFF"]),
        (6502, "Accounting Certificate (1 Inch)", (25, 35), (295, 413), 300, ["FFFFFF"]),
    ],
)
def test_spot_checked_rows(specs, spec_id, title, mm, px, dpi, colours):
    spec = Spec.objects.get(pk=spec_id)
    assert spec.title == title
    assert (spec.mm_width, spec.mm_height) == mm
    assert (spec.px_width, spec.px_height) == px
    assert spec.dpi == dpi
    assert spec.bg_colors == colours


def test_repeated_titles_stay_distinct_rows(specs):
    for a, b in ((5302, 5303), (5507, 5508), (5104, 5132)):
        first, second = Spec.objects.get(pk=a), Spec.objects.get(pk=b)
        assert first.title == second.title
        assert (first.px_width, first.px_height) != (second.px_width, second.px_height)


def test_us_visa_carries_its_geometry_and_no_retouch_rule(specs):
    spec = Spec.objects.get(pk=3108)
    assert spec.geometry_bands() == {"eyes_top": (187, 265), "face_height": (301, 415)}
    assert spec.retouch_allowed is False
    assert spec.max_file_size == 240 * 1024


def test_icao_visa_head_height_is_32_to_36_mm(specs):
    spec = Spec.objects.get(pk=3110)
    low, high = spec.geometry_bands()["face_height"]
    assert abs(low / 300 * 25.4 - 32) < 0.2 and abs(high / 300 * 25.4 - 36) < 0.2


def test_fixture_matches_the_reference_when_available():
    """Regenerating from shared/reference gives the committed fixture (no hand edits)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    reference = root.parent / "shared" / "reference" / "idphoto-api.txt"
    if not reference.exists():
        pytest.skip("shared/reference is not beside this checkout")
    committed = json.loads((root / "photos/fixtures/specs.json").read_text())
    subprocess.run(
        [sys.executable, "scripts/build_specs.py", str(reference)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    assert json.loads((root / "photos/fixtures/specs.json").read_text()) == committed
