"""Draw the 50 outfits of "Outfit Change Parameters" (man_1..20, woman_1..20, child_1..10).

Run ``python -m photos.engine.outfits.generate`` to regenerate every PNG, the thumbnails
and catalogue.json in this folder. The drawing is deterministic (no randomness), so a rerun
gives the same files.

Each outfit is drawn with OpenCV polygons at 2x supersampling and shaded so it reads as
cloth: a soft bevel at every panel edge, a cylinder-like falloff across the torso, creases,
seams and cast shadows under lapels, collars and ties. Three images per outfit:

- ``<id>.png``: the garment in front of the person (RGBA, 1200 px wide).
- ``<id>_back.png``: the inside of the collar, seen only beside the neck (RGBA, cropped;
  its offset is in the catalogue).
- ``<id>_skin.png``: where bare neck or chest shows inside the neckline (L, cropped).

Anchors (in catalogue.json, asset pixels): ``neck_center`` is the centre of the neck
where the collar meets the sides of the neck; ``shoulder_width`` is the distance between
the shoulder points; ``collar_top`` is the highest garment row; ``shoulder_to_face`` is the
shoulder width in face widths (cheek to cheek) for the group.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
THUMB_DIR = HERE / "thumbs"

SS = 2  # supersampling factor while drawing
W, H = 1200, 1250  # asset size
CX, NY = 600, 170  # neck centre anchor
SHOULDER_HALF = 500  # shoulder points at CX +- 500: shoulder_width 1000
THUMB_SIZE = 160
POSTERIZE = 3  # colour levels per step in the saved garment PNGs (see _save_png)

# Shoulder width in face widths, and neck width in face widths, per group. Adults'
# biacromial width is about 2.5-2.7 bizygomatic widths; children's shoulders are narrower.
GROUPS = {
    "man": {"shoulder_to_face": 2.6, "neck": 0.68},
    "woman": {"shoulder_to_face": 2.45, "neck": 0.6},
    "child": {"shoulder_to_face": 2.3, "neck": 0.6},
}


def hexrgb(value: str) -> np.ndarray:
    value = value.lstrip("#")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.float32) / 255.0


# ----------------------------------------------------------------------------- geometry


def bezier(p0, p1, p2, p3, n: int = 40) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, np.float64) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def chain(*parts) -> np.ndarray:
    pts = [np.atleast_2d(np.asarray(p, np.float64)) for p in parts]
    return np.concatenate(pts, axis=0)


def mirror(points: np.ndarray) -> np.ndarray:
    out = np.array(points, np.float64)
    out[:, 0] = 2 * CX - out[:, 0]
    return out[::-1]


@dataclass
class Frame:
    """Garment coordinates: x in face widths from the centre line, y in face widths below NY."""

    group: str
    F: float = 0.0
    nh: float = 0.0  # half neck width in face widths

    def __post_init__(self):
        g = GROUPS[self.group]
        self.F = 2 * SHOULDER_HALF / g["shoulder_to_face"]
        self.nh = g["neck"] / 2

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (CX + x * self.F, NY + y * self.F)

    @property
    def shoulder_x(self) -> float:
        return SHOULDER_HALF / self.F

    @property
    def drop(self) -> float:
        return {"man": 0.26, "woman": 0.25, "child": 0.23}[self.group]

    def shoulder_line(self, side: int, inner: float, top: float, n: int = 40) -> np.ndarray:
        """Neck base (x=inner, y=top) out to the shoulder point, concave like the trapezius."""
        sx = self.shoulder_x
        t = np.linspace(0.0, 1.0, n)
        x = inner + (sx - inner) * t
        y = top + (self.drop - top) * (1 - (1 - t) ** 1.7) + 0.03 * np.sin(np.pi * t)
        return np.stack([CX + side * x * self.F, NY + y * self.F], axis=1)

    def arm_line(self, side: int) -> np.ndarray:
        """Shoulder point round the deltoid and down to the bottom edge."""
        sx, d = self.shoulder_x, self.drop
        pts = bezier(
            self.p(side * sx, d),
            self.p(side * (sx + 0.08), d + 0.05),
            self.p(side * (sx + 0.11), d + 0.3),
            self.p(side * (sx + 0.1), d + 0.7),
        )
        bottom_y = (H + 10 - NY) / self.F
        return chain(pts, [self.p(side * (sx + 0.12), bottom_y)])

    def silhouette(self, inner: float, top: float) -> np.ndarray:
        """Whole upper body from the left neck base round to the right neck base."""
        left = chain(self.shoulder_line(-1, inner, top), self.arm_line(-1))
        return chain(left, mirror(left))


# ----------------------------------------------------------------------------- drawing


def fill_mask(polys, shape=(H * SS, W * SS)) -> np.ndarray:
    """Anti-aliased union of polygons (asset coordinates) as float32 0..1 at SS scale."""
    mask = np.zeros(shape, np.uint8)
    if isinstance(polys, np.ndarray):
        polys = [polys]
    pts = [np.round(np.asarray(p) * SS * 16).astype(np.int32) for p in polys]
    cv2.fillPoly(mask, pts, 255, lineType=cv2.LINE_AA, shift=4)
    return mask.astype(np.float32) / 255.0


def stroke_mask(points, width: float, closed: bool = False) -> np.ndarray:
    mask = np.zeros((H * SS, W * SS), np.uint8)
    pts = np.round(np.asarray(points) * SS * 16).astype(np.int32)
    cv2.polylines(mask, [pts], closed, 255, max(1, int(round(width * SS))), cv2.LINE_AA, shift=4)
    return mask.astype(np.float32) / 255.0


def ellipse_mask(centre, axes, angle: float = 0.0) -> np.ndarray:
    mask = np.zeros((H * SS, W * SS), np.uint8)
    c = (int(round(centre[0] * SS * 16)), int(round(centre[1] * SS * 16)))
    a = (int(round(axes[0] * SS * 16)), int(round(axes[1] * SS * 16)))
    cv2.ellipse(mask, c, a, angle, 0, 360, 255, -1, cv2.LINE_AA, shift=4)
    return mask.astype(np.float32) / 255.0


def blur(mask: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(mask, (0, 0), sigma * SS)


def shift(mask: np.ndarray, dx: float, dy: float) -> np.ndarray:
    m = np.float32([[1, 0, dx * SS], [0, 1, dy * SS]])
    return cv2.warpAffine(mask, m, (mask.shape[1], mask.shape[0]))


_YY, _XX = np.mgrid[0 : H * SS, 0 : W * SS].astype(np.float32) / SS


def body_light() -> np.ndarray:
    """Light over a torso lit from the front and a little from the upper left."""
    u = (_XX - CX) / 560.0
    cyl = 1.0 - 0.3 * np.clip(np.abs(u), 0, 1.3) ** 2.2
    side = 1.0 - 0.05 * u
    v = np.clip((_YY - NY) / (H - NY), 0, 1)
    return (cyl * side * (1.0 - 0.1 * v)).astype(np.float32)


_BODY_LIGHT = body_light()


class Layer:
    """Premultiplied RGBA canvas at SS resolution."""

    def __init__(self):
        self.rgb = np.zeros((H * SS, W * SS, 3), np.float32)
        self.a = np.zeros((H * SS, W * SS), np.float32)

    def shadow(self, mask: np.ndarray, dx: float, dy: float, sigma: float, strength: float):
        """Darken what is already drawn, as if ``mask`` hovered above it."""
        sh = blur(shift(mask, dx, dy), sigma) * strength
        self.rgb *= (1.0 - sh)[..., None]

    def paint(self, mask: np.ndarray, colour: np.ndarray):
        """Composite a colour field (H, W, 3) or a flat colour through ``mask``."""
        m = mask[..., None]
        self.rgb = self.rgb * (1 - m) + np.asarray(colour, np.float32) * m
        self.a = self.a * (1 - mask) + mask

    def erase(self, mask: np.ndarray):
        keep = 1.0 - mask
        self.rgb *= keep[..., None]
        self.a *= keep


def bevel(mask: np.ndarray, width: float, depth: float) -> np.ndarray:
    """1 inside, darkening towards the panel's edge: cloth curving away from the light."""
    inside = (mask > 0.5).astype(np.uint8)
    dist = cv2.distanceTransform(inside, cv2.DIST_L2, 5) / SS
    t = np.clip(dist / max(width, 1e-3), 0, 1)
    return 1.0 - depth * (1.0 - t * t * (3 - 2 * t))


