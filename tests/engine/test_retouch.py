"""Beauty retouching on real portraits: each effect does what a customer would see, only
on the face, and nothing at factor 0."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photos.engine import faces, matte, retouch
from tests.engine.conftest import astronaut_image, grace_image

ID_SIZE = (295, 413)
FLAT_GREY = np.array([236, 236, 236], np.float32)


def fitted_portrait(image: np.ndarray, size: tuple[int, int] = ID_SIZE):
    """Head-and-shoulders crop like the fitted photo the pipeline hands over: face half the
    frame wide, chin at 62 % of the height. Returns (rgb, landmarks, person alpha)."""
    face = faces.find_face(image)
    width, height = size
    scale = 0.5 * width / face.face_width
    centre_x = (face.landmarks[faces.CHEEK_LEFT][0] + face.landmarks[faces.CHEEK_RIGHT][0]) / 2
    matrix = np.array(
        [
            [scale, 0.0, width / 2 - scale * centre_x],
            [0.0, scale, 0.62 * height - scale * face.chin[1]],
        ]
    )
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    rgb = cv2.warpAffine(image, matrix, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    landmarks = face.landmarks @ matrix[:, :2].T + matrix[:, 2]
    return rgb, landmarks, matte.estimate_alpha(rgb)


def on_flat_background(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha[..., None]
    return np.round(rgb * a + FLAT_GREY * (1 - a)).astype(np.uint8)


@pytest.fixture(scope="module")
def portraits(engine_models):
    """Grace Hopper and Eileen Collins as fitted ID photos on a flat studio grey."""
    out = {}
    for name, image in (("grace", grace_image()), ("astronaut", astronaut_image())):
        rgb, landmarks, alpha = fitted_portrait(np.asarray(image))
        out[name] = (on_flat_background(rgb, alpha), landmarks, alpha)
    return out


def face_mask(shape, landmarks) -> np.ndarray:
    return retouch._polygon_mask(shape, landmarks[list(faces.FACE_OVAL)]) > 0.5


def far_from_face(shape, landmarks, alpha) -> np.ndarray:
    """Background well away from the face (over half a face width)."""
    fw = retouch.face_width(landmarks)
    near = retouch._dilate_polygon(landmarks[list(faces.FACE_OVAL)], 0.55 * fw)
    return (retouch._polygon_mask(shape, near) < 0.01) & (alpha < 0.02)


def mean_abs_diff(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16))[mask].mean())


EFFECTS = {
    "brighten": lambda img, lm, f: retouch.brighten(img, lm, f),
    "smooth_skin": lambda img, lm, f: retouch.smooth_skin(img, lm, f),
    "thin_face": lambda img, lm, f: retouch.thin_face(img, lm, f),
    "sharpen": lambda img, lm, f: retouch.sharpen(img, f),
}


@pytest.mark.parametrize("effect", EFFECTS)
def test_factor_zero_is_pixel_identical(portraits, effect):
    image, landmarks, alpha = portraits["grace"]
    assert np.array_equal(EFFECTS[effect](image, landmarks, 0.0), image)


def test_apply_retouch_with_nothing_or_zeros_is_pixel_identical(portraits):
    image, landmarks, alpha = portraits["astronaut"]
    assert np.array_equal(retouch.apply_retouch(image, landmarks), image)
    zeros = retouch.apply_retouch(image, landmarks, bright=0, smooth=0, thin_face=0, sharp=0)
    assert np.array_equal(zeros, image)


@pytest.mark.parametrize("name", ["grace", "astronaut"])
@pytest.mark.parametrize("effect", EFFECTS)
def test_each_effect_changes_the_face_not_the_background(portraits, name, effect):
    image, landmarks, alpha = portraits[name]
    out = EFFECTS[effect](image, landmarks, 1.0)
    assert out.shape == image.shape and out.dtype == np.uint8
    inside = mean_abs_diff(out, image, face_mask(image.shape[:2], landmarks))
    outside = mean_abs_diff(out, image, far_from_face(image.shape[:2], landmarks, alpha))
    assert inside > 0.5, f"{effect} did not visibly change the face ({inside:.2f})"
    assert outside < 0.15 * inside and outside < 0.3, f"{effect} changed the background"


def lstar(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)[..., 0]


def test_brighten_lifts_a_dark_face_towards_a_good_exposure(portraits):
    image, landmarks, alpha = portraits["grace"]
    dark = np.round(image * 0.55).astype(np.uint8)
    skin = retouch.skin_mask(dark, landmarks) > 0.6
    before = np.median(lstar(dark)[skin])
    half = np.median(lstar(retouch.brighten(dark, landmarks, 0.5))[skin])
    full = np.median(lstar(retouch.brighten(dark, landmarks, 1.0))[skin])
    assert before < 45
    assert before + 4 < half < full
    assert full > 55  # near TARGET_FACE_LSTAR (63), not past it
    assert full < retouch.TARGET_FACE_LSTAR + 4


def test_brighten_does_not_blow_out_a_white_background(portraits):
    image, landmarks, alpha = portraits["astronaut"]
    white = image.copy()
    white[far_from_face(image.shape[:2], landmarks, alpha)] = 255
    out = retouch.brighten(white, landmarks, 1.0)
    background = far_from_face(image.shape[:2], landmarks, alpha)
    assert np.array_equal(out[background], white[background])


def laplacian_energy(image: np.ndarray, mask: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F))[mask].mean())


@pytest.mark.parametrize("name", ["grace", "astronaut"])
def test_smooth_skin_softens_skin_but_not_the_eyes(portraits, name):
    image, landmarks, alpha = portraits[name]
    shape = image.shape[:2]
    cheeks = retouch._cheek_sample_mask(shape, landmarks) > 0.5
    eyes = np.zeros(shape, bool)
    for region in (retouch.FACEMESH_LEFT_EYE, retouch.FACEMESH_RIGHT_EYE):
        eyes |= retouch._polygon_mask(shape, landmarks[list(region)]) > 0.5
    light = retouch.smooth_skin(image, landmarks, 0.3)
    strong = retouch.smooth_skin(image, landmarks, 1.0)
    before = laplacian_energy(image, cheeks)
    assert laplacian_energy(strong, cheeks) < 0.6 * before
    # low factors keep texture: a visible change, but far from flat
    assert 0.6 * before < laplacian_energy(light, cheeks) < 0.95 * before
    assert mean_abs_diff(strong, image, eyes) < 0.5


def jaw_inward_shift(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """How far each jaw-angle landmark moved towards the face's centre line (px)."""
    centre = before[retouch.CHIN][0]
    idx = [172, 136, 150, 397, 365, 379]
    side = np.sign(before[idx, 0] - centre)
    return -(after[idx, 0] - before[idx, 0]) * side


