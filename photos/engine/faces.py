"""Find the one person the ID photo is of, with 478 landmarks in source pixels.

MediaPipe's FaceLandmarker (tasks API) finds faces and landmarks; the face detector inside
the same model bundle scans tiles when a second, smaller person could have been missed,
and, when nobody is seen at all, smaller tiles for a person photographed from afar.
Geometry checks drop drawings of faces, animals and misfires. MediaPipe tasks are not
thread-safe, so each thread gets its own instances of the one verified model file.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from photos.engine import models
from photos.engine.errors import FaceCutOff, FaceTurnedAway, HeadLyingDown, NoFace, SeveralFaces

# Face-mesh indices (MediaPipe canonical face model).
IRIS_RIGHT = 468  # the person's right eye, on the image's left
IRIS_LEFT = 473
CHIN = 152
FOREHEAD = 10
CHEEK_RIGHT = 234
CHEEK_LEFT = 454
# The face's outline, forehead to chin and round (FaceMesh FACE_OVAL, chained).
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
    377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip

MAX_FACES = 4
# A face narrower than this share of the main face is background (poster, passer-by).
BACKGROUND_FACE_RATIO = 0.4
# Sanity bands for a real human face seen from the front; outside them we refuse.
EYE_DISTANCE_TO_FACE_WIDTH = (0.33, 0.62)
FACE_LENGTH_TO_FACE_WIDTH = (0.8, 1.6)
MAX_YAW_DEG = 30.0
MAX_PITCH_DEG = 30.0
MAX_ROLL_DEG = 45.0
# The full-frame pass sees faces down to about a tenth of the frame; when the main face is
# narrower than this share, a comparable second face could be missed and tiles are scanned.
FULL_FRAME_RELIABLE = 0.3
DETECTOR_TILE_PX = 320
# The detector finds faces down to about a sixth of the tile it looks at (20 of its 128
# pixels), so tiles for small faces are this many face widths wide, and no smaller than
# SMALL_FACE_TILE_MIN_PX: smaller faces have too few pixels for the landmarks.
SMALL_FACE_TILE_FACES = 6.0
SMALL_FACE_TILE_MIN_PX = 96


@dataclass(frozen=True)
class Face:
    landmarks: np.ndarray = field(repr=False)  # (478, 2) float, source pixels
    eye_right: np.ndarray  # iris centre on the image's left
    eye_left: np.ndarray
    chin: np.ndarray
    forehead: np.ndarray
    face_width: float  # cheek 234 ↔ cheek 454
    roll: float  # degrees; positive when the image-right eye sits lower
    yaw: float
    pitch: float
    blendshapes: dict[str, float] = field(repr=False, default_factory=dict)

    @property
    def eye_center(self) -> np.ndarray:
        return (self.eye_right + self.eye_left) / 2

    @property
    def center(self) -> np.ndarray:
        """Midpoint between eye line and chin: the point we level the head around."""
        return (self.eye_center + self.chin) / 2

    def shifted(self, dx: float, dy: float) -> Face:
        """The same face in a larger image whose origin is (-dx, -dy) from this one's."""
        offset = np.array([dx, dy])
        return replace(
            self,
            landmarks=self.landmarks + offset,
            eye_right=self.eye_right + offset,
            eye_left=self.eye_left + offset,
            chin=self.chin + offset,
            forehead=self.forehead + offset,
        )

    def transformed(self, matrix: np.ndarray) -> Face:
        """The same face seen through a similarity transform (2x3 affine, no shear)."""
        landmarks = self.landmarks @ matrix[:, :2].T + matrix[:, 2]
        scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
        return (
            replace(
                _face_from_landmarks(landmarks, np.eye(4), self.blendshapes),
                yaw=self.yaw,
                pitch=self.pitch,
            )
            if scale > 0
            else self
        )

    def scaled(self, factor: float) -> Face:
        """The same face in an image resized by ``factor``."""
        return Face(
            landmarks=self.landmarks * factor,
            eye_right=self.eye_right * factor,
            eye_left=self.eye_left * factor,
            chin=self.chin * factor,
            forehead=self.forehead * factor,
            face_width=self.face_width * factor,
            roll=self.roll,
            yaw=self.yaw,
            pitch=self.pitch,
            blendshapes=self.blendshapes,
        )


def _create_landmarker():
    from mediapipe.tasks.python import BaseOptions, vision

    path = models.model_path(models.FACE_LANDMARKER)
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.IMAGE,
        num_faces=MAX_FACES,
        min_face_detection_confidence=0.5,
        min_face_presence_confidence=0.5,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    return vision.FaceLandmarker.create_from_options(options)


def _create_detector():
    """The landmarker bundle's own face detector, used alone to scan tiles cheaply."""
    from mediapipe.tasks.python import BaseOptions, vision

    path = models.model_path(models.FACE_LANDMARKER)
    with zipfile.ZipFile(path) as bundle:
        model = bundle.read("face_detector.tflite")
    options = vision.FaceDetectorOptions(
        base_options=BaseOptions(model_asset_buffer=model),
        running_mode=vision.RunningMode.IMAGE,
        min_detection_confidence=0.5,
    )
    return vision.FaceDetector.create_from_options(options)