def creases(lines, sigma: float = 6.0) -> np.ndarray:
    """Sum of soft strokes; each is (points, width, strength) with strength <0 for a shadow."""
    acc = np.zeros((H * SS, W * SS), np.float32)
    for points, width, strength in lines:
        acc += stroke_mask(points, width) * strength
    return blur(acc, sigma)


def cloth(
    mask, colour, *, edge: float = 30.0, depth: float = 0.22, light=None, folds=None, flat=0.0
):
    """Shaded colour field for a cloth panel."""
    base = hexrgb(colour) if isinstance(colour, str) else np.asarray(colour, np.float32)
    shade = bevel(mask, edge, depth)
    body = _BODY_LIGHT if light is None else light
    shade = shade * (flat + (1 - flat) * body)
    if folds is not None:
        shade = shade * (1.0 + folds)
    # Dark cloth shows its form through sheen rather than shade.
    sheen = 0.09 * (1.0 - float(base @ np.array([0.3, 0.59, 0.11], np.float32))) ** 2
    return np.clip(shade[..., None] * base + (sheen * np.clip(shade, 0, 1.2) ** 3)[..., None], 0, 1)


def stripes_mask(angle_deg: float, period: float, width: float, phase: float = 0.0) -> np.ndarray:
    """Parallel bands over the whole canvas (anti-aliased)."""
    a = math.radians(angle_deg)
    s = _XX * math.cos(a) + _YY * math.sin(a) + phase
    d = np.abs(((s / period) % 1.0) - 0.5) * period  # distance from the band centre line
    return np.clip((width / 2 - d) * SS + 0.5, 0, 1).astype(np.float32)


# ----------------------------------------------------------------------------- pieces


@dataclass
class Outfit:
    id: str
    title: str
    kind: str
    colours: dict
    options: dict = field(default_factory=dict)

    @property
    def group(self) -> str:
        return self.id.split("_")[0]


