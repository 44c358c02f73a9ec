"""Storefront forms: sign-up, the photo upload, the photo options and API key names.

The options form speaks the customer's language (swatches, KB, "portrait sheet") and turns
itself into the upstream's task parameters with ``photos.params.parse_params``, so the web
and the API validate the same way.
"""

import io

from django import forms
from django.contrib.auth.forms import UserCreationForm
from PIL import Image, UnidentifiedImageError

from photos.engine.params import MAX_IMAGE_BYTES, MAX_IMAGE_SIDE
from photos.models import Spec, User
from photos.params import CLOTHES_IDS, LAYOUT_SIZES, MAX_MM, MAX_PX, ParamError, parse_params

# Common colours named in "Request Parameters" (bg_color) of shared/reference/idphoto-api.txt.
COLOR_NAMES = {"FFFFFF": "White", "438EDB": "Blue", "FF0000": "Red"}
ANY_COLORS = ("FFFFFF", "438EDB", "FF0000")
CUSTOM_COLOR = "custom"
# "Supported Images" in the reference: the formats (sizes: photos.engine.params).
UPLOAD_FORMATS = ("JPEG", "PNG", "BMP", "DIB", "WEBP", "TIFF")
UPLOAD_EXTENSIONS = ("jpg", "jpeg", "png", "bmp", "dib", "webp", "tif", "tiff")
BEAUTY = (
    ("auto_bright", "bright_factor", "Brighten the face"),
    ("auto_smooth", "smooth_factor", "Smooth the skin"),
    ("auto_thin_face", "thin_face_factor", "Slim the face"),
    ("auto_sharp", "sharp_factor", "Sharpen"),
)
LAYOUT_PAPER = {"5inch": "5 inch (89 × 127 mm)", "6inch": "6 inch (102 × 152 mm)"}


def color_name(hex_color: str) -> str:
    return COLOR_NAMES.get(hex_color.upper().lstrip("#"), f"#{hex_color.upper().lstrip('#')}")


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        help_text="For resetting your password. We send nothing else.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class UploadForm(forms.Form):
    """The customer's photo: a new file, or the ``source`` image_id of one already uploaded."""

    image_file = forms.FileField(required=False)
    source = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_image_file(self):
        upload = self.cleaned_data.get("image_file")
        if not upload:
            return None
        if upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(
                f"This photo is {upload.size / 1024 / 1024:.1f} MB; the limit is 15 MB. "
                "Choose a smaller photo or take a new one.",
                code="too_large",
            )
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        wrong_type = forms.ValidationError(
            "This file is not a photo we can read. Please choose a JPG, PNG, WEBP, BMP or "
            "TIFF photo.",
            code="wrong_type",
        )
        if extension and extension not in UPLOAD_EXTENSIONS and extension not in ("jfif", "img"):
            raise wrong_type
        data = upload.read()
        upload.seek(0)
        try:
            with Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise wrong_type from None
        if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
            raise forms.ValidationError(
                f"This photo is {width} × {height} pixels; the limit is 4096 × 4096. "
                "Choose a smaller photo.",
                code="too_many_pixels",
            )
        upload.idphoto_data = data
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("image_file") and not cleaned.get("source"):
            raise forms.ValidationError("Choose a photo first.", code="no_photo")
        return cleaned


class ColorInput(forms.TextInput):
    input_type = "color"


class RangeInput(forms.NumberInput):
    input_type = "range"

    def __init__(self, attrs=None):
        super().__init__({"min": "0", "max": "1", "step": "0.1", **(attrs or {})})


