"""The task parameters of the upstream API: names, defaults, ranges, validation.

One table, from "Request Parameters" in shared/reference/idphoto-api.txt, used by the
API, the storefront, the OpenAPI document and the API docs page. ``parse_params`` turns a
form (strings) into a clean dict or raises ``ParamError`` naming the parameter and range.
"""

import re
from dataclasses import dataclass
from typing import Any

HEX_COLOR = re.compile(r"^#?[0-9A-Fa-f]{6}$")
CLOTHES_IDS = tuple(
    [f"man_{i}" for i in range(1, 21)]
    + [f"woman_{i}" for i in range(1, 21)]
    + [f"child_{i}" for i in range(1, 11)]
)
LAYOUT_SIZES = ("5inch", "6inch")
MAX_PX = 1800  # px_width/px_height must be < 1800
MAX_MM = 180  # mm_width/mm_height must be < 180
GEOMETRY = ("face_width", "face_height", "head_top", "chin_top", "eyes_top")


class ParamError(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int", "float", "flag", "hex", "str", "choice"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None  # inclusive unless exclusive_max
    exclusive_max: bool = False
    choices: tuple = ()
    max_length: int | None = None
    group: str = ""
    description: str = ""

    def range_text(self) -> str:
        if self.kind == "flag":
            return "0 or 1"
        if self.kind == "choice":
            if len(self.choices) > 6:
                return f"one of {self.choices[0]} … {self.choices[-1]} (see the outfit list)"
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.kind == "hex":
            return "a hex colour such as FFFFFF"
        if self.kind == "str":
            return f"text up to {self.max_length} characters" if self.max_length else "text"
        low = "" if self.minimum is None else f"{self.minimum:g}"
        if self.maximum is None:
            return f"{self.kind} ≥ {low}"
        if self.exclusive_max:
            return f"{self.kind} from {low} to below {self.maximum:g}"
        return f"{self.kind} from {low} to {self.maximum:g}"


def _geometry_params() -> list[Param]:
    params = []
    words = {
        "face_width": "Face width",
        "face_height": "Face height (crown to chin)",
        "head_top": "Distance from the top of the head to the top edge",
        "chin_top": "Distance from the chin to the top edge",
        "eyes_top": "Distance from the eye line to the top edge",
    }
    for name in GEOMETRY:
        for prefix, word in (("", "exactly"), ("min_", "at least"), ("max_", "at most")):
            params.append(
                Param(
                    prefix + name,
                    "int",
                    minimum=0,
                    maximum=MAX_PX,
                    exclusive_max=True,
                    group="Face size constraints",
                    description=f"{words[name]}, {word} (output pixels).",
                )
            )
    return params


PARAMS: tuple[Param, ...] = (
    Param("sync", "flag", 0, group="Basic", description="1 = wait for the result, 0 = async."),
    Param(
        "last_id",
        "str",
        max_length=64,
        group="Basic",
        description="image_id of an earlier task: reuse its source photo.",
    ),
    Param(
        "spec_id", "int", minimum=0, group="Specification", description="A spec from the catalogue."
    ),
    Param(
        "dpi",
        "int",
        None,
        10,
        1000,
        group="Specification",
        description="Resolution written into the JPEG (default the spec's, else 300).",
    ),
    Param(
        "px_width",
        "int",
        None,
        1,
        MAX_PX,
        True,
        group="Specification",
        description="Width in pixels (default 295).",
    ),
    Param(
        "px_height",
        "int",
        None,
        1,
        MAX_PX,
        True,
        group="Specification",
        description="Height in pixels (default 413).",
    ),
    Param(
        "mm_width",
        "int",
        None,
        1,
        MAX_MM,
        True,
        group="Specification",
        description="Width in mm (with mm_height and dpi).",
    ),
    Param(
        "mm_height",
        "int",
        None,
        1,
        MAX_MM,
        True,
        group="Specification",
        description="Height in mm.",
    ),
    Param(
        "change_bg",
        "flag",
        1,
        group="Background",
        description="1 = cut out and replace the background.",
    ),
    Param(
        "bg_color",
        "hex",
        "FFFFFF",
        group="Background",
        description="Background colour (white FFFFFF, red FF0000, blue 438EDB).",
    ),
    Param(
        "bg_color2",
        "hex",
        None,
        group="Background",
        description="Gradient: from bg_color at the top to bg_color2 at the bottom.",
    ),
    *_geometry_params(),
    Param("auto_bright", "flag", 0, group="Beauty", description="Brighten the face."),
    Param("bright_factor", "float", 0.5, 0, 1, group="Beauty", description="Brightening strength."),
    Param("auto_smooth", "flag", 0, group="Beauty", description="Smooth the skin."),
    Param("smooth_factor", "float", 0.5, 0, 1, group="Beauty", description="Smoothing strength."),
    Param("auto_thin_face", "flag", 0, group="Beauty", description="Slim the face."),
    Param("thin_face_factor", "float", 0.5, 0, 1, group="Beauty", description="Slimming strength."),
    Param("auto_sharp", "flag", 0, group="Beauty", description="Sharpen."),
    Param("sharp_factor", "float", 0.5, 0, 1, group="Beauty", description="Sharpening strength."),
    Param(
        "clothes_id",
        "choice",
        None,
        choices=CLOTHES_IDS,
        group="Outfit",
        description="Formal outfit to wear.",
    ),
    Param(
        "preview",
        "flag",
        0,
        group="Preview",
        description="1 = watermarked preview, costs no credits.",
    ),
    Param(
        "quality", "int", None, 1, 100, group="File size", description="JPEG quality (default 92)."
    ),
    Param(
        "min_file_size",
        "int",
        None,
        0,
        group="File size",
        description="Minimum file size in bytes (when quality is empty).",
    ),
    Param(
        "max_file_size",
        "int",
        None,
        0,
        group="File size",
        description="Maximum file size in bytes (when quality is empty).",
    ),
    Param(
        "add_label",
        "flag",
        0,
        group="Label",
        description="Add a text strip at the bottom of the photo.",
    ),
    Param("label_text", "str", "", max_length=100, group="Label", description="Label text."),
    Param(
        "label_height",
        "int",
        30,
        1,
        MAX_PX,
        True,
        group="Label",
        description="Label strip height in pixels.",
    ),
    Param("layout", "flag", 0, group="Layout", description="1 = also return a print sheet."),
    Param(
        "layout_vertical",
        "flag",
        0,
        group="Layout",
        description="1 = portrait sheet, 0 = landscape.",
    ),
    Param(
        "layout_size",
        "choice",
        "5inch",
        choices=LAYOUT_SIZES,
        group="Layout",
        description="Paper size.",
    ),
    Param(
        "layout_bg_color", "hex", None, group="Layout", description="Sheet colour (default grey)."
    ),
    Param(
        "layout_qr_code_data",
        "str",
        None,
        max_length=1000,
        group="Layout",
        description="QR code content on the sheet.",
    ),
    Param(
        "layout_qr_code_size",
        "int",
        290,
        21,
        1000,
        group="Layout",
        description="QR code size in pixels.",
    ),
    Param(
        "layout_label_text",
        "str",
        None,
        max_length=500,
        group="Layout",
        description="Text on the sheet (\\n for new lines).",
    ),
    Param(
        "return_type",
        "choice",
        1,
        choices=(1, 2),
        group="Result",
        description="1 = image URL, 2 = base64 image data.",
    ),
)
BY_NAME = {p.name: p for p in PARAMS}


def _error(param: Param, value: str) -> ParamError:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return ParamError(param.name, f"Invalid {param.name} '{shown}': must be {param.range_text()}.")


def _coerce(param: Param, raw: str):
    value = raw.strip()
    if param.kind == "flag":
        if value not in ("0", "1"):
            raise _error(param, raw)
        return int(value)
    if param.kind in ("int", "float"):
        try:
            number = float(value) if param.kind == "float" else int(value)
        except ValueError:
            raise _error(param, raw) from None
        if number != number or (param.minimum is not None and number < param.minimum):
            raise _error(param, raw)
        if param.maximum is not None and (
            number >= param.maximum if param.exclusive_max else number > param.maximum
        ):
            raise _error(param, raw)
        return number
    if param.kind == "hex":
        if not HEX_COLOR.match(value):
            raise _error(param, raw)
        return value.lstrip("#").upper()
    if param.kind == "choice":
        for choice in param.choices:
            if value == str(choice):
                return choice
        raise _error(param, raw)
    if param.max_length is not None and len(raw) > param.max_length:
        raise ParamError(
            param.name, f"Invalid {param.name}: at most {param.max_length} characters."
        )
    return raw


def parse_params(data) -> dict:
    """Validate a mapping of strings (a QueryDict or dict) into typed parameters.

    Missing and empty values take the reference's defaults (or stay None). Pairs that only
    work together (px_width/px_height, mm_width/mm_height) are checked together.
    """
    clean: dict[str, Any] = {}
    for param in PARAMS:
        raw = data.get(param.name)
        if raw is None or (isinstance(raw, str) and raw.strip() == "" and param.kind != "str"):
            clean[param.name] = param.default
            continue
        clean[param.name] = _coerce(param, str(raw))
    for a, b in (("px_width", "px_height"), ("mm_width", "mm_height")):
        if (clean[a] is None) != (clean[b] is None):
            missing = b if clean[b] is None else a
            raise ParamError(missing, f"{a} and {b} must be given together; {missing} is missing.")
    for name in ("min_file_size",):
        if (
            clean[name] is not None
            and clean["max_file_size"] is not None
            and clean[name] > clean["max_file_size"]
        ):
            raise ParamError(name, "min_file_size must not be larger than max_file_size.")
    for name in GEOMETRY:
        low, high = clean[f"min_{name}"], clean[f"max_{name}"]
        if low is not None and high is not None and low > high:
            raise ParamError(
                f"min_{name}", f"min_{name} ({low}) is larger than max_{name} ({high})."
            )
    if clean["add_label"] and clean["label_height"] is not None:
        clean["label_height"] = int(clean["label_height"])
    return clean


def stored_params(clean: dict) -> dict:
    """The parameters worth keeping on the order: only those that differ from None."""
    return {k: v for k, v in clean.items() if v is not None and k not in ("sync", "last_id")}