class Drawing:
    def __init__(self, outfit: Outfit):
        self.o = outfit
        self.f = Frame(outfit.group)
        self.front = Layer()
        self.back = Layer()
        self.skin = np.zeros((H * SS, W * SS), np.float32)

    # shorthand
    def p(self, x, y):
        return self.f.p(x, y)

    def c(self, name: str, default: str | None = None) -> np.ndarray:
        return hexrgb(self.o.colours.get(name, default))

    # --- neck opening helpers -------------------------------------------------
    def neck_hole(self, depth: float, width_scale: float = 1.0, top: float = -0.8) -> np.ndarray:
        """Polygon of the neck seen through the collar: straight sides, round bottom at ``depth``."""
        nh = self.f.nh * width_scale
        left = bezier(
            self.p(-nh, 0.0), self.p(-nh, depth * 0.6), self.p(-nh * 0.55, depth), self.p(0, depth)
        )
        return chain([self.p(-nh, top)], left, mirror(left), [self.p(nh, top)])

    def back_collar(
        self, colour: np.ndarray, top: float = -0.07, bottom: float = 0.5, width: float = 1.12
    ):
        """Inside of the collar behind the neck, darker than the cloth."""
        f = self.f
        nh = f.nh * width
        ctrl = (top - 0.25 * bottom) / 0.75  # so the arc peaks at ``top``
        arc = bezier(self.p(-nh, bottom), self.p(-nh, ctrl), self.p(nh, ctrl), self.p(nh, bottom))
        mask = fill_mask(arc)
        yy = np.clip((_YY - (NY + top * f.F)) / ((bottom - top) * f.F), 0, 1)
        shade = (0.45 + 0.25 * yy) * (1.0 - 0.2 * np.abs(_XX - CX) / (nh * f.F))
        self.back.paint(mask, np.clip(shade[..., None] * colour, 0, 1))
        # the top edge of the back collar catches a little light
        edge = stroke_mask(arc, 3)
        self.back.paint(edge * mask * 0.5, np.clip(colour * 0.85, 0, 1))

    def add_skin(self, polygon: np.ndarray):
        self.skin = np.maximum(self.skin, fill_mask(polygon))

    # --- garments ---------------------------------------------------------------
    def torso(
        self, colour, *, inner: float, top: float, folds=None, edge=34.0, depth=0.22
    ) -> np.ndarray:
        mask = fill_mask(self.f.silhouette(inner, top))
        crease_lines = [
            # armhole seams: where the sleeve meets the body
            (bezier(self.p(-self.f.shoulder_x + 0.02, self.f.drop + 0.02), self.p(-self.f.shoulder_x + 0.08, 0.9),
                    self.p(-self.f.shoulder_x + 0.1, 1.4), self.p(-self.f.shoulder_x + 0.08, 3.0)), 4, -0.35),
            (bezier(self.p(self.f.shoulder_x - 0.02, self.f.drop + 0.02), self.p(self.f.shoulder_x - 0.08, 0.9),
                    self.p(self.f.shoulder_x - 0.1, 1.4), self.p(self.f.shoulder_x - 0.08, 3.0)), 4, -0.35),
        ]  # fmt: skip
        shade = creases(crease_lines, sigma=5)
        if folds:
            shade = shade + creases(folds, sigma=14)
        self.front.paint(mask, cloth(mask, colour, edge=edge, depth=depth, folds=shade))
        return mask

    def collar_band(self, colour):
        """Band of a closed shirt collar, visible between the leaves above the top button."""
        nh = self.f.nh
        band = chain(
            bezier(
                self.p(-nh, -0.02), self.p(-nh * 0.9, 0.16), self.p(-0.1, 0.26), self.p(0, 0.3), 12
            ),
            bezier(
                self.p(0, 0.3), self.p(0.1, 0.26), self.p(nh * 0.9, 0.16), self.p(nh, -0.02), 12
            ),
            bezier(self.p(nh, 0.1), self.p(nh * 0.8, 0.3), self.p(0.1, 0.4), self.p(0, 0.42), 12),
            bezier(
                self.p(0, 0.42), self.p(-0.1, 0.4), self.p(-nh * 0.8, 0.3), self.p(-nh, 0.1), 12
            ),
        )
        bm = fill_mask(band)
        self.front.paint(bm, cloth(bm, colour * 0.93, edge=8, depth=0.15))

    def collar_leaves(self, colour, *, open_: bool = False, spread: float = 0.0, points: str = "point",
                      size: float = 1.0):  # fmt: skip
        """Turn-down collar: two leaves meeting at the top button, or spread open."""
        nh = self.f.nh
        meet_y = 0.3 if not open_ else 0.55
        meet_x = 0.02 if not open_ else 0.13
        tip = (0.36 + spread * 0.12, 0.62 - spread * 0.1)
        tip = (
            meet_x + (tip[0] - meet_x) * size,
            tip[1] * (0.6 + 0.4 * size) + (0.08 if open_ else 0.0),
        )
        leaves = []
        for side in (-1, 1):
            a = self.p(side * (nh + 0.01), -0.02)
            b = self.p(side * meet_x, meet_y)
            c = self.p(side * tip[0], tip[1])
            d = self.p(side * (nh + 0.16 * size), 0.2)
            top_edge = bezier(
                a, self.p(side * nh, 0.15), self.p(side * (meet_x + 0.08), meet_y - 0.05), b, 20
            )
            if points == "round":
                front = bezier(b, self.p(side * (meet_x + 0.02), meet_y + 0.2 * size),
                               self.p(side * (tip[0] - 0.05), tip[1] + 0.02), c, 20)  # fmt: skip
            else:
                front = np.array([b, c])
            outer = bezier(c, self.p(side * (tip[0] + 0.05), tip[1] - 0.17 * size),
                           self.p(side * (nh + 0.17 * size), 0.3), d, 20)  # fmt: skip
            back = bezier(
                d, self.p(side * (nh + 0.1 * size), 0.05), self.p(side * (nh + 0.04), -0.02), a, 10
            )
            leaves.append(chain(top_edge, front, outer, back))
        for poly in leaves:
            m = fill_mask(poly)
            self.front.shadow(m, 2, 7, 7, 0.35)
            self.front.paint(m, cloth(m, colour, edge=12, depth=0.18, flat=0.4))
            self.front.paint(stroke_mask(poly, 1.5, closed=True) * m * 0.35, colour * 0.8)
        return leaves

    def tie(
        self,
        colour,
        *,
        pattern: str = "solid",
        accent=None,
        knot_top: float = 0.26,
        blade_to: float = 3.2,
    ):
        f = self.f
        blade = chain(
            [self.p(-0.09, knot_top + 0.2), self.p(0.09, knot_top + 0.2)],
            [self.p(0.19, blade_to - 0.25), self.p(0.0, blade_to), self.p(-0.19, blade_to - 0.25)],
        )
        bm = fill_mask(blade)
        fold = creases([([self.p(0.0, knot_top + 0.35), self.p(0.0, blade_to)], 3, 0.12)], sigma=5)
        self.front.shadow(bm, 3, 8, 8, 0.4)
        self.front.paint(bm, cloth(bm, colour, edge=14, depth=0.3, folds=fold, flat=0.3))
        knot = chain(
            bezier(self.p(-0.14, knot_top), self.p(-0.05, knot_top - 0.03), self.p(0.05, knot_top - 0.03),
                   self.p(0.14, knot_top), 12),
            [self.p(0.085, knot_top + 0.26), self.p(-0.085, knot_top + 0.26)],
        )  # fmt: skip
        km = fill_mask(knot)
        dimple = creases(
            [([self.p(0.0, knot_top + 0.12), self.p(0.0, knot_top + 0.3)], 3, -0.35)], sigma=4
        )
        if pattern != "solid" and accent is not None:
            angle, period, width = {
                "stripe": (-40, 0.16, 0.05),
                "thin": (-40, 0.1, 0.02),
                "dot": (0, 0, 0),
            }[pattern]
            if pattern == "dot":
                pat = self._dots(0.09, 0.018)
            else:
                pat = stripes_mask(angle, period * f.F, width * f.F)
            pat_k = (
                stripes_mask(angle + 80, period * f.F * 0.8, width * f.F)
                if pattern != "dot"
                else pat
            )
            self.front.paint(bm * pat, cloth(bm, accent, edge=14, depth=0.3, folds=fold, flat=0.3))
        self.front.shadow(km, 0, 5, 6, 0.45)
        self.front.paint(km, cloth(km, colour * 1.05, edge=10, depth=0.35, folds=dimple, flat=0.3))
        if pattern != "solid" and accent is not None:
            self.front.paint(
                km * pat_k, cloth(km, accent * 1.05, edge=10, depth=0.35, folds=dimple, flat=0.3)
            )

    def _dots(self, period: float, radius: float) -> np.ndarray:
        per = period * self.f.F
        x = (_XX % per) - per / 2
        y = ((_YY + (np.floor(_XX / per) % 2) * per / 2) % per) - per / 2
        d = np.sqrt(x * x + y * y)
        return np.clip((radius * self.f.F - d) * SS + 0.5, 0, 1).astype(np.float32)

    def bow_tie(self, colour, knot_y: float = 0.36):
        wings = []
        for side in (-1, 1):
            wings.append(
                chain(
                    [self.p(side * 0.03, knot_y - 0.05)],
                    bezier(self.p(side * 0.1, knot_y - 0.14), self.p(side * 0.2, knot_y - 0.16),
                           self.p(side * 0.27, knot_y - 0.12), self.p(side * 0.27, knot_y), 12),
                    bezier(self.p(side * 0.27, knot_y), self.p(side * 0.27, knot_y + 0.12),
                           self.p(side * 0.2, knot_y + 0.16), self.p(side * 0.1, knot_y + 0.14), 12),
                    [self.p(side * 0.03, knot_y + 0.05)],
                )
            )  # fmt: skip
        wm = fill_mask(wings)
        self.front.shadow(wm, 2, 6, 6, 0.4)
        folds = creases(
            [([self.p(s * 0.08, knot_y), self.p(s * 0.22, knot_y)], 4, 0.15) for s in (-1, 1)], 4
        )
        self.front.paint(wm, cloth(wm, colour, edge=10, depth=0.35, folds=folds, flat=0.3))
        km = fill_mask(
            chain([self.p(-0.05, knot_y - 0.07), self.p(0.05, knot_y - 0.07)],
                  [self.p(0.05, knot_y + 0.07), self.p(-0.05, knot_y + 0.07)])
        )  # fmt: skip
        self.front.paint(km, cloth(km, colour * 1.1, edge=6, depth=0.3, flat=0.3))

    def jacket(self, colour, *, button_y: float = 2.15, lapel: str = "notch", lapel_w: float = 0.3,
               pinstripe=None, roll_top: float = 0.05, v_width: float = 0.42, crest=None,
               pocket: bool = True, buttons: int = 1, button_colour: str | None = None):  # fmt: skip
        """Suit jacket or blazer over whatever is drawn already; the V shows it."""
        f, nh = self.f, self.f.nh
        col = hexrgb(colour) if isinstance(colour, str) else colour
        inner = nh + 0.07
        # roll line: the V's edge, from the neck side down to the button
        roll = []
        for side in (-1, 1):
            roll.append(
                bezier(self.p(side * inner, roll_top), self.p(side * (v_width + 0.04), 0.45),
                       self.p(side * (v_width * 0.75), 1.1), self.p(side * 0.0, button_y), 40)
            )  # fmt: skip
        left_roll, right_roll = roll
        body = fill_mask(self.f.silhouette(inner, 0.02))
        vee = fill_mask(
            chain([self.p(-inner, -0.8)], left_roll, right_roll[::-1], [self.p(inner, -0.8)])
        )
        panel = np.clip(body - vee, 0, 1)
        # sleeve seams and a few drape folds
        sx = self.f.shoulder_x
        folds = creases(
            [
                (bezier(self.p(-sx + 0.02, f.drop + 0.02), self.p(-sx + 0.07, 0.9), self.p(-sx + 0.09, 1.5),
                        self.p(-sx + 0.08, 3.2)), 4, -0.45),
                (bezier(self.p(sx - 0.02, f.drop + 0.02), self.p(sx - 0.07, 0.9), self.p(sx - 0.09, 1.5),
                        self.p(sx - 0.08, 3.2)), 4, -0.45),
            ],
            sigma=6,
        ) + creases(
            [
                ([self.p(-sx + 0.2, 1.3), self.p(-sx + 0.32, 2.0), self.p(-sx + 0.36, 2.8)], 30, -0.08),
                ([self.p(sx - 0.2, 1.3), self.p(sx - 0.32, 2.0), self.p(sx - 0.36, 2.8)], 30, -0.08),
                ([self.p(-sx + 0.15, f.drop + 0.1), self.p(-sx + 0.5, f.drop + 0.02)], 30, 0.06),
                ([self.p(sx - 0.15, f.drop + 0.1), self.p(sx - 0.5, f.drop + 0.02)], 30, 0.06),
            ],
            sigma=16,
        )  # fmt: skip
        self.front.shadow(panel, 0, 4, 10, 0.45)
        self.front.paint(panel, cloth(panel, col, edge=40, depth=0.25, folds=folds))
        if pinstripe is not None:
            stripes = stripes_mask(0, 0.085 * f.F, 1.6) * panel
            self.front.paint(
                stripes * 0.55, cloth(panel, hexrgb(pinstripe), edge=40, depth=0.25, folds=folds)
            )
        # the jacket collar standing round the back of the neck, beside the shirt collar
        for side in (-1, 1):
            cband = chain(
                bezier(self.p(side * inner, roll_top), self.p(side * (inner - 0.02), -0.02),
                       self.p(side * (inner + 0.05), -0.04), self.p(side * (inner + 0.14), 0.0), 10),
                [self.p(side * (inner + 0.2), 0.12), self.p(side * (inner + 0.06), 0.3)],
            )  # fmt: skip
            m = fill_mask(cband) * body
            self.front.paint(m, cloth(m, col * 0.92, edge=8, depth=0.2))
        # lapels
        for side, rl in ((-1, left_roll), (1, right_roll)):
            if lapel == "none":
                edge_line = rl
                self.front.paint(stroke_mask(edge_line, 2) * body, col * 0.55)
                continue
            notch_y = 0.78
            notch_x = self._roll_x(rl, notch_y) + lapel_w
            if lapel == "shawl":
                outer = bezier(self.p(side * (inner + 0.16), 0.12), self.p(side * (notch_x + 0.12), 0.7),
                               self.p(side * (notch_x - 0.02), 1.4), self.p(0.0, button_y), 40)  # fmt: skip
            else:
                peak = 0.06 if lapel == "peak" else -0.02
                outer = chain(
                    [self.p(side * (inner + 0.16), 0.1)],
                    [self.p(side * (notch_x - 0.13), notch_y - 0.02)],  # gorge down to the notch
                    [self.p(side * (notch_x - 0.06), notch_y + 0.06)],  # notch
                    [self.p(side * (notch_x + 0.04), notch_y - 0.02 - peak)],  # lapel point
                    bezier(self.p(side * (notch_x + 0.03), notch_y + 0.04), self.p(side * (notch_x - 0.02), 1.3),
                           self.p(side * 0.25, 1.8), self.p(0.0, button_y), 30),
                )  # fmt: skip
            lap = chain(rl, outer[::-1])
            lm = fill_mask(lap) * body
            self.front.shadow(lm, side * 3, 7, 8, 0.5)
            roll_light = creases([(rl, 8, 0.16)], sigma=6)
            self.front.paint(lm, cloth(lm, col * 1.06, edge=14, depth=0.2, folds=roll_light))
            self.front.paint(stroke_mask(outer, 1.2) * lm * 0.5, col * 0.7)  # pick stitch
        # dark edge where the V meets the shirt
        self.front.paint(
            np.clip(stroke_mask(left_roll, 2) + stroke_mask(right_roll, 2), 0, 1) * body * 0.6,
            col * 0.45,
        )
        if pocket:
            pm = fill_mask(
                np.array(
                    [self.p(0.62, 1.55), self.p(0.98, 1.5), self.p(0.98, 1.56), self.p(0.62, 1.61)]
                )
            )
            self.front.shadow(pm, 0, 3, 3, 0.4)
            self.front.paint(pm, cloth(pm, col * 1.04, edge=3, depth=0.2))
        bcol = hexrgb(button_colour) if button_colour else col * 0.55
        for i in range(buttons):
            self.button((0.0 if buttons == 1 else 0.0, button_y + 0.05 + i * 0.55), 0.06, bcol)
        if crest is not None:
            self.crest((0.78, 1.35), crest)

    def _roll_x(self, roll: np.ndarray, y_f: float) -> float:
        """|x| in face widths of a roll line at height y (face widths below NY)."""
        i = int(np.argmin(np.abs(roll[:, 1] - (NY + y_f * self.f.F))))
        return abs(roll[i, 0] - CX) / self.f.F

    def button(self, at, radius: float, colour):
        c = self.p(*at)
        r = radius * self.f.F
        m = ellipse_mask(c, (r, r))
        self.front.shadow(m, 1, 3, 3, 0.45)
        radial = np.clip(
            1.15 - 0.5 * np.hypot(_XX - c[0] + r * 0.3, _YY - c[1] + r * 0.3) / r, 0.5, 1.2
        )
        self.front.paint(m, np.clip(radial[..., None] * colour, 0, 1))

    def crest(self, at, colours):
        """School crest: a shield with a gold border, a chevron and a star."""
        gold, field_col, accent = (hexrgb(c) for c in colours)
        cx, cy = at
        s = 0.2
        shield = chain(
            [self.p(cx - s, cy - s), self.p(cx + s, cy - s)],
            bezier(self.p(cx + s, cy - s), self.p(cx + s, cy + s * 0.6), self.p(cx + s * 0.4, cy + s * 1.1),
                   self.p(cx, cy + s * 1.3), 16),
            bezier(self.p(cx, cy + s * 1.3), self.p(cx - s * 0.4, cy + s * 1.1), self.p(cx - s, cy + s * 0.6),
                   self.p(cx - s, cy - s), 16),
        )  # fmt: skip
        outer = fill_mask(shield)
        inner = fill_mask((shield - np.array(self.p(cx, cy))) * 0.82 + np.array(self.p(cx, cy)))
        self.front.paint(outer, cloth(outer, gold, edge=4, depth=0.3, flat=0.5))
        self.front.paint(inner, cloth(inner, field_col, edge=4, depth=0.2, flat=0.5))
        chevron = stroke_mask([self.p(cx - s * 0.7, cy + s * 0.5), self.p(cx, cy - s * 0.1),
                               self.p(cx + s * 0.7, cy + s * 0.5)], s * self.f.F * 0.22) * inner  # fmt: skip
        self.front.paint(chevron, cloth(chevron, accent, edge=2, depth=0.1, flat=0.5))
        star = [
            self.p(
                cx + s * 0.32 * r * math.sin(k * math.pi / 5),
                cy - s * 0.5 - s * 0.32 * r * math.cos(k * math.pi / 5),
            )
            for k, r in zip(range(10), [1, 0.45] * 5, strict=True)
        ]
        sm = fill_mask(np.array(star)) * inner
        self.front.paint(sm, gold)

    def shirt_front(self, colour, *, placket: bool = True, pocket: bool = False, folds=True):
        """A shirt covering the torso (under a jacket or on its own)."""
        f = self.f
        col = hexrgb(colour) if isinstance(colour, str) else colour
        extra = []
        if folds:
            extra = [
                ([self.p(-0.5, 1.1), self.p(-0.35, 1.8), self.p(-0.42, 2.6)], 30, -0.06),
                ([self.p(0.5, 1.1), self.p(0.35, 1.8), self.p(0.42, 2.6)], 30, -0.06),
                ([self.p(-f.shoulder_x + 0.25, f.drop + 0.3), self.p(-0.55, 1.0)], 30, -0.05),
                ([self.p(f.shoulder_x - 0.25, f.drop + 0.3), self.p(0.55, 1.0)], 30, -0.05),
            ]
        mask = self.torso(col, inner=f.nh + 0.05, top=0.04, folds=extra, edge=30, depth=0.18)
        if placket:
            self.front.paint(
                stroke_mask([self.p(-0.07, 0.3), self.p(-0.07, 3.4)], 1.5) * 0.5, col * 0.75
            )
            self.front.paint(
                stroke_mask([self.p(0.07, 0.3), self.p(0.07, 3.4)], 1.5) * 0.4, col * 0.8
            )
            for i in range(4):
                self.button((0.0, 0.75 + i * 0.7), 0.028, col * 0.9)
        if pocket:
            pk = np.array(
                [
                    self.p(0.35, 1.3),
                    self.p(0.78, 1.3),
                    self.p(0.78, 1.85),
                    self.p(0.565, 1.95),
                    self.p(0.35, 1.85),
                ]
            )
            self.front.paint(stroke_mask(pk, 1.5, closed=True) * 0.6, col * 0.72)
        return mask

    def top(
        self,
        colour,
        *,
        neckline: str,
        depth: float | None = None,
        rib: bool = True,
        folds: bool = True,
    ):
        """A top (blouse, knit) covering the torso with a round, V or crew neckline."""
        f = self.f
        col = hexrgb(colour) if isinstance(colour, str) else colour
        extra = []
        if folds:
            extra = [
                ([self.p(-0.45, 1.0), self.p(-0.3, 1.7), self.p(-0.4, 2.6)], 30, -0.06),
                ([self.p(0.45, 1.0), self.p(0.3, 1.7), self.p(0.4, 2.6)], 30, -0.06),
                ([self.p(-f.shoulder_x + 0.3, f.drop + 0.25), self.p(-0.5, 1.2)], 30, -0.05),
                ([self.p(f.shoulder_x - 0.3, f.drop + 0.25), self.p(0.5, 1.2)], 30, -0.05),
            ]
        self.torso(col, inner=f.nh + 0.02, top=0.0, folds=extra, edge=30, depth=0.18)
        hole = self.neckline_hole(neckline, depth)
        hm = fill_mask(hole)
        self.front.erase(hm)
        self.add_skin(hole)
        if rib:
            edge = self.neckline_edge(neckline, depth)
            rm = stroke_mask(edge, 0.07 * f.F) * (1 - hm)
            self.front.paint(rm * 0.9, cloth(rm, col * 0.9, edge=4, depth=0.25, flat=0.5))
            self.front.paint(stroke_mask(edge, 1.2) * (1 - hm) * 0.5, col * 0.6)
        return hole

    def neckline_hole(self, neckline: str, depth: float | None) -> np.ndarray:
        nh = self.f.nh
        if neckline == "v":
            d = depth or 0.95
            return chain(
                [self.p(-nh, -0.8), self.p(-nh, 0.0)],
                bezier(
                    self.p(-nh, 0.0),
                    self.p(-nh * 0.8, d * 0.35),
                    self.p(-0.08, d * 0.85),
                    self.p(0, d),
                    20,
                ),
                bezier(
                    self.p(0, d),
                    self.p(0.08, d * 0.85),
                    self.p(nh * 0.8, d * 0.35),
                    self.p(nh, 0.0),
                    20,
                ),
                [self.p(nh, -0.8)],
            )
        if neckline == "scoop":
            return self.neck_hole(depth or 0.6, 1.25)
        if neckline == "crew":
            return self.neck_hole(depth or 0.2, 1.0)
        return self.neck_hole(depth or 0.4, 1.08)  # round

    def neckline_edge(self, neckline: str, depth: float | None) -> np.ndarray:
        hole = self.neckline_hole(neckline, depth)
        return hole[1:-1]

    def sailor_collar(self, colour, trim, scarf, *, v_depth: float = 1.1):
        """Sailor collar: wide flaps over the shoulders meeting in a deep V, with a scarf knot."""
        f, nh = self.f, self.f.nh
        col, trim_c, scarf_c = hexrgb(colour), hexrgb(trim), hexrgb(scarf)
        flaps = []
        for side in (-1, 1):
            inner = bezier(self.p(side * (nh + 0.01), -0.02), self.p(side * (nh - 0.02), 0.35),
                           self.p(side * 0.2, v_depth * 0.75), self.p(0.0, v_depth), 24)  # fmt: skip
            outer = bezier(self.p(side * 0.06, v_depth + 0.06), self.p(side * 0.5, v_depth * 0.7),
                           self.p(side * (nh + 0.5), 0.35), self.p(side * (nh + 0.62), f.drop * 0.45), 24)  # fmt: skip
            top = np.array([self.p(side * (nh + 0.62), -0.3), self.p(side * (nh + 0.01), -0.3)])
            flaps.append((chain(inner, outer, top), outer))
        # the flaps lie on the shoulders: nothing above the garment's shoulder line
        on_body = fill_mask(f.silhouette(nh, -0.03))
        for poly, outer in flaps:
            m = fill_mask(poly) * on_body
            self.front.shadow(m, 0, 6, 8, 0.4)
            self.front.paint(m, cloth(m, col, edge=16, depth=0.2))
            for k in (0.045, 0.085):
                off = self._offset_polyline(outer, k * f.F, towards=np.array(self.p(0, 0.2)))
                self.front.paint(
                    stroke_mask(off, 0.018 * f.F) * m, cloth(m, trim_c, edge=16, depth=0.2)
                )
        # scarf knot and tails at the V
        knot = ellipse_mask(self.p(0, v_depth + 0.02), (0.11 * f.F, 0.08 * f.F))
        tails = fill_mask(
            [
                np.array([self.p(-0.05, v_depth + 0.05), self.p(-0.22, v_depth + 0.7), self.p(-0.06, v_depth + 0.75),
                          self.p(0.02, v_depth + 0.08)]),
                np.array([self.p(0.05, v_depth + 0.05), self.p(0.2, v_depth + 0.72), self.p(0.05, v_depth + 0.78),
                          self.p(-0.02, v_depth + 0.08)]),
            ]
        )  # fmt: skip
        self.front.shadow(tails, 2, 6, 6, 0.4)
        tf = creases([([self.p(-0.1, v_depth + 0.1), self.p(-0.14, v_depth + 0.6)], 4, 0.15)], 4)
        self.front.paint(tails, cloth(tails, scarf_c, edge=8, depth=0.3, folds=tf, flat=0.3))
        self.front.shadow(knot, 0, 4, 5, 0.4)
        self.front.paint(knot, cloth(knot, scarf_c * 1.08, edge=8, depth=0.35, flat=0.3))

    @staticmethod
    def _offset_polyline(points: np.ndarray, dist: float, towards: np.ndarray) -> np.ndarray:
        """Polyline moved ``dist`` along its normal, on the side facing ``towards``."""
        d = np.gradient(points, axis=0)
        n = np.stack([-d[:, 1], d[:, 0]], axis=1)
        n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
        if np.mean(np.sum((towards - points) * n, axis=1)) < 0:
            n = -n
        return points + n * dist

    def placket(self, colour, *, top: float, bottom: float, buttons: int, width: float = 0.09):
        col = hexrgb(colour) if isinstance(colour, str) else colour
        pm = fill_mask(np.array([self.p(-width, top), self.p(width, top), self.p(width, bottom),
                                 self.p(-width, bottom)]))  # fmt: skip
        self.front.shadow(pm, 0, 2, 3, 0.2)
        self.front.paint(pm, cloth(pm, col, edge=4, depth=0.12))
        self.front.paint(stroke_mask([self.p(-width, top), self.p(-width, bottom), self.p(width, bottom),
                                      self.p(width, top)], 1.5) * 0.5, col * 0.7)  # fmt: skip
        for i in range(buttons):
            self.button(
                (0.0, top + 0.12 + i * (bottom - top - 0.2) / max(buttons - 1, 1)), 0.03, col * 0.95
            )

    def stand_collar(self, colour, trim):
        """Stand collar of a gakuran: a band round the neck with a white inner edge."""
        nh = self.f.nh
        col, trim_c = hexrgb(colour), hexrgb(trim)
        rim = chain(
            bezier(
                self.p(-nh - 0.05, -0.2),
                self.p(-nh * 0.7, -0.06),
                self.p(-0.12, 0.02),
                self.p(-0.02, 0.03),
                16,
            ),
            bezier(
                self.p(0.02, 0.03),
                self.p(0.12, 0.02),
                self.p(nh * 0.7, -0.06),
                self.p(nh + 0.05, -0.2),
                16,
            ),
        )
        band = chain(
            rim,
            [self.p(nh + 0.12, 0.02)],
            bezier(
                self.p(nh + 0.06, 0.12),
                self.p(nh * 0.7, 0.25),
                self.p(0.15, 0.3),
                self.p(0.0, 0.31),
                16,
            ),
            bezier(
                self.p(0.0, 0.31),
                self.p(-0.15, 0.3),
                self.p(-nh * 0.7, 0.25),
                self.p(-nh - 0.06, 0.12),
                16,
            ),
            [self.p(-nh - 0.12, 0.02)],
        )
        m = fill_mask(band)
        self.front.shadow(m, 0, 5, 6, 0.45)
        self.front.paint(m, cloth(m, col * 1.1, edge=10, depth=0.3, flat=0.4))
        self.front.paint(
            stroke_mask(rim, 0.035 * self.f.F), cloth(m, trim_c, edge=4, depth=0.1, flat=0.6)
        )
        gap = stroke_mask([self.p(0, 0.03), self.p(0, 0.31)], 2)
        self.front.paint(gap * 0.7, col * 0.4)


