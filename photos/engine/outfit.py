"""Outfit change: dress the person in one of the 50 drawn outfits.

Follows "Outfit Change Parameters" in shared/reference/idphoto-api.txt (clothes_id
man_1..man_20, woman_1..woman_20, child_1..child_10). The outfits are drawn by
outfits/generate.py; catalogue.json holds each one's anchors in asset pixels.

Placement: the asset's ``neck_center`` goes to the neck level with the chin (the collar
line at chin + NECK_DROP face heights, centred on the neck found in the matte or, failing that,
between chin and face centre), scaled so its ``shoulder_width`` is ``shoulder_to_face``
face widths. The outfit is composited in three layers: the inside of the collar behind
the person, the head and neck of the person, then the garment in front. Everything of the
person below the neck line is hidden or removed, bare skin inside a neckline is checked
and repainted where the customer's own clothes show, and the garment's exposure follows
the light on the face. When the customer's neck is hidden (a turtleneck, a high collar), a
neck is drawn instead: a shaded, textured column a little narrower than the jaw that comes
out from under the jaw line.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from photos.engine import retouch
from photos.engine.background import three_channels
from photos.engine.errors import EngineError
from photos.engine.faces import FACE_OVAL

ASSET_DIR = Path(__file__).resolve().parent / "outfits"
THUMB_DIR = ASSET_DIR / "thumbs"

# "clothes_id: man_1~man_20, woman_1~woman_20, child_1~child_10" in the reference.
CLOTHES_IDS: tuple[str, ...] = (
    tuple(f"man_{i}" for i in range(1, 21))
    + tuple(f"woman_{i}" for i in range(1, 21))
    + tuple(f"child_{i}" for i in range(1, 11))
)

# Where the collar meets the sides of the neck, below the chin, in face heights. In a
# frontal portrait a shirt's collar meets the neck about level with the chin, so little
# neck shows (0.2 drew a long, thin neck above the outfit).
NECK_DROP = 0.0
# Where the neck widens into the shoulders, below the chin, in face heights: the drawn
# neck's profile, and the customer's own neck, are measured down to there, though the
# collar hides the lower part.
NECK_LENGTH = 0.2
# The garment's exposure follows the face: gain = (face L* / target) ** this, clamped.
LIGHT_FOLLOW = 0.5
LIGHT_GAIN_RANGE = (0.8, 1.08)

# Jaw contour between the jaw angles (FaceMesh), image-left to image-right for a frontal face.
JAW_LINE = (58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288)
# A drawn neck's half width in face widths: under the jaw, at its narrowest, at the collar.
NECK_HALF_TOP, NECK_HALF_MIN, NECK_HALF_BASE = 0.245, 0.235, 0.285
# ... and where it flares into the shoulders under the garment (never beyond it).
NECK_HALF_MAX = 0.4
# How far below the nose the margin kept for the ears reaches, in face heights: ear lobes
# hang to about the mouth (below the nose only skin and hair are kept there).
EAR_LOBES = 0.15
# Below this share of skin (or beard) between the jaw and the collar line, the neck is drawn.
NECK_SHOWS = 0.5
# A drawn neck's colour from the lower face's: L* and chroma factors.
NECK_LIGHTNESS, NECK_CHROMA = 0.99, 0.95
# A drawn neck's skin texture relative to the face's (a neck is smoother than a cheek).
NECK_TEXTURE = 0.75
# Where painted skin meets the customer's own neck, it fades in over this many face widths.
NECK_FEATHER = 0.015


class UnknownOutfit(EngineError, ValueError):
    code = "unknown_clothes_id"


@dataclass(frozen=True)
class OutfitAsset:
    id: str
    title: str
    group: str
    front: np.ndarray  # (h, w, 4) uint8 RGBA, premultiplied
    back: np.ndarray  # (bh, bw, 4) uint8 RGBA premultiplied, the inside of the collar
    back_offset: tuple[int, int]
    skin: np.ndarray  # (sh, sw) uint8, where bare neck/chest shows
    skin_offset: tuple[int, int]
    neck_center: tuple[float, float]
    shoulder_width: float
    shoulder_to_face: float
    neck_width: float
    collar_top: int


@dataclass(frozen=True)
class Placement:
    """Where the outfit goes in the photo."""

    neck_x: float
    neck_y: float  # the collar line
    neck_base_y: float  # where the neck meets the shoulders, under the collar
    scale: float  # image pixels per asset pixel
    neck_half: float  # half the neck width in image pixels (measured or estimated)
    measured: bool


@lru_cache(maxsize=1)
def _entries() -> dict[str, dict]:
    data = json.loads((ASSET_DIR / "catalogue.json").read_text())
    return {entry["id"]: entry for entry in data["outfits"]}


def _entry(clothes_id: str) -> dict:
    entry = _entries().get(clothes_id) if isinstance(clothes_id, str) else None
    if entry is None:
        raise UnknownOutfit(
            f"Unknown clothes_id {clothes_id!r}. Use man_1 to man_20, woman_1 to woman_20 "
            "or child_1 to child_10."
        )
    return entry


def catalogue() -> list[dict]:
    """The outfits for the storefront picker, in CLOTHES_IDS order."""
    return [
        {
            "id": clothes_id,
            "title": _entry(clothes_id)["title"],
            "group": _entry(clothes_id)["group"],
            "thumbnail": str(thumbnail_path(clothes_id)),
        }
        for clothes_id in CLOTHES_IDS
    ]


def thumbnail_path(clothes_id: str) -> Path:
    """160x160 PNG of the outfit on a plain mannequin."""
    _entry(clothes_id)
    return THUMB_DIR / f"{clothes_id}.png"


def _read_png(path: Path, mode: str) -> np.ndarray:
    with Image.open(path) as image:
        array = np.asarray(image.convert(mode))
    array.setflags(write=False)
    return array


@lru_cache(maxsize=8)
def load_asset(clothes_id: str) -> OutfitAsset:
    entry = _entry(clothes_id)
    return OutfitAsset(
        id=clothes_id,
        title=entry["title"],
        group=entry["group"],
        front=_premultiplied(_read_png(ASSET_DIR / f"{clothes_id}.png", "RGBA")),
        back=_premultiplied(_read_png(ASSET_DIR / f"{clothes_id}_back.png", "RGBA")),
        back_offset=tuple(entry["back_offset"]),
        skin=_read_png(ASSET_DIR / f"{clothes_id}_skin.png", "L"),
        skin_offset=tuple(entry["skin_offset"]),
        neck_center=tuple(entry["neck_center"]),
        shoulder_width=float(entry["shoulder_width"]),
        shoulder_to_face=float(entry["shoulder_to_face"]),
        neck_width=float(entry["neck_width"]),
        collar_top=int(entry["collar_top"]),
    )


# --------------------------------------------------------------------------- placement


def _measure_neck(
    alpha: np.ndarray, landmarks: np.ndarray, x_guess: float, y_top: float, y_bottom: float
):
    """Centre and width of the neck from the matte: the narrowest run of person pixels
    through ``x_guess`` between the chin and the neck line. None when it does not look
    like a neck (covered by hair, a scarf or a collar)."""
    h, w = alpha.shape
    rows = np.arange(int(np.ceil(y_top)), int(np.floor(y_bottom)) + 1)
    rows = rows[(rows >= 0) & (rows < h)]
    xg = int(round(np.clip(x_guess, 0, w - 1)))
    found = []
    for y in rows:
        line = alpha[y] > 0.5
        if not line[xg]:
            continue
        left = xg - np.argmin(line[xg::-1]) if not line[: xg + 1].all() else 0
        right = xg + np.argmin(line[xg:]) if not line[xg:].all() else w
        if left == 0 or right == w:
            continue  # the run reaches the frame edge: not a neck
        found.append((right - left, (left + right - 1) / 2))
    if len(found) < 2:
        return None
    widths = np.array([f[0] for f in found], float)
    centres = np.array([f[1] for f in found], float)
    narrow = widths <= np.percentile(widths, 30)
    return float(np.median(widths[narrow])), float(np.median(centres[narrow]))


def place_outfit(alpha: np.ndarray, landmarks: np.ndarray, asset: OutfitAsset) -> Placement:
    lm = np.asarray(landmarks, dtype=np.float64)
    fw = retouch.face_width(lm)
    fh = retouch.face_height(lm)
    chin = lm[retouch.CHIN]
    face_mid_x = (lm[retouch.CHEEK_LEFT][0] + lm[retouch.CHEEK_RIGHT][0]) / 2
    neck_x = 0.5 * chin[0] + 0.5 * face_mid_x
    neck_y = chin[1] + NECK_DROP * fh
    neck_base_y = chin[1] + NECK_LENGTH * fh
    scale = asset.shoulder_to_face * fw / asset.shoulder_width
    neck_half = asset.neck_width * scale / 2
    measured = _measure_neck(alpha, lm, neck_x, chin[1] + 0.06 * fh, neck_base_y)
    is_neck = measured is not None and 0.45 * fw <= measured[0] <= 0.95 * fw
    if is_neck and abs(measured[1] - neck_x) < 0.15 * fw:
        neck_half = measured[0] / 2
        neck_x = measured[1]
    return Placement(
        neck_x=neck_x,
        neck_y=neck_y,
        neck_base_y=neck_base_y,
        scale=scale,
        neck_half=neck_half,
        measured=is_neck,
    )


def _premultiplied(rgba: np.ndarray) -> np.ndarray:
    """uint8 RGBA with colour multiplied by alpha, so resampling leaves no dark fringes."""
    out = rgba.copy()
    alpha = np.repeat(rgba[..., 3:4], 3, axis=2)
    out[..., :3] = cv2.multiply(rgba[..., :3], alpha, scale=1.0 / 255.0)
    out.setflags(write=False)
    return out


def _warp(
    layer: np.ndarray, scale: float, src_xy, dst_xy, size, *, extend_down: bool
) -> np.ndarray:
    """Scale ``layer`` by ``scale`` and move asset point src_xy onto image point dst_xy.

    With ``extend_down`` the last row repeats below the asset, so the garment reaches the
    bottom of any frame (its side columns and top row are transparent, so nothing else
    repeats)."""
    h, w = layer.shape[:2]
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(
        layer, (new_w, new_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    )
    sx, sy = new_w / w, new_h / h
    tx = dst_xy[0] - src_xy[0] * sx
    ty = dst_xy[1] - src_xy[1] * sy
    matrix = np.float32([[1, 0, tx], [0, 1, ty]])
    border = cv2.BORDER_REPLICATE if extend_down else cv2.BORDER_CONSTANT
    out = cv2.warpAffine(resized, matrix, size, flags=cv2.INTER_LINEAR, borderMode=border)
    if out.dtype == np.uint8:
        out = out.astype(np.float32) / 255.0
    if out.ndim == 2:
        out = out[..., None]
    if extend_down:
        # BORDER_REPLICATE also repeats sideways and upwards; keep only the downward repeat.
        top = int(np.floor(ty))
        if top > 0:
            out[:top] = 0
        left, right = int(np.floor(tx)), int(np.ceil(tx + new_w))
        if left > 0:
            out[:, :left] = 0
        if right < size[0]:
            out[:, right:] = 0
    return out


# --------------------------------------------------------------------------- helpers


def _lab(image_rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image_rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _colour_weight(
    lab: np.ndarray,
    sample: np.ndarray,
    *,
    spread: float,
    l_tolerance: float,
    max_std: tuple[float, float] | None = None,
) -> np.ndarray | None:
    """1 where a pixel's colour fits the sample's Lab Gaussian, falling to 0 beyond ``spread``
    standard deviations. ``l_tolerance`` widens lightness so shading is not mistaken for a
    different material. The model is fitted robustly (outliers trimmed twice) and, with
    ``max_std`` (lightness, chroma), kept from growing so broad that it fits anything."""
    pixels = lab[sample].astype(np.float64)
    if len(pixels) < 30:
        return None
    mean, cov = pixels.mean(axis=0), np.cov(pixels.T) + np.eye(3) * 1e-3
    for _ in range(2):
        d = pixels - mean
        dist2 = np.sum((d @ np.linalg.inv(cov)) * d, axis=1)
        core = pixels[dist2 < 2.5**2]
        if len(core) < 30:
            break
        mean, cov = core.mean(axis=0), np.cov(core.T) + np.eye(3) * 1e-3
    if max_std is not None:
        limit = np.array([max_std[0], max_std[1], max_std[1]])
        scale = np.minimum(1.0, limit / np.sqrt(np.diag(cov)))
        cov = cov * np.outer(scale, scale)
    cov = cov + np.diag([4.0 + l_tolerance**2, 2.0, 2.0])
    dist = retouch.mahalanobis(lab, mean, cov)
    return np.clip(1.0 - (dist - spread) / 1.5, 0.0, 1.0)


def _light_gain(image_rgb: np.ndarray, landmarks: np.ndarray, placement: Placement, shape):
    """Exposure of the garment from the face: overall level and left/right falloff."""
    h, w = shape
    right = retouch._polygon_mask(shape, landmarks[[116, 117, 118, 101, 36, 205, 187, 123]]) > 0.5
    left = retouch._polygon_mask(shape, landmarks[[345, 346, 347, 330, 266, 425, 411, 352]]) > 0.5
    if right.sum() < 5 or left.sum() < 5:
        return np.ones((h, w), np.float32)
    l_right = float(np.median(_lab(image_rgb[right][None])[0, :, 0]))
    l_left = float(np.median(_lab(image_rgb[left][None])[0, :, 0]))
    face = max((l_right + l_left) / 2, 1.0)
    level = float(np.clip((face / retouch.TARGET_FACE_LSTAR) ** LIGHT_FOLLOW, *LIGHT_GAIN_RANGE))
    tilt = float(np.clip((l_left - l_right) / (l_left + l_right + 1e-6), -0.15, 0.15))
    half = max(placement.scale * 500.0, 1.0)
    xs = np.clip((np.arange(w, dtype=np.float32) - placement.neck_x) / half, -1.2, 1.2)
    # image-left is the subject's right cheek
    gain = level * (1.0 + 0.6 * tilt * xs)
    return np.broadcast_to(gain[None, :], (h, w)).astype(np.float32)


def _grain(image_rgb: np.ndarray, skin: np.ndarray, shape, seed: int) -> np.ndarray:
    """Noise like the photo's own, so the drawn garment is not cleaner than the picture."""
    luma = image_rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    high = luma - cv2.GaussianBlur(luma, (0, 0), 1.0)
    values = high[skin] if skin.sum() > 50 else high.ravel()
    sigma = float(np.clip(0.7 * 1.4826 * np.median(np.abs(values - np.median(values))), 0.0, 4.0))
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(shape).astype(np.float32) * sigma / 255.0
    return cv2.GaussianBlur(noise, (0, 0), 0.6)


