"""Place the head in the output frame: one scale and one offset that satisfy every constraint.

Everything happens in the *level frame*: source pixels rotated about the face centre so
the eyes are horizontal. The output is ``out = scale * level + (tx, ty)``; the face is
centred horizontally, so only ``scale`` and ``ty`` are free. Every face constraint, and
the rules that keep the photo honest (body reaches the bottom edge, no heavy upscaling,
head inside the frame), is a linear inequality in (scale, ty). The feasible set is
therefore a convex polygon; we take the scale closest to the ideal framing, then the
offset closest to the ideal head-top margin.

Where the frame reaches past the photo:
- with a new background, above the chin the gap simply shows the new background (where
  the photo's top edge cuts a little hair, engine/crown.py continues the head); below
  it the person is continued: a few pixels at the bottom (BODY_TOLERANCE_PX) always, and
  where the request cannot be met otherwise up to BODY_EXTENSION of the height, and never
  more than BODY_EXTENSION_BELOW_CHIN of what shows below the chin (engine/body.py fills
  them; beyond that, BodyCutOff). At the sides, when the shoulders run into the
  photo's edge, the frame stays inside the photo if the request allows it; if not, it
  may run past each side by SHOULDER_EXTENSION of its width, and engine/shoulders.py
  continues the shoulders there (beyond that, BodyCutOff);
- keeping the original background, the frame must stay inside the photo but for
  KEEP_BG_TOLERANCE (edge-replicated); the head-top margin may shrink to 1 % before we
  refuse with ConstraintsUnsatisfiable. Smearing the old background would look faked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from photos.engine.errors import BodyCutOff, ConstraintsUnsatisfiable, FaceCutOff, FaceTooSmall
from photos.engine.params import FACE_CONSTRAINTS, Band

# Framing of a well-made ID photo when the request gives no constraint on it (shares of
# the output height / width). Mid-points of ICAO 9303 and the common 1-inch/2-inch specs.
IDEAL_FACE_HEIGHT = 0.65  # crown to chin
FACE_HEIGHT_RANGE = (0.55, 0.78)
IDEAL_HEAD_TOP = 0.10  # crown to top edge
HEAD_TOP_RANGE = (0.04, 0.17)
LOOSE_HEAD_TOP_RANGE = (0.01, 0.17)  # when the original background must be kept
BAND_MARGINS = (0.45, 0.4, 0.35, 0.3, 0.2, 0.1)  # how far inside a band to land, first wins
IDEAL_MAX_FACE_WIDTH = 0.62  # a narrow frame shrinks the head so the cheeks keep a margin
MAX_UPSCALE = 3.0  # output pixels per source pixel beyond which the photo looks mushy
BODY_TOLERANCE_PX = 3.0  # output pixels the crop may reach past the photo's bottom edge
KEEP_BG_TOLERANCE = 0.02  # share of the output that may be edge-filled when keeping the bg
# Share of the output width by which the frame may run past each side of the photo, where
# the shoulders are continued. A tight head-and-shoulders photo is about 2.4 face widths
# wide; the square US visa needs 2.8-3.0 around the face.
SHOULDER_EXTENSION = 0.15
# Share of the output width by which the face may sit off the frame's centre where hair
# runs into a side of the photo, so the frame can stay inside it (0.7 mm of a 35 mm photo).
# Centred exactly, our own ID photos with long hair at a side were refused when sent again.
HAIR_OFF_CENTRE = 0.02
# Degrees of roll below which the eyes count as level and the photo is not turned: the
# landmarker reads our own levelled ID photos at 0.04-0.55 degrees (up to 2.8 for a
# head turned aside), and turning by that only resamples the photo and cuts its corners.
# A tilt under 1 degree is invisible (0.2 mm between the eyes of a 35 mm photo).
LEVEL_TOLERANCE_DEG = 1.0
# Share of the output height by which the frame may run past the photo's bottom edge,
# with a new background, where the clothes are continued (engine/body.py); and at most
# this share of what the output shows below the chin, so that a photo cut at the neck
# is still refused (continued, it would show a head on a stalk).
BODY_EXTENSION = 0.08
BODY_EXTENSION_BELOW_CHIN = 0.3
# Face widths either side of the face's centre that the shoulders take: where the photo's
# lower edge must reach the frame's bottom (or, in a narrower frame, under the frame).
BODY_HALF_SPAN = 1.25


@dataclass(frozen=True)
class HeadGeometry:
    """Head measurements in level-frame pixels."""

    crown_y: float
    eyes_y: float
    chin_y: float
    center_x: float
    face_width: float

    @property
    def face_height(self) -> float:
        return self.chin_y - self.crown_y


@dataclass(frozen=True)
class SourceBounds:
    """Where the photo ends around the person, in level-frame pixels."""

    top: float  # lowest point of the upper edge across the head
    bottom: float  # highest point of the lower edge across the shoulders (BODY_HALF_SPAN)
    left: float  # the side edges over the whole height (a levelled photo's sides slant)
    right: float
    # The side edges over the rows from the chin down, beside the shoulders; above the
    # chin a corner the levelling brings in only shows the new background.
    body_left: float | None = None
    body_right: float | None = None
    # The lower edge under the face's centre, and how steeply it slants (|dy/dx|) once
    # the eyes are levelled: a frame narrower than the shoulders only needs the photo
    # under its own width.
    bottom_centre: float | None = None
    bottom_slope: float = 0.0

    @property
    def shoulder_sides(self) -> tuple[float, float]:
        left = self.left if self.body_left is None else self.body_left
        right = self.right if self.body_right is None else self.body_right
        return left, right


@dataclass(frozen=True)
class Measurements:
    """Face measurements in output pixels, from the output's top edge."""

    crown_y: float
    eyes_y: float
    chin_y: float
    face_width: float
    face_height: float


