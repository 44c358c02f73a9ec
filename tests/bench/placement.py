"""How often real portraits come out inside the spec bands, measured again on the output.

    .venv/bin/python tests/bench/placement.py [FOLDER_OF_PORTRAITS ...]

Runs the engine for four catalogue specs (1-inch 1102, ID card 2102, 35x45 mm visa 3110,
US visa 3108, with their bands from photos/fixtures/specs.json) on every portrait, then measures
each delivered photo from scratch, as an official would: the landmarker for the eye line
and the chin, the person matte for the top of the hair. Prints, per spec, how many
portraits were accepted and how many of those are inside every band (tolerance 2 px, 3 px
for the crown, which the matte finds to about a pixel), with the refusals and misses by
name. Without arguments it uses the two public-domain portraits that ship in registry
packages (grace_hopper from matplotlib, astronaut from scikit-image); give folders of your
own photos to measure more.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from photos.engine.errors import EngineError  # noqa: E402
from photos.engine.params import Band, PhotoRequest  # noqa: E402
from photos.engine.pipeline import make_id_photo  # noqa: E402
from tests.engine.official import remeasure, spec_request  # noqa: E402

SPECS = {
    "1102 1-inch 295x413": 1102,
    "2102 ID card 358x441": 2102,
    "3110 35x45 visa 413x531": 3110,
    "3108 US visa 602x602": 3108,
}
TOLERANCE_PX = 2.0
CROWN_TOLERANCE_PX = 3.0


def measured_bands(photo: Image.Image) -> dict[str, float] | None:
    """The delivered photo's head top, eye line and chin, found from scratch."""
    try:
        seen = remeasure(photo)
    except ValueError:  # not exactly one face on the output
        return None
    return {
        "head_top": seen["crown_y"],
        "eyes_top": seen["eyes_y"],
        "chin_top": seen["chin_y"],
        "face_height": seen["chin_y"] - seen["crown_y"],
    }


def misses(request: PhotoRequest, seen: dict[str, float]) -> list[str]:
    """Every band the measured photo is outside of, with the figure."""
    out = []
    for name in ("head_top", "eyes_top", "chin_top", "face_height"):
        band: Band = getattr(request, name)
        if band.is_empty:
            continue
        low, high = band.bounds()
        slack = CROWN_TOLERANCE_PX if name in ("head_top", "face_height") else TOLERANCE_PX
        if not low - slack <= seen[name] <= high + slack:
            out.append(f"{name} {seen[name]:.0f} not in {low:g}..{high:g}")
    return out


def portraits(folders: list[str]) -> dict[str, bytes]:
    if not folders:
        from matplotlib import cbook
        from skimage import data

        with cbook.get_sample_data("grace_hopper.jpg") as handle:
            grace = handle.read()
        buffer = io.BytesIO()
        Image.fromarray(data.astronaut()).save(buffer, "PNG")
        return {"grace_hopper": grace, "astronaut": buffer.getvalue()}
    found = {}
    for folder in folders:
        for path in sorted(Path(folder).iterdir()):
            if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"):
                found[path.stem] = path.read_bytes()
    return found


def main() -> int:
    photos = portraits(sys.argv[1:])
    print(f"{len(photos)} portraits, {len(SPECS)} specs")
    for spec, spec_id in SPECS.items():
        request = spec_request(spec_id)
        accepted = inside = 0
        refusals: Counter[str] = Counter()
        report = []
        for name, source in photos.items():
            try:
                result = make_id_photo(source, request)
            except EngineError as error:
                refusals[type(error).__name__] += 1
                report.append(f"    refused {name}: {type(error).__name__}: {error}")
                continue
            accepted += 1
            seen = measured_bands(result.photo)
            if seen is None:
                report.append(f"    {name}: no single face found on the output")
                continue
            wrong = misses(request, seen)
            if wrong:
                report.append(f"    outside {name}: " + "; ".join(wrong))
            else:
                inside += 1
        share = f"{inside / accepted:.0%}" if accepted else "-"
        print(
            f"{spec}: accepted {accepted}/{len(photos)}, inside every band {inside}/{accepted}"
            f" ({share}); refused: {dict(refusals) or 'none'}"
        )
        for line in report:
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
