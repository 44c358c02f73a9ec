"""A portrait whose top edge cuts a little hair still makes an ID photo: the head's outline
is continued above the edge (engine/crown.py); a head cut further is refused."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from PIL import Image

from photos.engine.crown import OUTLINE_STRETCH, fit_cut_head
from photos.engine.errors import EngineError, FaceCutOff
from photos.engine.params import PhotoRequest
from photos.engine.pipeline import make_id_photo
from tests.engine.conftest import astronaut_image, encode, grace_image
from tests.engine.official import remeasure, spec_request

ONE_INCH = 1102
# Row of the crown in each 512-px-wide photo (Grace Hopper's is the top of her cap), and
# her forehead-to-chin length: 201 and 105 px.
PEOPLE = {"grace": (grace_image, 22), "astronaut": (astronaut_image, 15)}


def _proportion(measured: dict[str, float]) -> float:
    """Crown to chin over eyes to chin: the head's shape, whatever the framing."""
    return (measured["chin_y"] - measured["crown_y"]) / (measured["chin_y"] - measured["eyes_y"])


def _cut(who: str, rows_below_crown: int):
    image, crown = PEOPLE[who]
    photo = image()
    return photo.crop((0, crown + rows_below_crown, photo.width, photo.height))


@pytest.mark.parametrize(
    ("who", "rows"),  # 2.5 and 6 % of forehead-to-chin; 2 and 5 %
    [("grace", 5), ("grace", 12), ("astronaut", 2), ("astronaut", 5)],
)
def test_hair_cut_by_the_top_edge_is_continued(engine_models, who, rows):
    uncut = remeasure(make_id_photo(encode(_cut(who, -10)), spec_request(ONE_INCH)).photo)
    blue = dataclasses.replace(spec_request(ONE_INCH), bg_color="0000FF")
    result = make_id_photo(encode(_cut(who, rows)), blue)

    assert any("it was continued" in warning for warning in result.warnings)
    measured = remeasure(result.photo)  # the matte sees a head up to the continued crown
    assert measured["crown_y"] == pytest.approx(result.measurements.crown_y, abs=3)
    assert 17 <= measured["crown_y"] <= 50  # the spec's head-top band
    assert _proportion(measured) == pytest.approx(_proportion(uncut), rel=0.04)
    # Hair (or her cap), not the blue background, just below the continued crown.
    top = round(result.measurements.crown_y)
    red, green, blue = np.asarray(result.photo)[top + 3 : top + 6, round(measured["eyes_x"])].T
    assert (blue.astype(int) - red < 60).all()


@pytest.mark.parametrize("spec", [1102, 2102, 3110, 3108])
@pytest.mark.parametrize("room", [2, 1])
def test_a_head_touching_the_top_edge_is_not_refused_as_cut(engine_models, spec, room):
    # Grace Hopper's cap one or two rows below the photo's top edge, her head tilted 3
    # degrees: levelled, the cap meets the edge beside its top, flattened there over more
    # than the first row through its centre shows. It is delivered for every document,
    # not refused as hair that would end in a straight line, and an official finds the
    # head top where the engine placed it, inside the spec's band.
    image, crown = PEOPLE["grace"]
    photo = image()
    result = make_id_photo(
        encode(photo.crop((0, crown - room, photo.width, photo.height))), spec_request(spec)
    )

    measured = remeasure(result.photo)
    assert measured["crown_y"] == pytest.approx(result.measurements.crown_y, abs=3)
    request = spec_request(spec)
    seen = {"head_top": "crown_y", "eyes_top": "eyes_y", "chin_top": "chin_y"}
    for name, key in seen.items():
        band = getattr(request, name)
        if band is not None and not band.is_empty:
            low, high = band.bounds()
            assert low - 3 <= measured[key] <= high + 3, name


@pytest.mark.parametrize(("who", "rows"), [("grace", 40), ("astronaut", 20)])
def test_a_head_cut_far_into_the_hair_is_still_refused(engine_models, who, rows):
    with pytest.raises(FaceCutOff):  # 20 % of forehead-to-chin: the top would be invented
        make_id_photo(encode(_cut(who, rows)), spec_request(ONE_INCH))


def test_keeping_the_background_a_cut_head_is_refused(engine_models):
    # Hair could be continued, the old background above it could not.
    with pytest.raises(FaceCutOff):
        make_id_photo(encode(_cut("grace", 5)), PhotoRequest(change_bg=False))


