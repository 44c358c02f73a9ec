"""faces: exactly one real, uncut person, with landmarks in source pixels."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from photos.engine.decode import decode_image
from photos.engine.errors import FaceCutOff, NoFace, SeveralFaces
from photos.engine.faces import find_face

pytestmark = pytest.mark.usefixtures("engine_models")


def pixels(jpeg: bytes) -> np.ndarray:
    return decode_image(jpeg).rgb


def test_grace_is_found_with_landmarks_in_source_pixels(grace_jpeg):
    face = find_face(pixels(grace_jpeg))
    assert face.landmarks.shape == (478, 2)
    # Known positions in the 512x600 portrait (eyes ~y190, chin ~y335).
    assert 180 < face.eye_center[1] < 200
    assert 320 < face.chin[1] < 350
    assert face.forehead[1] < face.eye_center[1] < face.chin[1]
    assert face.eye_right[0] < face.eye_left[0]  # the person's right eye is on the left
    assert 160 < face.face_width < 200
    assert abs(face.roll) < 6
    assert abs(face.yaw) < 10


def test_roll_follows_a_tilted_head(grace):
    tilted = np.asarray(grace.rotate(-8, resample=Image.BICUBIC, fillcolor=(90, 140, 210)))
    upright = find_face(np.asarray(grace))
    face = find_face(tilted)
    # rotate(-8) turns the picture clockwise: the image-right eye goes down.
    assert face.roll - upright.roll == pytest.approx(8, abs=1.5)


def test_a_landscape_has_no_face(rocket_jpeg):
    with pytest.raises(NoFace):
        find_face(pixels(rocket_jpeg))


def test_a_cat_is_not_a_person(cat_jpeg):
    with pytest.raises(NoFace):
        find_face(pixels(cat_jpeg))


def test_two_people_are_refused(two_people_jpeg):
    with pytest.raises(SeveralFaces) as excinfo:
        find_face(pixels(two_people_jpeg))
    assert "2 faces were found" in str(excinfo.value)


def test_a_small_face_in_the_background_is_ignored(poster_behind_jpeg, grace_jpeg):
    face = find_face(pixels(poster_behind_jpeg))
    alone = find_face(pixels(grace_jpeg))
    assert face.face_width == pytest.approx(alone.face_width, rel=0.05)


def test_a_face_cut_by_the_edge_is_refused(grace):
    cut = np.asarray(grace.crop((230, 0, 512, 600)))  # through the left eye
    with pytest.raises((FaceCutOff, NoFace)):
        find_face(cut)
    chin_cut = np.asarray(grace.crop((0, 0, 512, 300)))  # through the mouth
    with pytest.raises((FaceCutOff, NoFace)):
        find_face(chin_cut)


def test_detection_is_safe_from_several_threads(grace):
    image = np.asarray(grace)
    expected = find_face(image).landmarks
    results, errors = [], []

    def work():
        try:
            for _ in range(3):
                results.append(find_face(image).landmarks)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 9
    for landmarks in results:
        assert np.abs(landmarks - expected).max() < 1.0
