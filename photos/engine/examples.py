"""Before/after pictures of the engine on public-domain portraits, for people to look at.

    python -m photos.engine.examples OUTDIR

For Grace Hopper (matplotlib's sample data) and Eileen Collins (scikit-image's astronaut),
also cut a little at the top and at the bottom, on white, blue 438EDB and a white-to-blue
gradient, at 295x413 and 602x602: one PNG per case with the upload, the ID photo and a
200 % crop around the top of the hair, where halos and old-background fringes show first.
Needs matplotlib and scikit-image (test extras).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from photos.engine.params import PhotoRequest
from photos.engine.pipeline import make_id_photo

BACKGROUNDS = {
    "white": {"bg_color": "FFFFFF"},
    "blue": {"bg_color": "438EDB"},
    "gradient": {"bg_color": "FFFFFF", "bg_color2": "438EDB"},
}
SIZES = ((295, 413), (602, 602))
GAP = 12


def portraits() -> dict[str, Image.Image]:
    from matplotlib import cbook
    from skimage import data

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        grace = Image.open(handle).convert("RGB")
    astronaut = Image.fromarray(data.astronaut())
    return {
        "grace_hopper": grace,
        "astronaut": astronaut,
        # What the engine continues: hair cut a little by the top edge (crown.py), and a
        # photo a little short below the chin for the square frame (body.py).
        "astronaut_hair_cut": astronaut.crop((0, 19, 512, 512)),
        "grace_hopper_short": grace.crop((0, 0, 512, 440)),
    }


def before_after(source: Image.Image, photo: Image.Image, crown_y: float) -> Image.Image:
    """Upload (scaled to the photo's height) | ID photo | 2x crop around the crown."""
    height = photo.height
    before = source.resize((round(source.width * height / source.height), height), Image.LANCZOS)
    side = min(photo.width // 2, photo.height // 2)
    top = int(max(0, min(crown_y - side * 0.3, photo.height - side)))
    crop_box = (0, top, side, top + side)  # the left half of the head's top
    crop = photo.crop(crop_box).resize((side * 2, side * 2), Image.NEAREST)
    crop = crop.crop((0, 0, crop.width, min(crop.height, height)))
    sheet = Image.new("RGB", (before.width + photo.width + crop.width + 2 * GAP, height), "gray")
    sheet.paste(before, (0, 0))
    sheet.paste(photo, (before.width + GAP, 0))
    sheet.paste(crop, (before.width + photo.width + 2 * GAP, 0))
    ImageDraw.Draw(sheet).rectangle(
        (
            before.width + GAP + crop_box[0],
            crop_box[1],
            before.width + GAP + crop_box[2] - 1,
            crop_box[3] - 1,
        ),
        outline=(255, 0, 0),
    )
    return sheet


def write_examples(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in portraits().items():
        buffer = io.BytesIO()
        source.save(buffer, "JPEG", quality=95)
        upload = buffer.getvalue()
        for bg_name, colours in BACKGROUNDS.items():
            for width, height in SIZES:
                request = PhotoRequest(px_width=width, px_height=height, **colours)
                result = make_id_photo(upload, request)
                path = out_dir / f"{name}_{bg_name}_{width}x{height}.png"
                before_after(source, result.photo, result.measurements.crown_y).save(path)
                written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for path in write_examples(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
