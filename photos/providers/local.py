"""The default provider: our own engine, in this process, no key needed."""

import time

from photos.engine.errors import EngineError
from photos.models import Order, Spec
from photos.providers.base import ProviderError, ProviderResult, Report

MM_PER_INCH = 25.4
DEFAULT_PX = (295, 413)  # "default (295, 413)" in Request Parameters
GEOMETRY = ("head_top", "eyes_top", "chin_top", "face_width", "face_height")


def output_size(params: dict, spec: Spec | None) -> tuple[int, int, int, tuple[float, float]]:
    """Pixel size, dpi and physical size (mm) of the photo.

    Explicit px beats explicit mm x dpi, which beats the spec, which beats the default.
    The spec's pixel size wins over its mm x dpi, as the catalogue publishes it.
    """
    dpi = params.get("dpi") or (spec.dpi if spec else 300)
    if params.get("px_width"):
        w, h = params["px_width"], params["px_height"]
        return w, h, dpi, (w / dpi * MM_PER_INCH, h / dpi * MM_PER_INCH)
    if params.get("mm_width"):
        mm = (params["mm_width"], params["mm_height"])
        return round(mm[0] / MM_PER_INCH * dpi), round(mm[1] / MM_PER_INCH * dpi), dpi, mm
    if spec:
        return spec.px_width, spec.px_height, dpi, (float(spec.mm_width), float(spec.mm_height))
    w, h = DEFAULT_PX
    return w, h, dpi, (w / dpi * MM_PER_INCH, h / dpi * MM_PER_INCH)


def build_photo_request(params: dict, spec: Spec | None):
    """Translate validated API parameters (and the spec's rules) into an engine request."""
    from photos.engine.params import Band, PhotoRequest

    width, height, dpi, photo_mm = output_size(params, spec)
    bands = spec.geometry_bands() if spec else {}
    geometry = {}
    for name in GEOMETRY:
        exact, low, high = params.get(name), params.get(f"min_{name}"), params.get(f"max_{name}")
        if exact is None and low is None and high is None and name in bands:
            low, high = bands[name]
        geometry[name] = Band(exact=exact, min=low, max=high)
    quality = params.get("quality")
    min_size, max_size = params.get("min_file_size"), params.get("max_file_size")
    if quality is None and min_size is None and max_size is None and spec:
        min_size, max_size = spec.min_file_size, spec.max_file_size

    def factor(switch: str, name: str):
        return float(params.get(name, 0.5)) if params.get(switch) else None

    return PhotoRequest(
        px_width=width,
        px_height=height,
        dpi=dpi,
        photo_mm=photo_mm,
        change_bg=bool(params.get("change_bg", 1)),
        bg_color=params.get("bg_color") or "FFFFFF",
        bg_color2=params.get("bg_color2"),
        **geometry,
        bright=factor("auto_bright", "bright_factor"),
        smooth=factor("auto_smooth", "smooth_factor"),
        thin_face=factor("auto_thin_face", "thin_face_factor"),
        sharp=factor("auto_sharp", "sharp_factor"),
        clothes_id=params.get("clothes_id"),
        quality=quality,
        min_file_size=min_size,
        max_file_size=max_size,
        add_label=bool(params.get("add_label")),
        label_text=params.get("label_text") or "",
        label_height=params.get("label_height") or 30,
        layout=bool(params.get("layout")),
        layout_vertical=bool(params.get("layout_vertical")),
        layout_size=params.get("layout_size") or "5inch",
        layout_bg_color=params.get("layout_bg_color"),
        layout_qr_code_data=params.get("layout_qr_code_data"),
        layout_qr_code_size=params.get("layout_qr_code_size") or 290,
        layout_label_text=params.get("layout_label_text"),
        preview=bool(params.get("preview")),
    )


class LocalProvider:
    name = "local"

    def process(
        self, order: Order, source: bytes, *, report: Report, deadline: float
    ) -> ProviderResult:
        from photos.engine.pipeline import make_id_photo

        def progress(percent: int) -> None:
            if time.monotonic() > deadline:
                raise ProviderError(Order.State.TIMEOUT, "Processing took longer than 30 seconds.")
            report(Order.State.PROCESSING, percent, "Processing")

        try:
            request = build_photo_request(order.params, order.spec)
            result = make_id_photo(source, request, progress=progress)
        except EngineError as error:
            raise ProviderError(error.state, error.message, error.staff_note) from error
        m = result.measurements
        measurements = {
            name: round(float(getattr(m, name)), 1)
            for name in ("crown_y", "eyes_y", "chin_y", "face_width", "face_height")
            if getattr(m, name, None) is not None
        }
        measurements.update(width=request.px_width, height=request.px_height, dpi=request.dpi)
        return ProviderResult(
            photo_jpeg=result.photo_jpeg,
            sheet_jpeg=result.sheet_jpeg,
            measurements=measurements,
            warnings=list(result.warnings),
        )