# ----------------------------------------------------------------------------- garments


def draw(o: Outfit) -> Drawing:
    d = Drawing(o)
    f = d.f
    kind, c, opt = o.kind, o.colours, o.options
    if kind in ("suit", "shirt"):
        shirt = d.c("shirt")
        open_ = opt.get("open", False)
        d.back_collar(shirt)
        d.shirt_front(shirt, pocket=kind == "shirt", placket=not c.get("tie") or kind == "shirt")
        depth = 0.62 if open_ else 0.3
        hole = d.neck_hole(depth, 1.0) if not open_ else d.neckline_hole("v", 0.62)
        d.front.erase(fill_mask(hole))
        d.add_skin(hole)
        if not open_:
            d.collar_band(shirt)
        if c.get("tie") and not opt.get("bow"):
            d.tie(
                d.c("tie"),
                pattern=opt.get("pattern", "solid"),
                accent=d.c("accent") if "accent" in c else None,
            )
        d.collar_leaves(shirt, open_=open_, spread=opt.get("spread", 0.0))
        if c.get("tie") and opt.get("bow"):
            d.bow_tie(d.c("tie"), knot_y=0.33)
        if kind == "suit":
            d.jacket(
                d.c("jacket"),
                lapel=opt.get("lapel", "notch"),
                pinstripe=c.get("pinstripe"),
                crest=opt.get("crest"),
                button_colour=c.get("button"),
                lapel_w=opt.get("lapel_w", 0.3),
                v_width=opt.get("v_width", 0.42),
            )
    elif kind == "blazer_top":
        top = d.c("top")
        neckline = opt["neckline"]
        d.back_collar(top)
        if neckline == "collar":
            d.shirt_front(top, placket=True, folds=True)
            hole = d.neckline_hole("v", 0.7)
            d.front.erase(fill_mask(hole))
            d.add_skin(hole)
            d.collar_leaves(top, open_=True, size=0.85, points=opt.get("points", "point"))
        else:
            d.top(top, neckline=neckline, depth=opt.get("depth"), rib=opt.get("rib", True))
        d.jacket(
            d.c("jacket"),
            lapel=opt.get("lapel", "notch"),
            lapel_w=opt.get("lapel_w", 0.24),
            v_width=opt.get("v_width", 0.52),
            button_y=opt.get("button_y", 2.0),
            pocket=False,
            roll_top=0.04,
            button_colour=c.get("button"),
            crest=opt.get("crest"),
            buttons=opt.get("buttons", 1),
        )
    elif kind == "top":
        top = d.c("top")
        neckline = opt["neckline"]
        d.back_collar(top)
        if neckline == "collar":
            d.shirt_front(top, placket=True, pocket=False)
            hole = d.neckline_hole("v", 0.62)
            d.front.erase(fill_mask(hole))
            d.add_skin(hole)
            d.collar_leaves(top, open_=True, size=0.9, points=opt.get("points", "point"))
        else:
            hole = d.top(top, neckline=neckline, depth=opt.get("depth"), rib=opt.get("rib", True))
            if opt.get("peterpan"):
                draw_peter_pan(d, d.c("collar", c["top"]), opt.get("depth", 0.3))
            if opt.get("ribbon"):
                d.bow_tie(d.c("ribbon"), knot_y=opt.get("depth", 0.3) + 0.12)
    elif kind == "sailor":
        body = d.c("body")
        d.back_collar(d.c("collar"))
        d.top(body, neckline="v", depth=1.2, rib=False)
        # a dickey fills the lower V, bare neck above it
        dm = fill_mask(d.neckline_hole("v", 1.2)) * (_YY > NY + 0.5 * f.F)
        d.front.paint(dm, cloth(dm, d.c("dickey", c["body"]), edge=10, depth=0.15))
        d.front.paint(
            stroke_mask([d.p(-0.3, 0.5), d.p(0.3, 0.5)], 2) * dm, d.c("dickey", c["body"]) * 0.7
        )
        d.sailor_collar(c["collar"], c["trim"], c["scarf"], v_depth=1.2)
    elif kind == "polo":
        body = d.c("body")
        d.back_collar(body)
        d.top(body, neckline="crew", depth=0.22, rib=False)
        d.front.erase(
            fill_mask(
                np.array([d.p(-0.09, 0.0), d.p(0.09, 0.0), d.p(0.09, 0.55), d.p(-0.09, 0.55)])
            )
        )
        d.add_skin(chain(d.neck_hole(0.22), [d.p(0.09, 0.55), d.p(-0.09, 0.55)]))
        d.placket(body * 0.98, top=0.55, bottom=1.15, buttons=2)
        d.collar_leaves(d.c("collar", c["body"]), open_=True, size=0.75, points="round")
        if "badge" in opt:
            d.crest((0.7, 1.2), opt["badge"])
    elif kind == "gakuran":
        body = d.c("body")
        d.back_collar(body)
        d.torso(body, inner=f.nh + 0.03, top=0.0, edge=34, depth=0.25)
        d.front.erase(fill_mask(d.neck_hole(-0.05)))
        d.front.paint(stroke_mask([d.p(0, 0.3), d.p(0, 3.5)], 2) * 0.8, body * 0.4)
        for i in range(4):
            d.button((0.0, 0.55 + i * 0.62), 0.055, d.c("button"))
        d.stand_collar(c["body"], c["trim"])
    elif kind == "sweater":
        shirt = d.c("shirt")
        d.back_collar(shirt)
        d.shirt_front(shirt, placket=False, folds=False)
        hole = d.neck_hole(0.3, 1.0)
        d.front.erase(fill_mask(hole))
        d.add_skin(hole)
        d.collar_band(shirt)
        d.tie(
            d.c("tie"),
            pattern=opt.get("pattern", "solid"),
            accent=d.c("accent") if "accent" in c else None,
        )
        d.collar_leaves(shirt)
        draw_sweater(d, d.c("sweater"), v_depth=1.45, crest=opt.get("crest"))
    elif kind == "collarless":
        top = d.c("top")
        d.back_collar(top)
        d.top(top, neckline="round", depth=0.32, rib=True)
        draw_collarless_jacket(d, d.c("jacket"), d.c("trim"))
    else:
        raise ValueError(kind)
    return d