_landmarkers = models.PerThread(_create_landmarker)
_detectors = models.PerThread(_create_detector)


def detect_faces(rgb: np.ndarray) -> list[Face]:
    """Every face MediaPipe finds, largest first, landmarks in pixels of ``rgb``."""
    import mediapipe as mp

    height, width = rgb.shape[:2]
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
    result = _landmarkers.get().detect(image)
    faces = []
    for index, points in enumerate(result.face_landmarks):
        landmarks = np.array([(p.x * width, p.y * height) for p in points], dtype=np.float64)
        matrix = np.asarray(result.facial_transformation_matrixes[index])
        blendshapes = {c.category_name: float(c.score) for c in result.face_blendshapes[index]}
        faces.append(_face_from_landmarks(landmarks, matrix, blendshapes))
    faces.sort(key=lambda f: f.face_width, reverse=True)
    return faces


def _face_from_landmarks(
    landmarks: np.ndarray, matrix: np.ndarray, blendshapes: dict[str, float]
) -> Face:
    eye_right, eye_left = landmarks[IRIS_RIGHT], landmarks[IRIS_LEFT]
    dx, dy = eye_left - eye_right
    rotation = matrix[:3, :3]
    return Face(
        landmarks=landmarks,
        eye_right=eye_right.copy(),
        eye_left=eye_left.copy(),
        chin=landmarks[CHIN].copy(),
        forehead=landmarks[FOREHEAD].copy(),
        face_width=float(np.linalg.norm(landmarks[CHEEK_LEFT] - landmarks[CHEEK_RIGHT])),
        roll=math.degrees(math.atan2(dy, dx)),
        yaw=math.degrees(math.asin(float(np.clip(rotation[0, 2], -1, 1)))),
        pitch=math.degrees(math.asin(float(np.clip(-rotation[1, 2], -1, 1)))),
        blendshapes=blendshapes,
    )


def find_face(
    rgb: np.ndarray, *, is_drawn=lambda rgb, face: False, smallest_face: float | None = None
) -> Face:
    """The single person to photograph, or NoFace / SeveralFaces / FaceCutOff.

    ``is_drawn(rgb, face)`` tells a face in a cartoon poster behind the person from a
    second person, so that only real people count as "several". ``smallest_face`` is the
    narrowest face (in pixels of ``rgb``) worth looking for when no face is seen at first:
    a person photographed whole, far from the camera.
    """
    faces = [f for f in detect_faces(rgb) if _looks_human(f)]
    long_side = max(rgb.shape[:2])
    if not faces or faces[0].face_width < FULL_FRAME_RELIABLE * long_side:
        faces = sorted(
            faces + _faces_in_tiles(rgb, faces), key=lambda f: f.face_width, reverse=True
        )
    if not faces and smallest_face is not None:
        faces = _small_faces(rgb, smallest_face)
    if not faces:
        raise NoFace(
            "No face was found. Upload a sharp, well-lit photo of one person looking "
            "into the camera."
        )
    main = faces[0]
    others = [f for f in faces[1:] if f.face_width >= BACKGROUND_FACE_RATIO * main.face_width]
    if others:
        # Several faces: drop drawn ones (a cartoon poster), then look again. If all are
        # drawn, keep the largest; the subject check refuses it later with a clear reason.
        faces = [f for f in faces if not is_drawn(rgb, f)] or faces[:1]
        main = faces[0]
        others = [f for f in faces[1:] if f.face_width >= BACKGROUND_FACE_RATIO * main.face_width]
    if others:
        raise SeveralFaces(
            # Faces, not people: the detector also misfires on an ape's face in the
            # leaves or a chessboard's squares, which "several people" would misname.
            f"{len(others) + 1} faces were found in the photo; upload a photo of one person only."
        )
    _check_inside(main, rgb.shape[1], rgb.shape[0])
    if not _faces_camera(main):
        raise FaceTurnedAway(
            "The face is turned away from the camera; upload a photo taken from the front."
        )
    if abs(main.roll) > MAX_ROLL_DEG:
        raise HeadLyingDown("The head is tilted too far; upload an upright photo.", roll=main.roll)
    return main


