"""Forms of the back office: the report period, credit top-ups, the spec catalogue."""

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from photos.backoffice.reports import Period
from photos.models import Spec

MAX_PERIOD_DAYS = 366
HEX = re.compile(r"^[0-9A-F]{6}$")


class PeriodForm(forms.Form):
    """``?period=today|7d|30d|custom&start=YYYY-MM-DD&end=YYYY-MM-DD``; 30 days by default."""

    period = forms.ChoiceField(
        choices=[
            *((key, label) for key, (label, _) in Period.PRESETS.items()),
            ("custom", "Custom"),
        ],
        required=False,
    )
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    DEFAULT = "30d"

    def clean(self):
        data = super().clean()
        key = data.get("period") or (
            "custom" if data.get("start") or data.get("end") else self.DEFAULT
        )
        data["period"] = key
        if key == "custom":
            today = timezone.localdate()
            start, end = data.get("start"), data.get("end") or today
            if start is None:
                raise ValidationError("Choose the first day of the custom period.")
            if start > end:
                raise ValidationError("The first day must not be after the last day.")
            if end - start >= timedelta(days=MAX_PERIOD_DAYS):
                raise ValidationError(f"A period can span at most {MAX_PERIOD_DAYS} days.")
            data["end"] = end
        return data

    def period_or_default(self) -> Period:
        """The chosen period, or the default one when the form has errors."""
        if not self.is_valid():
            return Period.preset(self.DEFAULT)
        data = self.cleaned_data
        if data["period"] == "custom":
            return Period("custom", data["start"], data["end"])
        return Period.preset(data["period"])


class TopUpForm(forms.Form):
    """Add credits (positive) or correct them (negative); the reason goes into the ledger."""

    amount = forms.IntegerField(
        min_value=-100_000,
        max_value=100_000,
        help_text="Credits to add; a negative number corrects (removes) credits.",
    )
    reason = forms.CharField(
        max_length=200,
        help_text="Why — kept in the ledger with your name (e.g. “Paid 20 € in the shop, receipt 1042”).",
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise ValidationError("The amount must not be zero.")
        return amount

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("A reason is required.")
        return reason


class HexColourListField(forms.CharField):
    """Background colours as ``FFFFFF, 438EDB`` (``#`` optional), stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return [str(v).upper() for v in value]
        text = super().to_python(value) or ""
        colours = [c.lstrip("#").upper() for c in re.split(r"[\s,;]+", text) if c.strip("# ")]
        bad = [c for c in colours if not HEX.match(c)]
        if bad:
            raise ValidationError(
                "Not a hex colour: %(bad)s (use six hex digits such as FFFFFF).",
                params={"bad": ", ".join(bad)},
            )
        return list(dict.fromkeys(colours))


class SpecAdminForm(forms.ModelForm):
    bg_colors = HexColourListField(
        required=False,
        label="Background colours",
        help_text="Allowed background colours as hex, separated by commas (FFFFFF, 438EDB); "
        "empty = any colour.",
        widget=forms.TextInput(attrs={"size": 40, "class": "bg-colours-input"}),
    )

    class Meta:
        model = Spec
        fields = [
            "spec_id",
            "category",
            "title",
            "is_active",
            "popularity",
            "rules",
            "px_width",
            "px_height",
            "mm_width",
            "mm_height",
            "dpi",
            "bg_colors",
            *(f"{name}_{end}" for name in Spec.GEOMETRY_FIELDS for end in ("min", "max")),
            "min_file_size",
            "max_file_size",
            "retouch_allowed",
        ]
        labels = {
            "spec_id": "Spec id (API)",
            "px_width": "Width (px)",
            "px_height": "Height (px)",
            "mm_width": "Width (mm)",
            "mm_height": "Height (mm)",
            "dpi": "DPI",
            "min_file_size": "Min file size",
            "max_file_size": "Max file size",
            **{
                f"{name}_{end}": f"{name.replace('_', ' ').capitalize()} {end}"
                for name in Spec.GEOMETRY_FIELDS
                for end in ("min", "max")
            },
        }

    def clean(self):
        data = super().clean()
        width, height = data.get("px_width"), data.get("px_height")
        for name in Spec.GEOMETRY_FIELDS:
            low, high = data.get(f"{name}_min"), data.get(f"{name}_max")
            if low is not None and high is not None and low > high:
                self.add_error(f"{name}_max", "The maximum must not be below the minimum.")
            limit = width if name == "face_width" else height
            for suffix, value in (("min", low), ("max", high)):
                if limit and value is not None and value > limit:
                    self.add_error(
                        f"{name}_{suffix}",
                        f"Outside the photo: it is {limit} px {'wide' if name == 'face_width' else 'high'}.",
                    )
        low, high = data.get("min_file_size"), data.get("max_file_size")
        if low is not None and high is not None and low > high:
            self.add_error("max_file_size", "The maximum must not be below the minimum.")
        return data


class GeometryPreviewForm(forms.Form):
    """The query of the live preview: the form's current (possibly unsaved) values."""

    px_width = forms.IntegerField(min_value=20, max_value=4000)
    px_height = forms.IntegerField(min_value=20, max_value=4000)
    bg_colors = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Spec.GEOMETRY_FIELDS:
            for suffix in ("min", "max"):
                self.fields[f"{name}_{suffix}"] = forms.IntegerField(
                    required=False, min_value=0, max_value=4000
                )

    def bands(self) -> dict:
        data = self.cleaned_data
        bands = {}
        for name in Spec.GEOMETRY_FIELDS:
            low, high = data.get(f"{name}_min"), data.get(f"{name}_max")
            if low is not None and high is not None and low > high:
                low, high = high, low
            if low is not None or high is not None:
                bands[name] = (low, high)
        return bands

    def background(self) -> str:
        first = re.split(r"[\s,;]+", self.cleaned_data.get("bg_colors") or "")[0].lstrip("#")
        return first.upper() if HEX.match(first.upper()) else ""