def draw_peter_pan(d: Drawing, colour, depth: float):
    """Two rounded flat collar pieces around a round neckline."""
    nh = d.f.nh
    for side in (-1, 1):
        poly = chain(
            bezier(d.p(side * nh * 1.05, -0.02), d.p(side * nh * 1.08, depth * 0.7),
                   d.p(side * 0.3, depth), d.p(side * 0.03, depth + 0.02), 20),
            bezier(d.p(side * 0.03, depth + 0.02), d.p(side * 0.1, depth + 0.35),
                   d.p(side * (nh + 0.3), depth + 0.3), d.p(side * (nh + 0.32), 0.1), 20),
            bezier(d.p(side * (nh + 0.32), 0.1), d.p(side * (nh + 0.25), -0.05),
                   d.p(side * (nh + 0.1), -0.06), d.p(side * nh * 1.05, -0.02), 10),
        )  # fmt: skip
        m = fill_mask(poly)
        d.front.shadow(m, 0, 5, 6, 0.35)
        d.front.paint(m, cloth(m, colour, edge=12, depth=0.18, flat=0.4))
        d.front.paint(stroke_mask(poly, 1.5, closed=True) * m * 0.4, colour * 0.8)


def draw_sweater(d: Drawing, colour, *, v_depth: float, crest=None):
    """V-neck knit pullover with a ribbed V band, over a shirt and tie."""
    f = d.f
    sx = f.shoulder_x
    body = fill_mask(f.silhouette(f.nh + 0.12, 0.05))
    vee = chain(
        [d.p(-f.nh - 0.12, -0.6), d.p(-f.nh - 0.12, 0.05)],
        bezier(
            d.p(-f.nh - 0.12, 0.05),
            d.p(-f.nh, 0.5),
            d.p(-0.15, v_depth * 0.8),
            d.p(0, v_depth),
            20,
        ),
        bezier(
            d.p(0, v_depth),
            d.p(0.15, v_depth * 0.8),
            d.p(f.nh, 0.5),
            d.p(f.nh + 0.12, 0.05),
            20,
        ),
        [d.p(f.nh + 0.12, -0.6)],
    )
    vm = fill_mask(vee)
    panel = np.clip(body - vm, 0, 1)
    folds = creases(
        [
            ([d.p(-sx + 0.25, 1.2), d.p(-sx + 0.35, 2.0), d.p(-sx + 0.4, 2.9)], 30, -0.08),
            ([d.p(sx - 0.25, 1.2), d.p(sx - 0.35, 2.0), d.p(sx - 0.4, 2.9)], 30, -0.08),
        ],
        16,
    )
    knit = 1.0 + 0.05 * (stripes_mask(0, 0.05 * f.F, 0.02 * f.F) - 0.4)
    d.front.shadow(panel, 0, 4, 9, 0.45)
    d.front.paint(panel, cloth(panel, colour, edge=36, depth=0.25, folds=folds) * knit[..., None])
    band = np.clip(stroke_mask(vee[1:-1], 0.16 * f.F) * panel, 0, 1)
    rib = 1.0 + 0.12 * (stripes_mask(0, 0.035 * f.F, 0.015 * f.F) - 0.4)
    d.front.paint(band, cloth(band, colour * 0.95, edge=6, depth=0.2, flat=0.4) * rib[..., None])
    if crest is not None:
        d.crest((0.75, 1.45), crest)