@dataclass(frozen=True)
class Fit:
    scale: float  # output pixels per level-frame pixel
    tx: float
    ty: float
    size: tuple[int, int]

    @property
    def matrix(self) -> np.ndarray:
        """2x3 affine level frame → output."""
        return np.array([[self.scale, 0.0, self.tx], [0.0, self.scale, self.ty]])

    def measure(self, head: HeadGeometry) -> Measurements:
        s, ty = self.scale, self.ty
        return Measurements(
            crown_y=s * head.crown_y + ty,
            eyes_y=s * head.eyes_y + ty,
            chin_y=s * head.chin_y + ty,
            face_width=s * head.face_width,
            face_height=s * head.face_height,
        )

    def face_x(self, head: HeadGeometry) -> float:
        """The face's centre across the output: the middle, unless hair at a side of the
        photo moved it a little (HAIR_OFF_CENTRE)."""
        return self.scale * head.center_x + self.tx

    def level_rect(self) -> tuple[float, float, float, float]:
        """The output frame as (x0, y0, x1, y1) in the level frame."""
        w, h = self.size
        return (
            -self.tx / self.scale,
            -self.ty / self.scale,
            (w - self.tx) / self.scale,
            (h - self.ty) / self.scale,
        )


# --- the constraint system ---------------------------------------------------------------

_USER, _DEFAULT, _FRAME, _BODY, _SHOULDERS, _HAIR, _RESOLUTION, _KEEP_BG = (
    "user",
    "default",
    "frame",
    "body",
    "shoulders",
    "hair",
    "resolution",
    "keep_bg",
)


@dataclass(frozen=True)
class _Constraint:
    """Either ``lo <= scale <= hi`` (``on_ty`` False) or ``lo <= scale*p + ty <= hi``."""

    label: str
    kind: str
    lo: float
    hi: float
    on_ty: bool = False
    p: float = 0.0


class _Infeasible(Exception):
    def __init__(self, conflict: tuple[_Constraint, ...]):
        super().__init__(conflict)
        self.conflict = conflict


