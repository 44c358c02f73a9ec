"""Measuring a delivered ID photo from scratch, and the catalogue's specs as engine requests.

Shared by the engine tests and the placement benchmark (tests/bench/placement.py), so both
judge the output the way an official would: the landmarker for the eye line, the chin and
the face width, the person matte for the top of the hair.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from photos.engine import matte
from photos.engine.faces import detect_faces
from photos.engine.params import FACE_CONSTRAINTS, Band, PhotoRequest

SPECS_FIXTURE = Path(__file__).resolve().parents[2] / "photos" / "fixtures" / "specs.json"


def remeasure(photo: Image.Image) -> dict[str, float]:
    """Crown, eyes, chin, face width and roll of the delivered photo (one face expected)."""
    rgb = np.asarray(photo.convert("RGB"))
    (face,) = detect_faces(rgb)
    alpha = matte.estimate_alpha(rgb)
    cheeks = face.landmarks[[234, 454], 0]
    crown, _ = matte.crown_row(alpha, columns=(cheeks.min(), cheeks.max()), below=face.forehead[1])
    return {
        "crown_y": crown,
        "eyes_y": float(face.eye_center[1]),
        "chin_y": float(face.chin[1]),
        "face_width": face.face_width,
        "eyes_x": float(face.eye_center[0]),
        "roll": face.roll,
    }


def spec_request(spec_id: int) -> PhotoRequest:
    """The engine request for a catalogue spec: its pixel size and its face bands."""
    specs = {row["pk"]: row["fields"] for row in json.loads(SPECS_FIXTURE.read_text())}
    fields = specs[spec_id]
    bands = {
        name: Band(min=fields.get(f"{name}_min"), max=fields.get(f"{name}_max"))
        for name in FACE_CONSTRAINTS
    }
    return PhotoRequest(px_width=fields["px_width"], px_height=fields["px_height"], **bands)