def draw_collarless_jacket(d: Drawing, colour, trim):
    """Collarless (cardigan-style) jacket with a contrast trim along a round front."""
    f = d.f
    inner = f.nh + 0.1
    body = fill_mask(f.silhouette(inner, 0.04))
    opening = chain(
        [d.p(-inner, -0.6), d.p(-inner, 0.04)],
        bezier(
            d.p(-inner, 0.04),
            d.p(-inner + 0.02, 0.55),
            d.p(-0.15, 0.8),
            d.p(-0.08, 3.5),
            24,
        ),
        bezier(
            d.p(0.08, 3.5),
            d.p(0.15, 0.8),
            d.p(inner - 0.02, 0.55),
            d.p(inner, 0.04),
            24,
        ),
        [d.p(inner, -0.6)],
    )
    om = fill_mask(opening)
    panel = np.clip(body - om, 0, 1)
    d.front.shadow(panel, 0, 4, 9, 0.45)
    d.front.paint(panel, cloth(panel, colour, edge=40, depth=0.25))
    edge = stroke_mask(opening[1:-1], 0.06 * f.F) * panel
    d.front.paint(edge, cloth(edge, trim, edge=4, depth=0.15, flat=0.5))
    for i in range(3):
        d.button((0.16, 1.2 + i * 0.6), 0.045, hexrgb("#c9a94a"))