def _scale_interval(constraints: list[_Constraint]) -> tuple[float, float, tuple, tuple]:
    """Feasible scales; with the constraints that bind the lower and upper end."""
    lo, hi = 1e-6, math.inf
    lo_by: tuple = (None, None)
    hi_by: tuple = (None, None)

    def tighten(value_lo: float | None, value_hi: float | None, by: tuple) -> None:
        nonlocal lo, hi, lo_by, hi_by
        if value_lo is not None and value_lo > lo:
            lo, lo_by = value_lo, by
        if value_hi is not None and value_hi < hi:
            hi, hi_by = value_hi, by

    for c in constraints:
        if not c.on_ty:
            tighten(
                c.lo if c.lo > -math.inf else None, c.hi if c.hi < math.inf else None, (c, None)
            )
    lowers = [c for c in constraints if c.on_ty and c.lo > -math.inf]  # ty >= lo - s*p
    uppers = [c for c in constraints if c.on_ty and c.hi < math.inf]  # ty <= hi - s*p
    for a in lowers:
        for b in uppers:
            # a.lo - s*a.p <= b.hi - s*b.p  <=>  s*(b.p - a.p) <= b.hi - a.lo
            coeff, rhs = b.p - a.p, b.hi - a.lo
            tol = 1e-9 * (abs(b.hi) + abs(a.lo) + 1)
            if abs(coeff) < 1e-12:
                if rhs < -tol:
                    raise _Infeasible((a, b))
                continue
            bound = (rhs + math.copysign(tol, coeff)) / coeff
            if coeff > 0:
                tighten(None, bound, (a, b))
            else:
                tighten(bound, None, (a, b))
    return lo, hi, lo_by, hi_by


def _solve(
    constraints: list[_Constraint], ideal_scale: float, ideal_head_top: float, crown_y: float
) -> tuple[float, float]:
    lo, hi, lo_by, hi_by = _scale_interval(constraints)
    if lo > hi * (1 + 1e-9):
        raise _Infeasible(tuple(c for c in lo_by + hi_by if c is not None))
    scale = float(np.clip(ideal_scale, lo, hi))
    ty_lo, ty_hi = -math.inf, math.inf
    for c in constraints:
        if c.on_ty:
            ty_lo = max(ty_lo, c.lo - scale * c.p)
            ty_hi = min(ty_hi, c.hi - scale * c.p)
    ideal_ty = ideal_head_top - scale * crown_y
    if ty_lo > ty_hi:  # only rounding can get here; take the middle
        return scale, (ty_lo + ty_hi) / 2
    return scale, float(np.clip(ideal_ty, ty_lo, ty_hi))


