"""Red eyes from a flash are made dark; eyes that are not red are left alone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photos.engine import redeye
from photos.engine.faces import IRIS_LEFT, IRIS_RIGHT, find_face
from photos.engine.pipeline import make_id_photo
from photos.engine.subject import IRISES, iris_radius
from tests.engine.conftest import astronaut_image, encode, grace_image
from tests.engine.official import spec_request

CORRECTED = "Red eyes from the flash were corrected."


def _red_eyed(photo: np.ndarray) -> np.ndarray:
    """The portrait with its pupils lit red, as a flash beside the lens does."""
    face = find_face(photo)
    red = photo.copy()
    for centre, ring in IRISES:
        point = face.landmarks[centre]
        radius = iris_radius(face.landmarks, centre, ring)
        cv2.circle(
            red, tuple(int(v) for v in np.round(point)), round(0.5 * radius), (200, 40, 45), -1
        )
    return red


def _pupil_redness(photo: np.ndarray) -> float:
    """The largest Lab a* (0 = neutral) in a small disc round either iris centre."""
    face = find_face(photo)
    lab = cv2.cvtColor(photo, cv2.COLOR_RGB2LAB).astype(np.float32) - 128
    rows, cols = np.mgrid[: photo.shape[0], : photo.shape[1]]
    redness = []
    for centre in (IRIS_RIGHT, IRIS_LEFT):
        x, y = face.landmarks[centre]
        disc = np.hypot(cols - x, rows - y) <= 2.5
        redness.append(float(np.percentile(lab[..., 1][disc], 90)))
    return max(redness)


@pytest.mark.parametrize("spec", [3110, 3108])
def test_red_eyes_are_made_dark(engine_models, spec):
    astronaut = np.asarray(astronaut_image())
    red = _red_eyed(astronaut)
    assert _pupil_redness(red) > 40
    result = make_id_photo(encode(red), spec_request(spec))
    assert CORRECTED in result.warnings
    assert _pupil_redness(np.asarray(result.photo)) < 15


@pytest.mark.parametrize("photo", [astronaut_image, grace_image])
def test_eyes_that_are_not_red_are_left_alone(engine_models, photo):
    rgb = np.asarray(photo())
    assert redeye.correct_red_eyes(rgb, find_face(rgb).landmarks)[1] is False
    assert CORRECTED not in make_id_photo(encode(rgb), spec_request(3110)).warnings