def _first_tile_side(rgb: np.ndarray, known: list[Face]) -> int:
    short = min(rgb.shape[:2])
    if known:
        return int(np.clip(5 * known[0].face_width, 128, short))
    return max(256, short // 3)  # nobody found yet: look closer


def _small_faces(rgb: np.ndarray, smallest_face: float) -> list[Face]:
    """Faces down to ``smallest_face`` wide, in tiles small enough for the detector.

    Only faces too small for the first tiles count: anything larger would have been found
    there, so a larger find in a small tile is the detector misfiring on a detail (a skull
    in a hood, an ape's face in the leaves).
    """
    side = max(SMALL_FACE_TILE_MIN_PX, round(SMALL_FACE_TILE_FACES * smallest_face))
    first = _first_tile_side(rgb, [])
    if side >= first:
        return []
    found = _faces_in_tiles(rgb, [], side=side)
    return sorted(
        (f for f in found if f.face_width < first / SMALL_FACE_TILE_FACES),
        key=lambda f: f.face_width,
        reverse=True,
    )


def upside_down_face(rgb: np.ndarray, wider_than: float = 0.0) -> bool:
    """Is the photo upside down: a frontal face seen in it turned over, wider than
    ``wider_than`` (the face found the right way up, if any)? MediaPipe finds faces lying
    on their side, not upside down, so such a photo shows no face, or only a misshapen
    smaller one (a chin taken for a brow), until it is turned."""
    return any(
        _looks_human(f)
        and _faces_camera(f)
        and abs(f.roll) <= MAX_ROLL_DEG
        and f.face_width > wider_than
        for f in detect_faces(np.ascontiguousarray(rgb[::-1, ::-1]))
    )


def _faces_camera(face: Face) -> bool:
    return abs(face.yaw) <= MAX_YAW_DEG and abs(face.pitch) <= MAX_PITCH_DEG


def _faces_in_tiles(rgb: np.ndarray, known: list[Face], side: int | None = None) -> list[Face]:
    """Faces the full-frame pass is too coarse to see, found tile by tile.

    MediaPipe's detector looks at a 128-pixel version of the frame, so in a wide photo a
    second person's face can be too small for it. Square tiles give it a closer look; each
    new detection is confirmed by the landmarker on a crop around it.
    """
    height, width = rgb.shape[:2]
    if side is None:
        side = _first_tile_side(rgb, known)
    # Shrink the photo once so each tile is about what the detector looks at anyway.
    factor = min(1.0, DETECTOR_TILE_PX / side)
    small = rgb
    if factor < 1.0:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    small_side = round(side * factor)
    found: list[Face] = []
    for y0 in _tile_starts(small.shape[0], small_side):
        for x0 in _tile_starts(small.shape[1], small_side):
            tile = small[y0 : y0 + small_side, x0 : x0 + small_side]
            for bx, by, bw, bh in _detect_boxes(tile):
                x, y = (bx + x0) / factor, (by + y0) / factor
                w, h = bw / factor, bh / factor
                center = np.array([x + w / 2, y + h / 2])
                if any(_contains(face, center) for face in known + found):
                    continue
                face = _confirm(rgb, x, y, w, h)
                if face is not None and not any(
                    _contains(f, face.eye_center) for f in known + found
                ):
                    found.append(face)
    return found


def _tile_starts(length: int, side: int) -> list[int]:
    if length <= side:
        return [0]
    count = math.ceil((length - side) / (side / 2)) + 1
    return [round(i * (length - side) / (count - 1)) for i in range(count)]


def _detect_boxes(tile: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Detector boxes (x, y, w, h) in tile pixels."""
    import mediapipe as mp

    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(tile))
    return [
        (
            d.bounding_box.origin_x,
            d.bounding_box.origin_y,
            d.bounding_box.width,
            d.bounding_box.height,
        )
        for d in _detectors.get().detect(image).detections
    ]


def _confirm(rgb: np.ndarray, x: float, y: float, w: float, h: float) -> Face | None:
    """Landmarks for a detector box, from a crop around it; None if not a real face."""
    height, width = rgb.shape[:2]
    x0, y0 = int(max(0, x - w)), int(max(0, y - h))
    x1, y1 = int(min(width, x + 2 * w)), int(min(height, y + 2 * h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    for face in detect_faces(np.ascontiguousarray(rgb[y0:y1, x0:x1])):
        if _looks_human(face):
            return face.shifted(x0, y0)
    return None


def _contains(face: Face, point: np.ndarray) -> bool:
    low = face.landmarks.min(axis=0)
    high = face.landmarks.max(axis=0)
    return bool((point >= low).all() and (point <= high).all())


def _looks_human(face: Face) -> bool:
    """Geometry sanity checks that drop drawings, animals and misfires."""
    eye_distance = float(np.linalg.norm(face.eye_left - face.eye_right))
    if face.face_width <= 0:
        return False
    face_length = float(np.linalg.norm(face.chin - face.forehead))
    ratio_eyes = eye_distance / face.face_width
    ratio_length = face_length / face.face_width
    return (
        EYE_DISTANCE_TO_FACE_WIDTH[0] <= ratio_eyes <= EYE_DISTANCE_TO_FACE_WIDTH[1]
        and FACE_LENGTH_TO_FACE_WIDTH[0] <= ratio_length <= FACE_LENGTH_TO_FACE_WIDTH[1]
    )


def _check_inside(face: Face, width: int, height: int) -> None:
    margin = 1.0
    xs, ys = face.landmarks[:, 0], face.landmarks[:, 1]
    if (
        xs.min() < margin
        or ys.min() < margin
        or xs.max() > width - 1 - margin
        or ys.max() > height - 1 - margin
    ):
        raise FaceCutOff(
            "The face is cut off by the edge of the photo; upload a photo that shows the "
            "whole head and the shoulders."
        )
