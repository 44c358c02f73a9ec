"""What a customer asks for: output size, background, face constraints, extras.

Field names and defaults follow "Request Parameters" in shared/reference/idphoto-api.txt.
The API layer validates the documented ranges; ``PhotoRequest`` still refuses values that
would make the engine misbehave (absurd sizes, empty bands, bad colours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from photos.engine.errors import EngineError

# Limits from idphoto-api.txt "Request Parameters": px_width/px_height < 1800, dpi 10..1000.
MAX_OUTPUT_PX = 1800
MIN_OUTPUT_PX = 8
MIN_DPI, MAX_DPI = 10, 1000


@dataclass(frozen=True)
class Band:
    """A face constraint in output pixels: an exact value, or a min/max band (either open)."""

    exact: float | None = None
    min: float | None = None
    max: float | None = None

    @property
    def is_empty(self) -> bool:
        return self.exact is None and self.min is None and self.max is None

    def bounds(self) -> tuple[float, float]:
        """The band as a closed interval; an exact value is an interval of zero width."""
        if self.exact is not None:
            return float(self.exact), float(self.exact)
        lo = -math.inf if self.min is None else float(self.min)
        hi = math.inf if self.max is None else float(self.max)
        return lo, hi

    def describe(self, name: str) -> str:
        if self.exact is not None:
            return f"{name} {self.exact:g} px"
        parts = []
        if self.min is not None:
            parts.append(f"min_{name} {self.min:g} px")
        if self.max is not None:
            parts.append(f"max_{name} {self.max:g} px")
        return " and ".join(parts)


def parse_hex_color(value: str, *, field_name: str = "colour") -> tuple[int, int, int]:
    """'438EDB' or '#438edb' → (67, 142, 219)."""
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    try:
        if len(text) != 6:
            raise ValueError(text)
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        raise EngineError(f"The {field_name} {value!r} is not a hex colour like FFFFFF.") from None


# "Supported Images" in shared/reference/idphoto-api.txt: up to 15MB, up to 4096 x 4096.
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_SIDE = 4096

FACE_CONSTRAINTS = ("head_top", "eyes_top", "chin_top", "face_width", "face_height")


@dataclass(frozen=True)
class PhotoRequest:
    px_width: int = 295
    px_height: int = 413
    dpi: int = 300
    change_bg: bool = True
    bg_color: str = "FFFFFF"
    bg_color2: str | None = None
    head_top: Band = field(default_factory=Band)
    eyes_top: Band = field(default_factory=Band)
    chin_top: Band = field(default_factory=Band)
    face_width: Band = field(default_factory=Band)
    face_height: Band = field(default_factory=Band)
    bright: float | None = None
    smooth: float | None = None
    thin_face: float | None = None
    sharp: float | None = None
    clothes_id: str | None = None
    quality: int | None = None
    min_file_size: int | None = None
    max_file_size: int | None = None
    add_label: bool = False
    label_text: str = ""
    label_height: int = 30
    layout: bool = False
    layout_vertical: bool = False
    layout_size: str = "5inch"
    layout_bg_color: str | None = None
    layout_qr_code_data: str | None = None
    layout_qr_code_size: int = 290
    layout_label_text: str | None = None
    photo_mm: tuple[float, float] | None = None
    preview: bool = False

    def __post_init__(self) -> None:
        for name in ("px_width", "px_height"):
            value = getattr(self, name)
            if not MIN_OUTPUT_PX <= value < MAX_OUTPUT_PX:
                raise EngineError(
                    f"{name} must be between {MIN_OUTPUT_PX} and {MAX_OUTPUT_PX - 1} pixels."
                )
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise EngineError(f"dpi must be between {MIN_DPI} and {MAX_DPI}.")
        parse_hex_color(self.bg_color, field_name="bg_color")
        if self.bg_color2:
            parse_hex_color(self.bg_color2, field_name="bg_color2")
        for name in FACE_CONSTRAINTS:
            band = getattr(self, name)
            lo, hi = band.bounds()
            limit = 4 * max(self.px_width, self.px_height)
            if lo > hi:
                raise EngineError(f"{band.describe(name)}: the minimum is above the maximum.")
            if (band.exact is not None and not 0 <= band.exact <= limit) or hi < 0 or lo > limit:
                raise EngineError(f"{band.describe(name)} is outside any sensible range.")
        for name in ("bright", "smooth", "thin_face", "sharp"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise EngineError(f"{name} must be between 0 and 1.")
        if self.add_label and not 0 <= self.label_height <= self.px_height // 2:
            raise EngineError("label_height must be at most half the photo height.")

    @property
    def size(self) -> tuple[int, int]:
        return self.px_width, self.px_height

    @property
    def physical_mm(self) -> tuple[float, float]:
        if self.photo_mm is not None:
            return self.photo_mm
        return self.px_width / self.dpi * 25.4, self.px_height / self.dpi * 25.4

    @property
    def has_face_constraints(self) -> bool:
        return any(not getattr(self, name).is_empty for name in FACE_CONSTRAINTS)
