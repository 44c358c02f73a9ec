"""matte: MODNet separates the person, the refined edge follows the photo, and the crown is
found where the hair ends."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from photos.engine import matte
from photos.engine.errors import NotAPerson
from photos.engine.faces import CHIN, FACE_OVAL, FOREHEAD, find_face
from photos.engine.fit import apply, leveling_matrix
from photos.engine.params import PhotoRequest
from photos.engine.pipeline import MAX_BESIDE_HEAD, _close_face
from tests.engine.conftest import encode

pytestmark = pytest.mark.usefixtures("engine_models")


def test_modnet_separates_the_person_from_the_background(grace):
    rgb = np.asarray(grace)
    alpha = matte.estimate_alpha(rgb)
    assert alpha.shape == (600, 512)
    assert alpha.dtype == np.float32
    assert alpha[300:360, 230:290].mean() > 0.95  # face
    assert alpha[500:, 150:350].mean() > 0.95  # uniform
    assert alpha[:80, 420:].mean() < 0.05  # sky
    assert alpha[:150, :60].mean() < 0.05  # flag


def test_refined_alpha_is_crisp_and_in_range(grace):
    rgb = np.asarray(grace)
    alpha = matte.estimate_alpha(rgb[::2, ::2].copy())
    refined = matte.refine_alpha(alpha, rgb, upsampling=2.0)
    assert refined.shape == (600, 512)
    assert 0.0 <= refined.min() and refined.max() <= 1.0
    soft = ((refined > 0.1) & (refined < 0.9)).mean()
    coarse = np.asarray(matte.cv2.resize(alpha, (512, 600), interpolation=matte.cv2.INTER_LINEAR))
    assert soft < ((coarse > 0.1) & (coarse < 0.9)).mean()


def test_crown_row_finds_the_top_of_a_disc():
    yy, xx = np.mgrid[:200, :200]
    alpha = (np.hypot(xx - 100, yy - 120) < 60).astype(np.float32)
    row, touching = matte.crown_row(alpha, columns=(50, 150), below=120)
    assert row == pytest.approx(60, abs=1.5)
    assert not touching


def test_crown_row_reports_a_head_touching_the_photo_edge():
    yy, xx = np.mgrid[:200, :200]
    alpha = (np.hypot(xx - 100, yy - 80) < 100).astype(np.float32)
    covered = np.ones_like(alpha)
    covered[:30] = 0  # the photo starts at row 30
    _row, touching = matte.crown_row(alpha, columns=(50, 150), below=120, in_source=covered)
    assert touching


def _crown(rgb: np.ndarray, *, search_top: float) -> matte.Crown:
    """Matte the whole photo and measure the crown over the cheeks' columns."""
    face = find_face(rgb)
    to_level = leveling_matrix(face.center, face.roll)
    height, width = rgb.shape[:2]
    person = matte.matte_person(rgb, (0, 0, width, height), side=512)
    level = face.landmarks @ to_level[:, :2].T + to_level[:, 2]
    return matte.measure_crown(
        person,
        to_level,
        columns=(level[234, 0], level[454, 0]),
        forehead_y=level[10, 1],
        search_top=search_top,
    )


def test_parts_floating_beside_the_head_are_cleared_and_the_body_kept():
    # A head and body, a blob of someone's arm above the head, a neighbour's hair beside
    # the shoulder that ends in mid-air, and a part below the chin that the matte has cut
    # off from the body but that reaches the bottom edge (it must stay: it may be an arm).
    alpha = np.zeros((200, 160), np.float32)
    ys, xs = np.mgrid[:200, :160]
    alpha[(xs - 80) ** 2 + (ys - 70) ** 2 < 35**2] = 1.0  # head
    alpha[105:, 45:115] = 1.0  # neck and body
    alpha[10:25, 125:150] = 1.0  # an arm behind, above the head
    alpha[8:27, 123:152][alpha[8:27, 123:152] == 0] = 0.3  # with a soft rim
    alpha[90:170, 130:160] = 1.0  # a neighbour's hair, from above the chin to mid-air
    alpha[180:, 125:150] = 1.0  # apart from the body, down to the bottom edge
    chin = 105

    cleared = matte.drop_loose_parts(alpha, seed=(80, 80), above_row=chin)

    assert cleared[5:30, 120:155].max() == 0.0  # the arm and its rim are gone
    assert cleared[88:172, 128:160].max() == 0.0  # so is the hair ending in mid-air
    assert (cleared[180:, 125:150] == 1.0).all()  # what reaches the bottom stays
    assert np.array_equal(cleared[30:, :120], alpha[30:, :120])  # the person as it was


