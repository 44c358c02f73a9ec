"""Small SVG drawings made on the server: credits per day, and a spec's face-geometry bands.

Plain strings with every text escaped; no JavaScript library and nothing from a CDN.
"""

import math
import zlib
from collections.abc import Sequence
from html import escape

from photos.backoffice.reports import DaySpend

SPENT_COLOUR = "#417690"  # the admin's own blue
REFUND_COLOUR = "#e3a21a"


def _nice_ceiling(value: int) -> int:
    """The chart's top: four whole, round grid steps, at or above ``value``."""
    quarter = max(value, 1) / 4
    magnitude = 10 ** math.floor(math.log10(quarter)) if quarter >= 1 else 1
    steps = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if magnitude >= 10 else (1, 2, 3, 4, 5, 6, 8, 10)
    return int(4 * next(m * magnitude for m in steps if m * magnitude >= quarter))


def spend_chart_svg(days: Sequence[DaySpend], *, title: str = "Credits per day") -> str:
    """A bar per day for credits spent (charges), and a narrower one for refunds."""
    width, height = 920, 240
    left, right, top, bottom = 46, 12, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_ceiling(max([d.spent for d in days] + [d.refunded for d in days] + [0]))
    slot = plot_w / max(len(days), 1)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / peak

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spend-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        '<g class="grid" font-size="11" fill="currentColor">',
    ]
    for step in range(5):
        value = peak * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="currentColor" stroke-opacity="{0.35 if step == 0 else 0.12}"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    parts.append("</g>")
    label_every = max(1, math.ceil(len(days) / 12))
    bar_w = max(min(slot * 0.5, 28), 1.5)
    for index, day in enumerate(days):
        x = left + slot * index + (slot - bar_w * 1.5) / 2
        tip = f"{day.day:%a %d %b %Y}: {day.spent} spent, {day.refunded} refunded"
        parts.append(
            f'<g class="day" data-day="{day.day.isoformat()}"><title>{escape(tip)}</title>'
        )
        parts.append(
            f'<rect class="bar-spent" x="{x:.1f}" y="{y(day.spent):.1f}" width="{bar_w:.1f}" '
            f'height="{plot_h * day.spent / peak:.1f}" fill="{SPENT_COLOUR}" rx="1.5"/>'
        )
        if day.refunded:
            parts.append(
                f'<rect class="bar-refunded" x="{x + bar_w * 0.75:.1f}" y="{y(day.refunded):.1f}" '
                f'width="{bar_w * 0.75:.1f}" height="{plot_h * day.refunded / peak:.1f}" '
                f'fill="{REFUND_COLOUR}" rx="1.5"/>'
            )
        parts.append("</g>")
        if index % label_every == 0 or len(days) == 1:
            cx = left + slot * index + slot / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 16}" font-size="11" '
                f'text-anchor="middle" fill="currentColor">{day.day:%d %b}</text>'
            )
    total_spent = sum(d.spent for d in days)
    total_refunded = sum(d.refunded for d in days)
    parts.append(
        f'<g font-size="12" fill="currentColor" transform="translate({left},16)">'
        f'<rect width="10" height="10" y="-9" fill="{SPENT_COLOUR}"/>'
        f'<text x="14">Spent ({total_spent})</text>'
        f'<rect x="110" width="10" height="10" y="-9" fill="{REFUND_COLOUR}"/>'
        f'<text x="124">Refunded ({total_refunded})</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


# Face geometry ---------------------------------------------------------------------------

BAND_STYLE = {
    # name: (label, colour)
    "head_top": ("Head top", "#d64541"),
    "eyes_top": ("Eye line", "#1e9e5a"),
    "chin_top": ("Chin", "#2f6fd0"),
    "face_height": ("Face height (crown–chin)", "#8e44ad"),
    "face_width": ("Face width", "#e67e22"),
}


def _mid(band: tuple[int | None, int | None] | None) -> float | None:
    if not band:
        return None
    low, high = band
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high


def _range_text(band: tuple[int | None, int | None]) -> str:
    low, high = band
    if low is not None and high is not None:
        return f"{low}–{high} px"
    return f"≥ {low} px" if low is not None else f"≤ {high} px"


def silhouette_geometry(width: int, height: int, bands: dict) -> dict:
    """Where to draw a head that sits in the middle of the bands (defaults where unset)."""
    head_top = _mid(bands.get("head_top"))
    face = _mid(bands.get("face_height"))
    chin = _mid(bands.get("chin_top"))
    eyes = _mid(bands.get("eyes_top"))
    if head_top is None:
        if chin is not None and face is not None:
            head_top = chin - face
        elif eyes is not None and face is not None:
            head_top = eyes - 0.47 * face
        else:
            head_top = 0.1 * height
    if face is None:
        if chin is not None:
            face = chin - head_top
        elif eyes is not None:
            face = (eyes - head_top) / 0.47
        else:
            face = 0.62 * height
    face = max(face, 0.1 * height)
    face_width = _mid(bands.get("face_width")) or 0.74 * face
    return {"head_top": head_top, "face": face, "chin": head_top + face, "head_width": face_width}


def geometry_svg(
    *, px_width: int, px_height: int, bands: dict, background: str = "", caption: str = ""
) -> str:
    """The photo frame at its pixel size, a silhouette, and each band as a shaded zone.

    Position bands (head top, eye line, chin) are horizontal zones measured from the top
    edge; face height is a bracket from the crown; face width two vertical zones.
    A band with only one bound is drawn as a dashed limit line.
    """
    width, height = max(int(px_width), 20), max(int(px_height), 20)
    scale = height / 400  # text and strokes sized for any photo size
    legend_w = width * 0.15 + 230 * scale
    total_w = width + legend_w
    font = 13 * scale
    fill = f"#{background}" if background else "#eef1f4"
    g = silhouette_geometry(width, height, bands)
    cx = width / 2
    # Ids unique to this drawing, so two previews on one page never share a clip or pattern.
    uid = f"g{zlib.crc32(repr((width, height, sorted(bands.items()), background)).encode()):x}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="geometry-preview" '
        f'viewBox="{-4 * scale:.1f} {-4 * scale:.1f} {total_w + 8 * scale:.1f} {height + 8 * scale:.1f}" '
        f'font-family="system-ui, sans-serif" font-size="{font:.1f}" role="img" '
        f'aria-label="Face geometry preview, {width} by {height} pixels">',
        f"<title>{escape(caption or f'{width} × {height} px')}</title>",
        f'<defs><clipPath id="{uid}-frame"><rect width="{width}" height="{height}"/></clipPath>'
        f'<pattern id="{uid}-hatch" width="{8 * scale:.1f}" height="{8 * scale:.1f}" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line y2="{8 * scale:.1f}" stroke="#8e44ad" '
        f'stroke-width="{2.5 * scale:.1f}" stroke-opacity=".5"/></pattern></defs>',
        f'<rect class="photo" width="{width}" height="{height}" fill="{escape(fill)}" '
        f'stroke="#555" stroke-width="{1.5 * scale:.1f}"/>',
        f'<g clip-path="url(#{uid}-frame)">',
        _silhouette(cx, height, g),
    ]
    legend = []
    for name, (label, colour) in BAND_STYLE.items():
        band = bands.get(name)
        if not band or (band[0] is None and band[1] is None):
            continue
        if name == "face_height":
            parts.append(_face_height_bracket(band, g["head_top"], scale, colour, f"{uid}-hatch"))
            mid_y = g["head_top"] + (_mid(band) or 0)
        elif name == "face_width":
            parts.append(_face_width_zone(band, cx, g, scale, colour))
            mid_y = g["head_top"] + g["face"] * 0.55
        else:
            parts.append(_position_band(name, band, width, scale, colour))
            mid_y = _mid(band)
        legend.append((mid_y, label, _range_text(band), colour, name))
    parts.append("</g>")
    parts.append(_legend(legend, width, height, scale, font))
    parts.append(
        f'<text x="{width + 10 * scale:.1f}" y="{height - 4 * scale:.1f}" fill="#666">'
        f"{width} × {height} px</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _silhouette(cx: float, height: int, g: dict) -> str:
    """A head (ellipse, crown to chin) on a neck and sloping shoulders."""
    head_top, face, chin, head_w = g["head_top"], g["face"], g["chin"], g["head_width"]
    neck = head_w * 0.19  # half the neck's width
    base = chin + face * 0.05  # where the neck meets the shoulders
    side = head_w * 1.45  # half the shoulders' width
    drop = face * 0.32
    left = (
        f"M{cx - neck:.1f},{chin - face * 0.2:.1f} L{cx - neck:.1f},{base:.1f} "
        f"C{cx - neck - face * 0.22:.1f},{base + face * 0.06:.1f} "
        f"{cx - side:.1f},{base + face * 0.07:.1f} {cx - side:.1f},{base + drop:.1f} "
        f"L{cx - side:.1f},{height + 10}"
    )
    right = (
        f"L{cx + side:.1f},{height + 10} L{cx + side:.1f},{base + drop:.1f} "
        f"C{cx + side:.1f},{base + face * 0.07:.1f} "
        f"{cx + neck + face * 0.22:.1f},{base + face * 0.06:.1f} {cx + neck:.1f},{base:.1f} "
        f"L{cx + neck:.1f},{chin - face * 0.2:.1f} Z"
    )
    return (
        f'<g class="silhouette" fill="#7d8b96" opacity=".55">'
        f'<path d="{left} {right}"/>'
        f'<ellipse cx="{cx:.1f}" cy="{head_top + face / 2:.1f}" rx="{head_w / 2:.1f}" '
        f'ry="{face / 2:.1f}"/></g>'
    )


def _position_band(name: str, band, width: int, scale: float, colour: str) -> str:
    low, high = band
    if low is not None and high is not None:
        return (
            f'<rect class="band band-{name}" x="0" y="{low}" width="{width}" '
            f'height="{max(high - low, 1)}" fill="{colour}" fill-opacity=".28" '
            f'stroke="{colour}" stroke-width="{scale:.1f}"/>'
        )
    edge = low if low is not None else high
    return (
        f'<line class="band band-{name}" x1="0" x2="{width}" y1="{edge}" y2="{edge}" '
        f'stroke="{colour}" stroke-width="{2 * scale:.1f}" stroke-dasharray="{6 * scale:.1f} {4 * scale:.1f}"/>'
    )


def _face_height_bracket(band, head_top: float, scale: float, colour: str, hatch: str) -> str:
    low, high = band
    x, w = 6 * scale, 9 * scale
    shortest = low if low is not None else high
    parts = [
        f'<g class="band band-face_height">'
        f'<rect x="{x:.1f}" y="{head_top:.1f}" width="{w:.1f}" height="{shortest}" '
        f'fill="{colour}" fill-opacity=".35"/>'
    ]
    if low is not None and high is not None and high > low:
        parts.append(
            f'<rect x="{x:.1f}" y="{head_top + low:.1f}" width="{w:.1f}" height="{high - low}" '
            f'fill="url(#{hatch})" stroke="{colour}" stroke-width="{scale:.1f}"/>'
        )
    parts.append("</g>")
    return "".join(parts)


def _face_width_zone(band, cx: float, g: dict, scale: float, colour: str) -> str:
    low, high = band
    top, span = g["head_top"], g["face"]
    parts = ['<g class="band band-face_width">']
    if low is not None and high is not None:
        for x in (cx - high / 2, cx + low / 2):
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{(high - low) / 2:.1f}" height="{span:.1f}" '
                f'fill="{colour}" fill-opacity=".3"/>'
            )
    else:
        edge = (low if low is not None else high) / 2
        for x in (cx - edge, cx + edge):
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{top + span:.1f}" '
                f'stroke="{colour}" stroke-width="{2 * scale:.1f}" stroke-dasharray="{6 * scale:.1f} {4 * scale:.1f}"/>'
            )
    parts.append("</g>")
    return "".join(parts)