def fit_to_spec(
    head: HeadGeometry,
    bounds: SourceBounds,
    *,
    size: tuple[int, int],
    bands: dict[str, Band],
    keep_background: bool,
    max_scale: float,
    shoulders_reach_sides: bool = False,
    hair_reaches_sides: bool = False,
) -> Fit:
    """Solve scale and offset; raise a typed error naming what cannot be met.

    ``bands`` maps constraint names (head_top, eyes_top, chin_top, face_width, face_height)
    to the requested bands in output pixels. ``max_scale`` is the largest allowed output
    pixels per level-frame pixel (the resolution limit, see MAX_UPSCALE).
    ``shoulders_reach_sides`` says the person runs into the photo's side edges: the frame
    may then not reach past them, or the shoulders would end in a straight cut.
    ``hair_reaches_sides`` says the head does, above the chin: there nothing is continued,
    so the frame must stay inside the photo's sides.
    """
    width, height = size
    requested = _user_constraints(head, bands, height)
    hard = list(requested)

    ideal_scale = min(
        IDEAL_FACE_HEIGHT * height / head.face_height,
        IDEAL_MAX_FACE_WIDTH * width / head.face_width,
    )
    # Levelling the eyes slants the photo's lower edge. In a frame narrower than the
    # shoulders, what counts is the edge's highest point under the frame: its height
    # under the face's centre, less the slant over half the frame's width (a fixed
    # number of output pixels, so the constraint stays linear).
    narrow_frame = width / 2 / ideal_scale < BODY_HALF_SPAN * head.face_width
    if narrow_frame and bounds.bottom_centre is not None:
        edge, rise = bounds.bottom_centre, bounds.bottom_slope * width / 2
    else:
        edge, rise = bounds.bottom, 0.0

    def body_reaching(bottom: float, point: float = edge, rise: float = rise) -> _Constraint:
        """The photo's bottom edge (``point`` in the level frame under the face's centre,
        ``rise`` output pixels higher at the frame's sides) lands at ``bottom`` or below."""
        label = "the body reaching the bottom edge"
        return _Constraint(label, _BODY, bottom + rise, math.inf, True, point)

    hard += [
        _Constraint("the head top inside the photo", _FRAME, 0.0, math.inf, True, head.crown_y),
        _Constraint(
            "the chin inside the photo", _FRAME, -math.inf, float(height), True, head.chin_y
        ),
        _Constraint("the face inside the photo width", _FRAME, 0.0, width / head.face_width),
        body_reaching(height - BODY_TOLERANCE_PX),
        _Constraint("the photo's resolution", _RESOLUTION, 0.0, max_scale),
    ]
    slack_x, slack_y = KEEP_BG_TOLERANCE * width, KEEP_BG_TOLERANCE * height
    room = _room(head, bounds.left, bounds.right)
    min_scale_inside = (width / 2 - slack_x) / room  # frame no wider than the photo
    if keep_background:
        hard.append(
            _Constraint(
                "the original background above the head",
                _KEEP_BG,
                -math.inf,
                slack_y,
                True,
                bounds.top,
            )
        )
        hard.append(
            _Constraint(
                "the original background beside the head", _KEEP_BG, min_scale_inside, math.inf
            )
        )

    defaults = _framing(head, bands, height, FACE_HEIGHT_RANGE, HEAD_TOP_RANGE)

    def solve(constraints: list[_Constraint]) -> tuple[float, float]:
        return _solve(constraints, ideal_scale, IDEAL_HEAD_TOP * height, head.crown_y)

    def feasible(constraints: list[_Constraint]) -> bool:
        try:
            solve(constraints)
        except _Infeasible:
            return False
        return True

    if shoulders_reach_sides and not keep_background:
        body_room = _room(head, *bounds.shoulder_sides)
        label = "the shoulders inside the photo"
        inside = _Constraint(label, _SHOULDERS, (width / 2 - slack_x) / body_room, math.inf)
        # Past the sides, the continued shoulders need a side edge that is straight down
        # to the bottom, not the slanted corner of a levelled photo (its whole height).
        min_scale_past_sides = (width / 2 - SHOULDER_EXTENSION * width) / room
        past = _Constraint(label, _SHOULDERS, min_scale_past_sides, math.inf)
        # Inside the photo where that frames the head well; else continued a little past
        # its sides where that does (a frame inside the photo that only the bands' far
        # edges allow was refused as "cut too tight at the sides"); else inside if at all.
        if feasible(hard + [inside] + defaults):
            hard.append(inside)
        elif feasible(hard + [past] + defaults) or not feasible(hard + [inside]):
            hard.append(past)
        else:
            hard.append(inside)

    off_centre = 0.0
    if hair_reaches_sides and not keep_background:
        off_centre = HAIR_OFF_CENTRE * width
        label = "the hair inside the photo"
        # No wider than the photo, and off its centre by at most off_centre.
        photo_width = max(bounds.right - bounds.left, 1e-6)
        hard.append(_Constraint(label, _HAIR, width / photo_width, math.inf))
        hard.append(_Constraint(label, _HAIR, (width / 2 - off_centre) / room, math.inf))

    if not keep_background:
        # A photo cut close below the chin: the frame may run past its bottom edge by a
        # little, where the clothes are continued, rather than refuse or frame badly.
        share = BODY_EXTENSION_BELOW_CHIN  # bottom_out >= height - share*(height - chin_out)
        mostly_photo = body_reaching(
            float(height), (edge - share * head.chin_y) / (1 - share), rise / (1 - share)
        )
        extended = [c for c in hard if c.kind != _BODY]
        extended += [body_reaching(height * (1 - BODY_EXTENSION)), mostly_photo]
        for wanted in (defaults, []):
            if not feasible(hard + wanted) and feasible(extended + wanted):
                hard = extended
                break

    try:
        scale, ty = solve(hard + defaults)
    except _Infeasible:
        try:
            solve(hard)
        except _Infeasible as exc:
            blamed = _blame(exc.conflict, hard, defaults, feasible)
            raise _error_for(blamed, head, size) from None
        # The request itself is possible; find out whether the photo spoils good framing.
        for kind in (_BODY, _SHOULDERS, _HAIR, _RESOLUTION):
            if feasible([c for c in hard if c.kind != kind] + defaults):
                raise _error_for(tuple(c for c in hard if c.kind == kind), head, size) from None
        if keep_background:
            # Keeping the original background, a tighter head-top margin beats refusing.
            loose = _framing(head, bands, height, FACE_HEIGHT_RANGE, LOOSE_HEAD_TOP_RANGE)
            if not feasible(hard + loose) and feasible(
                [c for c in hard if c.kind != _KEEP_BG] + defaults
            ):
                keep = tuple(c for c in hard if c.kind == _KEEP_BG)
                raise _error_for(keep, head, size) from None
            if feasible(hard + loose):
                defaults = loose
        # Otherwise only our framing preferences clash with the request: the request wins.
        scale, ty = solve(hard + defaults) if feasible(hard + defaults) else solve(hard)
    else:
        # Land near the middle of the bands, not on their edges, where a measurement a
        # few pixels off either way (ours, or an official's made another way: the top of
        # the hair is where measures differ most) would read as a rejection.
        frame_rules = hard[len(requested) :]
        for margin in BAND_MARGINS:
            inner = _user_constraints(head, bands, height, margin=margin) + frame_rules
            if feasible(inner + defaults):
                scale, ty = solve(inner + defaults)
                break
    tx = width / 2 - scale * head.center_x
    if off_centre:
        # The least shift (output pixels) that keeps the frame inside the photo's sides.
        lowest = width / 2 - scale * (head.center_x - bounds.left)
        highest = scale * (bounds.right - head.center_x) - width / 2
        shift = min(max(0.0, lowest), highest) if lowest <= highest else 0.0
        tx -= float(np.clip(shift, -off_centre, off_centre))
    return Fit(scale=scale, tx=tx, ty=ty, size=size)


