"""preview.watermark: the watermark covers the whole preview, on light and dark areas."""

import numpy as np
import pytest
from PIL import Image
from skimage import data

from photos.engine.preview import watermark


def astronaut(size: tuple[int, int]) -> Image.Image:
    return Image.fromarray(data.astronaut()).resize(size, Image.LANCZOS)


def quadrants(array: np.ndarray):
    h, w = array.shape[:2]
    for top in (0, h // 2):
        for left in (0, w // 2):
            yield array[top : top + h // 2, left : left + w // 2]


def marked_share(original: Image.Image, preview: Image.Image) -> list[float]:
    """Per quadrant, the share of pixels the watermark changed clearly (> 40 levels)."""
    diff = np.abs(
        np.asarray(preview.convert("RGB"), dtype=np.int16)
        - np.asarray(original.convert("RGB"), dtype=np.int16)
    ).max(axis=2)
    return [float((q > 40).mean()) for q in quadrants(diff)]


@pytest.mark.parametrize("size", [(102, 126), (295, 413), (413, 531), (1800, 1800)])
def test_watermark_covers_every_quadrant(size):
    original = astronaut(size)
    preview = watermark(original)

    assert preview.size == original.size and preview.mode == "RGB"
    assert all(share > 0.06 for share in marked_share(original, preview))


@pytest.mark.parametrize("color", [(255, 255, 255), (20, 20, 20), (67, 142, 219)])
def test_watermark_shows_on_white_dark_and_blue_backgrounds(color):
    flat = Image.new("RGB", (295, 413), color)
    assert all(share > 0.06 for share in marked_share(flat, watermark(flat)))


def test_preview_is_not_the_clean_image_under_a_mask():
    """Away from the text, detail is softened too, so un-masking does not give the product."""
    original = astronaut((413, 531))
    preview = np.asarray(watermark(original), dtype=np.int16)
    clean = np.asarray(original, dtype=np.int16)
    untouched = (np.abs(preview - clean).max(axis=2) == 0).mean()
    assert untouched < 0.5


def test_custom_text_and_alpha_are_kept():
    rgba = astronaut((295, 413)).convert("RGBA")
    preview = watermark(rgba, text="样片 SAMPLE")
    assert preview.mode == "RGBA" and preview.size == rgba.size
    assert np.array_equal(np.asarray(preview)[..., 3], np.asarray(rgba)[..., 3])
    assert all(share > 0.06 for share in marked_share(rgba, preview))
