"""Hands in the picture: MediaPipe's hand landmarker, 21 points a hand, in source pixels.

Officials refuse an ID photo that shows a hand (propping the chin, on the cheek, holding
something in front of the chest), and the new background leaves a hand as it is. The
matte keeps it (a hand is part of the person), so the customer is told instead.
"""

from __future__ import annotations

import cv2
import numpy as np

from photos.engine import models

MAX_HANDS = 4
# The landmarker's own confidences. On 41 calibration portraits it found 11 hands, every
# one real (crossed arms, hands on the cheeks, on the forehead, holding cards, a
# footballer's), and none on 19 pictures without a person's hands (scikit-image's).
MIN_DETECTION = 0.5
MIN_PRESENCE = 0.5
# It also took a white tie for a hand (on a copy of Grace Hopper's portrait). A hand shows
# skin of the face's hue, however differently lit: the palm's chroma (a*, b*; OpenCV's
# 8-bit Lab) lay within 10 of the face's on 12 real hands, lit brighter or darker by up
# to 87 in L; the tie's was 40 away. Gloves are not pointed out.
MAX_PALM_CHROMA_DISTANCE = 20.0
# The landmarker works on 192-224 px crops anyway; a smaller copy saves memory and time.
SEARCH_SIDE = 640
PALM = [0, 1, 5, 9, 13, 17]  # wrist and the finger bases
PALM_RADIUS = 0.12  # of the hand's size, around the palm's centre


def _create_landmarker():
    from mediapipe.tasks.python import BaseOptions, vision

    path = models.model_path(models.HAND_LANDMARKER)
    options = vision.HandLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.IMAGE,
        num_hands=MAX_HANDS,
        min_hand_detection_confidence=MIN_DETECTION,
        min_hand_presence_confidence=MIN_PRESENCE,
    )
    return vision.HandLandmarker.create_from_options(options)


_landmarkers = models.PerThread(_create_landmarker)


def find_hands(rgb: np.ndarray, face_oval: np.ndarray) -> list[np.ndarray]:
    """Every hand in ``rgb``: a (21, 2) array of its landmarks in pixels of ``rgb``.

    ``face_oval`` (the face's outline in pixels of ``rgb``) gives the skin's hue."""
    hands = landmarker_hands(rgb)
    if not hands:
        return []
    skin = _face_chroma(rgb, face_oval)
    if skin is None:
        return []
    found = []
    for hand in hands:
        palm = _palm_chroma(rgb, hand)
        if palm is not None and np.linalg.norm(palm - skin) <= MAX_PALM_CHROMA_DISTANCE:
            found.append(hand)
    return found


def _face_chroma(rgb: np.ndarray, oval: np.ndarray) -> np.ndarray | None:
    x0, y0, mask = _blank_mask(rgb.shape, oval.min(axis=0), oval.max(axis=0))
    if mask.size:
        cv2.fillPoly(mask, [np.round(oval - (x0, y0)).astype(np.int32)], 1)
    return _chroma(rgb, x0, y0, mask)


def _palm_chroma(rgb: np.ndarray, hand: np.ndarray) -> np.ndarray | None:
    """Over a disc PALM_RADIUS of the hand's size round the palm's centre."""
    radius = PALM_RADIUS * float(np.ptp(hand, axis=0).max())
    centre = hand[PALM].mean(axis=0)
    x0, y0, mask = _blank_mask(rgb.shape, centre - radius, centre + radius)
    if mask.size:
        cx, cy = np.round(centre - (x0, y0)).astype(int)
        cv2.circle(mask, (int(cx), int(cy)), max(1, round(radius)), 1, -1)
    return _chroma(rgb, x0, y0, mask)


def _blank_mask(shape, low: np.ndarray, high: np.ndarray) -> tuple[int, int, np.ndarray]:
    """(x0, y0, zeros) for the box from ``low`` to ``high`` (x, y), clipped to the image."""
    height, width = shape[:2]
    x0, y0 = np.clip(np.floor(low), 0, (width, height)).astype(int)
    x1, y1 = np.clip(np.ceil(high) + 1, 0, (width, height)).astype(int)
    return x0, y0, np.zeros((max(0, y1 - y0), max(0, x1 - x0)), np.uint8)


def _chroma(rgb: np.ndarray, x0: int, y0: int, mask: np.ndarray) -> np.ndarray | None:
    """Median a*, b* (OpenCV's 8-bit Lab) where ``mask`` (placed at x0, y0) is set."""
    if not mask.any():
        return None
    crop = np.ascontiguousarray(rgb[y0 : y0 + mask.shape[0], x0 : x0 + mask.shape[1]])
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB)
    return np.median(lab[mask > 0][:, 1:].astype(np.float32), axis=0)


def landmarker_hands(rgb: np.ndarray) -> list[np.ndarray]:
    """What the landmarker takes for hands, before the skin check (see find_hands), in
    pixels of ``rgb``. It looks at a copy at most SEARCH_SIDE pixels across."""
    import mediapipe as mp

    height, width = rgb.shape[:2]  # the landmarks are fractions of the width and height
    factor = SEARCH_SIDE / max(height, width)
    if factor < 1.0:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
    result = _landmarkers.get().detect(image)
    return [
        np.array([(p.x * width, p.y * height) for p in points], dtype=np.float64)
        for points in result.hand_landmarks
    ]