def _room(head: HeadGeometry, left: float, right: float) -> float:
    """Level-frame pixels from the face's centre to the nearer of two side edges."""
    return max(min(head.center_x - left, right - head.center_x), 1e-6)


def _user_constraints(
    head: HeadGeometry, bands: dict[str, Band], height: int, *, margin: float = 0.0
) -> list[_Constraint]:
    """The requested bands as constraints, optionally pulled ``margin`` of their width inward
    (for a one-sided band, ``margin`` of a tenth of the photo height)."""
    constraints = []
    for name in FACE_CONSTRAINTS:
        band = bands.get(name) or Band()
        if band.is_empty:
            continue
        lo, hi = band.bounds()
        if margin and lo < hi:
            inset = margin * (hi - lo if math.isfinite(hi - lo) else 0.1 * height)
            lo, hi = lo + inset, hi - inset
        label = band.describe(name)
        if name in ("face_width", "face_height"):
            extent = head.face_width if name == "face_width" else head.face_height
            constraints.append(_Constraint(label, _USER, lo / extent, hi / extent))
        else:
            p = {"head_top": head.crown_y, "eyes_top": head.eyes_y, "chin_top": head.chin_y}[name]
            constraints.append(_Constraint(label, _USER, lo, hi, on_ty=True, p=p))
    return constraints


def _framing(
    head: HeadGeometry,
    bands: dict[str, Band],
    height: int,
    face_height_range: tuple[float, float],
    head_top_range: tuple[float, float],
) -> list[_Constraint]:
    """The framing of a good ID photo, for the measures the request leaves open."""
    framing: list[_Constraint] = []
    if bands.get("face_height", Band()).is_empty and bands.get("face_width", Band()).is_empty:
        framing.append(
            _Constraint(
                "a well-framed face height",
                _DEFAULT,
                face_height_range[0] * height / head.face_height,
                face_height_range[1] * height / head.face_height,
            )
        )
    if all(bands.get(n, Band()).is_empty for n in ("head_top", "eyes_top", "chin_top")):
        framing.append(
            _Constraint(
                "a well-framed head top",
                _DEFAULT,
                head_top_range[0] * height,
                head_top_range[1] * height,
                True,
                head.crown_y,
            )
        )
    return framing


