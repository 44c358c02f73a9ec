"""Dark glasses over the eyes are pointed out; clear glasses and bare eyes are not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photos.engine import glasses
from photos.engine.faces import find_face
from photos.engine.pipeline import make_id_photo
from tests.engine.conftest import astronaut_image, encode, grace_image
from tests.engine.official import spec_request

DARK_GLASSES = "hidden behind dark glasses"


def _with_glasses(photo: np.ndarray, lens_grey: int, opacity: float) -> np.ndarray:
    """The portrait wearing round glasses: lenses of ``lens_grey`` laid over the eyes with
    ``opacity``, in a black frame with a bridge."""
    face = find_face(photo)
    distance = float(np.linalg.norm(face.eye_left - face.eye_right))
    axes = (round(0.34 * distance), round(0.26 * distance))
    lenses = np.zeros(photo.shape[:2], np.uint8)
    frame = np.zeros(photo.shape[:2], np.uint8)
    thickness = max(1, round(0.04 * distance))
    across = (face.eye_left - face.eye_right) / distance
    for eye in (face.eye_right, face.eye_left):
        centre = tuple(int(v) for v in np.round(eye))
        cv2.ellipse(lenses, centre, axes, face.roll, 0, 360, 1, -1)
        cv2.ellipse(frame, centre, axes, face.roll, 0, 360, 1, thickness)
    inner = [
        np.round(face.eye_right + across * axes[0]),
        np.round(face.eye_left - across * axes[0]),
    ]
    cv2.line(frame, *(tuple(int(v) for v in point) for point in inner), 1, thickness)
    worn = photo.astype(np.float32)
    worn[lenses > 0] = worn[lenses > 0] * (1 - opacity) + lens_grey * opacity
    worn[frame > 0] = 15
    return worn.astype(np.uint8)


@pytest.mark.parametrize("spec", [3108, 1102])
def test_dark_glasses_are_pointed_out(engine_models, spec):
    astronaut = np.asarray(astronaut_image())
    worn = make_id_photo(encode(_with_glasses(astronaut, 30, 0.92)), spec_request(spec))
    bare = make_id_photo(encode(astronaut), spec_request(spec))
    assert any(DARK_GLASSES in warning for warning in worn.warnings)
    assert not any(DARK_GLASSES in warning for warning in bare.warnings)


@pytest.mark.parametrize("who", ["grace", "astronaut"])
def test_clear_glasses_and_bare_eyes_are_not_taken_for_dark_glasses(engine_models, who):
    photo = np.asarray({"grace": grace_image, "astronaut": astronaut_image}[who]())
    # Grace Hopper wears her own clear glasses; the astronaut is given a pair.
    for worn in (photo, _with_glasses(photo, 255, 0.1)):
        result = make_id_photo(encode(worn), spec_request(3110))
        assert not any(DARK_GLASSES in warning for warning in result.warnings)


def test_closed_eyes_alone_are_not_taken_for_dark_glasses(engine_models):
    """Eyes shut show no white either; the classifier must also see sunglasses."""
    astronaut = np.asarray(astronaut_image())
    face = find_face(astronaut)
    shut = astronaut.copy()
    cheeks = np.round(face.landmarks[[50, 280]]).astype(int)  # below each eye
    skin = np.median(astronaut[cheeks[:, 1], cheeks[:, 0]], axis=0)
    # Lids the colour of the cheeks over both eye openings and their lashes.
    lids = np.zeros(astronaut.shape[:2], np.uint8)
    for contour in (glasses.EYE_RIGHT_CONTOUR, glasses.EYE_LEFT_CONTOUR):
        cv2.fillPoly(lids, [cv2.convexHull(np.round(face.landmarks[contour]).astype(np.int32))], 1)
    lids = cv2.dilate(lids, np.ones((5, 5), np.uint8))
    shut[lids > 0] = skin
    shut_face = find_face(shut)
    assert glasses.eye_spread(shut, shut_face) < glasses.MAX_EYE_SPREAD
    assert not glasses.behind_dark_glasses(shut, shut_face)