# --------------------------------------------------------------------------- compositing


def apply_outfit(
    image_rgb: np.ndarray, alpha: np.ndarray, landmarks: np.ndarray, clothes_id: str
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the person's clothes with outfit ``clothes_id``; returns (rgb, alpha).

    ``image_rgb`` is the fitted photo (head and shoulders), ``alpha`` its person matte in
    0..1, ``landmarks`` the 478 FaceMesh points. The returned alpha is 1 wherever the
    garment is, so the outfit reaches the bottom and sides of the frame.
    """
    asset = load_asset(clothes_id)
    image_rgb = np.asarray(image_rgb)
    if image_rgb.ndim != 3 or image_rgb.shape[2] != 3:
        raise ValueError("image_rgb must be an (H, W, 3) array")
    h, w = image_rgb.shape[:2]
    alpha = np.clip(np.asarray(alpha, dtype=np.float32), 0.0, 1.0)
    if alpha.shape != (h, w):
        raise ValueError("alpha must have the image's height and width")
    lm = np.asarray(landmarks, dtype=np.float64)
    fw = retouch.face_width(lm)
    fh = retouch.face_height(lm)
    place = place_outfit(alpha, lm, asset)
    size = (w, h)
    dst = (place.neck_x, place.neck_y)

    front = _warp(asset.front, place.scale, asset.neck_center, dst, size, extend_down=True)
    back_src = (
        asset.neck_center[0] - asset.back_offset[0],
        asset.neck_center[1] - asset.back_offset[1],
    )
    back = _warp(asset.back, place.scale, back_src, dst, size, extend_down=False)
    skin_src = (
        asset.neck_center[0] - asset.skin_offset[0],
        asset.neck_center[1] - asset.skin_offset[1],
    )
    opening = _warp(asset.skin, place.scale, skin_src, dst, size, extend_down=False)[..., 0]
    front_a = front[..., 3]
    back_a = back[..., 3]

    gain = _light_gain(image_rgb, lm, place, (h, w))
    # Everything below works in a window round the lower head and neck; outside it the
    # customer's body below the face just goes.
    eye_y = max(lm[retouch.IRIS_RIGHT][1], lm[retouch.IRIS_LEFT][1])
    y0 = int(np.clip(eye_y - 0.4 * fh, 0, h - 1))
    x0 = int(np.clip(place.neck_x - 1.2 * fw, 0, w - 1))
    x1 = int(np.clip(place.neck_x + 1.2 * fw, x0 + 1, w))
    window = (slice(y0, h), slice(x0, x1))
    lm_w = lm - [x0, y0]
    place_w = dataclasses.replace(
        place,
        neck_x=place.neck_x - x0,
        neck_y=place.neck_y - y0,
        neck_base_y=place.neck_base_y - y0,
    )
    rgb_w = image_rgb[window]
    lab_w = _lab(rgb_w)
    lower_face = _lower_face_skin(rgb_w, lm_w)
    grain = _grain(rgb_w, lower_face, (h, w), seed=sum(map(ord, clothes_id)))
    gain3 = three_channels(gain)
    front[..., :3] = front[..., :3] * gain3 + three_channels(grain * front_a)
    back[..., :3] *= gain3

    ys = np.arange(h, dtype=np.float32)[:, None]
    lower = _smoothstep((ys - (eye_y + 0.2 * fh)) / (0.1 * fh))
    keep = 1.0 - lower * (1.0 - opening)
    keep[window], fill, fill_weight = _head_and_neck(
        rgb_w,
        lab_w,
        lower_face,
        alpha[window],
        lm_w,
        place_w,
        opening[window],
        fw,
        fh,
    )
    person_a = alpha * keep
    person = image_rgb.astype(np.float32) / 255.0 * three_channels(person_a)
    q = three_channels(fill_weight)
    person[window] = person[window] * (1 - q) + (fill + three_channels(grain[window])) * q
    person_a[window] = person_a[window] * (1 - fill_weight) + fill_weight

    # Contact shadow where the garment's edge meets skin (collar on the neck, V edges).
    ring = np.clip(cv2.GaussianBlur(front_a, (0, 0), max(0.025 * fw, 0.8)) - front_a, 0.0, 1.0)
    person *= three_channels(1.0 - 0.55 * ring)

    out_a = front_a + (1 - front_a) * (person_a + (1 - person_a) * back_a)
    out = front[..., :3] + three_channels(1 - front_a) * (
        person + three_channels(1 - person_a) * back[..., :3]
    )
    rgb = np.where(
        three_channels(out_a) > 1e-4,
        out / three_channels(np.maximum(out_a, 1e-4)),
        image_rgb.astype(np.float32) / 255.0,
    )
    rgb_u8 = np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)
    return rgb_u8, np.clip(out_a, 0.0, 1.0)


def _head_and_neck(
    rgb, lab, lower_face, alpha, lm, place: Placement, opening, fw: float, fh: float
):
    """Inside the window round the lower head: which person pixels stay, and a bare neck
    (colour, weight) painted where clothes cover what should be skin.

    What is not head, hair or neck goes: the customer's shoulders and clothes below the
    chin outside the neck column, and anything beside the lower face that is not hair (a
    coat collar, a suit ring). In the neck column below the jaw and inside the garment's
    neckline, pixels that are not skin (a turtleneck, a T-shirt, the background) are
    repainted in the customer's skin colour; hair under the chin (a beard) is left alone.
    When little of the customer's own neck shows, a whole neck is drawn instead.
    """
    h, w = alpha.shape
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    column = 1.0 - _smoothstep((np.abs(xs - place.neck_x) - place.neck_half) / (0.04 * fw) + 0.5)
    skin_like = _colour_weight(lab, lower_face, spread=3.0, l_tolerance=10.0)
    if skin_like is None:
        skin_like = np.ones((h, w), np.float32)
    hair = _hair_weight(lab, alpha, lm, fw, fh, skin_like)
    if hair is None:
        hair = np.zeros((h, w), np.float32)
    # Hair hangs close to the head; further out or lower down, a hair-coloured area is clothing.
    hair *= 1.0 - _smoothstep((np.abs(xs - place.neck_x) - 0.8 * fw) / (0.15 * fw))
    hair *= 1.0 - _smoothstep((ys - (place.neck_base_y + 0.5 * fh)) / (0.3 * fh))

    oval = lm[list(FACE_OVAL)]
    face = retouch._polygon_mask((h, w), oval)
    # The head keeps a margin for ears and hair down to the nose, and hugs the jaw below.
    ears = retouch._polygon_mask((h, w), retouch._dilate_polygon(oval, 0.16 * fw))
    ears *= 1.0 - _smoothstep((ys - lm[retouch.NOSE_BOTTOM][1] - EAR_LOBES * fh) / (0.15 * fh))
    hugging = retouch._polygon_mask((h, w), retouch._dilate_polygon(oval, 0.015 * fw))
    head = cv2.GaussianBlur(np.maximum(ears, hugging), (0, 0), max(0.015 * fw, 0.7))
    # Round the jaw, only skin or hair stays: a shirt collar touching it goes.
    inner = retouch._polygon_mask((h, w), retouch._dilate_polygon(oval, -0.02 * fw))
    above_jaw = 1.0 - _smoothstep((ys - lm[retouch.NOSE_BOTTOM][1]) / (0.1 * fh))
    # (the skin weight varies pixel to pixel in shadow: smoothed, or the jaw's edge frays)
    like = cv2.GaussianBlur(np.maximum(skin_like, hair), (0, 0), max(0.015 * fw, 0.7))
    head *= np.maximum(np.maximum(inner, above_jaw), np.clip(1.5 * like, 0.0, 1.0))
    eye_y = max(lm[retouch.IRIS_RIGHT][1], lm[retouch.IRIS_LEFT][1])
    lower = _smoothstep((ys - (eye_y + 0.2 * fh)) / (0.1 * fh))
    remove = lower * (1.0 - head) * (1.0 - column) * (1.0 - hair) * (1.0 - opening)
    keep = 1.0 - remove

    low = _smoothstep((ys - place.neck_y) / (0.12 * fw))
    under_face = 1.0 - cv2.GaussianBlur(face, (0, 0), max(0.01 * fw, 0.6))
    # (under the garment's soft edge too, so none of the old clothes shines through it)
    edge = cv2.dilate(opening * low, np.ones((3, 3), np.uint8))
    bare = np.maximum(column * under_face * lower, edge)
    if bare.max() <= 0.01:
        return keep, np.zeros((h, w, 3), np.float32), np.zeros((h, w), np.float32)
    # A beard is hair under the chin; there is no hair inside a neckline.
    keep_own = np.maximum(skin_like, hair * (1.0 - low)) * alpha
    # Grow what is replaced by a pixel, so no dark rim of the old clothes is left.
    grow = max(3, int(round(0.05 * fw)) | 1)
    replace = cv2.dilate(1.0 - keep_own, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    replace = cv2.GaussianBlur(replace, (0, 0), max(0.8, 0.01 * fw))
    own_neck = (column > 0.9) & (under_face > 0.9) & (lower > 0.9)
    own_neck &= (skin_like > 0.95) & (hair < 0.2) & (alpha > 0.95) & (ys < place.neck_base_y)
    own_neck &= replace < 0.02
    # away from the edges of what is replaced, where colours are mixed
    own_neck = cv2.erode(own_neck.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if _neck_shows(keep_own, lm, place, fw, fh):
        fill = _neck_fill(rgb, lower_face, own_neck, face, place, fw, fh)
        # The painted skin fades into the customer's own neck over a few pixels instead of
        # meeting it at a seam: the weight only grows (outwards from what is replaced, never
        # onto the face), so none of the old clothes shows through.
        weight = bare * replace
        soft = cv2.GaussianBlur(weight, (0, 0), max(1.0, NECK_FEATHER * fw))
        weight = np.maximum(weight, soft * bare)
        # the weight is relative to the person layer, which keeps its own pixels where q is 0
        return keep, fill, weight.astype(np.float32)

    # The neck is hidden (a turtleneck, a high collar, a scarf): a neck is drawn instead, a
    # column a little narrower than the jaw that comes out from under the jaw line. The
    # customer's pixels beside it go, the ones inside it are painted over (hair in front of
    # it, a beard, stays).
    sides, top = _neck_shape((h, w), lm, place, fw, fh)
    # (inside the neckline above the collar line, beside the neck, is the collar's inside)
    remove = lower * (1.0 - head) * (1.0 - sides) * (1.0 - hair) * (1.0 - edge)
    beard = cv2.GaussianBlur(hair * (1.0 - low) * alpha, (0, 0), max(0.01 * fw, 0.8))
    drawn = np.maximum(sides * top * lower, edge) * (1.0 - beard)
    fill = _drawn_neck(rgb, lower_face, lm, place, fw, fh)
    return 1.0 - remove, fill, drawn.astype(np.float32)


def _lower_face_skin(image_rgb: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """Bare skin of the face below the nose: the best sample of what a neck looks like."""
    skin = retouch.skin_mask(image_rgb, lm) > 0.6
    skin[: int(max(lm[retouch.NOSE_BOTTOM][1], 0))] = False
    if skin.sum() < 30:
        skin = retouch._cheek_sample_mask(image_rgb.shape[:2], lm) > 0.5
    return skin


def _hair_weight(
    lab: np.ndarray, alpha: np.ndarray, lm: np.ndarray, fw: float, fh: float, skin_like: np.ndarray
) -> np.ndarray | None:
    """How hair-like each pixel is, from what hangs beside the temples and cheeks.

    The top of the head is not sampled: it may be a hat."""
    h, w = alpha.shape
    oval = retouch._polygon_mask((h, w), retouch._dilate_polygon(lm[list(FACE_OVAL)], 0.08 * fw))
    eye_y = int(lm[retouch.IRIS_RIGHT][1])
    band = np.zeros((h, w), bool)
    band[max(eye_y - int(0.2 * fh), 0) : max(eye_y + int(0.35 * fh), 0)] = True
    near = np.abs(np.arange(w)[None, :] - lm[retouch.FOREHEAD][0]) < 0.85 * fw
    sample = band & near & (oval < 0.01) & (alpha > 0.95) & (skin_like < 0.3)
    weight = _colour_weight(lab, sample, spread=2.0, l_tolerance=6.0, max_std=(12.0, 6.0))
    if weight is None:
        return None
    # Hair is one piece hanging from the head: drop specks and anything not connected to
    # the sampled hair, or not reaching up beside the eyes (a collar raised beside the
    # jaw of a short-haired man was sampled as his hair).
    hairy = ((weight > 0.5) & (alpha > 0.5)).astype(np.uint8)
    size = max(3, int(round(0.03 * fw)) | 1)
    hairy = cv2.morphologyEx(
        hairy, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    )
    _count, labels, stats, _centroids = cv2.connectedComponentsWithStats(hairy)
    attached = np.unique(labels[sample & (hairy > 0)])
    attached = attached[(attached > 0) & (stats[attached, cv2.CC_STAT_TOP] <= eye_y)]
    hairy = np.isin(labels, attached).astype(np.float32)
    return cv2.GaussianBlur(hairy, (0, 0), 1.0)


def _spread_colour(rgb: np.ndarray, known: np.ndarray, fw: float) -> np.ndarray:
    """Every pixel gets the colour of the nearest known pixels (normalised convolution at
    growing scales): a smooth continuation of the customer's own skin."""
    known = known.astype(np.float32)
    out = np.zeros_like(rgb)
    filled = np.zeros(known.shape, np.float32)
    for scale in (0.04, 0.12, 0.35, 1.0):
        sigma = max(scale * fw, 1.0)
        weight = cv2.GaussianBlur(known, (0, 0), sigma)
        colour = (
            cv2.GaussianBlur(rgb * known[..., None], (0, 0), sigma)
            / np.maximum(weight, 1e-6)[..., None]
        )
        take = np.clip(weight / 0.15, 0.0, 1.0) * (1.0 - filled)
        out += colour * take[..., None]
        filled += take
    return out / np.maximum(filled, 1e-6)[..., None]


def _neck_fill(
    image_rgb, lower_face, own_neck, face, place: Placement, fw: float, fh: float
) -> np.ndarray:
    """A plausible bare neck and chest: the customer's own neck (or lower face) colour
    carried on downwards, shaded in lightness only like the drawn neck (a cylinder turning
    away from the light at its sides, darker in the shadow under the jaw when the neck
    itself is covered) and given a skin texture like the customer's, so it is not a flat,
    painted-looking fill."""
    h, w = image_rgb.shape[:2]
    rgb = image_rgb.astype(np.float32) / 255.0
    # The customer's own neck counts when a fair part of it shows between chin and collar.
    rows = np.nonzero(own_neck.any(axis=1))[0]
    tall = len(rows) > 0 and rows[-1] - rows[0] >= 0.1 * fh
    big = own_neck.sum() >= max(20.0, 0.15 * 2 * place.neck_half * 0.2 * fh)
    # a neck in deep shadow (or mistaken hair) is a poor model for a bare neckline
    luma_w = np.array([0.299, 0.587, 0.114], np.float32)
    luma = rgb @ luma_w
    lit = (
        big
        and lower_face.any()
        and (np.median(luma[own_neck]) >= 0.75 * np.median(luma[lower_face]))
    )
    if tall and big and lit:
        known, jaw_shadow, lift = own_neck, 0.0, 1.0
    elif lower_face.sum() >= 5:
        known, jaw_shadow, lift = lower_face, 0.1, 1.0 / 0.95
    else:
        return np.broadcast_to(np.array([0.72, 0.57, 0.48], np.float32), (h, w, 3)).copy()
    # work at a small size: the colour is smooth anyway
    small = min(1.0, 40.0 / max(fw, 1.0))
    size = (max(1, round(w * small)), max(1, round(h * small)))
    rgb_s = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    known_s = cv2.resize(known.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.5
    base = _spread_colour(rgb_s, known_s, fw * small)
    base = np.clip(cv2.resize(base, (w, h), interpolation=cv2.INTER_LINEAR) * lift, 0.0, 1.0)
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    across = np.clip((xs - place.neck_x) / max(place.neck_half, 1.0), -1.2, 1.2)
    cylinder = 1.08 - 0.3 * across**2
    # lowest face row in each column: the jaw line
    inside = face > 0.5
    jaw_y = np.where(inside.any(axis=0), h - 1 - np.argmax(inside[::-1], axis=0), 0).astype(
        np.float32
    )
    jaw_y = np.maximum.accumulate(np.maximum(jaw_y, 0)[None, :], axis=0)[0]
    under_jaw = 0.92 - jaw_shadow * (1.0 - _smoothstep((ys - jaw_y[None, :]) / (0.3 * fh)))
    shade = cylinder * under_jaw
    # the texture of the skin it continues (the own neck's, or else the face's)
    shade = shade * (1.0 + _skin_texture(luma, known, (h, w)))
    # Shading darkens the lightness (L* goes roughly as the 0.73th power of an sRGB value)
    # and leaves the colour: skin in shadow stays as coloured, it does not turn grey.
    lab = cv2.cvtColor(base.astype(np.float32), cv2.COLOR_RGB2Lab)
    lab[..., 0] *= np.maximum(shade, 0.0) ** 0.73
    lab[..., 1:] *= NECK_CHROMA
    return np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 0.0, 1.0)


def _jaw_y(lm: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """The lower edge of the face (jaw and chin) at each x."""
    points = lm[list(JAW_LINE)]
    order = np.argsort(points[:, 0])
    return np.interp(xs, points[order, 0], points[order, 1]).astype(np.float32)


def _neck_half(ys: np.ndarray, chin_y: float, neck_y: float, fw: float) -> np.ndarray:
    """Half width of a drawn neck at each row: a little narrower just under the jaw, wider
    towards the collar and flaring towards the shoulders below it, with no kinks."""
    t = np.maximum((ys - chin_y) / max(neck_y - chin_y, 1.0), 0.0)
    pinch = 0.35
    upper = NECK_HALF_MIN + (NECK_HALF_TOP - NECK_HALF_MIN) * ((pinch - t) / pinch) ** 2
    spread = NECK_HALF_BASE - NECK_HALF_MIN
    middle = NECK_HALF_MIN + spread * ((t - pinch) / (1 - pinch)) ** 2
    slope = 2 * spread / (1 - pinch)
    flare = NECK_HALF_MAX - NECK_HALF_BASE
    below = NECK_HALF_BASE + flare * np.tanh(slope * (t - 1) / flare)
    half = np.where(t < pinch, upper, np.where(t < 1, middle, below))
    return (half * fw).astype(np.float32)


def _neck_shape(shape, lm: np.ndarray, place: Placement, fw: float, fh: float):
    """A drawn neck as (sides, top), both 0..1: the column between its curved sides, and
    where it comes out from under the jaw line (a soft edge along the jaw contour)."""
    h, w = shape
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    half = _neck_half(ys, lm[retouch.CHIN][1], place.neck_base_y, fw)
    soft = max(1.0, 0.012 * fw)
    sides = _smoothstep((half - np.abs(xs - place.neck_x)) / (2 * soft) + 0.5)
    feather = max(3.0, 0.035 * fh)
    jaw = _jaw_y(lm, xs[0])[None, :]
    top = _smoothstep((ys - jaw) / feather + 0.3)
    return sides.astype(np.float32), top.astype(np.float32)


def _neck_shows(keep_own: np.ndarray, lm: np.ndarray, place: Placement, fw: float, fh: float):
    """Whether the customer's own neck (or a beard) shows under the chin: then it stays and
    only what covers it is repainted; otherwise a whole neck is drawn."""
    h, w = keep_own.shape
    x0 = int(np.clip(place.neck_x - 0.18 * fw, 0, w - 1))
    x1 = int(np.clip(place.neck_x + 0.18 * fw, x0 + 1, w))
    top = _jaw_y(lm, np.arange(x0, x1, dtype=np.float32)) + 0.04 * fh
    ys = np.arange(h, dtype=np.float32)[:, None]
    core = (ys > top[None, :]) & (ys < place.neck_base_y)
    if core.sum() < 10:
        return False
    return bool(np.mean(keep_own[:, x0:x1][core] > 0.5) >= NECK_SHOWS)


def _drawn_neck(image_rgb, lower_face, lm: np.ndarray, place: Placement, fw: float, fh: float):
    """Colour of a drawn neck (and the chest below it) for every pixel.

    The colour is the lower face's, a little darker and less saturated (a neck is mostly in
    shadow); the jaw casts a shadow that fades downwards, the sides turn away from the
    light like a cylinder, the left/right light follows the face, and the skin gets a
    texture like the face's (pores, blotches) so it is not a flat fill."""
    h, w = image_rgb.shape[:2]
    rgb = image_rgb.astype(np.float32) / 255.0
    if lower_face.sum() >= 5:
        lab = cv2.cvtColor(rgb[lower_face][None], cv2.COLOR_RGB2Lab)[0]
        l_star, a_star, b_star = np.median(lab, axis=0)
    else:
        l_star, a_star, b_star = 68.0, 12.0, 17.0

    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    chin_y = lm[retouch.CHIN][1]
    half = _neck_half(ys, chin_y, place.neck_base_y, fw)
    across = np.clip((xs - place.neck_x) / half, -1.3, 1.3)
    t = (ys - chin_y) / max(place.neck_base_y - chin_y, 1.0)
    # round like a cylinder down to the collar, flatter on the chest below
    roundness = 0.22 * (1.0 - _smoothstep((t - 1.0) / 1.2))
    shade = 1.0 - roundness * across**2
    luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if lower_face.sum() >= 10:
        left = lower_face & (xs < lm[retouch.CHIN][0])
        right = lower_face & (xs >= lm[retouch.CHIN][0])
        if left.sum() >= 5 and right.sum() >= 5:
            l_left, l_right = float(np.median(luma[left])), float(np.median(luma[right]))
            tilt = np.clip((l_right - l_left) / (l_left + l_right + 1e-6), -0.15, 0.15)
            shade = shade * (1.0 + 0.8 * tilt * np.clip(across, -1.0, 1.0))
    # the shadow the jaw casts, darkest right under it
    below_jaw = np.maximum(ys - _jaw_y(lm, xs[0])[None, :], 0.0)
    shade = shade * (1.0 - 0.25 * np.exp(-below_jaw / (0.07 * fh)))
    shade = shade * (0.95 + 0.05 * _smoothstep(t))
    shade = shade * (1.0 + _skin_texture(luma, lower_face, (h, w)))
    # Shading darkens the lightness (L* goes roughly as the 0.73th power of an sRGB value)
    # and leaves the chroma: skin in shadow stays as coloured, it does not turn grey.
    lab = np.empty((h, w, 3), np.float32)
    lab[..., 0] = NECK_LIGHTNESS * l_star * np.maximum(shade, 0.0) ** 0.73
    lab[..., 1] = NECK_CHROMA * a_star
    lab[..., 2] = NECK_CHROMA * b_star
    return np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 0.0, 1.0)


def _skin_texture(luma: np.ndarray, skin: np.ndarray, shape) -> np.ndarray:
    """Relative lightness variation like the face's pores and blotches, at two scales."""
    if skin.sum() < 50:
        return np.zeros(shape, np.float32)
    level = max(float(np.median(luma[skin])), 0.05)
    out = np.zeros(shape, np.float32)
    rng = np.random.default_rng(7)
    for small, large in ((0.0, 1.2), (1.2, 3.0)):
        band = cv2.GaussianBlur(luma, (0, 0), large) - (
            cv2.GaussianBlur(luma, (0, 0), small) if small else luma
        )
        values = band[skin]
        sigma = 1.4826 * float(np.median(np.abs(values - np.median(values))))
        noise = rng.standard_normal(shape).astype(np.float32)
        noise = cv2.GaussianBlur(noise, (0, 0), small) if small else noise
        noise -= cv2.GaussianBlur(noise, (0, 0), large)
        noise *= sigma / max(float(noise.std()), 1e-6)
        out += noise
    return np.clip(NECK_TEXTURE * out / level, -0.15, 0.15)
