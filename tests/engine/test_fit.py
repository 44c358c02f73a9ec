"""fit: the solver places a head so every requested constraint holds, prefers the framing of
a good ID photo, and names what cannot be met."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from photos.engine.errors import BodyCutOff, ConstraintsUnsatisfiable, FaceCutOff, FaceTooSmall
from photos.engine.fit import (
    BODY_EXTENSION,
    HeadGeometry,
    SourceBounds,
    apply,
    fit_to_spec,
    invert,
    leveling_matrix,
    source_bounds,
    warp,
)
from photos.engine.params import Band

pytestmark = pytest.mark.usefixtures("engine_models")

# A head like Grace Hopper's in her 512x600 portrait (level-frame pixels).
HEAD = HeadGeometry(crown_y=30.0, eyes_y=190.0, chin_y=335.0, center_x=262.0, face_width=180.0)
ROOMY = SourceBounds(top=0.0, bottom=600.0, left=0.0, right=512.0)


def solve(size=(295, 413), bounds=ROOMY, keep_background=False, max_scale=3.0, **bands):
    return fit_to_spec(
        HEAD,
        bounds,
        size=size,
        bands={name: band for name, band in bands.items()},
        keep_background=keep_background,
        max_scale=max_scale,
    )


def test_default_framing_is_a_well_made_id_photo():
    fit = solve()
    m = fit.measure(HEAD)
    assert m.face_height / 413 == pytest.approx(0.65, abs=0.01)
    assert m.crown_y / 413 == pytest.approx(0.10, abs=0.01)
    face_center = fit.scale * HEAD.center_x + fit.tx
    assert face_center == pytest.approx(295 / 2)


def test_a_narrow_frame_shrinks_the_head_to_keep_cheek_room():
    m = solve(size=(200, 413)).measure(HEAD)
    wide = solve(size=(295, 413)).measure(HEAD)
    assert m.face_width < wide.face_width
    assert m.face_height == pytest.approx(0.55 * 413)  # down to the framing band's minimum


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("head_top", 20),
        ("eyes_top", 150),
        ("chin_top", 300),
        ("face_width", 170),
        ("face_height", 300),
    ],
)
def test_each_exact_constraint_is_met(name, value):
    m = solve(**{name: Band(exact=value)}).measure(HEAD)
    measured = {
        "head_top": m.crown_y,
        "eyes_top": m.eyes_y,
        "chin_top": m.chin_y,
        "face_width": m.face_width,
        "face_height": m.face_height,
    }[name]
    assert measured == pytest.approx(value, abs=1e-6)


def test_two_exact_positions_fix_scale_and_offset():
    m = solve(head_top=Band(exact=50), chin_top=Band(exact=330)).measure(HEAD)
    assert m.crown_y == pytest.approx(50)
    assert m.chin_y == pytest.approx(330)
    assert m.face_height == pytest.approx(280)


def test_bands_are_respected_and_the_ideal_is_kept_inside_them():
    m = solve(head_top=Band(min=10, max=30), face_height=Band(min=250, max=320)).measure(HEAD)
    assert 10 - 1e-6 <= m.crown_y <= 30 + 1e-6
    # As close to the ideal (crown 41 px, face 65 % = 268 px) as allowed, but kept near
    # the middle of each band (45 % of its width inside), so that a measurement a few px
    # off either way, ours or an official's, still reads as inside.
    assert m.crown_y == pytest.approx(30 - 0.45 * 20)
    assert m.face_height == pytest.approx(250 + 0.45 * 70)


def test_a_band_too_tight_for_the_margin_is_still_met_exactly():
    m = solve(head_top=Band(min=40, max=41), face_height=Band(exact=300)).measure(HEAD)
    assert 40 - 1e-6 <= m.crown_y <= 41 + 1e-6
    assert m.face_height == pytest.approx(300)


def test_contradictory_constraints_are_named():
    with pytest.raises(ConstraintsUnsatisfiable) as excinfo:
        solve(face_height=Band(exact=300), head_top=Band(exact=50), chin_top=Band(max=200))
    message = str(excinfo.value)
    assert "face_height 300 px" in message
    assert "max_chin_top 200 px" in message


def test_face_width_and_height_that_disagree_with_the_face_are_refused():
    with pytest.raises(ConstraintsUnsatisfiable) as excinfo:
        solve(face_width=Band(exact=250), face_height=Band(exact=200))
    assert "face_width 250 px" in str(excinfo.value)
    assert "face_height 200 px" in str(excinfo.value)


def test_an_impossible_request_names_the_request_not_the_photo():
    # Eyes 20 px from the top would need a tiny head far above a body the photo lacks:
    # the customer can fix the request, so the request is named.
    with pytest.raises(ConstraintsUnsatisfiable) as excinfo:
        solve(eyes_top=Band(exact=20))
    assert "eyes_top 20 px" in str(excinfo.value)


def test_a_head_that_cannot_fit_in_the_frame_is_refused():
    with pytest.raises(ConstraintsUnsatisfiable):
        solve(face_height=Band(exact=500))


def test_photo_cut_below_the_chin_is_body_cut_off():
    tight = SourceBounds(top=0.0, bottom=HEAD.chin_y + 12, left=0.0, right=512.0)
    with pytest.raises(BodyCutOff):
        solve(bounds=tight)


# The photo ends 132 px left of the face's centre; a 1-inch frame with the face at most
# 297 px high is wider than twice that.
NARROW_LEFT = SourceBounds(top=0.0, bottom=600.0, left=130.0, right=512.0)
ONE_INCH_HEIGHT = {"face_height": Band(min=248, max=297)}


def solve_beside(bounds, **flags):
    return fit_to_spec(
        HEAD,
        bounds,
        size=(295, 413),
        bands=ONE_INCH_HEIGHT,
        keep_background=False,
        max_scale=3.0,
        **flags,
    )


def test_shoulders_at_a_side_may_run_past_it_but_hair_may_not():
    # Below the chin the shoulders are continued past the edge; hair above it is not.
    past = solve_beside(NARROW_LEFT, shoulders_reach_sides=True)
    assert past.level_rect()[0] < NARROW_LEFT.left
    with pytest.raises(FaceCutOff) as excinfo:
        solve_beside(NARROW_LEFT, shoulders_reach_sides=True, hair_reaches_sides=True)
    assert "beside the head" in str(excinfo.value)


def test_hair_at_a_side_keeps_the_frame_inside_the_photo():
    bounds = SourceBounds(top=0.0, bottom=600.0, left=100.0, right=512.0)
    fit = solve_beside(bounds, shoulders_reach_sides=True, hair_reaches_sides=True)
    assert fit.level_rect()[0] >= bounds.left - 1e-6
    assert 248 <= fit.measure(HEAD).face_height <= 297


def test_hair_at_a_side_may_move_the_face_a_little_off_centre_to_stay_inside():
    # 146 px of photo left of the face's centre: centred, a 1-inch frame needs 147.5 px
    # even with the face at the band's largest, and was refused; 2 % of the width off
    # centre, it fits (our own ID photos of long hair, sent again, were refused that way).
    bounds = SourceBounds(top=0.0, bottom=600.0, left=HEAD.center_x - 146, right=430.0)
    fit = solve_beside(bounds, shoulders_reach_sides=True, hair_reaches_sides=True)
    left, _top, right, _bottom = fit.level_rect()
    assert left >= bounds.left - 1e-6 and right <= bounds.right + 1e-6
    assert 248 <= fit.measure(HEAD).face_height <= 297
    assert -0.02 * 295 - 1e-6 <= fit.face_x(HEAD) - 295 / 2 < 0  # moved away from the near side


def test_hair_at_a_side_with_room_keeps_the_face_centred():
    fit = solve_beside(ROOMY, shoulders_reach_sides=True, hair_reaches_sides=True)
    assert fit.face_x(HEAD) == pytest.approx(295 / 2)


def test_a_photo_too_narrow_for_a_specs_bands_is_blamed_not_the_bands():
    # The customer chose a document; they can only change the photo.
    narrow = SourceBounds(top=0.0, bottom=600.0, left=200.0, right=324.0)
    with pytest.raises(BodyCutOff) as excinfo:
        solve_beside(narrow, shoulders_reach_sides=True)
    assert "sides" in str(excinfo.value) and "face_height" not in str(excinfo.value)


def test_body_reaching_the_bottom_edge_is_enforced():
    bounds = SourceBounds(top=0.0, bottom=400.0, left=0.0, right=512.0)
    fit = solve(bounds=bounds)
    bottom_in_output = fit.scale * bounds.bottom + fit.ty
    assert bottom_in_output >= 413 - 3 - 1e-6


def test_only_the_lower_edge_under_the_frame_must_reach_its_bottom():
    # Levelling a photo taken 6 degrees askew slants its lower edge. A 1-inch frame is
    # narrower than the shoulders, so the edge's high end out beside the shoulder does not
    # count: this photo was refused when it did.
    to_level = leveling_matrix(np.array([HEAD.center_x, HEAD.eyes_y]), 6.0)
    bounds = source_bounds(to_level, (524, 386), HEAD.center_x, HEAD.face_width, chin_y=HEAD.chin_y)
    fit = solve_beside(bounds)
    x0, _, x1, y1 = fit.level_rect()
    corners = apply(invert(to_level), [(x0, y1), (x1, y1)])
    # Under the frame the photo ends no higher than the clothes may be continued.
    assert corners[:, 1].max() <= 386 + BODY_EXTENSION * 413 / fit.scale


def test_low_resolution_is_face_too_small():
    with pytest.raises(FaceTooSmall):
        solve(size=(1051, 1500), max_scale=2.0)


def test_a_face_too_small_for_a_specs_band_is_blamed_on_the_photo_not_the_band():
    # A footballer far off in a match photo, asked for a 1-inch photo: the band is the
    # document's, so the customer is told the face is too small, not what the band is.
    with pytest.raises(FaceTooSmall):
        solve(face_height=Band(min=248, max=297), max_scale=0.5)


def test_keeping_the_background_stays_inside_the_photo():
    # Head close to the top: with a new background the crown margin is the ideal 10 %,
    # with the original one the crop may not leave the photo.
    bounds = SourceBounds(top=HEAD.crown_y - 10, bottom=600.0, left=0.0, right=512.0)
    free = solve(bounds=bounds).measure(HEAD)
    kept_fit = solve(bounds=bounds, keep_background=True)
    assert free.crown_y == pytest.approx(41.3, abs=0.5)
    top_of_photo = kept_fit.scale * bounds.top + kept_fit.ty
    assert top_of_photo <= 0.02 * 413 + 1e-6


def test_leveling_makes_the_eye_line_horizontal():
    right, left = np.array([100.0, 120.0]), np.array([180.0, 140.0])
    center = (right + left) / 2
    roll = np.degrees(np.arctan2(left[1] - right[1], left[0] - right[0]))
    level = apply(leveling_matrix(center, roll), np.array([right, left]))
    assert level[0, 1] == pytest.approx(level[1, 1])
    assert np.linalg.norm(level[1] - level[0]) == pytest.approx(np.linalg.norm(left - right))


def test_eyes_nearly_level_are_not_turned_so_our_own_id_photo_fits_inside_itself():
    """Our ID card photo of a woman whose hair runs into both sides, sent again: the
    landmarker reads its eyes 0.33 degrees off level. Turned by that, the photo's corners
    were cut, it no longer held the frame, and it was refused as hair cut at a side."""
    head = HeadGeometry(crown_y=16.2, eyes_y=199.6, chin_y=359.2, center_x=179.4, face_width=188.7)
    centre = np.array([head.center_x, head.eyes_y])
    assert np.allclose(leveling_matrix(centre, 0.33), [[1, 0, 0], [0, 1, 0]])
    bounds = source_bounds(
        leveling_matrix(centre, 0.33), (358, 441), head.center_x, head.face_width, head.chin_y
    )
    id_card = {
        "head_top": Band(min=7, max=21),
        "eyes_top": Band(max=234),
        "chin_top": Band(min=353, max=369),
    }
    fit = fit_to_spec(
        head,
        bounds,
        size=(358, 441),
        bands=id_card,
        keep_background=False,
        max_scale=3.0,
        hair_reaches_sides=True,
    )
    left, _top, right, _bottom = fit.level_rect()
    assert left >= -1e-6 and right <= 358 + 1e-6
    # a real tilt is still levelled
    turned = apply(leveling_matrix(centre, 2.0), [[100.0, 200.0], [260.0, 200.0]])
    assert abs(turned[0, 1] - turned[1, 1]) > 5


def test_source_bounds_follow_the_rotation():
    matrix = leveling_matrix(np.array([256.0, 300.0]), 8.0)
    bounds = source_bounds(matrix, (512, 600), center_x=256, face_width=180)
    assert bounds.top > 0  # the tilted top edge dips into the frame
    assert bounds.bottom < 600


def test_beside_the_shoulders_a_levelled_photos_sides_are_read_below_the_chin():
    # Levelled by 8 degrees, the left edge runs from (-39.3, 38.5) to (44.2, 632.7) and
    # the right one from (467.8, -32.7) to (551.3, 561.5). Over the whole height the frame
    # must stay right of x=44.2 and left of x=467.8; from the chin (row 360) to the
    # bottom edge beside the shoulders (row 571.3), right of 35.6 and left of 523.0.
    matrix = leveling_matrix(np.array([256.0, 300.0]), 8.0)
    bounds = source_bounds(matrix, (512, 600), 256, 180, chin_y=360.0)
    assert (bounds.left, bounds.right) == (
        pytest.approx(44.2, abs=0.1),
        pytest.approx(467.8, abs=0.1),
    )
    assert bounds.bottom == pytest.approx(571.3, abs=0.1)
    assert bounds.shoulder_sides == (pytest.approx(35.6, abs=0.1), pytest.approx(523.0, abs=0.1))
    unturned = source_bounds(leveling_matrix(np.array([256.0, 300.0]), 0.0), (512, 600), 256, 180)
    assert unturned.shoulder_sides == (unturned.left, unturned.right)


def test_the_shoulders_are_held_to_the_sides_below_the_chin_not_above_it():
    # A levelled photo whose upper corner comes in beside the head: that corner shows
    # the new background; only the sides beside the shoulders limit the frame.
    slanted = SourceBounds(top=0.0, bottom=600.0, left=200.0, right=324.0, body_left=30.0)
    slanted = dataclasses.replace(slanted, body_right=482.0)
    fit = solve_beside(slanted, shoulders_reach_sides=True)
    assert fit.level_rect()[0] >= 30.0 - 0.02 * 295 / fit.scale - 1e-6
    assert 248 <= fit.measure(HEAD).face_height <= 297
    with pytest.raises(BodyCutOff):
        solve_beside(
            dataclasses.replace(slanted, body_left=None, body_right=None),
            shoulders_reach_sides=True,
        )


def test_warp_samples_the_right_place_and_marks_the_fill():
    image = np.zeros((100, 100, 3), np.uint8)
    image[40:60, 40:60] = 255
    matrix = np.array([[2.0, 0.0, -60.0], [0.0, 2.0, -60.0]])  # zoom 2x on (30..80)
    out, inside = warp(image, matrix, (100, 100))
    assert out[50, 50].min() == 255  # centre of the white square
    assert out[5, 5].max() == 0
    strong, inside_strong = warp(image, np.array([[0.2, 0, 0], [0, 0.2, 0]]), (40, 40))
    assert inside_strong[2:18, 2:18].min() == pytest.approx(1.0)  # the photo
    assert inside_strong[22:, 22:].max() == 0.0  # beyond it: fill
    assert strong[10, 10].max() > 100  # area-averaged, not a missed sample