# ----------------------------------------------------------------------------- catalogue

NAVY, CHARCOAL, BLACK, GREY, LIGHT_GREY = "#1f2a44", "#3a3d42", "#1a1a1c", "#6b6f76", "#9a9ea5"
WHITE, LIGHT_BLUE, PINK, CREAM = "#f4f5f7", "#cfe0f3", "#f3d9dc", "#f3ecdc"
GOLD = "#c9a94a"
CREST_NAVY = (GOLD, "#1f2a44", "#b8202e")
CREST_GREEN = (GOLD, "#1f4d36", "#f0e6c8")
CREST_MAROON = (GOLD, "#5a1a2a", "#f0e6c8")


def suit(i, title, jacket, shirt, tie=None, accent=None, **opt):
    colours = {"jacket": jacket, "shirt": shirt}
    if tie:
        colours["tie"] = tie
    if accent:
        colours["accent"] = accent
    for key in ("pinstripe", "button"):
        if key in opt:
            colours[key] = opt.pop(key)
    return Outfit(i, title, "suit", colours, opt)


OUTFITS: tuple[Outfit, ...] = (
    suit("man_1", "Navy suit, white shirt, red tie", NAVY, WHITE, "#a51c2a"),
    suit("man_2", "Charcoal suit, white shirt, navy striped tie", CHARCOAL, WHITE, "#1f2f5a", "#9fb4d8",
         pattern="stripe"),
    suit("man_3", "Black suit, white shirt, black tie", BLACK, WHITE, "#161618"),
    suit("man_4", "Grey suit, light blue shirt, navy tie", GREY, LIGHT_BLUE, "#1c2740"),
    suit("man_5", "Navy suit, light blue shirt, burgundy striped tie", NAVY, LIGHT_BLUE, "#6b1a2b", "#d9c27a",
         pattern="stripe"),
    suit("man_6", "Black suit, white shirt, silver tie", BLACK, WHITE, "#a8abb0"),
    suit("man_7", "Light grey suit, white shirt, blue striped tie", LIGHT_GREY, WHITE, "#2d5da8", "#e8edf5",
         pattern="thin"),
    suit("man_8", "Tan suit, white shirt, brown tie", "#9a7b55", WHITE, "#5a3a22"),
    suit("man_9", "Charcoal suit, pink shirt, burgundy tie", CHARCOAL, PINK, "#6b1a2b"),
    suit("man_10", "Navy suit, white shirt, open collar", NAVY, WHITE, open=True, spread=0.3),
    suit("man_11", "Black tuxedo, white shirt, black bow tie", BLACK, WHITE, "#111113", bow=True, lapel="shawl",
         lapel_w=0.26),
    Outfit("man_12", "White shirt, navy tie", "shirt", {"shirt": WHITE, "tie": "#1f2a44"}),
    Outfit("man_13", "Light blue shirt, red striped tie", "shirt",
           {"shirt": LIGHT_BLUE, "tie": "#a51c2a", "accent": "#1f2a44"}, {"pattern": "stripe"}),
    Outfit("man_14", "White shirt, black tie", "shirt", {"shirt": WHITE, "tie": "#161618"}),
    suit("man_15", "Navy blazer, white shirt, gold striped tie", "#26335a", WHITE, "#1f2a44", "#c9a94a",
         pattern="stripe", button=GOLD),
    suit("man_16", "Dark green suit, white shirt, gold tie", "#24382c", WHITE, "#b08d3c"),
    suit("man_17", "Grey suit, white shirt, green striped tie", GREY, WHITE, "#2e5a3a", "#d8d2b8", pattern="stripe"),
    suit("man_18", "Black suit, light blue shirt, navy dotted tie", BLACK, LIGHT_BLUE, "#1f2a44", "#c8d4ea",
         pattern="dot"),
    suit("man_19", "Charcoal suit, white shirt, open collar", CHARCOAL, WHITE, open=True, spread=0.3),
    suit("man_20", "Navy pinstripe suit, white shirt, red striped tie", NAVY, WHITE, "#a51c2a", "#e9d9a8",
         pattern="thin", pinstripe="#8d97b0", lapel="peak"),
    Outfit("woman_1", "Black blazer, white round-neck top", "blazer_top", {"jacket": BLACK, "top": WHITE},
           {"neckline": "round"}),
    Outfit("woman_2", "Navy blazer, white V-neck top", "blazer_top", {"jacket": NAVY, "top": WHITE},
           {"neckline": "v", "depth": 0.9}),
    Outfit("woman_3", "Grey blazer, white shirt", "blazer_top", {"jacket": GREY, "top": WHITE},
           {"neckline": "collar"}),
    Outfit("woman_4", "White round-neck blouse", "top", {"top": WHITE}, {"neckline": "round", "rib": False}),
    Outfit("woman_5", "Black V-neck top", "top", {"top": "#1c1c1f"}, {"neckline": "v", "depth": 0.85}),
    Outfit("woman_6", "Burgundy blazer, black round-neck top", "blazer_top", {"jacket": "#5e1b2a", "top": BLACK},
           {"neckline": "round"}),
    Outfit("woman_7", "Beige blazer, white V-neck top", "blazer_top", {"jacket": "#c8b08c", "top": WHITE},
           {"neckline": "v", "depth": 0.8}),
    Outfit("woman_8", "Light blue shirt, open collar", "top", {"top": LIGHT_BLUE}, {"neckline": "collar"}),
    Outfit("woman_9", "Black blazer, white shirt", "blazer_top", {"jacket": BLACK, "top": WHITE},
           {"neckline": "collar"}),
    Outfit("woman_10", "Navy V-neck top", "top", {"top": NAVY}, {"neckline": "v", "depth": 0.8}),
    Outfit("woman_11", "Charcoal blazer, pale pink top", "blazer_top", {"jacket": CHARCOAL, "top": PINK},
           {"neckline": "round"}),
    Outfit("woman_12", "White blazer, black round-neck top", "blazer_top", {"jacket": "#ecebe6", "top": BLACK},
           {"neckline": "round"}),
    Outfit("woman_13", "Red blazer, black V-neck top", "blazer_top", {"jacket": "#9c1f2a", "top": BLACK},
           {"neckline": "v", "depth": 0.8}),
    Outfit("woman_14", "Black collarless jacket with white trim", "collarless",
           {"jacket": BLACK, "top": BLACK, "trim": "#e9e6df"}),
    Outfit("woman_15", "Teal V-neck blouse", "top", {"top": "#1e6b6e"}, {"neckline": "v", "depth": 0.75,
                                                                         "rib": False}),
    Outfit("woman_16", "Grey blazer, white round-neck top", "blazer_top", {"jacket": "#80848b", "top": WHITE},
           {"neckline": "round"}),
    Outfit("woman_17", "Navy blazer, light blue shirt", "blazer_top", {"jacket": NAVY, "top": LIGHT_BLUE},
           {"neckline": "collar"}),
    Outfit("woman_18", "Cream blouse with Peter Pan collar", "top", {"top": CREAM, "collar": WHITE},
           {"neckline": "round", "depth": 0.3, "peterpan": True, "rib": False}),
    Outfit("woman_19", "Black blazer, black V-neck top", "blazer_top", {"jacket": BLACK, "top": "#222226"},
           {"neckline": "v", "depth": 0.85}),
    Outfit("woman_20", "Camel blazer, black round-neck top", "blazer_top", {"jacket": "#a57c4c", "top": BLACK},
           {"neckline": "round"}),
    Outfit("child_1", "Navy sailor uniform, red scarf", "sailor",
           {"body": NAVY, "collar": NAVY, "trim": WHITE, "scarf": "#b8202e", "dickey": NAVY}),
    Outfit("child_2", "White sailor uniform, navy collar", "sailor",
           {"body": WHITE, "collar": NAVY, "trim": WHITE, "scarf": NAVY, "dickey": WHITE}),
    suit("child_3", "Navy school blazer with crest, red striped tie", NAVY, WHITE, "#a51c2a", "#1f2a44",
         pattern="stripe", crest=CREST_NAVY, lapel_w=0.26),
    suit("child_4", "Green school blazer with crest, green striped tie", "#1f4d36", WHITE, "#1f4d36", "#d9c27a",
         pattern="stripe", crest=CREST_GREEN, lapel_w=0.26),
    Outfit("child_5", "White polo shirt", "polo", {"body": WHITE}),
    Outfit("child_6", "Navy polo shirt with badge", "polo", {"body": NAVY}, {"badge": CREST_NAVY}),
    suit("child_7", "Maroon school blazer with crest, white shirt", "#5a1a2a", WHITE, "#5a1a2a", "#d9c27a",
         pattern="stripe", crest=CREST_MAROON, lapel_w=0.26),
    Outfit("child_8", "Grey school sweater, white shirt, navy tie", "sweater",
           {"sweater": "#7a7f87", "shirt": WHITE, "tie": "#1f2a44"}),
    Outfit("child_9", "Black stand-collar school jacket", "gakuran", {"body": "#15161a", "trim": WHITE,
                                                                      "button": GOLD}),
    Outfit("child_10", "White blouse, round collar, red ribbon", "top", {"top": WHITE, "collar": WHITE,
                                                                        "ribbon": "#b8202e"},
           {"neckline": "round", "depth": 0.3, "peterpan": True, "ribbon": True, "rib": False}),
)  # fmt: skip


