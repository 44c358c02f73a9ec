"""Person matte (MODNet) and the measurements that need it: where the head ends on top.

MODNet runs on a head-and-shoulders region of at most ``MAX_SIDE`` pixels, never on the
whole frame: an axis-aligned crop of the photo around the output frame, so the network
never sees artificial fill. The alpha is then warped (levelled, scaled) into the output
together with the photo, and refined there against the output's own pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from photos.engine import models, retouch
from photos.engine.faces import CHEEK_LEFT, CHEEK_RIGHT, CHIN, FOREHEAD

MAX_SIDE = 512
MIN_SIDE = 256
STRIDE = 32  # MODNet needs height and width divisible by 32
# MODNet can lose the person where a photo is unlike its training photos, and then the
# face or the chest below it is left out of the matte (a real person refused as "no
# person around the face", or cut out with holes). Seen on registry portraits:
# - a heavily compressed JPEG seen at or above its own resolution, where the 8x8 blocks
#   read as texture (the astronaut at JPEG quality 5: face 0.08 at full size, 0.00
#   upsampled twice); at its own resolution at most, smoothed, 1.00;
# - black-and-white, sepia and very dark photos: of 440 runs (44 registry portraits and
#   grey, sepia, dark and JPEG-20 copies of them, at two specs) 10 lost the face or chest
#   (coverage 0.00-0.78) and were refused as not a person; stretched to full contrast
#   and, when grey, given a warm tint, 8 of them are matted whole;
# - small mattes (256-330 px, the smaller specs) of dark photos, and a few photos at
#   only one resolution (Grace Hopper darkened: face 0.01 at 256 px, 1.00 at 512 px;
#   a greyscale portrait 0.00 at 512 px, 0.99 at 320 px).
# So when less than RETRY_BELOW_FACE of the face or RETRY_BELOW_BODY of the chest below
# it is covered, MODNet runs again on those versions in turn until one covers both, else
# the best is kept. Photos the first run covers are not touched. (Real photos matted well
# cover the face 0.97-1.00; the chest box can hold some background beside a turned body,
# 0.74 on one, so it only asks for most of it.)
RETRY_BELOW_FACE = 0.95
RETRY_BELOW_BODY = 0.6
# The same for the head just above the face (hair, a cap or a bald scalp; what the
# landmarks' outline stops short of): a sepia copy of Grace Hopper, matted at 1-inch
# size, lost the band of her cap there (0.09 of it held) and came out with a white gap
# between cap and forehead. Every portrait the engine delivered held at least 0.91 of it
# (the 41 calibration portraits and 287 degraded copies at 1-inch size).
RETRY_BELOW_HEAD_TOP = 0.8
HEAD_TOP_HEIGHT = 0.15  # face lengths (forehead landmark to chin) above the forehead
HEAD_TOP_WIDTH = 0.6  # of the distance between the cheeks
DEBLOCK_DIAMETER, DEBLOCK_SIGMA_COLOUR, DEBLOCK_SIGMA_SPACE = 5, 40, 5
STRETCH_PERCENTILES = (1.0, 99.0)
GREY_CHROMA = 6.0  # mean |a*| + |b*| (0-255 scale around 128) below which a photo is grey
WARM_TINT = (1.08, 1.0, 0.85)  # RGB gains that give grey skin a skin-like hue
SMALL_NETWORK = 400  # px, the larger side
OTHER_RESOLUTION = 1.6
# A part of the matte apart from the person stays only if it reaches this close to the
# bottom edge (share of the height): the body, an arm, not something floating beside it.
BOTTOM_EDGE_ROWS = 0.01
FACE_FILL_INSET = 0.06  # face widths inside the landmarks' outline that is surely the face
# Face widths either side of the face's centre where the body surely fills the frame's
# bottom edge (a gap beside the body, between an arm and the side, lies further out).
BODY_NOTCH_BAND = 0.5
# fill_clothes_gaps: the largest hole (share of the frame) and how deep a bite at the bottom
# edge (share of the height) it closes, how much closer the gap's colour must be to the
# clothes' than to the background's (share), and how close to the clothes' at most (Lab,
# 0-255 scale). On 641 calibration outputs at 1-inch, the 35x45 visa and the US visa it
# closed gaps in 19 (a turned Audrey Hepburn's shoulder, holes in a beige blouse, a white
# shirt, a red shirt and dark jackets) and changed nothing else.
MAX_CLOTHES_HOLE = 0.02
BOTTOM_BITE_DEPTH = 0.08
GAP_COLOUR_SHARE = 0.5
MAX_GAP_COLOUR = 25.0
# Face widths either side of the face's centre beyond which, between the crown and the
# chin, the person's matte is no longer head or hair (see beside_head).
BESIDE_HEAD = 1.2
MIN_BESIDE_HEAD = 0.1  # face widths of frame, both sides together, to measure there


def estimate_alpha(rgb: np.ndarray) -> np.ndarray:
    """Alpha in 0..1 (float32, same size as ``rgb``) for the person in a portrait crop."""
    height, width = rgb.shape[:2]
    net_w = max(STRIDE, width // STRIDE * STRIDE)
    net_h = max(STRIDE, height // STRIDE * STRIDE)
    image = rgb
    if (net_w, net_h) != (width, height):
        image = cv2.resize(rgb, (net_w, net_h), interpolation=cv2.INTER_AREA)
    tensor = (image.astype(np.float32) - 127.5) / 127.5
    tensor = np.ascontiguousarray(tensor.transpose(2, 0, 1)[None])
    session = models.onnx_session(models.model_path(models.MODNET))
    (alpha,) = session.run(None, {session.get_inputs()[0].name: tensor})
    alpha = alpha[0, 0].astype(np.float32)
    if (net_w, net_h) != (width, height):
        alpha = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(alpha, 0.0, 1.0)


def _contrast(alpha: np.ndarray, low: float = 0.15, high: float = 0.85) -> np.ndarray:
    t = np.clip((alpha - low) / (high - low), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def drop_loose_parts(alpha: np.ndarray, seed: tuple[float, float], above_row: int) -> np.ndarray:
    """Clear parts of the matte that float beside or above the head, apart from the person.

    MODNet sometimes takes a bit of someone behind (an arm above the head, a neighbour's
    hair beside the shoulder in a crop from a group photo) or of the background for the
    person; on a new background those parts would float in the air. Solid parts
    (alpha > 0.5) not connected to the one at ``seed`` (the face) are cleared with their
    soft rims when they lie entirely above ``above_row`` (the chin) or end above the
    bottom edge. A part below the chin that reaches the bottom edge stays: it is the body
    the matte joins to the head only thinly, or an arm, or what the person holds.
    """
    solid = (alpha > 0.5).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    height, width = alpha.shape
    x = int(np.clip(round(seed[0]), 0, width - 1))
    y = int(np.clip(round(seed[1]), 0, height - 1))
    person = labels[y, x]
    if count <= 2 or person == 0:
        return alpha
    bottoms = stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT]
    reaches_bottom = bottoms >= height - max(2, round(BOTTOM_EDGE_ROWS * height))
    loose = [
        k
        for k in range(1, count)
        if k != person and (bottoms[k] <= above_row or not reaches_bottom[k])
    ]
    if not loose:
        return alpha
    parts = np.isin(labels, loose).astype(np.uint8)
    rims = cv2.dilate(parts, np.ones((5, 5), np.uint8)).astype(bool) & (labels != person)
    cleared = alpha.copy()
    cleared[rims] = 0.0
    return cleared


def face_mask(shape: tuple[int, ...], oval: np.ndarray, face_width: float) -> np.ndarray:
    """What is surely the face (0..1): inside the landmarks' face outline ``oval``, pulled
    in by FACE_FILL_INSET of the face width (at a turned face the far outline runs along
    the silhouette)."""
    inner = retouch._dilate_polygon(oval, -FACE_FILL_INSET * face_width)
    return retouch._polygon_mask(shape[:2], inner)


def face_coverage(alpha: np.ndarray, face: np.ndarray) -> float:
    """Share of the face (``face_mask``) that the matte calls the person. Every
    calibration photo matted well scores 1.00."""
    inside = face > 0.5
    return float((alpha[inside] >= 0.5).mean()) if inside.any() else 1.0


def fill_face(alpha: np.ndarray, face: np.ndarray, face_width: float) -> np.ndarray:
    """The face itself is always the person: close holes the matte leaves in it.

    MODNet can take a bright patch of skin for background (a grey copy of a portrait
    came out with a white hole on the forehead). Inside ``face`` (``face_mask``) alpha is
    raised to 1, with a soft edge so no seam shows where the matte was merely a little
    soft.
    """
    return np.maximum(alpha, cv2.GaussianBlur(face, (0, 0), max(0.5, 0.01 * face_width)))


def refine_alpha(
    alpha: np.ndarray, guide_rgb: np.ndarray, *, upsampling: float = 1.0
) -> np.ndarray:
    """Snap a coarse matte to the image's real edges.

    MODNet's edges are a few pixels too soft. A contrast curve tightens them, a guided
    filter on the RGB guide (tiny epsilon, radius ~ the upsampling factor) moves them onto
    the photo's edges, and a second curve removes the haze the filter leaves. Filtering
    with a large radius or epsilon instead spreads dark edges outward as a grey halo.
    """
    height, width = guide_rgb.shape[:2]
    if alpha.shape[:2] != (height, width):
        alpha = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)
    radius = max(2, round(1.5 * upsampling))
    guide = guide_rgb.astype(np.float32) / 255.0
    snapped = cv2.ximgproc.guidedFilter(guide, _contrast(alpha).astype(np.float32), radius, 1e-5)
    return _contrast(np.clip(snapped, 0.0, 1.0)).astype(np.float32)


@dataclass(frozen=True)
class PersonMatte:
    """MODNet's alpha for an axis-aligned rectangle of the source photo."""

    alpha: np.ndarray  # float32, 0..1, in the matte frame
    from_source: np.ndarray  # 2x3 affine: source pixels → matte pixels
    source_rect: tuple[int, int, int, int]  # x0, y0, x1, y1 of the source it covers
    source_size: tuple[int, int]

    @property
    def resolution(self) -> float:
        """Matte pixels per source pixel (the matte is an axis-aligned resampling)."""
        return float(np.sqrt(abs(np.linalg.det(self.from_source[:, :2]))))

    @property
    def reaches_source_top(self) -> bool:
        return self.source_rect[1] == 0

    def warped(
        self, source_to_frame: np.ndarray, size: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Alpha in another frame (edge-replicated), and where the matte really covers it."""
        to_frame = _compose(source_to_frame, cv2.invertAffineTransform(self.from_source))
        alpha = cv2.warpAffine(
            self.alpha, to_frame, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        covered = cv2.warpAffine(
            np.ones_like(self.alpha),
            to_frame,
            size,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
        )
        return alpha, covered


def fill_body_notches(
    alpha: np.ndarray, chin_row: int, centre_x: float, face_width: float
) -> np.ndarray:
    """Close background the matte bites into the body from the bottom edge.

    Below the head the body fills the middle of the frame down to its bottom edge, but
    MODNet can lose part of a dark jumper there: a low-light copy of a portrait came out
    with a white notch at the bottom of a black turtleneck. Background below the chin
    that the solid body (alpha > 0.5) closes in on the left, the right and above, open
    only to the bottom edge between two parts of the body, and reaching within
    BODY_NOTCH_BAND face widths of the face's centre, is made the person. Background
    the body closes in completely (beside the neck, under long hair) is left alone: it
    is real.
    """
    height, width = alpha.shape
    chin_row = int(np.clip(chin_row, 0, height - 1))
    solid = alpha[chin_row:] > 0.5
    bottom = np.flatnonzero(solid[-1])
    if bottom.size < 2:
        return alpha
    # Close the body's bottom with a row between its outermost pixels on the bottom
    # edge; a notch is then background that touches no side of the closed frame.
    closed = np.vstack([solid, np.zeros((1, width), bool)])
    closed[-1, bottom[0] : bottom[-1] + 1] = True
    background = np.pad(~closed, 1, constant_values=True).astype(np.uint8)
    _, labels = cv2.connectedComponents(background, connectivity=4)
    outside = labels[0, 0]  # the padding, and all background that reaches it
    labels = labels[1:-1, 1:-1]
    band = slice(
        int(np.clip(round(centre_x - BODY_NOTCH_BAND * face_width), 0, width)),
        int(np.clip(round(centre_x + BODY_NOTCH_BAND * face_width) + 1, 0, width)),
    )
    notches = [k for k in np.unique(labels[-2, band]) if k not in (0, outside)]
    if not notches:
        return alpha
    notch = np.isin(labels[:-1], notches).astype(np.uint8)
    # Take in the notch's soft rim too, so no faint ring of the old background shows.
    notch = cv2.dilate(notch, np.ones((5, 5), np.uint8))
    filled = alpha.copy()
    filled[chin_row:] = np.maximum(filled[chin_row:], notch.astype(np.float32))
    return filled


def fill_clothes_gaps(
    alpha: np.ndarray, rgb: np.ndarray, inside: np.ndarray, chin_row: int
) -> np.ndarray:
    """Close gaps the matte leaves in the clothes: holes, and bites at the bottom edge.

    MODNet can lose patches of clothes: blue holes in a beige blouse or a white shirt at
    the US visa, and at 1-inch, in a turned copy of Audrey Hepburn's portrait, a band of
    her black jumper along the bottom edge, under her shoulder and open to the frame's
    side, where fill_body_notches (the middle of the bottom edge only) does not look.
    Below the chin, background the body closes in from above is made the person when
    its pixels have the colour of the clothes round it rather than of the background:
    - a hole: touching neither side of the frame, at most MAX_CLOTHES_HOLE of it;
    - a bite: touching the bottom edge, within the lowest BOTTOM_BITE_DEPTH of the frame
      (plus a margin), and possibly a side.
    Background beside the neck under long hair, under hair ending above the bottom edge or
    beside an arm shows the background's colour and stays.
    """
    height, width = alpha.shape
    top = int(np.clip(chin_row, 0, height - 1))
    margin = max(3, round(0.02 * height))
    bite_top = height - round(BOTTOM_BITE_DEPTH * height) - margin - top  # in the region
    solid = alpha[top:] > 0.5
    gaps = (~solid & (inside[top:] >= 0.5)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(gaps, connectivity=4)
    lab = background = None
    fill = np.zeros(solid.shape, bool)
    near_kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if y == 0:
            continue  # open above: the background round the person
        hole = x > 0 and x + w < width and area <= MAX_CLOTHES_HOLE * height * width
        bite = y + h == solid.shape[0] and y > bite_top
        if not (hole or bite):
            continue
        if lab is None:
            lab = cv2.cvtColor(rgb[top:], cv2.COLOR_RGB2LAB).astype(np.float32)
            seen = (alpha[top:] < 0.1) & (inside[top:] >= 0.5)
            if seen.sum() < 20:
                return alpha  # no background to compare with
            background = np.median(lab[seen], axis=0)
        gap = labels == label
        clothes = (cv2.dilate(gap.astype(np.uint8), near_kernel) > 0) & solid
        if clothes.sum() < 4:
            continue
        colour = np.median(lab[gap], axis=0)
        to_clothes = float(np.linalg.norm(colour - np.median(lab[clothes], axis=0)))
        to_background = float(np.linalg.norm(colour - background))
        if to_clothes < GAP_COLOUR_SHARE * to_background and to_clothes < MAX_GAP_COLOUR:
            fill |= gap
    if not fill.any():
        return alpha
    # Take in the gap's soft rim too, so no faint line of the background shows.
    rim = 2 * max(2, round(0.01 * height)) + 1
    fill = cv2.dilate(fill.astype(np.uint8), np.ones((rim, rim), np.uint8)) > 0
    filled = alpha.copy()
    filled[top:][fill] = 1.0
    return filled


def beside_head(
    alpha: np.ndarray, rows: tuple[int, int], centre_x: float, face_width: float
) -> float | None:
    """How much of the frame beside the head the matte calls the person: the share of
    alpha > 0.5 between ``rows`` (crown to chin) further than BESIDE_HEAD face widths
    from the face's centre column. Hair falls within that distance; a raised hand or arm,
    hair held out, or part of someone next to the person does not. ``None`` where the
    frame holds too little beside the head to tell (a narrow frame)."""
    height, width = alpha.shape
    top, bottom = (int(np.clip(row, 0, height)) for row in rows)
    off_centre = np.abs(np.arange(width) + 0.5 - centre_x) > BESIDE_HEAD * face_width
    if bottom <= top or off_centre.sum() < MIN_BESIDE_HEAD * face_width:
        return None
    return float((alpha[top:bottom, off_centre] > 0.5).mean())


def _compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    return (np.vstack([outer, [0, 0, 1]]) @ np.vstack([inner, [0, 0, 1]]))[:2]


def matte_person(
    rgb: np.ndarray,
    rect: tuple[float, float, float, float],
    *,
    side: int,
    face_points: np.ndarray | None = None,
) -> PersonMatte:
    """Matte the part of ``rgb`` inside ``rect`` (clipped to the photo) at about ``side`` px.

    The region stays axis-aligned and inside the photo so the network never sees
    artificial fill; rotation to the level frame happens when the alpha is warped.
    With ``face_points`` (face landmarks in source pixels) a matte that misses the face or
    the chest is tried again on other versions of the crop (see RETRY_BELOW_FACE).
    """
    height, width = rgb.shape[:2]
    x0 = int(np.clip(np.floor(rect[0]), 0, width - 1))
    y0 = int(np.clip(np.floor(rect[1]), 0, height - 1))
    x1 = int(np.clip(np.ceil(rect[2]), x0 + 1, width))
    y1 = int(np.clip(np.ceil(rect[3]), y0 + 1, height))
    rw, rh = x1 - x0, y1 - y0
    side = int(np.clip(side, MIN_SIDE, MAX_SIDE))
    factor = side / max(rw, rh)
    mw, mh = _network_size(rw, rh, factor)
    source = rgb[y0:y1, x0:x1]
    interpolation = cv2.INTER_AREA if mw < rw else cv2.INTER_LINEAR
    crop = cv2.resize(source, (mw, mh), interpolation=interpolation)
    kx, ky = mw / rw, mh / rh
    # Pixel centres map as x' = (x - x0 + 0.5) * k - 0.5.
    from_source = np.array([[kx, 0.0, (0.5 - x0) * kx - 0.5], [0.0, ky, (0.5 - y0) * ky - 0.5]])
    alpha = estimate_alpha(crop)
    if face_points is not None:
        points = face_points @ from_source[:, :2].T + from_source[:, 2]
        alpha = _retry_if_lost(alpha, source, crop, factor, points)
    return PersonMatte(
        alpha=alpha,
        from_source=from_source,
        source_rect=(x0, y0, x1, y1),
        source_size=(width, height),
    )


def _coverage(alpha: np.ndarray, points: np.ndarray) -> float:
    """How well ``alpha`` holds the person: 1 or more when face, the head above it and the
    chest are all held."""
    face, body = matte_coverage(alpha, points, points[CHIN], points[FOREHEAD])
    head_top = head_top_coverage(alpha, points)
    return min(
        (face or 0.0) / RETRY_BELOW_FACE,
        1.0 if head_top is None else head_top / RETRY_BELOW_HEAD_TOP,
        1.0 if body is None else body / RETRY_BELOW_BODY,
    )


def head_top_coverage(alpha: np.ndarray, points: np.ndarray) -> float | None:
    """Mean alpha over a band of the head just above the face (HEAD_TOP_HEIGHT high,
    HEAD_TOP_WIDTH wide, following the face's tilt); None where it lies outside ``alpha``
    (the photo's top edge cuts the head: measure_crown deals with that)."""
    forehead, chin = points[FOREHEAD], points[CHIN]
    up = (forehead - chin) * HEAD_TOP_HEIGHT
    half = (points[CHEEK_LEFT] - points[CHEEK_RIGHT]) * HEAD_TOP_WIDTH / 2
    band = np.array([forehead - half, forehead + half, forehead + half + up, forehead - half + up])
    if band[:, 1].min() < 0 or cv2.contourArea(band.astype(np.float32)) < 4:
        return None
    return mean_over_hull(alpha, band)


def _retry_if_lost(
    alpha: np.ndarray, source: np.ndarray, crop: np.ndarray, factor: float, points: np.ndarray
) -> np.ndarray:
    """``alpha``, or a better matte from another version of the crop (RETRY_BELOW_FACE)."""
    best, best_coverage = alpha, _coverage(alpha, points)
    if best_coverage >= 1.0:
        return alpha
    height, width = crop.shape[:2]
    # The other resolution: larger from a small matte (MODNet is steadier near MAX_SIDE),
    # smaller from a large one.
    other = factor * (
        OTHER_RESOLUTION if max(width, height) <= SMALL_NETWORK else 1 / OTHER_RESOLUTION
    )
    resized = cv2.resize(
        source,
        _network_size(source.shape[1], source.shape[0], other),
        interpolation=cv2.INTER_AREA if other < 1 else cv2.INTER_LINEAR,
    )
    retries = (
        lambda: _deblocked_alpha(source, min(factor, 1.0), (width, height)),
        lambda: estimate_alpha(_stretched(crop)),
        lambda: _resized(estimate_alpha(resized), (width, height)),
        lambda: _resized(estimate_alpha(_stretched(resized)), (width, height)),
    )
    for retry in retries:
        candidate = retry()
        coverage = _coverage(candidate, points)
        if coverage > best_coverage:
            best, best_coverage = candidate, coverage
        if best_coverage >= 1.0:
            break
    return best


def _deblocked_alpha(source: np.ndarray, factor: float, size: tuple[int, int]) -> np.ndarray:
    """MODNet on ``source`` resized by ``factor`` and smoothed, alpha resized to ``size``."""
    height, width = source.shape[:2]
    small = cv2.resize(source, _network_size(width, height, factor), interpolation=cv2.INTER_AREA)
    smoothed = cv2.bilateralFilter(
        small, DEBLOCK_DIAMETER, DEBLOCK_SIGMA_COLOUR, DEBLOCK_SIGMA_SPACE
    )
    return _resized(estimate_alpha(smoothed), size)


def _resized(alpha: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(alpha, size, interpolation=cv2.INTER_LINEAR)


def _stretched(rgb: np.ndarray) -> np.ndarray:
    """Lightness stretched to full range; a grey photo also given a warm, skin-like hue."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lightness = lab[..., 0].astype(np.float32)
    low, high = np.percentile(lightness, STRETCH_PERCENTILES)
    stretched = (lightness - low) * (255.0 / max(high - low, 1.0))
    lab[..., 0] = np.clip(stretched, 0, 255).astype(np.uint8)
    chroma = np.abs(lab[..., 1:].astype(np.float32) - 128.0).sum(axis=2).mean()
    out = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    if chroma < GREY_CHROMA:
        grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None]
        out = np.clip(grey * np.array(WARM_TINT, np.float32), 0, 255).astype(np.uint8)
    return out


def _network_size(width: int, height: int, factor: float) -> tuple[int, int]:
    """``width`` x ``height`` scaled by ``factor``, rounded to MODNet's stride."""
    return (
        max(STRIDE, int(round(width * factor / STRIDE)) * STRIDE),
        max(STRIDE, int(round(height * factor / STRIDE)) * STRIDE),
    )


def mean_over_hull(alpha: np.ndarray, points: np.ndarray) -> float | None:
    """Mean alpha inside the convex hull of ``points`` (alpha's pixels); None if empty."""
    hull = cv2.convexHull(np.round(points).astype(np.int32))
    mask = np.zeros(alpha.shape, np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    return float(alpha[mask > 0].mean()) if mask.any() else None


def matte_coverage(
    alpha: np.ndarray, landmarks: np.ndarray, chin: np.ndarray, forehead: np.ndarray
) -> tuple[float | None, float | None]:
    """Mean alpha over the face hull, and over a chest box 0.3-0.7 face-lengths below the chin.

    ``alpha`` and the points are in the same (matte) frame; the chest box is ``None`` when
    it lies outside the matte (the photo stops there; BodyCutOff deals with that).
    """
    height, width = alpha.shape
    face_alpha = mean_over_hull(alpha, landmarks)
    face_length = float(np.linalg.norm(chin - forehead))
    x0, x1 = round(chin[0] - 0.3 * face_length), round(chin[0] + 0.3 * face_length)
    y0, y1 = round(chin[1] + 0.3 * face_length), round(chin[1] + 0.7 * face_length)
    box = alpha[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
    full = (y1 - y0) * (x1 - x0)
    body_alpha = float(box.mean()) if full > 0 and box.size >= 0.5 * full else None
    return face_alpha, body_alpha


@dataclass(frozen=True)
class Crown:
    y: float  # level-frame pixels
    status: str  # "found", "cut" (photo edge), "tight" (matted region edge), "missing"


def measure_crown(
    person: PersonMatte,
    to_level: np.ndarray,
    *,
    columns: tuple[float, float],
    forehead_y: float,
    search_top: float,
) -> Crown:
    """The head's top in the level frame: first row above the forehead with alpha > 0.5.

    ``columns`` is the head's x span and ``search_top`` how far up to look (level frame).
    """
    resolution = person.resolution
    x0, x1 = columns
    frame = np.array([[resolution, 0, -resolution * x0], [0, resolution, -resolution * search_top]])
    size = (
        max(2, int(np.ceil((x1 - x0) * resolution))),
        max(2, int(np.ceil((forehead_y - search_top) * resolution))),
    )
    alpha, covered = person.warped(_compose(frame, to_level), size)
    row, touching = crown_row(alpha, columns=(0, size[0]), below=size[1], in_source=covered)
    if row >= size[1] - 1:
        return Crown(y=forehead_y, status="missing")
    y = search_top + row / resolution
    if touching:
        return Crown(y=y, status="cut" if person.reaches_source_top else "tight")
    if row <= 0.5:
        return Crown(y=y, status="tight")
    return Crown(y=y, status="found")


def crown_row(
    alpha: np.ndarray,
    *,
    columns: tuple[float, float],
    below: float,
    in_source: np.ndarray | None = None,
    threshold: float = 0.5,
) -> tuple[float, bool]:
    """Topmost row above ``below`` where the head (alpha > 0.5) starts within ``columns``.

    Returns the row and whether the head touches the upper edge of the covered area
    there (``in_source`` marks covered pixels; without it, the frame's top row).
    """
    height, width = alpha.shape[:2]
    x0 = int(np.clip(np.floor(columns[0]), 0, width - 1))
    x1 = int(np.clip(np.ceil(columns[1]), x0 + 1, width))
    y1 = int(np.clip(np.ceil(below), 1, height))
    if in_source is not None:
        alpha = np.where(in_source > 0.99, alpha, 0.0)
    band = alpha[:y1, x0:x1] > threshold
    min_count = max(2, int(0.03 * (x1 - x0)))
    rows = np.flatnonzero(band.sum(axis=1) >= min_count)
    if rows.size == 0:
        return float(below), False
    top = int(rows[0])
    # Sub-pixel: the alpha profile crosses the threshold between top-1 and top.
    crown = float(top)
    if top > 0:
        span = alpha[top - 1 : top + 1, x0:x1]
        order = np.argsort(span[1])[-min_count:]
        a_prev, a_cur = float(span[0, order].mean()), float(span[1, order].mean())
        if a_cur > a_prev:
            crown = float(np.clip(top - (a_cur - threshold) / (a_cur - a_prev), top - 1, top))
    if in_source is None:
        return crown, top == 0
    inside = in_source[:, x0:x1] > 0.99
    first_inside = np.argmax(inside, axis=0)
    cols = np.flatnonzero(inside.any(axis=0))
    edge_alpha = alpha[first_inside[cols], x0 + cols]
    return crown, int((edge_alpha > threshold).sum()) >= min_count
