"""A photo set at an angle into a plain margin is taken out of it straight."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from photos.engine.inset import find_inset, straighten
from photos.engine.params import PhotoRequest
from photos.engine.pipeline import make_id_photo
from tests.engine.conftest import encode
from tests.engine.official import spec_request


@pytest.mark.parametrize(("angle", "fill"), [(20, "white"), (-8, "black"), (33, "white")])
def test_a_turned_photo_is_cut_out_of_its_margin_upright(grace, angle, fill):
    turned = np.asarray(grace.rotate(angle, expand=True, fillcolor=fill))
    inset = find_inset(turned)
    assert inset is not None
    picture = straighten(turned, inset)
    height, width = picture.shape[:2]
    assert abs(width - grace.width) <= 12 and abs(height - grace.height) <= 12
    # The middle of the cut-out is the photo itself, upright.
    original = np.asarray(grace).astype(int)
    dy, dx = (grace.height - height) // 2, (grace.width - width) // 2
    middle = (slice(height // 4, 3 * height // 4), slice(width // 4, 3 * width // 4))
    shifted = original[dy : dy + height, dx : dx + width]
    assert np.abs(picture[middle].astype(int) - shifted[middle]).mean() < 12


def test_a_person_on_a_plain_white_backdrop_is_not_taken_for_a_margin(grace_jpeg):
    # Our own ID photo: white all round the head, the person reaching the bottom edge.
    photo = make_id_photo(grace_jpeg, PhotoRequest()).photo
    assert find_inset(np.asarray(photo)) is None


def test_an_ordinary_photo_has_no_margin(grace):
    assert find_inset(np.asarray(grace)) is None


def test_a_margin_square_to_the_photo_is_left_alone(grace):
    # The matte takes it for background, as it is; cutting it could take hair off.
    framed = Image.new("RGB", (grace.width + 60, grace.height + 60), (200, 200, 200))
    framed.paste(grace, (30, 30))
    assert find_inset(np.asarray(framed)) is None


def test_a_photo_scanned_crooked_on_white_keeps_none_of_its_background(grace):
    # MODNet took the whole turned photo for the object in front of the white: her flag
    # came out on the new background.
    scanned = grace.rotate(20, expand=True, fillcolor="white")
    photo = np.asarray(make_id_photo(encode(scanned), spec_request(1102)).photo).astype(int)
    top = photo[: photo.shape[0] // 2]
    flag_blue = (top[..., 2] > top[..., 0] + 40) & (top[..., 2] > 80)
    assert flag_blue.mean() < 0.005