def _tilted(who: str, degrees: float) -> Image.Image:
    """The photo as if the camera had been tilted: rotated, its edges continued outwards
    first so that no empty corner comes into the frame."""
    image, _crown = PEOPLE[who]
    photo = image()
    pad = 160
    padded = cv2.copyMakeBorder(np.asarray(photo), pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    rotated = Image.fromarray(padded).rotate(degrees, resample=Image.BICUBIC)
    return rotated.crop((pad, 0, pad + photo.width, pad + photo.height))


@pytest.mark.parametrize("degrees", [10, 14])  # the head then tilted by 7 and 11 degrees
def test_a_tilted_head_cut_a_little_is_continued(engine_models, degrees):
    # Levelled, the photo's edge runs at a slant across the top of the head.
    tilted = _tilted("astronaut", degrees)
    uncut = remeasure(make_id_photo(encode(tilted), spec_request(ONE_INCH)).photo)
    crown = remeasure(tilted)["crown_y"]
    cut = tilted.crop((0, round(crown) + 4, tilted.width, tilted.height))
    result = make_id_photo(encode(cut), spec_request(ONE_INCH))

    assert any("it was continued" in warning for warning in result.warnings)
    measured = remeasure(result.photo)
    assert abs(measured["roll"]) < 1.5
    assert measured["crown_y"] == pytest.approx(result.measurements.crown_y, abs=3)
    assert _proportion(measured) == pytest.approx(_proportion(uncut), rel=0.04)


def test_a_head_tilted_too_far_and_cut_at_the_top_is_refused(engine_models):
    tilted = _tilted("astronaut", 18)  # 15 degrees: the cap would be guessed along a slant
    crown = remeasure(tilted)["crown_y"]
    cut = tilted.crop((0, round(crown) + 4, tilted.width, tilted.height))
    with pytest.raises(FaceCutOff):
        make_id_photo(encode(cut), spec_request(ONE_INCH))


def _ellipse_matte(tilt_deg: float, rows_cut: float) -> tuple[np.ndarray, float, float]:
    """A tilted elliptical head (semi-axes 50 and 65 px) whose top ``rows_cut`` rows lie
    above the matte's row 0; also its true top row and the line its rows' centres follow."""
    theta = np.radians(tilt_deg)
    rx, ry = 50.0, 65.0
    a = np.cos(theta) ** 2 / rx**2 + np.sin(theta) ** 2 / ry**2
    b = 2 * np.sin(theta) * np.cos(theta) * (1 / rx**2 - 1 / ry**2)
    c = np.sin(theta) ** 2 / rx**2 + np.cos(theta) ** 2 / ry**2
    top_from_centre = np.sqrt(rx**2 * np.sin(theta) ** 2 + ry**2 * np.cos(theta) ** 2)
    cy = top_from_centre - rows_cut
    ys, xs = np.mgrid[:200, :240].astype(float) + 0.5
    dx, dy = xs - 120.0, ys - cy
    inside = a * dx * dx + b * dx * dy + c * dy * dy <= 1.0
    return inside.astype(np.float32), -rows_cut, -b / (2 * a)


@pytest.mark.parametrize("tilt", [0.0, 8.0, -11.0])
def test_the_outline_of_a_tilted_head_is_continued_along_its_axis(tilt):
    alpha, true_top, drift = _ellipse_matte(tilt, rows_cut=6.0)
    head = fit_cut_head(alpha, 120.0, face_length=130.0, face_width=100.0, roll_deg=tilt)

    assert head is not None
    assert head.drift == pytest.approx(drift, abs=0.03)  # the centre moves with the tilt
    # Closes where the ellipse does, stretched upwards by at most OUTLINE_STRETCH.
    assert true_top * OUTLINE_STRETCH - 1.0 <= head.top <= true_top + 1.0


@pytest.mark.parametrize("size", [(1799, 300), (900, 120), (14, 19), (300, 1799)])
def test_a_cut_head_in_an_extreme_frame_gives_a_photo_or_a_clear_refusal(engine_models, size):
    # A wide, short frame puts the photo's top edge near the frame's bottom rows.
    request = PhotoRequest(px_width=size[0], px_height=size[1], dpi=100)
    try:
        result = make_id_photo(encode(_cut("astronaut", 2)), request)
    except EngineError as error:
        assert error.message.endswith(".")
    else:
        assert result.photo.size == size
