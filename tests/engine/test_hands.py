"""A hand in the ID photo is pointed out: over the face, or anywhere the photo shows it.

The hands come from Barack Obama's official portrait (public domain, arms crossed); for
a hand over a face, the skin of one of them is laid over the astronaut's mouth.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from photos.engine.faces import FACE_OVAL, detect_faces
from photos.engine.hands import find_hands, landmarker_hands
from photos.engine.params import Band, PhotoRequest
from photos.engine.pipeline import make_id_photo
from tests.engine.conftest import astronaut_image, encode, grace_image
from tests.engine.official import spec_request

pytestmark = pytest.mark.usefixtures("engine_models")

PORTRAIT = Path(__file__).parent / "data" / "people" / "obama_official_portrait.jpg"
ON_FACE = "A hand covers part of the face"
SHOWS = "A hand shows in the photo"


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return np.asarray(Image.open(PORTRAIT).convert("RGB"))


def hands_in(image: np.ndarray) -> list[np.ndarray]:
    return find_hands(image, detect_faces(image)[0].landmarks[list(FACE_OVAL)])


def hand_laid_on_astronaut(portrait: np.ndarray, at: tuple[int, int], scale: float) -> bytes:
    """The astronaut with the skin of the portrait's right-hand hand laid over her at ``at``."""
    hand = max(hands_in(portrait), key=lambda points: points[:, 0].mean())
    x0, y0 = (hand.min(axis=0) - 6).astype(int)
    x1, y1 = (hand.max(axis=0) + 6).astype(int)
    patch = portrait[y0:y1, x0:x1].astype(np.float32)
    skin = ((patch[..., 0] > patch[..., 2] + 12) & (patch[..., 0] > 50)).astype(np.float32)
    skin = cv2.morphologyEx(skin, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    size = (round(patch.shape[1] * scale), round(patch.shape[0] * scale))
    patch = cv2.resize(patch, size)
    weight = cv2.GaussianBlur(cv2.resize(skin, size), (0, 0), 1.0)[..., None]
    canvas = np.asarray(astronaut_image()).astype(np.float32)
    x, y = at
    region = canvas[y : y + size[1], x : x + size[0]]
    canvas[y : y + size[1], x : x + size[0]] = weight * patch + (1 - weight) * region
    return encode(canvas.astype(np.uint8))


def hand_warnings(source: bytes, request: PhotoRequest) -> list[str]:
    return [w for w in make_id_photo(source, request).warnings if "hand" in w.lower()]


def test_the_crossed_arms_hands_are_found_and_none_on_a_portrait_without_hands(portrait):
    hands = hands_in(portrait)
    assert len(hands) >= 1
    height = portrait.shape[0]
    assert all(points[:, 1].min() > 0.6 * height for points in hands)  # at the arms
    assert all(points.shape == (21, 2) for points in hands)
    assert hands_in(np.asarray(astronaut_image())) == []


def test_a_hand_over_the_mouth_is_pointed_out(portrait):
    source = hand_laid_on_astronaut(portrait, at=(140, 120), scale=1.3)
    for spec in (1102, 3108):
        warnings = hand_warnings(source, spec_request(spec))
        assert len(warnings) == 1 and warnings[0].startswith(ON_FACE)


def test_a_hand_on_the_chest_is_pointed_out_only_where_the_frame_shows_it(portrait):
    source = hand_laid_on_astronaut(portrait, at=(180, 250), scale=2.0)
    shown = hand_warnings(source, spec_request(3108))  # the square visa shows the chest
    assert len(shown) == 1 and shown[0].startswith(SHOWS)
    assert hand_warnings(source, spec_request(1102)) == []  # 1-inch ends above it


def test_hands_below_the_frame_are_not_pointed_out_and_a_taller_frame_shows_them():
    source = PORTRAIT.read_bytes()
    assert hand_warnings(source, spec_request(1102)) == []
    # Head small in a tall frame: the crossed arms come in at the bottom.
    tall = PhotoRequest(px_width=600, px_height=900, face_height=Band(min=300, max=320))
    shown = hand_warnings(source, tall)
    assert len(shown) == 1 and shown[0].startswith(SHOWS)
    kept = hand_warnings(source, dataclasses.replace(tall, change_bg=0))  # no matte to ask
    assert len(kept) == 1 and kept[0].startswith(SHOWS)


def test_a_white_tie_the_landmarker_takes_for_a_hand_is_not_pointed_out():
    # Grace Hopper a little further from the camera (her photo's edges carried out).
    grace = np.asarray(grace_image())
    height, width = grace.shape[:2]
    farther = cv2.getRotationMatrix2D((width / 2, height / 3), 0, 0.9)
    photo = cv2.warpAffine(grace, farther, (width, height), borderMode=cv2.BORDER_REPLICATE)
    tie = landmarker_hands(photo)
    assert len(tie) == 1 and tie[0][:, 1].mean() > 0.7 * height  # on her tie
    assert hands_in(photo) == []
    assert hand_warnings(encode(photo), spec_request(3108)) == []