class PhotoOptionsForm(forms.Form):
    """Everything about the photo except the photo itself; ``params()`` is the task."""

    # Custom size (only when there is no spec).
    size_unit = forms.ChoiceField(
        choices=(("px", "Pixels"), ("mm", "Millimetres")),
        widget=forms.RadioSelect,
        initial="mm",
        required=False,
    )
    width = forms.IntegerField(min_value=1, required=False, label="Width")
    height = forms.IntegerField(min_value=1, required=False, label="Height")
    dpi = forms.IntegerField(min_value=10, max_value=1000, initial=300, required=False)

    bg_color = forms.ChoiceField(widget=forms.RadioSelect, required=False, label="Background")
    bg_custom = forms.CharField(
        required=False, initial="#F2F2F2", widget=ColorInput, label="Your colour"
    )
    gradient = forms.BooleanField(required=False, label="Fade to a second colour at the bottom")
    bg_color2 = forms.CharField(
        required=False, initial="#D0E4F7", widget=ColorInput, label="Bottom colour"
    )

    auto_bright = forms.BooleanField(required=False, label="Brighten the face")
    bright_factor = forms.FloatField(
        min_value=0, max_value=1, initial=0.5, required=False, widget=RangeInput
    )
    auto_smooth = forms.BooleanField(required=False, label="Smooth the skin")
    smooth_factor = forms.FloatField(
        min_value=0, max_value=1, initial=0.5, required=False, widget=RangeInput
    )
    auto_thin_face = forms.BooleanField(required=False, label="Slim the face")
    thin_face_factor = forms.FloatField(
        min_value=0, max_value=1, initial=0.5, required=False, widget=RangeInput
    )
    auto_sharp = forms.BooleanField(required=False, label="Sharpen")
    sharp_factor = forms.FloatField(
        min_value=0, max_value=1, initial=0.5, required=False, widget=RangeInput
    )

    clothes_id = forms.ChoiceField(
        choices=[("", "My own clothes"), *((c, c) for c in CLOTHES_IDS)],
        widget=forms.RadioSelect,
        initial="",
        required=False,
        label="Outfit",
    )

    add_label = forms.BooleanField(required=False, label="Print a name or number under the face")
    label_text = forms.CharField(max_length=100, required=False, label="Label text")

    layout = forms.BooleanField(required=False, label="Also make a print sheet")
    layout_size = forms.ChoiceField(
        choices=[(size, LAYOUT_PAPER[size]) for size in LAYOUT_SIZES],
        widget=forms.RadioSelect,
        initial="5inch",
        required=False,
        label="Paper",
    )
    layout_vertical = forms.ChoiceField(
        choices=(("0", "Landscape"), ("1", "Portrait")),
        widget=forms.RadioSelect,
        initial="0",
        required=False,
        label="Orientation",
    )
    layout_qr_code_data = forms.CharField(
        max_length=1000, required=False, label="QR code content (optional)"
    )
    layout_label_text = forms.CharField(
        max_length=500,
        required=False,
        label="Text on the sheet (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    max_file_kb = forms.IntegerField(min_value=1, required=False, label="At most (KB)")
    min_file_kb = forms.IntegerField(min_value=0, required=False, label="At least (KB)")

    # Form fields that carry a task parameter of another name (for ParamError messages).
    PARAM_FIELDS = {
        "px_width": "width",
        "px_height": "height",
        "mm_width": "width",
        "mm_height": "height",
        "max_file_size": "max_file_kb",
        "min_file_size": "min_file_kb",
    }

    def __init__(self, *args, spec: Spec | None = None, clothes_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        allowed = list(spec.bg_colors) if spec and spec.bg_colors else []
        self.any_color = not allowed
        colors = allowed or list(ANY_COLORS)
        choices = [(c, color_name(c)) for c in colors]
        if self.any_color:
            choices.append((CUSTOM_COLOR, "Other colour"))
        self.fields["bg_color"].choices = choices
        self.fields["bg_color"].initial = "FFFFFF" if "FFFFFF" in colors else colors[0]
        if clothes_choices is not None:
            self.fields["clothes_id"].choices = [("", "My own clothes"), *clothes_choices]
        if spec is not None:
            for name in ("size_unit", "width", "height", "dpi"):
                del self.fields[name]
            if spec.max_file_size:
                self.fields["max_file_kb"].widget.attrs["placeholder"] = (
                    f"{spec.max_file_size // 1024} (the document’s limit)"
                )
            if spec.min_file_size:
                self.fields["min_file_kb"].widget.attrs["placeholder"] = (
                    f"{spec.min_file_size // 1024} (the document’s limit)"
                )
        if not self.any_color:
            for name in ("bg_custom", "gradient", "bg_color2"):
                del self.fields[name]

    @property
    def is_custom(self) -> bool:
        return self.spec is None

    def beauty_fields(self):
        return [(self[switch], self[factor]) for switch, factor, _label in BEAUTY]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.is_custom and not self._custom_size_ok(cleaned):
            return cleaned
        if cleaned.get("add_label") and not cleaned.get("label_text", "").strip():
            self.add_error("label_text", "Type the text to print, or untick the label.")
            return cleaned
        try:
            self.params_ = parse_params(self._raw_params())
        except ParamError as error:
            field = self.PARAM_FIELDS.get(error.name, error.name)
            self.add_error(field if field in self.fields else None, error.message)
        return cleaned

    def _custom_size_ok(self, cleaned) -> bool:
        width, height = cleaned.get("width"), cleaned.get("height")
        if not width or not height:
            self.add_error("width", "Enter the width and height of the photo you need.")
            return False
        unit = cleaned.get("size_unit") or "mm"
        limit = MAX_PX if unit == "px" else MAX_MM
        if width >= limit or height >= limit:
            self.add_error("width", f"Width and height must be below {limit} {unit}.")
            return False
        return True

    def _raw_params(self) -> dict[str, str]:
        """The upstream's parameters as strings, ready for ``parse_params``."""
        c = self.cleaned_data
        raw: dict[str, str] = {}
        if self.spec is not None:
            raw["spec_id"] = str(self.spec.pk)
        else:
            unit = c.get("size_unit") or "mm"
            raw[f"{unit}_width"] = str(c["width"])
            raw[f"{unit}_height"] = str(c["height"])
            raw["dpi"] = str(c.get("dpi") or 300)
        color = c.get("bg_color") or self.fields["bg_color"].initial
        if color == CUSTOM_COLOR:
            color = c.get("bg_custom") or "FFFFFF"
        raw["bg_color"] = color
        if self.any_color and c.get("gradient") and c.get("bg_color2"):
            raw["bg_color2"] = c["bg_color2"]
        for switch, factor, _label in BEAUTY:
            if c.get(switch):
                raw[switch] = "1"
                value = c.get(factor)
                raw[factor] = str(0.5 if value is None else value)
        if c.get("clothes_id"):
            raw["clothes_id"] = c["clothes_id"]
        if c.get("add_label") and c.get("label_text", "").strip():
            raw["add_label"] = "1"
            raw["label_text"] = c["label_text"].strip()
        if c.get("layout"):
            raw["layout"] = "1"
            raw["layout_size"] = c.get("layout_size") or "5inch"
            raw["layout_vertical"] = c.get("layout_vertical") or "0"
            for name in ("layout_qr_code_data", "layout_label_text"):
                if c.get(name, "").strip():
                    raw[name] = c[name].strip().replace("\r\n", "\n")
        if c.get("max_file_kb"):
            raw["max_file_size"] = str(c["max_file_kb"] * 1024)
        if c.get("min_file_kb"):
            raw["min_file_size"] = str(c["min_file_kb"] * 1024)
        return raw

    def params(self, *, preview: bool) -> dict:
        """The validated task parameters (call after ``is_valid()``)."""
        return {**self.params_, "preview": 1 if preview else 0}


def options_initial(params: dict, *, spec: Spec | None) -> dict:
    """Pre-fill the options form from an earlier order's parameters."""
    initial: dict = {}
    color = params.get("bg_color")
    if color:
        allowed = list(spec.bg_colors) if spec and spec.bg_colors else list(ANY_COLORS)
        if color in allowed:
            initial["bg_color"] = color
        elif not (spec and spec.bg_colors):
            initial.update(bg_color=CUSTOM_COLOR, bg_custom=f"#{color}")
    if params.get("bg_color2"):
        initial.update(gradient=True, bg_color2=f"#{params['bg_color2']}")
    for switch, factor, _label in BEAUTY:
        if params.get(switch):
            initial[switch] = True
            initial[factor] = params.get(factor, 0.5)
    if params.get("clothes_id"):
        initial["clothes_id"] = params["clothes_id"]
    if params.get("add_label"):
        initial.update(add_label=True, label_text=params.get("label_text", ""))
    if params.get("layout"):
        initial.update(
            layout=True,
            layout_size=params.get("layout_size", "5inch"),
            layout_vertical=str(params.get("layout_vertical", 0)),
            layout_qr_code_data=params.get("layout_qr_code_data", ""),
            layout_label_text=params.get("layout_label_text", ""),
        )
    for name in ("max_file_size", "min_file_size"):
        if params.get(name):
            initial[name.replace("_size", "_kb")] = params[name] // 1024
    if spec is None:
        for unit in ("px", "mm"):
            if params.get(f"{unit}_width"):
                initial.update(
                    size_unit=unit,
                    width=params[f"{unit}_width"],
                    height=params[f"{unit}_height"],
                )
        if params.get("dpi"):
            initial["dpi"] = params["dpi"]
    return initial


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        required=False,
        label="Name",
        help_text="To tell your keys apart, e.g. “shop till” or “website”.",
    )