def test_a_notch_bitten_into_the_body_from_the_bottom_is_closed_and_real_gaps_kept():
    # A dark jumper lost in the middle of the bottom edge (a low-light copy of a
    # portrait came out with a white notch there); background closed in beside the neck
    # under long hair, and a gap open to the bottom between the body and an arm out at
    # the side, are real and stay.
    alpha = np.zeros((200, 200), np.float32)
    ys, xs = np.mgrid[:200, :200]
    alpha[(xs - 100) ** 2 + (ys - 60) ** 2 < 35**2] = 1.0  # head
    alpha[95:, 85:115] = 1.0  # neck
    alpha[60:150, 55:70] = 1.0  # long hair down to the shoulder
    alpha[140:, 20:180] = 1.0  # body
    alpha[185:, 170:180] = 0.0  # a gap between the body and an arm at the side...
    alpha[170:, 180:195] = 1.0  # ...the arm
    notch = (xs - 110) ** 2 + (ys - 200) ** 2 < 18**2
    alpha[notch] = 0.0
    alpha[notch & ((xs - 110) ** 2 + (ys - 200) ** 2 >= 16**2)] = 0.3  # a soft rim
    before = alpha.copy()

    filled = matte.fill_body_notches(alpha, chin_row=95, centre_x=100, face_width=60)

    assert (filled[notch] == 1.0).all()
    assert np.array_equal(filled[95:140, :], before[95:140, :])  # beside the neck
    assert np.array_equal(filled[150:, 165:], before[150:, 165:])  # beside the arm
    assert np.array_equal(filled[:95], before[:95])  # nothing above the chin


def _portrait_with_jumper(size: int = 200, slope: float = 1.0):
    """A figure in a dark jumper on a light grey background: its rgb, matte and the
    frame's coverage by the photo (all of it). ``slope``: how fast the shoulders widen."""
    rgb = np.full((size, size, 3), 215, np.uint8)
    alpha = np.zeros((size, size), np.float32)
    ys, xs = np.mgrid[:size, :size]
    head = (xs - 100) ** 2 + (ys - 60) ** 2 < 35**2
    rgb[head], alpha[head] = (200, 160, 140), 1.0
    rgb[95:, 85:115], alpha[95:, 85:115] = (200, 160, 140), 1.0  # neck
    body = (ys >= 130) & (np.abs(xs - 100) < 50 + slope * (ys - 130))  # the shoulders
    rgb[body], alpha[body] = (25, 25, 40), 1.0
    return rgb, alpha, np.ones((size, size), np.float32)


def test_a_bite_the_matte_takes_out_of_the_clothes_at_the_bottom_is_closed():
    # Audrey Hepburn's turned portrait at 1-inch: a band of her black jumper along the
    # bottom edge, under one shoulder and open to the frame's side, was left out.
    rgb, alpha, inside = _portrait_with_jumper()
    before = alpha.copy()
    bitten = alpha.copy()
    bitten[188:, :60] = 0.0
    bitten[186:188, :60] = 0.4  # a soft rim

    filled = matte.fill_clothes_gaps(bitten, rgb, inside, chin_row=95)

    assert (filled[186:, :60] == 1.0).all()
    assert np.array_equal(filled[:186], before[:186])


def test_a_hole_in_the_clothes_is_closed_and_background_beside_the_neck_is_not():
    # Blue holes in a blouse at the US visa; background closed in between long hair, the
    # neck and a shoulder is real.
    rgb, alpha, inside = _portrait_with_jumper()
    ys, xs = np.mgrid[:200, :200]
    hole = (xs - 130) ** 2 + (ys - 170) ** 2 < 8**2  # in the jumper, jumper-coloured
    alpha[hole] = 0.0
    alpha[60:150, 55:70], rgb[60:150, 55:70] = 1.0, (60, 40, 30)  # hair to the shoulder
    alpha[95:110, 55:85], rgb[95:110, 55:85] = 1.0, (60, 40, 30)  # and round the neck
    beside_neck = (ys >= 110) & (ys < 128) & (xs >= 70) & (xs < 85)
    assert alpha[beside_neck].max() == 0.0 and (rgb[beside_neck] == 215).all()

    filled = matte.fill_clothes_gaps(alpha, rgb, inside, chin_row=95)

    assert (filled[hole] == 1.0).all()
    assert (filled[beside_neck] == 0.0).all()