def _legend(entries: list, width: int, height: int, scale: float, font: float) -> str:
    """Labels right of the photo, each near its band (pushed apart so none overlap)."""
    if not entries:
        return (
            f'<text x="{width + 10 * scale:.1f}" y="{20 * scale:.1f}" fill="#666">'
            "No face-geometry rules</text>"
        )
    gap = font * 2.6
    placed = []
    next_free = font
    for mid_y, label, text, colour, name in sorted(entries, key=lambda e: e[0]):
        y = max(mid_y, next_free)
        placed.append((mid_y, y, label, text, colour, name))
        next_free = y + gap
    overflow = next_free - gap - (height - font * 2)
    if overflow > 0:  # shift up, keeping order, so the last label stays inside
        placed = [(m, y - overflow, *rest) for m, y, *rest in placed]
    x0 = width + 4 * scale
    parts = ['<g class="legend">']
    for mid_y, y, label, text, colour, name in placed:
        parts.append(
            f'<g class="legend-{name}"><path d="M{width},{mid_y:.1f} L{x0 + 8 * scale:.1f},{y:.1f}" '
            f'stroke="{colour}" stroke-width="{scale:.1f}" fill="none"/>'
            f'<rect x="{x0 + 10 * scale:.1f}" y="{y - font * 0.75:.1f}" width="{font * 0.9:.1f}" '
            f'height="{font * 0.9:.1f}" fill="{colour}"/>'
            f'<text x="{x0 + 10 * scale + font * 1.3:.1f}" y="{y:.1f}" fill="#222">'
            f"{escape(label)}</text>"
            f'<text x="{x0 + 10 * scale + font * 1.3:.1f}" y="{y + font * 1.15:.1f}" fill="#555">'
            f"{escape(text)}</text></g>"
        )
    parts.append("</g>")
    return "".join(parts)
