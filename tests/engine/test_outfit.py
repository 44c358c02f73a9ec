"""Outfit change on real portraits: every outfit fits under the chin, covers the customer's
own clothes, reaches the frame's bottom and sides, and follows the light on the face."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from photos.engine import outfit, retouch
from photos.engine.errors import EngineError
from photos.engine.faces import FACE_OVAL, detect_faces
from tests.engine.conftest import astronaut_image, grace_image
from tests.engine.test_retouch import fitted_portrait

SIZES = [(295, 413), (413, 531), (600, 600)]
MAGENTA = np.array([255, 0, 255], np.uint8)


def magenta_shirt(rgb: np.ndarray, alpha: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The customer's body below the neck painted loud magenta, to see what shows through."""
    out = rgb.copy()
    neck = landmarks[retouch.CHIN][1] + 0.25 * retouch.face_height(landmarks)
    body = alpha > 0.3
    body[: int(neck)] = False
    out[body] = MAGENTA
    return out


def is_magenta(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (rgb[..., i].astype(int) for i in range(3))
    return (r > 170) & (b > 170) & (g < 110)


@pytest.fixture(scope="module")
def dressed_inputs(engine_models):
    """Grace Hopper at the three sizes with a magenta shirt, plus the astronaut at 295x413."""
    grace = np.asarray(grace_image())
    out = {}
    for size in SIZES:
        rgb, landmarks, alpha = fitted_portrait(grace, size)
        out[size] = (magenta_shirt(rgb, alpha, landmarks), alpha, landmarks)
    rgb, landmarks, alpha = fitted_portrait(np.asarray(astronaut_image()), SIZES[0])
    out["astronaut"] = (rgb, alpha, landmarks)
    return out


def test_fifty_ids_in_reference_order():
    ids = outfit.CLOTHES_IDS
    assert len(ids) == 50 and len(set(ids)) == 50
    assert ids[0] == "man_1" and ids[19] == "man_20"
    assert ids[20] == "woman_1" and ids[39] == "woman_20"
    assert ids[40] == "child_1" and ids[-1] == "child_10"


def test_catalogue_has_titles_groups_and_thumbnails():
    entries = outfit.catalogue()
    assert [e["id"] for e in entries] == list(outfit.CLOTHES_IDS)
    for entry in entries:
        assert entry["group"] == entry["id"].split("_")[0]
        assert len(entry["title"]) > 8
        with Image.open(entry["thumbnail"]) as thumb:
            assert thumb.size == (160, 160)
    assert entries[0]["title"] == "Navy suit, white shirt, red tie"
    assert outfit.thumbnail_path("child_3").name == "child_3.png"


@pytest.mark.parametrize("bad", ["man_21", "woman_0", "child_11", "", "MAN_1", None])
def test_unknown_clothes_id_is_refused(dressed_inputs, bad):
    rgb, alpha, landmarks = dressed_inputs[SIZES[0]]
    with pytest.raises(EngineError) as caught:
        outfit.apply_outfit(rgb, alpha, landmarks, bad)
    assert isinstance(caught.value, ValueError)
    assert "man_1" in str(caught.value)
    with pytest.raises(ValueError):
        outfit.thumbnail_path(bad)


def test_assets_are_laid_out_as_the_anchors_say():
    """Top rows and side columns transparent (the bottom row is repeated to reach the frame's
    bottom), the bottom row covered between the shoulders, all files small."""
    catalogue = json.loads((outfit.ASSET_DIR / "catalogue.json").read_text())["outfits"]
    assert [e["id"] for e in catalogue] == list(outfit.CLOTHES_IDS)
    total = 0
    for entry in catalogue:
        asset = outfit.load_asset(entry["id"])
        h, w = asset.front.shape[:2]
        assert [w, h] == entry["size"]
        a = asset.front[..., 3]
        cx, cy = entry["neck_center"]
        half = entry["shoulder_width"] / 2
        assert a[: max(entry["collar_top"] - 2, 0)].max() == 0
        assert a[:, :4].max() == 0 and a[:, -4:].max() == 0
        assert a[-1, int(cx - half) : int(cx + half)].min() == 255
        # the neck itself is open just above the anchor: the person's neck shows there
        assert a[int(cy - 0.3 * entry["neck_width"]), int(cx)] == 0
        for suffix in ("", "_back", "_skin"):
            total += (outfit.ASSET_DIR / f"{entry['id']}{suffix}.png").stat().st_size
        total += outfit.thumbnail_path(entry["id"]).stat().st_size
    assert total < 8_000_000


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_outfit_covers_the_old_clothes_below_the_neck(dressed_inputs, size):
    rgb, alpha, landmarks = dressed_inputs[size]
    width, height = size
    fw = retouch.face_width(landmarks)
    fh = retouch.face_height(landmarks)
    chin_y = landmarks[retouch.CHIN][1]
    neck_line = int(chin_y + 0.35 * fh)
    assert is_magenta(rgb[neck_line:]).mean() > 0.3  # the test shirt is really there
    for clothes_id in outfit.CLOTHES_IDS:
        out_rgb, out_alpha = outfit.apply_outfit(rgb, alpha, landmarks, clothes_id)
        assert out_rgb.shape == rgb.shape and out_rgb.dtype == np.uint8
        assert out_alpha.shape == alpha.shape
        assert 0.0 <= out_alpha.min() and out_alpha.max() <= 1.0
        shown = is_magenta(out_rgb) & (out_alpha > 0.1)
        assert shown[neck_line:].sum() == 0, f"{clothes_id} at {size} shows the old shirt"
        # the garment reaches the bottom edge across the shoulders, and the frame's sides
        bottom = out_alpha[-1]
        assert bottom[int(0.1 * width) : int(0.9 * width)].min() > 0.99, clothes_id
        if 2.3 * fw > width:  # shoulders wider than the frame
            assert out_alpha[-1, 0] > 0.99 and out_alpha[-1, -1] > 0.99, clothes_id
        # and nothing of it floats above the neck line
        assert out_alpha[: int(chin_y)].max() <= alpha[: int(chin_y)].max() + 1e-6
    assert height > neck_line


def garment_rows(out_alpha: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Rows where the outfit adds coverage the person's matte did not have."""
    return np.nonzero(((out_alpha - alpha) > 0.5).any(axis=1))[0]


@pytest.mark.parametrize("clothes_id", ["man_1", "woman_2", "child_1"])
def test_collar_sits_under_the_chin_and_shoulders_are_plausible(dressed_inputs, clothes_id):
    rgb, alpha, landmarks = dressed_inputs["astronaut"]
    fw = retouch.face_width(landmarks)
    fh = retouch.face_height(landmarks)
    chin = landmarks[retouch.CHIN]
    out_rgb, out_alpha = outfit.apply_outfit(rgb, alpha, landmarks, clothes_id)
    asset = outfit.load_asset(clothes_id)
    place = outfit.place_outfit(alpha, landmarks, asset)
    # the collar meets the neck about level with the chin, centred on the face
    assert abs(place.neck_y - chin[1]) <= 0.05 * fh
    assert abs(place.neck_x - chin[0]) < 0.1 * fw
    # shoulder width 2.3..2.7 face widths
    assert 2.25 * fw <= asset.shoulder_width * place.scale <= 2.75 * fw
    # the garment starts near the neck line: its collar rises no higher than the jaw
    # beside the chin, and there is no gap of background between neck and collar
    collar = asset.collar_top
    top = place.neck_y + (collar - asset.neck_center[1]) * place.scale
    assert chin[1] - 0.15 * fh < top < place.neck_y + 2
    column = out_alpha[int(chin[1] + 0.05 * fh) : int(chin[1] + 0.5 * fh), int(place.neck_x)]
    assert column.min() > 0.95
    # the shoulders come up to the neck as a person's do: two face widths of garment
    # across, 0.4 face heights under the chin (they were lower, under a long thin neck)
    row = int(chin[1] + 0.4 * fh)
    left, right = int(max(place.neck_x - fw, 0)), int(min(place.neck_x + fw, rgb.shape[1]))
    assert out_alpha[row, left:right].min() > 0.95, clothes_id
    # and the face stays in front of the collar, untouched
    oval = retouch._dilate_polygon(landmarks[list(FACE_OVAL)], -0.03 * fw)
    face = retouch._polygon_mask(alpha.shape, oval) > 0.99
    assert np.abs(out_rgb[face].astype(int) - rgb[face]).max() <= 2


def test_outfit_shading_follows_the_light_on_the_face(dressed_inputs):
    rgb, alpha, landmarks = dressed_inputs[SIZES[0]]
    dark = np.round(rgb * 0.6).astype(np.uint8)
    normal_rgb, normal_alpha = outfit.apply_outfit(rgb, alpha, landmarks, "man_12")
    dark_rgb, _ = outfit.apply_outfit(dark, alpha, landmarks, "man_12")
    shirt = (normal_alpha > 0.99) & (alpha < 0.5)  # garment pixels beside the body
    shirt[: int(landmarks[retouch.CHIN][1] + 0.5 * retouch.face_height(landmarks))] = False
    assert shirt.sum() > 100
    normal = normal_rgb[shirt].astype(float).mean()
    darker = dark_rgb[shirt].astype(float).mean()
    assert 0.75 * normal < darker < 0.97 * normal  # darker, but not crushed


def luma(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def high_pass(rgb: np.ndarray, sigma: float) -> np.ndarray:
    y = luma(rgb)
    return y - cv2.GaussianBlur(y, (0, 0), sigma)


def garment(place: outfit.Placement, clothes_id: str, shape) -> np.ndarray:
    """Where the garment's front layer lies in the photo (its alpha)."""
    asset = outfit.load_asset(clothes_id)
    front = outfit._warp(
        asset.front,
        place.scale,
        asset.neck_center,
        (place.neck_x, place.neck_y),
        (shape[1], shape[0]),
        extend_down=True,
    )
    return front[..., 3]


def neck_box(
    landmarks: np.ndarray, place: outfit.Placement, clothes_id: str, shape, half: float = 0.15
):
    """Rows and columns of the middle of the neck, between the chin and the garment."""
    fw = retouch.face_width(landmarks)
    fh = retouch.face_height(landmarks)
    chin_y = landmarks[retouch.CHIN][1]
    columns = slice(int(place.neck_x - half * fw), int(place.neck_x + half * fw))
    top = int(chin_y + 0.06 * fh)
    covered = (garment(place, clothes_id, shape)[top:, columns] > 0.02).any(axis=1)
    rows = slice(top, top + int(np.argmax(covered)) - 2)
    return rows, columns


def test_a_hidden_neck_is_drawn_like_a_neck(dressed_inputs):
    """The astronaut's neck is hidden by a turtleneck and a suit ring: the drawn neck joins
    the jaw without a seam, is narrower than the face with curved sides, darker under the
    chin and at its sides, and has a skin texture rather than a flat fill."""
    rgb, alpha, landmarks = dressed_inputs["astronaut"]
    fw = retouch.face_width(landmarks)
    fh = retouch.face_height(landmarks)
    chin_y = landmarks[retouch.CHIN][1]
    out_rgb, out_alpha = outfit.apply_outfit(rgb, alpha, landmarks, "man_1")
    place = outfit.place_outfit(alpha, landmarks, outfit.load_asset("man_1"))
    rows, columns = neck_box(landmarks, place, "man_1", rgb.shape)
    assert rows.stop - rows.start >= 0.06 * fh  # a short neck, but a neck
    y = luma(out_rgb)

    # no hard horizontal edge between the chin and the collar (the pasted block had ~8.7)
    profile = y[int(chin_y + 0.03 * fh) : rows.stop, columns].mean(axis=1)
    assert np.abs(np.diff(profile)).max() < 4.0

    # a neck's width under the jaw (not a block as wide as the face); lower down the
    # collar closes in over it
    cx = int(round(place.neck_x))
    collar = garment(place, "man_1", rgb.shape)
    lefts, rights = [], []
    for row in range(rows.start, rows.stop):
        run = (out_alpha[row] > 0.5) & (collar[row] < 0.02)
        assert run[cx]
        lefts.append(cx - np.argmin(run[cx::-1]))
        rights.append(cx + np.argmin(run[cx:]))
    widths = (np.array(rights) - np.array(lefts)) / fw
    assert 0.4 <= widths[: len(widths) // 3].min() and widths.max() <= 0.65, widths

    # the jaw casts a shadow: right under it darker than lower down; sides darker than middle
    under_jaw = y[int(chin_y + 0.03 * fh) : int(chin_y + 0.07 * fh), columns].mean()
    lower = y[int(chin_y + 0.1 * fh) : rows.stop, columns].mean()
    assert under_jaw < lower - 5
    middle = y[rows, int(cx - 0.08 * fw) : int(cx + 0.08 * fw)].mean()
    sides = [
        y[rows][np.arange(len(lefts)), np.array(edge) + step].mean()
        for edge, step in ((lefts, 3), (rights, -3))
    ]
    assert max(sides) < middle - 3

    # skin colour from the face, a little darker and less saturated
    face = outfit._lower_face_skin(out_rgb, landmarks)
    lab = cv2.cvtColor(out_rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    neck_l, face_l = np.median(lab[rows, columns, 0]), np.median(lab[face][:, 0])
    neck_c, face_c = np.median(chroma[rows, columns]), np.median(chroma[face])
    assert face_l - 15 < neck_l < face_l - 1
    assert 0.75 * face_c < neck_c < face_c

    # grain and texture like the face's, not a flat fill (the flat block had 0.26)
    hp = high_pass(out_rgb, 1.5)

    def spread(values):
        return 1.4826 * np.median(np.abs(values - np.median(values)))

    assert spread(hp[rows, columns].ravel()) > 0.4 * spread(hp[face])


def test_a_visible_neck_keeps_its_own_skin(dressed_inputs):
    """Grace Hopper's own neck shows: its wrinkles stay, nothing is drawn over them."""
    rgb, alpha, landmarks = dressed_inputs[SIZES[1]]
    out_rgb, _ = outfit.apply_outfit(rgb, alpha, landmarks, "man_1")
    place = outfit.place_outfit(alpha, landmarks, outfit.load_asset("man_1"))
    rows, columns = neck_box(landmarks, place, "man_1", rgb.shape)
    before = high_pass(rgb, 3.0)[rows, columns].ravel()
    after = high_pass(out_rgb, 3.0)[rows, columns].ravel()
    assert np.corrcoef(before, after)[0, 1] > 0.35


def test_skin_inside_a_neckline_is_textured_and_joins_the_neck(dressed_inputs):
    """Grace Hopper in a round-neck top: the skin painted below her own neck, inside the
    neckline, has a skin texture (the flat orange patch had 0.18 of the face's) and meets
    her own neck without a hard horizontal seam."""
    rgb, alpha, landmarks = dressed_inputs[(600, 600)]
    fw = retouch.face_width(landmarks)
    fh = retouch.face_height(landmarks)
    out_rgb, out_alpha = outfit.apply_outfit(rgb, alpha, landmarks, "woman_12")
    place = outfit.place_outfit(alpha, landmarks, outfit.load_asset("woman_12"))
    columns = slice(int(place.neck_x - 0.1 * fw), int(place.neck_x + 0.1 * fw))
    o = out_rgb.astype(int)
    skin = (o[..., 0] > o[..., 1]) & (o[..., 1] > o[..., 2]) & (o[..., 0] - o[..., 2] > 30)
    # painted: where the old (magenta) shirt was and skin now shows, in the neck column
    painted = np.zeros(skin.shape, bool)
    painted[:, columns] = True
    painted &= is_magenta(rgb) & skin & (out_alpha > 0.99)
    painted = cv2.erode(painted.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert painted.sum() > 1500

    def spread(values):
        return 1.4826 * np.median(np.abs(values - np.median(values)))

    hp = high_pass(out_rgb, 1.5)
    face = outfit._lower_face_skin(out_rgb, landmarks)
    assert spread(hp[painted]) > 0.3 * spread(hp[face])

    # down the neck column from under the chin into the neckline, stopping short of the
    # garment's edge: no row much brighter or darker than the one above it
    top = int(landmarks[retouch.CHIN][1] + 0.06 * fh)
    bare = skin[:, columns].mean(axis=1) > 0.97
    end = top + int(np.argmin(bare[top:])) - int(0.03 * fh)
    assert end > place.neck_y + 0.15 * fh
    profile = luma(out_rgb)[top:end, columns].mean(axis=1)
    assert np.abs(np.diff(profile)).max() < 3.0


def test_a_shirt_collar_touching_the_jaw_does_not_stay_beside_it(engine_models):
    """In Barack Obama's official portrait his white collar touches his jaw: dressed in
    another outfit on a new background, no white line of that collar may stay along the
    jaw (21 near-white pixels there before the fix at the US visa)."""
    from photos.engine.params import PhotoRequest
    from photos.engine.pipeline import make_id_photo

    source = (
        Path(__file__).parent / "data" / "people" / "obama_official_portrait.jpg"
    ).read_bytes()
    request = PhotoRequest(px_width=600, px_height=600, bg_color="4a90d9", clothes_id="man_1")
    rgb = np.asarray(make_id_photo(source, request).photo)
    (face,) = detect_faces(rgb)
    lm = face.landmarks
    fw = retouch.face_width(lm)
    oval = lm[list(FACE_OVAL)]
    outer = retouch._polygon_mask(rgb.shape[:2], retouch._dilate_polygon(oval, 0.05 * fw)) > 0.5
    inner = retouch._polygon_mask(rgb.shape[:2], retouch._dilate_polygon(oval, 0.01 * fw)) > 0.5
    beside_jaw = outer & ~inner
    beside_jaw[: int(lm[retouch.NOSE_BOTTOM][1])] = False
    beside_jaw[int(lm[retouch.CHIN][1]) :] = False
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(int)
    white = (
        (lab[..., 0] > 200) & (np.abs(lab[..., 1] - 128) < 12) & (np.abs(lab[..., 2] - 128) < 20)
    )
    assert beside_jaw.sum() > 1000
    assert (white & beside_jaw).sum() == 0