def test_background_under_hair_or_beside_an_arm_is_not_taken_for_a_bite():
    rgb, alpha, inside = _portrait_with_jumper(slope=0.5)
    assert alpha[-1, :10].max() == 0.0  # background in the bottom corners
    # Long hair over a shoulder down to just above the bottom edge, from the frame's side:
    # the background under it, closed in like a bite, has the background's colour.
    alpha[100:190, :30], rgb[100:190, :30] = 1.0, (60, 40, 30)
    # A gap between the body and an arm, in shadow as dark as the jumper, reaching up
    # past the bottom band: open to the top, so real.
    alpha[120:, 180:195], rgb[120:, 180:195] = 1.0, (25, 25, 40)
    alpha[120:, 170:180], rgb[120:, 170:180] = 0.0, (30, 30, 45)

    assert np.array_equal(matte.fill_clothes_gaps(alpha, rgb, inside, chin_row=95), alpha)


def test_a_bite_out_of_a_real_uniform_is_closed(grace):
    rgb = np.asarray(grace)
    alpha = matte.estimate_alpha(rgb)
    inside = np.ones(alpha.shape, np.float32)
    chin = int(find_face(rgb).chin[1])
    bitten = alpha.copy()
    bitten[575:, 60:200] = 0.0  # her dark uniform at the bottom edge, under a shoulder

    filled = matte.fill_clothes_gaps(bitten, rgb, inside, chin)

    assert filled[575:, 60:200].min() == 1.0
    assert np.array_equal(matte.fill_clothes_gaps(alpha, rgb, inside, chin), alpha)


def test_a_matte_without_notches_is_left_as_it_is(grace):
    alpha = matte.estimate_alpha(np.asarray(grace))
    face = find_face(np.asarray(grace))
    chin = int(face.chin[1])
    filled = matte.fill_body_notches(alpha, chin, face.center[0], face.face_width)
    assert np.array_equal(filled, alpha)


def test_a_hole_the_matte_leaves_in_the_face_is_closed_and_nothing_else_changes(grace):
    # A dark B&W portrait's bright cheek came out as a white hole in the ID photo: the
    # matte had taken it for background. The face outline from the landmarks closes it.
    rgb = np.asarray(grace)
    face = find_face(rgb)
    alpha = matte.estimate_alpha(rgb)
    holed = alpha.copy()
    cheek = (face.landmarks[CHIN] + face.landmarks[FOREHEAD]) / 2 + [0.2 * face.face_width, 0]
    ys, xs = np.mgrid[: alpha.shape[0], : alpha.shape[1]]
    hole = (xs - cheek[0]) ** 2 + (ys - cheek[1]) ** 2 < (0.12 * face.face_width) ** 2
    holed[hole] = 0.0

    inside = matte.face_mask(alpha.shape, face.landmarks[list(FACE_OVAL)], face.face_width)
    filled = matte.fill_face(holed, inside, face.face_width)

    assert filled[hole].min() > 0.99
    outside = np.ones_like(hole)
    outside[int(face.landmarks[FOREHEAD][1]) - 10 : int(face.landmarks[CHIN][1]) + 10] = False
    assert np.array_equal(filled[outside], holed[outside])  # above and below the face
    assert np.array_equal(filled[:, :60], holed[:, :60])  # the flag beside her
    assert (filled >= holed).all()  # it only ever adds the face
    assert matte.face_coverage(alpha, inside) == 1.0
    coverage = matte.face_coverage(holed, inside)
    assert 0.85 < coverage < 0.97


def test_a_cut_out_with_a_torn_face_is_refused_and_a_small_hole_closed(grace):
    # A sepia copy of a portrait lost 6 % of the face to the matte, with its hair and
    # neck torn: refused as a person the matte could not separate, not delivered.
    rgb = np.asarray(grace)
    face = find_face(rgb)
    alpha = matte.estimate_alpha(rgb)
    ys, xs = np.mgrid[: alpha.shape[0], : alpha.shape[1]]
    centre = (face.landmarks[CHIN] + face.landmarks[FOREHEAD]) / 2
    distance = np.hypot(xs - centre[0], ys - centre[1])
    small, large = alpha.copy(), alpha.copy()
    small[distance < 0.08 * face.face_width] = 0.0
    large[distance < 0.2 * face.face_width] = 0.0

    closed = _close_face(small, face.landmarks, face.face_width, PhotoRequest())
    assert closed[distance < 0.08 * face.face_width].min() > 0.99
    with pytest.raises(NotAPerson) as torn:
        _close_face(large, face.landmarks, face.face_width, PhotoRequest())
    assert "could not be told apart from the background" in str(torn.value)


