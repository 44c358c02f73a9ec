"""Beauty enhancement: brighten, smooth skin, thin face, sharpen.

Follows "Beauty Enhancement Parameters" in shared/reference/idphoto-api.txt: each effect
has a factor in [0, 1]; 0 (or None in ``apply_retouch``) leaves the photo pixel-identical.
The input is the fitted photo before it goes onto the new background; every effect is
local to the face except sharpening, which only touches edges, so a plain background
comes out unchanged.

Landmarks are the 478 MediaPipe FaceMesh points in pixel coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from photos.engine.faces import FACE_OVAL

# Landmark index lists from MediaPipe's FaceMesh topology
# (mediapipe/python/solutions/face_mesh_connections.py, the same edges as
# mediapipe.tasks.python.vision.FaceLandmarksConnections), chained into closed polygons.
FACEMESH_LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
FACEMESH_RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
FACEMESH_LEFT_EYEBROW = (276, 283, 282, 295, 285, 336, 296, 334, 293, 300)
FACEMESH_RIGHT_EYEBROW = (46, 53, 52, 65, 55, 107, 66, 105, 63, 70)
FACEMESH_LIPS = (
    61,
    185,
    40,
    39,
    37,
    0,
    267,
    269,
    270,
    409,
    291,
    375,
    321,
    405,
    314,
    17,
    84,
    181,
    91,
    146,
)
# Lower contour of FACEMESH_NOSE (tip, alae and nostrils), without the bridge.
FACEMESH_NOSTRILS = (48, 64, 98, 97, 2, 326, 327, 294, 278, 344, 440, 275, 4, 45, 220, 115)

# Jaw contour from the right cheek (234) over the chin (152) to the left cheek (454), with
# how strongly thin_face pulls each point in: nothing at the cheekbones or the chin point,
# most at the jaw angle and lower cheek.
JAW_CONTOUR = (
    (234, 0.0), (93, 0.1), (132, 0.35), (58, 0.7), (172, 0.9), (136, 1.0), (150, 1.0),
    (149, 0.8), (176, 0.5), (148, 0.2), (152, 0.0),
    (377, 0.2), (400, 0.5), (378, 0.8), (379, 1.0), (365, 1.0), (397, 0.9), (288, 0.7),
    (361, 0.35), (323, 0.1), (454, 0.0),
)  # fmt: skip

IRIS_RIGHT, IRIS_LEFT, CHIN, FOREHEAD, CHEEK_RIGHT, CHEEK_LEFT = 468, 473, 152, 10, 234, 454
NOSE_BOTTOM = 2
MOUTH_LEFT, MOUTH_RIGHT = 291, 61

# Target face brightness for brighten(): median skin L* ~ 63/100 (about 160/255), where
# ID-photo faces look evenly lit without washing out.
TARGET_FACE_LSTAR = 63.0
# thin_face at factor 1 moves the jaw angle in by this fraction of the face width.
THIN_FACE_MAX_SHIFT = 0.045


def face_width(landmarks: np.ndarray) -> float:
    """Cheek-to-cheek distance in pixels."""
    return float(np.linalg.norm(landmarks[CHEEK_LEFT] - landmarks[CHEEK_RIGHT]))


def face_height(landmarks: np.ndarray) -> float:
    """Forehead (top of the mesh) to chin in pixels."""
    return float(np.linalg.norm(landmarks[CHIN] - landmarks[FOREHEAD]))


# --------------------------------------------------------------------------- masks


def _polygon_mask(shape: tuple[int, int], points: np.ndarray, scale: int = 4) -> np.ndarray:
    """Anti-aliased filled polygon as float32 0..1."""
    mask = np.zeros(shape, np.uint8)
    pts = np.round(points * scale).astype(np.int32)
    cv2.fillPoly(mask, [pts], 255, lineType=cv2.LINE_AA, shift=2)
    return mask.astype(np.float32) / 255.0


def _feather(mask: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0.3:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), sigma)


def _dilate_polygon(points: np.ndarray, amount: float) -> np.ndarray:
    """Push polygon vertices away from its centroid by ``amount`` pixels."""
    centre = points.mean(axis=0)
    direction = points - centre
    norm = np.linalg.norm(direction, axis=1, keepdims=True)
    return points + direction / np.maximum(norm, 1e-6) * amount


def face_neck_mask(shape: tuple[int, int], landmarks: np.ndarray) -> np.ndarray:
    """Soft mask over the face and the neck below it, for tone changes."""
    fw = face_width(landmarks)
    fh = face_height(landmarks)
    oval = landmarks[list(FACE_OVAL)]
    mask = _polygon_mask(shape, oval)
    chin = landmarks[CHIN]
    jaw_r = landmarks[172]
    jaw_l = landmarks[397]
    neck_half = 0.33 * fw
    neck_bottom = chin[1] + 0.55 * fh
    neck = np.array(
        [
            jaw_r,
            jaw_l,
            [chin[0] + neck_half, neck_bottom],
            [chin[0] - neck_half, neck_bottom],
        ]
    )
    mask = np.maximum(mask, _polygon_mask(shape, neck))
    return np.clip(_feather(mask, 0.08 * fw), 0.0, 1.0)


def _skin_colour_weight(lab: np.ndarray, sample: np.ndarray, spread: float = 3.0) -> np.ndarray:
    """How skin-like each pixel is (1 = like the sample), from a Lab Gaussian model."""
    pixels = lab[sample > 0.5]
    if len(pixels) < 20:
        return np.ones(lab.shape[:2], np.float32)
    cov = np.cov(pixels.T) + np.diag([4.0, 1.0, 1.0])
    dist = mahalanobis(lab, pixels.mean(axis=0), cov)
    # Fully skin within `spread` standard deviations, falling off over the next two.
    return np.clip(1.0 - (dist - spread) / 2.0, 0.0, 1.0)


def mahalanobis(lab: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Per-pixel Mahalanobis distance of an (H, W, 3) image from a Gaussian colour model."""
    inv = np.linalg.inv(cov).astype(np.float32)
    d = [lab[..., i] - np.float32(mean[i]) for i in range(3)]
    dist2 = (
        inv[0, 0] * d[0] * d[0]
        + inv[1, 1] * d[1] * d[1]
        + inv[2, 2] * d[2] * d[2]
        + 2 * inv[0, 1] * d[0] * d[1]
        + 2 * inv[0, 2] * d[0] * d[2]
        + 2 * inv[1, 2] * d[1] * d[2]
    )
    return np.sqrt(np.maximum(dist2, 0.0))


