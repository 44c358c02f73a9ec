"""background: flat and gradient backgrounds, and compositing without the old colour's fringe."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from photos.engine.background import composite, estimate_foreground, make_background
from photos.engine.errors import EngineError
from photos.engine.params import parse_hex_color

pytestmark = pytest.mark.usefixtures("engine_models")


def test_hex_colours_parse_with_or_without_hash():
    assert parse_hex_color("438EDB") == (0x43, 0x8E, 0xDB)
    assert parse_hex_color("#ffffff") == (255, 255, 255)
    assert parse_hex_color("f00") == (255, 0, 0)
    with pytest.raises(EngineError):
        parse_hex_color("blue")


def test_flat_background_is_one_colour():
    bg = make_background((30, 40), "438EDB")
    assert bg.shape == (40, 30, 3)
    assert np.allclose(bg, np.array([0x43, 0x8E, 0xDB]) / 255)


def test_gradient_runs_from_bg_color_at_the_top_to_bg_color2_at_the_bottom():
    bg = make_background((30, 100), "FFFFFF", "438EDB")
    assert np.allclose(bg[0], 1.0)
    assert np.allclose(bg[-1], np.array([0x43, 0x8E, 0xDB]) / 255)
    blue_share = bg[:, 0, 0]  # red falls from top to bottom
    assert (np.diff(blue_share) <= 0).all()
    assert np.allclose(bg[:, 0], bg[:, -1])  # vertical only


def soft_disc_on(background_rgb: tuple[int, int, int]):
    """A red disc with a soft, hair-like edge photographed in front of ``background_rgb``."""
    size = 200
    yy, xx = np.mgrid[:size, :size]
    radius = np.hypot(xx - 100, yy - 100)
    alpha = np.clip((70 - radius) / 12 + 0.5, 0, 1).astype(np.float32)
    fg = np.array([200, 40, 40], np.float32)
    bg = np.array(background_rgb, np.float32)
    image = alpha[..., None] * fg + (1 - alpha[..., None]) * bg
    return image.round().astype(np.uint8), alpha


def test_foreground_estimate_removes_the_old_background_from_the_edge():
    image, alpha = soft_disc_on((0, 220, 0))  # green screen behind
    fg = estimate_foreground(image.astype(np.float32) / 255, alpha)
    edge = (alpha > 0.1) & (alpha < 0.9)
    truth = np.array([200, 40, 40]) / 255
    error = np.abs(fg[edge] - truth).mean()
    error_without_estimate = np.abs(image[edge] / 255 - truth).mean()
    assert error < 0.55 * error_without_estimate
    # The true foreground is red: at the edge the estimate must stay clearly red.
    assert fg[edge][:, 0].mean() > 1.5 * fg[edge][:, 1].mean()


def test_composite_leaves_no_fringe_of_the_old_colour():
    image, alpha = soft_disc_on((0, 220, 0))
    white = make_background((200, 200), "FFFFFF")
    out = composite(image, alpha, white).astype(int)
    edge = (alpha > 0.05) & (alpha < 0.95)
    naive = alpha[..., None] * image + (1 - alpha[..., None]) * 255
    # Green should not stick out over red and blue anywhere along the edge.
    greenness = out[..., 1] - (out[..., 0] + out[..., 2]) / 2
    naive_greenness = naive[..., 1] - (naive[..., 0] + naive[..., 2]) / 2
    assert naive_greenness[edge].max() > 40  # the naive composite does show a fringe
    assert greenness[edge].max() < 15
    assert (out[alpha == 0] == 255).all()
    assert np.abs(out[alpha == 1] - image[alpha == 1]).max() <= 1


def test_composite_scales_its_blur_radii_with_the_image():
    image, alpha = soft_disc_on((0, 220, 0))
    big = cv2.resize(image, (800, 800), interpolation=cv2.INTER_LINEAR)
    big_alpha = cv2.resize(alpha, (800, 800), interpolation=cv2.INTER_LINEAR)
    out = composite(big, big_alpha, make_background((800, 800), "FF0000"))
    assert out.shape == (800, 800, 3)