def _blame(
    conflict: tuple[_Constraint, ...], hard: list[_Constraint], defaults: list, feasible
) -> tuple[_Constraint, ...]:
    """The part of a conflict to report: the photo's (cut too tight below the chin or at
    the sides, too little of its background to keep, a face too small for the size)
    where the request frames a head well and a photo with more room would meet it;
    otherwise all of it, naming the request.

    A spec's bands are not the customer's to change; "the photo is cut too tight" is what
    they can act on. A request that no well-framed photo meets is theirs to fix.
    """
    photo = (_BODY, _SHOULDERS, _HAIR, _KEEP_BG, _RESOLUTION)
    if any(c.kind in photo for c in conflict) and feasible(
        [c for c in hard if c.kind not in photo] + defaults
    ):
        return tuple(c for c in conflict if c.kind in photo)
    return conflict


def _error_for(conflict: tuple[_Constraint, ...], head: HeadGeometry, size: tuple[int, int]):
    """The typed error for a set of constraints that cannot hold together.

    When the request's own constraints take part, they are what the customer can change,
    so they are named; otherwise the photo is at fault.
    """
    users = list(dict.fromkeys(c.label for c in conflict if c.kind == _USER))
    others = list(dict.fromkeys(c.label for c in conflict if c.kind != _USER))
    kinds = {c.kind for c in conflict}
    if users:
        proportions = (
            f"this face is {head.face_width / head.face_height:.2f} times as wide as the head "
            f"is high, with the eyes {100 * (head.eyes_y - head.crown_y) / head.face_height:.0f}% "
            "of the way from head top to chin"
        )
        names = " and ".join(users)
        if others:
            names += f" (with {' and '.join(others)})"
        verb = "cannot be met" if len(users) == 1 else "cannot all be met"
        return ConstraintsUnsatisfiable(
            f"{names} {verb} in a {size[0]}x{size[1]} photo of this face: {proportions}."
        )
    if _RESOLUTION in kinds:
        return FaceTooSmall(
            "The face is too small in this photo to fill the ID photo sharply; move closer "
            "to the camera or upload a higher-resolution photo."
        )
    if _BODY in kinds:
        return BodyCutOff(
            "The photo is cut too tight below the chin; upload one that includes the shoulders."
        )
    if _HAIR in kinds:
        return FaceCutOff(
            "The photo is cut too tight beside the head: the hair runs into its edge and "
            "would end in a straight line. Upload a photo with some room beside the head."
        )
    if _SHOULDERS in kinds:
        return BodyCutOff(
            "The photo is cut too tight at the sides: the shoulders would end in a straight "
            "line. Upload a photo that shows both shoulders with some room beside them."
        )
    if _KEEP_BG in kinds:
        return ConstraintsUnsatisfiable(
            "There is not enough of the original background around the head to keep it "
            "at this size; allow changing the background or upload a photo with more room "
            "around the head."
        )
    return ConstraintsUnsatisfiable(
        f"The face cannot be placed in a {size[0]}x{size[1]} photo; check the photo size."
    )


# --- frames and warping -------------------------------------------------------------------


def leveling_matrix(center: np.ndarray, roll_deg: float) -> np.ndarray:
    """2x3 affine source → level frame: rotate about ``center`` so the eyes are horizontal.

    Eyes within LEVEL_TOLERANCE_DEG of level are left as they are: the landmarker reads a
    level face to about that, and turning it would only cut the photo's corners, so an ID
    photo sent again (already level, its hair at the sides) no longer fits inside itself.
    """
    if abs(roll_deg) < LEVEL_TOLERANCE_DEG:
        roll_deg = 0.0
    return cv2.getRotationMatrix2D((float(center[0]), float(center[1])), roll_deg, 1.0)


def compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """2x3 affine ``outer ∘ inner`` (apply ``inner`` first)."""
    return (np.vstack([outer, [0, 0, 1]]) @ np.vstack([inner, [0, 0, 1]]))[:2]


def invert(matrix: np.ndarray) -> np.ndarray:
    return cv2.invertAffineTransform(matrix)


def apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    return points @ matrix[:, :2].T + matrix[:, 2]