# ----------------------------------------------------------------------------- output


def _downsample(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    rgb = cv2.resize(layer.rgb, (W, H), interpolation=cv2.INTER_AREA)
    a = cv2.resize(layer.a, (W, H), interpolation=cv2.INTER_AREA)
    return rgb, np.clip(a, 0, 1)


def _to_rgba(rgb_premul: np.ndarray, a: np.ndarray) -> np.ndarray:
    straight = rgb_premul / np.maximum(a, 1e-4)[..., None]
    straight = np.where(a[..., None] > 1e-3, straight, 0)
    out = np.dstack([np.clip(straight, 0, 1), a]) * 255.0
    return np.round(out).astype(np.uint8)


def _bbox(mask: np.ndarray, pad: int = 2) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return (
        max(int(xs.min()) - pad, 0),
        max(int(ys.min()) - pad, 0),
        min(int(xs.max()) + pad + 1, mask.shape[1]),
        min(int(ys.max()) + pad + 1, mask.shape[0]),
    )


def _save_png(array: np.ndarray, path: Path, posterize: int = 1):
    """Write a PNG; ``posterize`` rounds colour to steps of that many levels, which keeps
    the files small (smooth shading compresses badly at full precision) without visible
    bands once the garment is scaled down and given grain."""
    if posterize > 1 and array.ndim == 3:
        array = array.copy()
        step = posterize
        array[..., :3] = np.clip((array[..., :3] // step) * step + step // 2, 0, 255)
    Image.fromarray(array).save(path, optimize=True)


def render(o: Outfit) -> dict:
    """Draw one outfit, write its PNGs, return its catalogue entry."""
    print(o.id, flush=True)
    d = draw(o)
    front_rgb, front_a = _downsample(d.front)
    back_rgb, back_a = _downsample(d.back)
    skin = cv2.resize(d.skin * (1 - d.front.a), (W, H), interpolation=cv2.INTER_AREA)
    skin[: int(NY - 0.12 * d.f.F)] = 0
    front = _to_rgba(front_rgb, front_a)
    back = _to_rgba(back_rgb, back_a * (1 - front_a))
    _save_png(front, HERE / f"{o.id}.png", posterize=POSTERIZE)
    bx0, by0, bx1, by1 = _bbox(back[..., 3] > 0)
    _save_png(back[by0:by1, bx0:bx1], HERE / f"{o.id}_back.png", posterize=POSTERIZE)
    skin_u8 = np.round(np.clip(skin, 0, 1) * 255).astype(np.uint8)
    if skin_u8.any():
        sx0, sy0, sx1, sy1 = _bbox(skin_u8 > 0)
    else:
        sx0, sy0, sx1, sy1 = CX, NY, CX + 1, NY + 1
    _save_png(skin_u8[sy0:sy1, sx0:sx1], HERE / f"{o.id}_skin.png")
    _save_thumbnail(o, front, back[by0:by1, bx0:bx1], bx0, by0, d.f)
    rows = (front[..., 3] > 127).any(axis=1) | (back[..., 3] > 127).any(axis=1)
    top = int(np.nonzero(rows)[0].min())
    return {
        "id": o.id,
        "title": o.title,
        "group": o.group,
        "size": [W, H],
        "neck_center": [CX, NY],
        "shoulder_width": 2 * SHOULDER_HALF,
        "shoulder_to_face": GROUPS[o.group]["shoulder_to_face"],
        "neck_width": round(2 * d.f.nh * d.f.F, 1),
        "collar_top": top,
        "back_offset": [bx0, by0],
        "skin_offset": [sx0, sy0],
    }


def _save_thumbnail(o: Outfit, front: np.ndarray, back: np.ndarray, bx0: int, by0: int, f: Frame):
    """Outfit on a plain grey mannequin head, square, for the storefront picker."""
    pad = 600  # room above the asset for the head
    ny = NY + pad
    canvas = np.zeros((H + pad, W, 3), np.float32) + hexrgb("#eef0f3")
    back_full = np.zeros((H + pad, W, 4), np.float32)
    back_full[pad + by0 : pad + by0 + back.shape[0], bx0 : bx0 + back.shape[1]] = back / 255.0
    canvas = canvas * (1 - back_full[..., 3:]) + back_full[..., :3] * back_full[..., 3:]
    mannequin = np.zeros((H + pad, W), np.uint8)
    neck_w = f.nh * f.F
    cv2.rectangle(
        mannequin,
        (int(CX - neck_w), int(ny - 0.7 * f.F)),
        (int(CX + neck_w), int(ny + 0.9 * f.F)),
        255,
        -1,
    )
    cv2.ellipse(
        mannequin, (CX, int(ny - 0.95 * f.F)), (int(0.5 * f.F), int(0.68 * f.F)), 0, 0, 360, 255, -1
    )
    m = cv2.GaussianBlur(mannequin.astype(np.float32) / 255.0, (0, 0), 1.5)[..., None]
    xs = np.arange(W, dtype=np.float32)[None, :]
    shade = 1.0 - 0.25 * np.clip((xs - CX) / max(neck_w, 1), -1, 1) ** 2
    canvas = canvas * (1 - m) + (hexrgb("#c9c4bf") * shade[..., None]) * m
    fr = np.zeros((H + pad, W, 4), np.float32)
    fr[pad:] = front.astype(np.float32) / 255.0
    canvas = canvas * (1 - fr[..., 3:]) + fr[..., :3] * fr[..., 3:]
    side = 1100
    y0 = int(ny - 0.75 * f.F)
    crop = canvas[y0 : y0 + side, (W - side) // 2 : (W + side) // 2]
    thumb = cv2.resize(crop, (THUMB_SIZE, THUMB_SIZE), interpolation=cv2.INTER_AREA)
    THUMB_DIR.mkdir(exist_ok=True)
    _save_png(np.round(np.clip(thumb, 0, 1) * 255).astype(np.uint8), THUMB_DIR / f"{o.id}.png")


def main(ids: list[str] | None = None) -> None:
    entries = []
    existing = {}
    cat_path = HERE / "catalogue.json"
    if ids and cat_path.exists():
        existing = {e["id"]: e for e in json.loads(cat_path.read_text())["outfits"]}
    todo = [o for o in OUTFITS if not ids or o.id in ids]
    with multiprocessing.Pool(max(1, min(len(todo), os.cpu_count() or 1))) as pool:
        rendered = {e["id"]: e for e in pool.imap_unordered(render, todo)}
    for o in OUTFITS:
        entry = rendered.get(o.id) or existing.get(o.id)
        if entry:
            entries.append(entry)
    catalogue = {
        "comment": "Written by generate.py; anchors are in asset pixels (see its docstring).",
        "outfits": entries,
    }
    cat_path.write_text(json.dumps(catalogue, indent=1) + "\n")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:] or None)
