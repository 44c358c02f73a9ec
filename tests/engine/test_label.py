"""label.add_label and fonts: a readable name strip inside the photo, Latin and CJK alike."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from skimage import data

from photos.engine import fonts
from photos.engine.errors import EngineError, LabelTooLong
from photos.engine.label import add_label


@pytest.fixture(scope="module")
def photo():
    full = Image.fromarray(data.astronaut())
    return full.crop((80, 0, 80 + 366, 512)).resize((295, 413), Image.LANCZOS)  # 25×35 mm


def dark_pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) < 100


@pytest.mark.parametrize("text", ["张三 123456789", "Zoë O'Brien"])
def test_label_is_a_white_strip_inside_the_photo(photo, text):
    out = add_label(photo, text=text, height=30)

    assert out.size == photo.size and out.mode == photo.mode
    pixels, original = np.asarray(out), np.asarray(photo)
    assert np.array_equal(pixels[:-30], original[:-30])  # the photo above is untouched
    strip = pixels[-30:]
    ink = dark_pixels(out)[-30:]
    assert ink.sum() > 150  # text is there
    assert (strip.min(axis=2) > 250).mean() > 0.7  # on white
    cols = np.nonzero(ink.any(axis=0))[0]
    rows = np.nonzero(ink.any(axis=1))[0]
    assert abs((cols[0] + cols[-1]) / 2 - photo.width / 2) <= 3  # centred across
    assert rows[0] >= 2 and rows[-1] <= 27  # and inside the strip


def test_cjk_glyphs_are_real_not_tofu():
    font = fonts.load_font(24)
    assert fonts.missing_glyphs(font, "张三 Zoë O'Brien") == []

    def render(char: str) -> np.ndarray:
        canvas = Image.new("L", (40, 40))
        ImageDraw.Draw(canvas).text((20, 20), char, font=font, fill=255, anchor="mm")
        return np.asarray(canvas)

    zhang, san, tofu = render("张"), render("三"), render("\U0010fffd")
    assert zhang.sum() > 0 and not np.array_equal(zhang, tofu)
    assert not np.array_equal(zhang, san)
    assert fonts.missing_glyphs(font, "😀") == ["😀"]


def test_long_text_shrinks_before_giving_up(photo):
    medium = "Maximilian Alexander von Hohenzollern-Sigmaringen"
    out = add_label(photo, text=medium, height=30)
    cols = np.nonzero(dark_pixels(out)[-30:].any(axis=0))[0]
    assert cols[0] >= 5 and cols[-1] <= photo.width - 6  # fitted, not clipped

    with pytest.raises(LabelTooLong, match="shorten it"):
        add_label(photo, text="张三 " * 40, height=30)


def test_strip_too_low_for_readable_text(photo):
    with pytest.raises(LabelTooLong, match="label_height of at least"):
        add_label(photo, text="张三", height=6)


def test_nothing_to_do_returns_the_photo(photo):
    assert add_label(photo, text="", height=30) is photo
    assert add_label(photo, text="张三", height=0) is photo


def test_label_height_must_leave_some_photo(photo):
    with pytest.raises(EngineError, match="label_height"):
        add_label(photo, text="张三", height=photo.height)


def test_missing_glyph_is_refused_rather_than_printed_as_a_box(photo):
    with pytest.raises(EngineError, match="no glyph"):
        add_label(photo, text="Anna 😀", height=30)


def test_font_without_cjk_is_passed_over(monkeypatch):
    dejavu = fonts._fontconfig("DejaVu Sans")
    if dejavu is None or "DejaVu" not in dejavu.name:
        pytest.skip("DejaVu Sans is not installed")
    monkeypatch.setenv(fonts.FONT_ENV, str(dejavu))
    assert fonts.find_font(cjk=True) != dejavu
    assert fonts.find_font(cjk=False) == dejavu


def test_no_font_at_all_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(fonts, "_candidates", lambda cjk: iter([Path("/nonexistent.ttf")]))
    with pytest.raises(EngineError, match="pip install noto-cjk-sans-otc"):
        fonts.find_font()


def test_debian_noto_cjk_is_found_through_fontconfig(monkeypatch):
    system = fonts._fontconfig(f"{fonts.PREFERRED_FACE}:lang=zh-cn")
    if system is None or "NotoSansCJK" not in system.name:
        pytest.skip("fonts-noto-cjk is not installed")
    monkeypatch.setattr(fonts, "_wheel_font", lambda: None)
    assert fonts.find_font() == system