def source_bounds(
    matrix: np.ndarray,
    source_size: tuple[int, int],
    center_x: float,
    face_width: float,
    chin_y: float | None = None,
) -> SourceBounds:
    """Where the photo's edges lie in the level frame, around the head and shoulders;
    with ``chin_y``, also the side edges over the rows from the chin to the bottom."""
    w, h = source_size
    tl, tr, br, bl = apply(matrix, [(0, 0), (w, 0), (w, h), (0, h)])

    def y_on(a: np.ndarray, b: np.ndarray, xs: np.ndarray) -> np.ndarray:
        t = (xs - a[0]) / (b[0] - a[0])
        return a[1] + t * (b[1] - a[1])

    def x_on(a: np.ndarray, b: np.ndarray, ys: np.ndarray) -> np.ndarray:
        t = (ys - a[1]) / (b[1] - a[1])
        return a[0] + t * (b[0] - a[0])

    head_span = np.array([center_x - 0.75 * face_width, center_x + 0.75 * face_width])
    body_span = center_x + BODY_HALF_SPAN * face_width * np.array([-1.0, 1.0])
    bottom = float(y_on(bl, br, body_span).min())
    slope = abs(float((br[1] - bl[1]) / (br[0] - bl[0])))
    body_left = body_right = None
    if chin_y is not None:
        rows = np.array([min(chin_y, bottom), bottom])
        body_left = float(x_on(tl, bl, rows).max())
        body_right = float(x_on(tr, br, rows).min())
    return SourceBounds(
        top=float(y_on(tl, tr, head_span).max()),
        bottom=bottom,
        left=float(max(tl[0], bl[0])),
        right=float(min(tr[0], br[0])),
        body_left=body_left,
        body_right=body_right,
        bottom_centre=float(y_on(bl, br, np.array([center_x]))[0]),
        bottom_slope=slope,
    )


def warp(
    image: np.ndarray,
    matrix: np.ndarray,
    size: tuple[int, int],
    *,
    interpolation: int = cv2.INTER_CUBIC,
) -> tuple[np.ndarray, np.ndarray]:
    """Resample ``image`` into a ``size`` frame in one pass; also return where it is real.

    Only the needed part of the source is touched. Strong reductions first go through an
    area resize (``warpAffine`` alone would alias), the rest is one affine resampling.
    Pixels outside the photo are edge-replicated; the second array is 1.0 where the frame
    shows the photo and 0.0 where it shows that fill.
    """
    width, height = size
    src_h, src_w = image.shape[:2]
    inverse = invert(matrix)
    corners = apply(inverse, [(0, 0), (width, 0), (width, height), (0, height)])
    pad = 3
    x0 = int(np.clip(np.floor(corners[:, 0].min()) - pad, 0, src_w - 1))
    y0 = int(np.clip(np.floor(corners[:, 1].min()) - pad, 0, src_h - 1))
    x1 = int(np.clip(np.ceil(corners[:, 0].max()) + pad, x0 + 1, src_w))
    y1 = int(np.clip(np.ceil(corners[:, 1].max()) + pad, y0 + 1, src_h))
    roi = image[y0:y1, x0:x1]
    local = compose(matrix, np.array([[1.0, 0, x0], [0, 1.0, y0]]))
    scale = float(np.sqrt(abs(np.linalg.det(local[:, :2]))))
    if scale < 0.75:
        rw = max(1, round(roi.shape[1] * scale))
        rh = max(1, round(roi.shape[0] * scale))
        roi = cv2.resize(roi, (rw, rh), interpolation=cv2.INTER_AREA)
        fx, fy = roi.shape[1] / (x1 - x0), roi.shape[0] / (y1 - y0)
        # Area resize keeps pixel centres: x' = (x + 0.5) * f - 0.5.
        shrink = np.array([[fx, 0, 0.5 * fx - 0.5], [0, fy, 0.5 * fy - 0.5]])
        local = compose(local, invert(shrink))
    out = cv2.warpAffine(
        roi, local, (width, height), flags=interpolation, borderMode=cv2.BORDER_REPLICATE
    )
    ones = np.ones(roi.shape[:2], dtype=np.float32)
    inside = cv2.warpAffine(
        ones, local, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )
    return out, inside
