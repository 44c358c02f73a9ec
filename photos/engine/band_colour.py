"""The colour along an edge of the photo, for the parts of the frame continued past it.

engine/crown.py, body.py and shoulders.py each carry the person's colour across an edge
of the photo: the mean over a band just inside the edge, taken only where the person is,
and smoothed along the edge. The smoothing is a normalised convolution, so that stretches
of the edge without the person (beside the body, above a shoulder) take their neighbours'
colour instead of being pulled towards black.
"""

from __future__ import annotations

import cv2
import numpy as np


def band_colour(rgb: np.ndarray, weights: np.ndarray, *, axis: int, sigma: float) -> np.ndarray:
    """Weighted mean colour of ``rgb`` across ``axis``, smoothed along the other one.

    ``weights`` (same height and width as ``rgb``) is 1 in the band where the person is.
    ``axis`` 0 gives a colour per column (a top or bottom edge), 1 a colour per row (a side
    edge); ``sigma`` is the Gaussian smoothing along the edge, in pixels. Returns float32,
    shape (length of the edge, 3).
    """
    weights = weights.astype(np.float32)
    total = (rgb.astype(np.float32) * weights[..., None]).sum(axis=axis)
    count = weights.sum(axis=axis)
    total = cv2.GaussianBlur(total[None], (0, 0), sigmaX=sigma, sigmaY=0.1)[0]
    count = cv2.GaussianBlur(count[None], (0, 0), sigmaX=sigma, sigmaY=0.1)[0]
    return total / np.maximum(count, 1e-6)[:, None]
