"""Find a font that draws both Latin and CJK text, for labels, sheets and previews.

Customers put names like "张三" and "Zoë O'Brien" on their photos, so one font must carry
Han, kana, Hangul and Latin with accents. Noto Sans CJK does. It comes from the PyPI
wheel ``noto-cjk-sans-otc`` (listed in the project's dependencies, so a fresh machine has
it after ``pip install``); fontconfig's "Noto Sans CJK SC" (Debian ``fonts-noto-cjk``) is the
fallback, and ``IDPHOTO_FONT`` may point at any other font file. A font is only taken if
it really draws a Han glyph: fontconfig happily answers with DejaVu, which would print
tofu boxes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from photos.engine.errors import EngineError

FONT_ENV = "IDPHOTO_FONT"
INSTALL_HINT = (
    "pip install noto-cjk-sans-otc (or apt-get install fonts-noto-cjk, "
    f"or set {FONT_ENV} to a font file with CJK glyphs)"
)
# Face of the Noto Sans CJK collection to use: the Simplified Chinese design.
PREFERRED_FACE = "Noto Sans CJK SC"
_CJK_PROBE = "张"
_LATIN_PROBE = "ë"
# A private-use code point no font maps, so it renders as the font's .notdef glyph.
_MISSING_PROBE = "\U0010fffd"


def find_font(cjk: bool = True) -> Path:
    """Path of the font file to use; with ``cjk`` it must draw Han characters.

    Raises EngineError naming the install step when no such font is on the machine.
    """
    for candidate in _candidates(cjk):
        if candidate is not None and candidate.is_file() and _usable(candidate, cjk):
            return candidate
    raise EngineError(f"No font that can draw Chinese and Latin text was found: {INSTALL_HINT}.")


@lru_cache(maxsize=64)
def load_font(size: int, cjk: bool = True) -> ImageFont.FreeTypeFont:
    """The label font at ``size`` pixels (cached: FreeType faces are reused across calls).

    Basic layout, not Raqm: Raqm places hinted glyphs at unhinted advances, which opens
    odd gaps inside words at the 10-20 px sizes labels use. CJK and Latin need no shaping.
    """
    path = find_font(cjk)
    return ImageFont.truetype(
        str(path), size=size, index=_face_index(path), layout_engine=ImageFont.Layout.BASIC
    )


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> list[str]:
    """Characters of ``text`` that ``font`` would draw as tofu boxes (or not at all)."""
    notdef = _glyph_bytes(font, _MISSING_PROBE)
    missing = []
    for char in dict.fromkeys(text):
        if char.isspace() or not char.isprintable():
            continue
        glyph = _glyph_bytes(font, char)
        if glyph is None or glyph == notdef:
            missing.append(char)
    return missing


def _candidates(cjk: bool):
    override = os.environ.get(FONT_ENV)
    if override:
        yield Path(override)
    yield _wheel_font()
    yield _fontconfig(f"{PREFERRED_FACE}:lang=zh-cn")
    if not cjk:
        yield _fontconfig("sans-serif")


def _wheel_font() -> Path | None:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@lru_cache(maxsize=8)
def _fontconfig(pattern: str) -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(
            [fc_match, "-f", "%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(result.stdout.strip()) if result.stdout.strip() else None


@lru_cache(maxsize=16)
def _face_index(path: Path) -> int:
    """In a collection (.ttc), the index of the preferred face; 0 otherwise."""
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return 0
    index = 0
    while True:
        try:
            face = ImageFont.truetype(str(path), size=12, index=index)
        except OSError:
            return 0
        if face.getname()[0] == PREFERRED_FACE:
            return index
        index += 1


@lru_cache(maxsize=16)
def _usable(path: Path, cjk: bool) -> bool:
    try:
        font = ImageFont.truetype(str(path), size=24, index=_face_index(path))
    except OSError:
        return False
    probe = _LATIN_PROBE + (_CJK_PROBE if cjk else "")
    return not missing_glyphs(font, probe)


def _glyph_bytes(font: ImageFont.FreeTypeFont, char: str) -> tuple | None:
    left, top, right, bottom = font.getbbox(char)
    if right <= left or bottom <= top:
        return None
    glyph = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(glyph).text((-left, -top), char, font=font, fill=255)
    if glyph.getbbox() is None:
        return None
    return glyph.size, glyph.tobytes()
