"""shoulders: the person is continued beside a photo narrower than the frame, below the
chin, and nowhere else."""

from __future__ import annotations

import numpy as np

from photos.engine.shoulders import continue_shoulders

HEIGHT, WIDTH, CHIN = 200, 160, 80
PHOTO_LEFT = 12  # the photo starts at this column: the frame runs past its left side


def _frame(bottom_rows_cut: int = 0):
    """A person in a navy jacket with a white shirt down the middle, filling the photo
    below the chin; optionally the photo's bottom edge, slanted, cuts the last rows."""
    inside = np.zeros((HEIGHT, WIDTH), np.float32)
    inside[:, PHOTO_LEFT:] = 1.0
    for k in range(bottom_rows_cut):  # the last rows start further and further right
        inside[HEIGHT - 1 - k, : PHOTO_LEFT + 60 * (bottom_rows_cut - k)] = 0.0
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[:] = (20, 30, 80)
    rgb[:, 70:90] = (250, 250, 250)
    rgb[inside < 0.5] = (255, 255, 255)  # the new background where there is no photo
    alpha = np.zeros((HEIGHT, WIDTH), np.float32)
    alpha[CHIN + 10 :, :] = 1.0
    alpha[inside < 0.5] = 0.0
    return rgb, alpha, inside


def test_the_shoulder_beside_a_narrow_photo_is_continued_in_its_colour():
    rgb, alpha, inside = _frame()
    out_rgb, out_alpha, share = continue_shoulders(rgb, alpha, inside, CHIN, scale=1.0)

    beside = (slice(CHIN + 40, HEIGHT), slice(0, PHOTO_LEFT))
    assert (out_alpha[beside] > 0.9).all()  # the person goes on past the photo's edge
    assert np.abs(out_rgb[beside].astype(int) - (20, 30, 80)).max() < 10  # in navy
    assert (out_alpha[:CHIN, :PHOTO_LEFT] == 0).all()  # nothing above the chin
    assert 0 < share < 0.25


def test_the_photos_bottom_edge_in_the_last_rows_does_not_widen_the_continuation():
    # A levelled photo's bottom edge can come a few rows into the frame; the side edge is
    # still at column 12, and the shirt in the middle of the photo must stay as it is.
    rgb, alpha, inside = _frame(bottom_rows_cut=2)
    out_rgb, _out_alpha, share = continue_shoulders(rgb, alpha, inside, CHIN, scale=1.0)

    shirt = (slice(CHIN, HEIGHT - 2), slice(70, 90))
    assert (out_rgb[shirt] == 250).all()
    assert share < 0.25