def test_a_matte_with_nothing_loose_is_left_as_it_is(grace):
    alpha = matte.estimate_alpha(np.asarray(grace))
    assert np.array_equal(matte.drop_loose_parts(alpha, (256, 300), above_row=420), alpha)


def test_crown_of_grace_is_the_top_of_her_cap(grace):
    crown = _crown(np.asarray(grace), search_top=0.0)
    assert crown.status == "found"
    assert 15 < crown.y < 45  # the cap's top edge is at about y=25


def test_a_head_cut_by_the_top_edge_is_reported(grace):
    rgb = np.ascontiguousarray(np.asarray(grace)[60:])  # cut through the cap
    crown = _crown(rgb, search_top=-100.0)
    assert crown.status == "cut"


def test_a_missing_model_names_the_fetch_command(tmp_path, monkeypatch):
    from photos.engine import models
    from photos.engine.errors import ModelMissing

    monkeypatch.setenv("IDPHOTO_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelMissing) as excinfo:
        models.model_path(models.MODNET)
    assert "modnet.onnx" in str(excinfo.value)
    assert "python -m photos.engine.models fetch" in str(excinfo.value)
    (tmp_path / "modnet.onnx").write_bytes(b"not the model")
    with pytest.raises(ModelMissing) as excinfo:
        models.model_path(models.MODNET)
    assert "sha256" in str(excinfo.value)


def test_a_dark_photo_whose_first_matte_loses_the_face_is_matted_again(grace):
    # At the smallest matte size MODNet loses the face of a darkened photo; a real person
    # must still be cut out whole, face and chest.
    dark = (np.asarray(grace) * 0.25).astype(np.uint8)
    face = find_face(dark)
    (cx, cy), width = face.center, face.face_width
    rect = (cx - 1.6 * width, cy - 1.5 * width, cx + 1.6 * width, cy + 2.5 * width)

    def coverage(person):
        points = apply(person.from_source, face.landmarks)
        return matte.matte_coverage(person.alpha, points, points[CHIN], points[FOREHEAD])

    first_face, _ = coverage(matte.matte_person(dark, rect, side=256))
    assert first_face < 0.5  # the network alone does lose her
    face_alpha, body_alpha = coverage(
        matte.matte_person(dark, rect, side=256, face_points=face.landmarks)
    )
    assert face_alpha > 0.95
    assert body_alpha > 0.95


def test_a_sepia_photo_whose_matte_loses_the_cap_is_matted_again(grace):
    # At 1-inch size MODNet lost the band of Grace Hopper's cap in a sepia copy (the ID
    # photo showed a white gap between cap and forehead); the head just above the face is
    # always the person, so the matte is tried again until it holds it.
    sepia = (
        np.asarray(grace, np.float64)
        @ np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]]).T
    )
    photo = np.asarray(Image.open(io.BytesIO(encode(np.clip(sepia, 0, 255).astype(np.uint8)))))
    face = find_face(photo)
    rect = (63, 0, 464, 490)  # the 1-inch photo's matted region

    def head_top(person):
        return matte.head_top_coverage(person.alpha, apply(person.from_source, face.landmarks))

    assert head_top(matte.matte_person(photo, rect, side=320)) < 0.6
    assert head_top(matte.matte_person(photo, rect, side=320, face_points=face.landmarks)) > 0.95


def test_an_arm_raised_beside_the_head_is_measured_and_hair_is_not(grace):
    rgb = np.asarray(grace)
    face = find_face(rgb)
    # Her portrait is a close one: widen the matte by a face width of background a side.
    pad = round(face.face_width)
    alpha = np.pad(matte.estimate_alpha(rgb), ((0, 0), (pad, pad)))
    centre = face.center[0] + pad
    crown_row = int(face.forehead[1] - 0.5 * (face.chin[1] - face.forehead[1]))
    rows = (crown_row, int(face.chin[1]))
    # An arm raised beside her, from the bottom edge up to her eyes.
    arm = alpha.copy()
    x0 = int(centre + 1.3 * face.face_width)
    arm[int(face.eye_center[1]) :, x0 : x0 + int(0.4 * face.face_width)] = 1.0

    # Her cap, hair and shoulders lie within BESIDE_HEAD face widths of her face's centre.
    assert matte.beside_head(alpha, rows, centre, face.face_width) < 0.02
    assert matte.beside_head(arm, rows, centre, face.face_width) > MAX_BESIDE_HEAD
    # A frame too narrow to show anything beside the head measures nothing.
    narrow = alpha[:, round(centre - face.face_width) : round(centre + face.face_width)]
    assert matte.beside_head(narrow, rows, face.face_width, face.face_width) is None