def _cheek_sample_mask(shape: tuple[int, int], landmarks: np.ndarray) -> np.ndarray:
    """Two cheek patches (below the eyes, beside the nose) that are almost always bare skin."""
    right = landmarks[[116, 117, 118, 101, 36, 205, 187, 123]]
    left = landmarks[[345, 346, 347, 330, 266, 425, 411, 352]]
    return np.maximum(_polygon_mask(shape, right), _polygon_mask(shape, left))


def skin_mask(image_rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Soft mask of bare facial skin: face oval minus eyes, brows, lips, nostrils and hair."""
    shape = image_rgb.shape[:2]
    fw = face_width(landmarks)
    mask = _polygon_mask(shape, landmarks[list(FACE_OVAL)])
    for region, grow in (
        (FACEMESH_LEFT_EYE, 0.045),
        (FACEMESH_RIGHT_EYE, 0.045),
        (FACEMESH_LEFT_EYEBROW, 0.03),
        (FACEMESH_RIGHT_EYEBROW, 0.03),
        (FACEMESH_LIPS, 0.025),
        (FACEMESH_NOSTRILS, 0.0),
    ):
        hole = _polygon_mask(shape, _dilate_polygon(landmarks[list(region)], grow * fw))
        mask = np.minimum(mask, 1.0 - hole)
    lab = cv2.cvtColor(image_rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    mask *= _skin_colour_weight(lab, _cheek_sample_mask(shape, landmarks))
    return np.clip(_feather(mask, 0.015 * fw), 0.0, 1.0)


# --------------------------------------------------------------------------- effects


def _check_factor(factor: float) -> float:
    factor = float(factor)
    if not 0.0 <= factor <= 1.0:
        raise ValueError(f"retouch factor must be between 0 and 1, got {factor}")
    return factor


def _apply_lab_change(image_rgb: np.ndarray, lab: np.ndarray, new_lab: np.ndarray) -> np.ndarray:
    """Add the RGB difference of two Lab images to the original, so unchanged pixels stay exact."""
    before = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    after = cv2.cvtColor(new_lab, cv2.COLOR_Lab2RGB)
    out = image_rgb.astype(np.float32) + (after - before) * 255.0
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def brighten(image_rgb: np.ndarray, landmarks: np.ndarray, factor: float) -> np.ndarray:
    """Lift the face towards an even ID-photo exposure with a gamma curve on L*.

    The curve is chosen so the median L* of the facial skin moves ``factor`` of the way to
    TARGET_FACE_LSTAR; gamma keeps black and white fixed and lifts shadows most. It is
    blended in through a soft face-and-neck mask, so the background keeps its tone. A face
    already at or above the target is left alone rather than darkened.
    """
    factor = _check_factor(factor)
    if factor == 0.0:
        return image_rgb.copy()
    landmarks = np.asarray(landmarks, dtype=np.float64)
    shape = image_rgb.shape[:2]
    lab = cv2.cvtColor(image_rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    lightness = lab[..., 0]
    skin = skin_mask(image_rgb, landmarks) > 0.5
    if skin.sum() < 20:
        skin = _polygon_mask(shape, landmarks[list(FACE_OVAL)]) > 0.5
    median = float(np.median(lightness[skin])) if skin.any() else TARGET_FACE_LSTAR
    median = float(np.clip(median, 5.0, 95.0))
    wanted = median + factor * max(TARGET_FACE_LSTAR - median, 0.0)
    # A little lift for any face, so factor > 0 is always visible on an already good face.
    wanted = min(wanted + 2.5 * factor, 97.0)
    gamma = np.log(wanted / 100.0) / np.log(median / 100.0)
    gamma = float(np.clip(gamma, 0.45, 1.0))
    curved = 100.0 * np.power(np.clip(lightness / 100.0, 0.0, 1.0), gamma)
    weight = face_neck_mask(shape, landmarks)
    new_lab = lab.copy()
    new_lab[..., 0] = lightness + weight * (curved - lightness)
    return _apply_lab_change(image_rgb, lab, new_lab)


def smooth_skin(image_rgb: np.ndarray, landmarks: np.ndarray, factor: float) -> np.ndarray:
    """Edge-preserving smoothing of facial skin; pores stay, blotches and fine lines soften.

    A self-guided filter (radius ~3 % of the face width) flattens low-contrast variation
    while keeping strong edges; a share of the finest texture is put back so the skin does
    not turn to plastic. Blended in through ``skin_mask``.
    """
    factor = _check_factor(factor)
    if factor == 0.0:
        return image_rgb.copy()
    landmarks = np.asarray(landmarks, dtype=np.float64)
    fw = face_width(landmarks)
    mask = skin_mask(image_rgb, landmarks)
    ys, xs = np.nonzero(mask > 0.002)
    if len(ys) == 0:
        return image_rgb.copy()
    pad = int(np.ceil(0.1 * fw)) + 4
    h, w = mask.shape
    y0, y1 = max(ys.min() - pad, 0), min(ys.max() + pad + 1, h)
    x0, x1 = max(xs.min() - pad, 0), min(xs.max() + pad + 1, w)
    roi = image_rgb[y0:y1, x0:x1].astype(np.float32) / 255.0
    radius = max(2, int(round(0.03 * fw)))
    eps = (0.015 + 0.03 * factor) ** 2
    smoothed = cv2.ximgproc.guidedFilter(roi, roi, radius, eps)
    fine_sigma = max(0.6, 0.004 * fw)
    fine = roi - cv2.GaussianBlur(roi, (0, 0), fine_sigma)
    keep_fine = 0.7 - 0.25 * factor
    strength = (0.3 + 0.55 * factor) * mask[y0:y1, x0:x1, None]
    change = strength * ((smoothed - roi) + keep_fine * fine)
    out = image_rgb.astype(np.float32)
    out[y0:y1, x0:x1] += change * 255.0
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def _jaw_displacement(
    shape: tuple[int, int], landmarks: np.ndarray, factor: float
) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
    """Forward displacement field (dx, dy) over a window around the jaw, and the window.

    Each jaw point gets a vector towards the face's centre line; the vectors are
    interpolated along the contour and fade out with distance from it (smoothstep over
    ~22 % of the face width). Above the nose the field is zero, so the eyes do not move.
    """
    fw = face_width(landmarks)
    if fw < 8:
        return None
    indices = [i for i, _ in JAW_CONTOUR]
    weights = np.array([wt for _, wt in JAW_CONTOUR])
    jaw = landmarks[indices]
    top = landmarks[FOREHEAD]
    axis = landmarks[CHIN] - top
    axis /= max(np.linalg.norm(axis), 1e-6)
    normal = np.array([-axis[1], axis[0]])
    side = (jaw - top) @ normal  # signed distance from the centre line
    vectors = -np.sign(side)[:, None] * normal[None, :] * weights[:, None]
    vectors *= factor * THIN_FACE_MAX_SHIFT * fw

    reach = 0.22 * fw
    h, w = shape
    x0 = int(max(np.floor(jaw[:, 0].min() - reach - 2), 0))
    x1 = int(min(np.ceil(jaw[:, 0].max() + reach + 3), w))
    y0 = int(max(np.floor(jaw[:, 1].min() - reach - 2), 0))
    y1 = int(min(np.ceil(jaw[:, 1].max() + reach + 3), h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))

    # Densify the contour so the interpolation and the distance are smooth between landmarks.
    steps = 8
    t = np.linspace(0.0, 1.0, steps, endpoint=False)
    dense_pts = [jaw[i] + (jaw[i + 1] - jaw[i]) * s for i in range(len(jaw) - 1) for s in t]
    dense_vec = [
        vectors[i] + (vectors[i + 1] - vectors[i]) * s for i in range(len(jaw) - 1) for s in t
    ]
    dense_pts = np.array(dense_pts + [jaw[-1]], dtype=np.float32)
    dense_vec = np.array(dense_vec + [vectors[-1]], dtype=np.float32)

    spacing = 0.05 * fw
    # dx and dy in planes of their own: NumPy broadcasts k[..., None] * v over a last axis
    # of 2 about ten times slower than it multiplies a plane, and this loop runs ~130 times
    # (a US visa of Grace Hopper: 0.64 s per field on this machine, 0.11 s this way).
    num_x = np.zeros(gx.shape, np.float32)
    num_y = np.zeros(gx.shape, np.float32)
    den = np.zeros(gx.shape, np.float32)
    nearest = np.full(gx.shape, np.inf, np.float32)
    for p, v in zip(dense_pts, dense_vec, strict=True):
        d2 = (gx - p[0]) ** 2 + (gy - p[1]) ** 2
        k = np.exp(-d2 / (2 * spacing**2))
        num_x += k * v[0]
        num_y += k * v[1]
        den += k
        np.minimum(nearest, d2, out=nearest)
    # Normalised (Shepard) interpolation along the contour ...
    den = np.maximum(den, 1e-12)
    field = np.stack([num_x / den, num_y / den], axis=-1)
    # ... faded out away from it.
    fall = np.clip(1.0 - np.sqrt(nearest) / reach, 0.0, 1.0)
    fall = fall * fall * (3 - 2 * fall)
    # Nothing above the bottom of the nose: the eyes stay where they are.
    nose_y = landmarks[NOSE_BOTTOM][1]
    eye_y = max(landmarks[IRIS_RIGHT][1], landmarks[IRIS_LEFT][1])
    ramp = np.clip(((gy - eye_y) / max(nose_y - eye_y, 1.0) - 0.4) / 0.6, 0.0, 1.0)
    ramp = ramp * ramp * (3 - 2 * ramp)
    # And nothing at the image border, so the frame edge never bends.
    border = 0.05 * fw + 2
    edge = np.minimum.reduce([gx, w - 1 - gx, gy, h - 1 - gy]) / border
    edge = np.clip(edge, 0.0, 1.0)
    field *= (fall * ramp * edge)[..., None]
    return field, (x0, y0, x1, y1)


@dataclass(frozen=True)
class JawWarp:
    """The thin-face warp of one face, worked out once and applied to the photo, its
    matte and its landmarks alike (the field takes ~130 passes over the jaw's window)."""

    field: np.ndarray  # forward displacement (dx, dy) over the window
    window: tuple[int, int, int, int]  # x0, y0, x1, y1
    source_x: np.ndarray  # for each window pixel, where it is taken from
    source_y: np.ndarray

    @classmethod
    def build(cls, shape: tuple[int, int], landmarks: np.ndarray, factor: float) -> JawWarp | None:
        """None where there is nothing to move (factor 0, or a face too small)."""
        factor = _check_factor(factor)
        if factor == 0.0:
            return None
        landmarks = np.asarray(landmarks, dtype=np.float64)
        result = _jaw_displacement(shape, landmarks, factor)
        if result is None:
            return None
        field, (x0, y0, x1, y1) = result
        gx, gy = np.meshgrid(
            np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32)
        )
        # Output pixel q shows source pixel p where p + D(p) = q; iterate p = q - D(p).
        src_x, src_y = gx.copy(), gy.copy()
        fx, fy = field[..., 0], field[..., 1]
        for _ in range(4):
            lx = np.clip(src_x - x0, 0, x1 - x0 - 1)
            ly = np.clip(src_y - y0, 0, y1 - y0 - 1)
            dx = cv2.remap(fx, lx, ly, cv2.INTER_LINEAR)
            dy = cv2.remap(fy, lx, ly, cv2.INTER_LINEAR)
            src_x, src_y = gx - dx, gy - dy
        return cls(field, (x0, y0, x1, y1), src_x.astype(np.float32), src_y.astype(np.float32))

    def apply(self, image: np.ndarray) -> np.ndarray:
        """The warped copy of any (H, W) or (H, W, C) array of the shape it was built for."""
        x0, y0, x1, y1 = self.window
        out = image.copy()
        out[y0:y1, x0:x1] = cv2.remap(
            image,
            self.source_x,
            self.source_y,
            cv2.INTER_CUBIC if image.dtype == np.uint8 else cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return out

    def move(self, landmarks: np.ndarray) -> np.ndarray:
        """Where the landmarks are after the warp."""
        landmarks = np.asarray(landmarks, dtype=np.float64)
        x0, y0, x1, y1 = self.window
        moved = landmarks.copy()
        xi = np.clip(np.round(landmarks[:, 0]).astype(int) - x0, 0, x1 - x0 - 1)
        yi = np.clip(np.round(landmarks[:, 1]).astype(int) - y0, 0, y1 - y0 - 1)
        inside = (
            (landmarks[:, 0] >= x0)
            & (landmarks[:, 0] < x1)
            & (landmarks[:, 1] >= y0)
            & (landmarks[:, 1] < y1)
        )
        moved[inside] += self.field[yi[inside], xi[inside]]
        return moved


def thin_face(image: np.ndarray, landmarks: np.ndarray, factor: float) -> np.ndarray:
    """Slim the lower face by pulling the jaw contour towards the face's centre line.

    A smooth local warp (displacements defined on the jaw contour, interpolated and faded
    out within ~22 % of the face width), inverted by fixed-point iteration and applied with
    cv2.remap. At factor 1 the jaw angle moves in by THIN_FACE_MAX_SHIFT of the face width.
    Works on any (H, W) or (H, W, C) array, so the person matte can be warped identically
    (``JawWarp`` does both from one computation).
    """
    warp = JawWarp.build(image.shape[:2], landmarks, factor)
    return image.copy() if warp is None else warp.apply(image)


def thin_face_landmarks(landmarks: np.ndarray, factor: float, shape: tuple[int, int]) -> np.ndarray:
    """Where the landmarks are after ``thin_face`` with the same factor on an image of ``shape``."""
    warp = JawWarp.build(shape, landmarks, factor)
    return np.asarray(landmarks, dtype=np.float64).copy() if warp is None else warp.move(landmarks)


def sharpen(image_rgb: np.ndarray, factor: float) -> np.ndarray:
    """Print sharpening: unsharp mask on luminance, ~1 px radius, noise threshold, no halos.

    The detail layer (luma minus a sigma-1 blur) is cored below ~1.5 % so flat areas and
    sensor noise stay put, scaled by up to 1.6, and the result is clamped to the local 3x3
    range of the original luma plus a small margin, which removes halos around edges.
    The same luma change is added to R, G and B, so colours do not shift.
    """
    factor = _check_factor(factor)
    if factor == 0.0:
        return image_rgb.copy()
    rgb = image_rgb.astype(np.float32)
    luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    blurred = cv2.GaussianBlur(luma, (0, 0), 1.0)
    detail = luma - blurred
    threshold = 4.0
    detail = detail * (detail * detail) / (detail * detail + threshold * threshold)
    amount = 1.6 * factor
    sharp = luma + amount * detail
    kernel = np.ones((3, 3), np.uint8)
    margin = 2.0 * factor
    local_max = cv2.dilate(luma, kernel) + margin
    local_min = cv2.erode(luma, kernel) - margin
    sharp = np.clip(sharp, local_min, local_max)
    out = rgb + (sharp - luma)[..., None]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def apply_retouch(
    image_rgb: np.ndarray,
    landmarks: np.ndarray,
    *,
    bright: float | None = None,
    smooth: float | None = None,
    thin_face: float | None = None,
    sharp: float | None = None,
) -> np.ndarray:
    """All requested effects in order: thin face (geometry), brighten, smooth, sharpen.

    A caller that also holds a person matte warps the photo, the matte and the landmarks
    with one ``JawWarp`` instead, then asks for the other effects, so the matte keeps
    following the jaw (as engine/pipeline.py does).
    """
    out = image_rgb
    points = np.asarray(landmarks, dtype=np.float64)
    warp = JawWarp.build(out.shape[:2], points, thin_face) if thin_face else None
    if warp is not None:
        out = warp.apply(out)
        points = warp.move(points)
    if bright:
        out = brighten(out, points, bright)
    if smooth:
        out = smooth_skin(out, points, smooth)
    if sharp:
        out = sharpen(out, sharp)
    return out if out is not image_rgb else image_rgb.copy()