@pytest.mark.parametrize("name", ["grace", "astronaut"])
def test_thin_face_pulls_the_jaw_in_and_leaves_the_eyes(portraits, name):
    image, landmarks, alpha = portraits[name]
    fw = retouch.face_width(landmarks)
    slim = retouch.thin_face(image, landmarks, 1.0)
    before = faces.find_face(image).landmarks
    after = faces.find_face(slim).landmarks
    detected = jaw_inward_shift(before, after)
    predicted = jaw_inward_shift(
        landmarks, retouch.thin_face_landmarks(landmarks, 1.0, image.shape[:2])
    )
    # the warp moves the jaw angle in by ~4.5 % of the face width; the detector, which
    # also looks at the whole face, sees at least a third of that
    assert predicted.mean() == pytest.approx(retouch.THIN_FACE_MAX_SHIFT * fw, rel=0.25)
    assert detected.mean() > 1.5
    assert detected.mean() > 0.3 * predicted.mean()
    for iris in (retouch.IRIS_RIGHT, retouch.IRIS_LEFT):
        assert np.abs(after[iris] - before[iris]).max() <= 1.0
    # the warp itself leaves the eyes bit-identical
    for region in (retouch.FACEMESH_LEFT_EYE, retouch.FACEMESH_RIGHT_EYE):
        eye = retouch._polygon_mask(image.shape[:2], landmarks[list(region)]) > 0
        assert np.array_equal(slim[eye], image[eye])


def test_thin_face_warps_a_matte_the_same_way(portraits):
    image, landmarks, alpha = portraits["grace"]
    alpha = (image.astype(np.float32).mean(axis=2) < 200).astype(np.float32)
    warped = retouch.thin_face(alpha, landmarks, 1.0)
    assert warped.shape == alpha.shape and warped.dtype == np.float32
    assert not np.array_equal(warped, alpha)
    # the image's frame does not move: corners and edges stay put
    assert np.array_equal(warped[0], alpha[0]) and np.array_equal(warped[-1], alpha[-1])


def test_apply_retouch_runs_thin_face_first_and_keeps_eyes(portraits):
    image, landmarks, alpha = portraits["astronaut"]
    out = retouch.apply_retouch(image, landmarks, bright=0.5, smooth=0.5, thin_face=0.5, sharp=0.5)
    moved = retouch.thin_face_landmarks(landmarks, 0.5, image.shape[:2])
    assert np.abs(moved[[468, 473]] - landmarks[[468, 473]]).max() < 0.01
    assert mean_abs_diff(out, image, face_mask(image.shape[:2], landmarks)) > 1.0


def soft_step(size: int = 64) -> np.ndarray:
    """A slightly blurred dark square on a light ground, like an edge in a 300 dpi photo."""
    image = np.full((size, size, 3), 200, np.uint8)
    image[16:48, 16:48] = 60
    return cv2.GaussianBlur(image, (0, 0), 1.2)


def test_sharpen_raises_edge_contrast_without_halos():
    image = soft_step()
    out = retouch.sharpen(image, 1.0)
    grey_in = image[..., 0].astype(np.float32)
    grey_out = out[..., 0].astype(np.float32)
    grad_in = np.abs(np.diff(grey_in, axis=1)).max()
    grad_out = np.abs(np.diff(grey_out, axis=1)).max()
    assert grad_out > 1.2 * grad_in
    # no overshoot past the two sides' levels: no light or dark fringes
    assert grey_out.max() <= grey_in.max() + 2
    assert grey_out.min() >= grey_in.min() - 2
    # flat areas stay exactly flat (noise threshold)
    assert np.array_equal(out[:8, :8], image[:8, :8])


def test_sharpen_leaves_colour_alone(portraits):
    image, _, _ = portraits["grace"]
    out = retouch.sharpen(image, 1.0).astype(np.int16)
    chroma_in = image.astype(np.int16)[..., 0] - image.astype(np.int16)[..., 1]
    chroma_out = out[..., 0] - out[..., 1]
    changed = np.abs(out - image).sum(axis=2) > 0
    clipped = (out == 0).any(axis=2) | (out == 255).any(axis=2)
    assert np.abs(chroma_out - chroma_in)[changed & ~clipped].max() <= 1


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_factor_outside_zero_to_one_is_refused(portraits, bad):
    image, landmarks, alpha = portraits["grace"]
    with pytest.raises(ValueError):
        retouch.apply_retouch(image, landmarks, bright=bad)
