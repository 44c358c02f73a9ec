"""Build photos/fixtures/specs.json from the upstream's "ID Photo Specifications List".

Usage: python scripts/build_specs.py [path/to/idphoto-api.txt]

All 130 rows are kept exactly as published (the pixel size is what the photo must be, even
where it disagrees with mm x dpi). On top, face-geometry bands where real rules are known,
in output pixels from the top edge:

* US visa (3108) and India visa (3115), 2x2 in: travel.state.gov "Photo Requirements":
  head (chin to crown) 1 to 1 3/8 in = 50-69 % of the height; eyes 1 1/8 to 1 3/8 in from
  the bottom = 56-69 %. DS-160 digital photos: at most 240 kB. No retouching.
* 35x45 mm visas (ICAO Doc 9303 part 3 / Schengen guidance): chin to crown 32-36 mm
  (Canada: 31-36 mm), crown 2-6 mm below the top edge.
* Chinese passport / exit-entry permits, 33x48 mm (3202, 3302), exit-entry photo standard
  (出入境证件相片照相指引): head length 28-33 mm, crown 3-5 mm below the top edge, chin
  7-12 mm above the bottom edge.
* Chinese ID card family, 358x441 px at 350 dpi (2101-2103), GA 461-2004: crown 7-21 px
  below the top edge, chin 80±8 px above the bottom edge, eye line at least 207 px above
  the bottom edge.
* Chinese 1-inch and 2-inch studio photos have no statutory geometry; we use the studio
  convention (head about 60-72 % of the height, crown 4-12 % below the top edge) so the
  storefront can show guides.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "idphoto-api.txt"
OUT = ROOT / "photos" / "fixtures" / "specs.json"

# Colour names as the reference's bg_color parameter gives them.
COLOURS = {"White": "FFFFFF", "Blue": "438EDB", "Red": "FF0000"}
ROW = re.compile(
    r"^(\d{4}) \| ([^|]+) \| ([^|]+) \| (\d+)x(\d+) \| (\d+)x(\d+) \| (\d+) \| ([^|]+) \|$"
)
MM_PER_INCH = 25.4

POPULAR = {
    1102: 100,
    1104: 95,
    3108: 90,
    3110: 85,
    1105: 80,
    2102: 75,
    3109: 70,
    3120: 65,
    3105: 60,
    3118: 55,
    3202: 50,
    1101: 45,
    5101: 40,
    5401: 35,
    3115: 30,
}
ICAO_VISAS = {3105, 3107, 3110, 3111, 3112, 3113, 3116, 3118, 3119, 3301}


def mm_to_px(mm: float, height_px: int, height_mm: float) -> int:
    return round(mm * height_px / height_mm)


def bands_for(row: dict) -> dict:
    sid, h, mm_h = row["spec_id"], row["px_height"], row["mm_height"]
    if sid in (3108, 3115):
        return {
            "face_height_min": round(0.50 * h),
            "face_height_max": round(0.69 * h),
            "eyes_top_min": round((1 - 0.69) * h),
            "eyes_top_max": round((1 - 0.56) * h),
            "max_file_size": 240 * 1024,
            "retouch_allowed": False,
            "rules": "Head (chin to top of hair) 50-69 % of the photo height; eyes 56-69 % "
            "of the height from the bottom; plain white background; no retouching, no glasses.",
        }
    if sid in ICAO_VISAS or sid == 3120:
        low = 31 if sid == 3120 else 32
        return {
            "face_height_min": mm_to_px(low, h, mm_h),
            "face_height_max": mm_to_px(36, h, mm_h),
            "head_top_min": mm_to_px(2, h, mm_h),
            "head_top_max": mm_to_px(6, h, mm_h),
            "rules": f"Chin to crown {low}-36 mm; top of the head 2-6 mm below the top edge; "
            "neutral expression, eyes open, plain light background.",
        }
    if sid in (3202, 3302):
        return {
            "face_height_min": mm_to_px(28, h, mm_h),
            "face_height_max": mm_to_px(33, h, mm_h),
            "head_top_min": mm_to_px(3, h, mm_h),
            "head_top_max": mm_to_px(5, h, mm_h),
            "chin_top_min": h - mm_to_px(12, h, mm_h),
            "chin_top_max": h - mm_to_px(7, h, mm_h),
            "rules": "Head 28-33 mm; top of the head 3-5 mm below the top edge; chin 7-12 mm "
            "above the bottom edge; white background.",
        }
    if sid in (2101, 2102, 2103):
        return {
            "head_top_min": 7,
            "head_top_max": 21,
            "chin_top_min": h - 88,
            "chin_top_max": h - 72,
            "eyes_top_max": h - 207,
            "rules": "Top of the head 7-21 px below the top edge; chin 72-88 px above the "
            "bottom edge; eyes at least 207 px above the bottom edge; white background.",
        }
    if (row["px_width"], h) in ((295, 413), (413, 579), (413, 578), (413, 626), (390, 567)):
        return {
            "face_height_min": round(0.60 * h),
            "face_height_max": round(0.72 * h),
            "head_top_min": round(0.04 * h),
            "head_top_max": round(0.12 * h),
            "rules": "Whole head and top of the shoulders; head about two-thirds of the "
            "height; face the camera, neutral expression.",
        }
    return {}


def parse(text: str) -> list[dict]:
    rows = []
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if not match:
            continue
        sid, category, title, mmw, mmh, pxw, pxh, dpi, colours = match.groups()
        colour_names = [c.strip() for c in colours.split(",")]
        bg = [] if colour_names == ["No Requirement"] else [COLOURS[c] for c in colour_names]
        rows.append(
            {
                "spec_id": int(sid),
                "category": category.strip(),
                "title": title.strip(),
                "mm_width": int(mmw),
                "mm_height": int(mmh),
                "px_width": int(pxw),
                "px_height": int(pxh),
                "dpi": int(dpi),
                "bg_colors": bg,
            }
        )
    return rows


def main() -> None:
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE
    rows = parse(reference.read_text())
    if len(rows) != 130:
        raise SystemExit(f"expected 130 spec rows, found {len(rows)}")
    fixture = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k != "spec_id"}
        fields["popularity"] = POPULAR.get(row["spec_id"], 0)
        fields.update(bands_for(row))
        fixture.append({"model": "photos.spec", "pk": row["spec_id"], "fields": fields})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(fixture)} specs to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
