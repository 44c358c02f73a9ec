"""Compose the engine: decode → face → matte → fit → background → retouch → encode.

Geometry is measured once in the *level frame* (source rotated so the eyes are
horizontal); the output is then resampled from the source in a single affine warp.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image

from photos.engine import glasses, lighting, matte
from photos.engine.background import (
    MIN_OUTLINE_CONTRAST,
    composite,
    make_background,
    outline_contrast,
)
from photos.engine.body import continue_below
from photos.engine.crown import SKIP_MATTE_PX, CutHead, continue_crown, fit_cut_head
from photos.engine.decode import DecodedImage, decode_image, is_black_and_white, is_too_dark
from photos.engine.errors import (
    EngineError,
    FaceCutOff,
    FaceTooSmall,
    FaceTurnedAway,
    HeadLyingDown,
    NoFace,
    NotAPerson,
)
from photos.engine.faces import (
    CHEEK_LEFT,
    CHEEK_RIGHT,
    CHIN,
    FACE_OVAL,
    FOREHEAD,
    Face,
    detect_faces,
    find_face,
    upside_down_face,
)
from photos.engine.fit import (
    IDEAL_FACE_HEIGHT,
    IDEAL_HEAD_TOP,
    MAX_UPSCALE,
    Fit,
    HeadGeometry,
    Measurements,
    apply,
    compose,
    fit_to_spec,
    invert,
    leveling_matrix,
    source_bounds,
    warp,
)
from photos.engine.hands import find_hands
from photos.engine.inset import find_inset, straighten
from photos.engine.params import FACE_CONSTRAINTS, Band, PhotoRequest
from photos.engine.redeye import correct_red_eyes
from photos.engine.shoulders import continue_shoulders
from photos.engine.subject import (
    MATTE_REASONS,
    MIN_MOUTH_CONTRAST,
    NOT_SEPARATED,
    check_subject,
    is_drawn,
    measure_subject,
    mouth_contrast,
)

# Before the matte exists, the crown is guessed this far above the forehead landmark, as a
# share of forehead-to-chin (typical hair); only used to choose the region to matte.
CROWN_GUESS = 0.5
# Margins of the matted region around the output frame (shares of the output size).
MATTE_MARGIN_SIDE = 0.06
MATTE_MARGIN_TOP = 0.08
MATTE_MARGIN_BOTTOM = 0.06
# Mattes per photo at most: two more where the hair reaches the top of the first region,
# and one for the frame the measured crown then asks for (a head of curls filling our own
# 35x45 photo, sent again, needed the fourth).
MATTE_ATTEMPTS = 4
# MODNet's resolution relative to the output's long side (clamped to matte.MIN/MAX_SIDE);
# the guided filter restores edge detail at full output resolution.
MATTE_SCALE = 0.8
# Share of the width continued beside the photo (engine/shoulders.py) worth a warning.
NOTICEABLE_CONTINUATION = 0.03
# Hair that may run into an edge of the photo the ID photo shows, beyond what is continued,
# in output pixels along that edge, as a share of crown-to-chin. Levelling a tilted photo
# slants its edges, so hair can meet the top edge beside the crown, or a side edge that
# the frame includes.
MAX_HAIR_CUT = 0.03
# Share of the face (inside its outline) the matte must call the person; below it the
# cut-out is torn (see _close_face).
MIN_FACE_MATTED = 0.95
# Share of the frame beside the head that the person fills (matte.beside_head) worth a
# warning. On 278 calibration outputs: a hand, an arm or a neighbour's clothes 0.11-0.31,
# long hair blown out to one side 0.30 and a large afro 0.49-0.52; every other output at
# most 0.02.
MAX_BESIDE_HEAD = 0.06
# Half the width of the neck (and hair falling beside it), in face widths: the outline
# there is skin or hair, not the clothes whose contrast with the background is judged.
NECK_HALF_WIDTH = 0.6
# The second landmark pass looks at the framed face at this size (long side, pixels);
# where it finds none, it looks again at a square this many face widths wide.
REFINE_MIN_SIDE, REFINE_MAX_SIDE = 256, 640
CLOSER_LOOK = 3.0
# Decode at least this many times the output's long side (JPEG draft / area downscale),
# and never below DECODE_MIN_SHORT_SIDE so that faces stay findable for tiny outputs.
DECODE_OVERSAMPLING = 1.8
DECODE_MIN_SHORT_SIDE = 360
# The face's width on an ID photo is at least about 0.35 of its long side (0.35-0.44 at
# the 1-inch, ID card, 35x45 visa and US visa sizes); faces are looked for down to a
# little below what MAX_UPSCALE allows, so that those just too small are told so.
SMALLEST_FACE = 0.25
# A face lying at least this far over (degrees) is taken for a photo stored sideways;
# people hold their heads within about 30 degrees of upright.
SIDEWAYS_MIN_ROLL = 60.0
# Output pixels by which the landmarker, run again on the delivered photo, may read a
# face measure outside a requested band before the head is placed again (the issue's
# "within +-2 px").
OUTPUT_TOLERANCE_PX = 2.0
# Of a hand's 21 landmarks, how many must show in the ID photo for it to be pointed out:
# a few fingers coming in at the bottom edge already show as a hand.
MIN_HAND_POINTS_SHOWING = 4
MIN_HAND_POINTS_ON_FACE = 3


@dataclass
class PhotoResult:
    photo: Image.Image
    photo_jpeg: bytes
    sheet_jpeg: bytes | None
    measurements: Measurements
    warnings: list[str] = field(default_factory=list)


def make_id_photo(
    source: bytes,
    request: PhotoRequest,
    *,
    progress: Callable[[int], None] | None = None,
) -> PhotoResult:
    """Turn an uploaded portrait into an ID photo that meets ``request``."""
    report = progress or (lambda _percent: None)
    decoded, face, turns = _find_face_upright(source, request.size)
    report(30)
    try:
        return _make_from(source, request, decoded, face, turns, report)
    except (HeadLyingDown, FaceTurnedAway):
        raise
    except NoFace:
        # A face upside down can be taken for a smaller, misshapen one the right way up,
        # which is then not found again once framed.
        if turns or not upside_down_face(decoded.rgb, wider_than=face.face_width):
            raise
    decoded, face = _turned(source, request.size, 2)
    return _make_from(source, request, decoded, face, 2, report)


def _make_from(
    source: bytes,
    request: PhotoRequest,
    decoded: DecodedImage,
    face: Face,
    turns: int,
    report: Callable[[int], None],
) -> PhotoResult:
    """The ID photo from the face found in the decoded (and ``turns`` times turned) upload."""
    warnings: list[str] = []
    size = request.size
    if turns:
        way = "upside down" if turns == 2 else "sideways"
        warnings.append(f"The photo was stored {way}; it has been turned upright.")

    to_level = leveling_matrix(face.center, face.roll)
    head = _head_geometry(face, to_level, crown_y=None)
    bands = {name: getattr(request, name) for name in FACE_CONSTRAINTS}

    def solve(
        head: HeadGeometry,
        decoded: DecodedImage,
        shoulders_reach_sides: bool = False,
        hair_reaches_sides: bool = False,
    ) -> Fit:
        bounds = source_bounds(
            to_level,
            (decoded.rgb.shape[1], decoded.rgb.shape[0]),
            head.center_x,
            head.face_width,
            chin_y=head.chin_y,
        )
        return fit_to_spec(
            head,
            bounds,
            size=size,
            bands=bands,
            keep_background=not request.change_bg,
            max_scale=MAX_UPSCALE / decoded.scale,
            shoulders_reach_sides=shoulders_reach_sides,
            hair_reaches_sides=hair_reaches_sides,
        )

    guess = _guess_fit(head, solve, decoded, size)
    if guess.scale > 1.0 and decoded.scale < 1.0:
        # The reduced decode is too coarse for this crop: decode at the resolution needed.
        needed = min(decoded.source_size) * decoded.scale * guess.scale * 1.05
        finer = _decode(source, math.ceil(needed), turns)
        ratio = finer.rgb.shape[1] / decoded.rgb.shape[1]
        decoded, face = finer, face.scaled(ratio)
        to_level = leveling_matrix(face.center, face.roll)
        head = _head_geometry(face, to_level, crown_y=None)
        guess = _guess_fit(head, solve, decoded, size)
    face = _refine_face(decoded.rgb, face, compose(guess.matrix, to_level), size)
    to_level = leveling_matrix(face.center, face.roll)
    head = _head_geometry(face, to_level, crown_y=None)
    guess = _guess_fit(head, solve, decoded, size)
    # Matte around the guessed frame, measure the crown, solve; matte again if the final
    # frame left the matted region or the hair reached its top.
    fit = guess
    margin_top = MATTE_MARGIN_TOP
    for _attempt in range(MATTE_ATTEMPTS):
        region = _matte_rect(fit, to_level, margin_top)
        person = matte.matte_person(
            decoded.rgb, region, side=round(max(size) * MATTE_SCALE), face_points=face.landmarks
        )
        crown = _measure_crown(person, face, to_level)
        cut_head = None
        if crown.status == "cut":
            # A little hair missing is continued on a new background (engine/crown.py).
            cut_head = _fit_cut_head(person, face) if request.change_bg else None
            if cut_head is None:
                check_subject(measure_subject(decoded.rgb, face, person))
                raise FaceCutOff(
                    "The top of the head is cut off by the edge of the photo; upload a "
                    "photo with some space above the hair."
                )
            crown = _continued_crown(cut_head, crown, person, face, to_level)
        if crown.status == "tight":
            margin_top += 0.25
            continue
        if crown.status == "missing":
            warnings.append("The top of the head could not be measured; it was estimated.")
            crown_y = head.crown_y
        else:
            crown_y = crown.y
        head = _head_geometry(face, to_level, crown_y=crown_y)
        reach_sides = _shoulders_reach_sides(person, face)
        try:
            fit = solve(head, decoded, reach_sides)
            cut_hair = request.change_bg and _shows_cut_hair(
                person, face, fit, head, to_level, cut_head
            )
            if cut_hair and cut_head is None and person.reaches_source_top:
                # The head touches the top edge beside a crown the photo holds (a tilted
                # photo levelled, a flat cap): continued as a cut head is, if it fits one.
                cut_head = _fit_cut_head(person, face)
                if cut_head is not None:
                    crown = _continued_crown(cut_head, crown, person, face, to_level)
                    head = _head_geometry(face, to_level, crown_y=crown.y)
                    fit = solve(head, decoded, reach_sides)
                    cut_hair = _shows_cut_hair(person, face, fit, head, to_level, cut_head)
            if cut_hair:
                # The frame shows hair running into a side of the photo: keep inside it.
                fit = solve(head, decoded, reach_sides, hair_reaches_sides=True)
        except EngineError as error:
            # A painting or an animal is refused as such, not as a photo framed too tightly;
            # but a face too small for the document is told so, though the matte failed too.
            try:
                check_subject(measure_subject(decoded.rgb, face, person))
            except NotAPerson as refusal:
                only_matte = all(reason in MATTE_REASONS for reason in refusal.reasons)
                if not (isinstance(error, FaceTooSmall) and only_matte):
                    raise
            raise
        if _frame_matted(person, fit, to_level):
            break
    else:
        check_subject(measure_subject(decoded.rgb, face, person))  # a monkey, say so
        raise EngineError("The head could not be measured reliably in this photo.")
    check_subject(measure_subject(decoded.rgb, face, person))
    if request.change_bg and _shows_cut_hair(person, face, fit, head, to_level, cut_head):
        raise FaceCutOff(
            "The hair runs into the edge of the photo and would end in a straight line; "
            "upload a photo with some room around the head."
        )
    report(60)

    def refit(head: HeadGeometry) -> Fit | None:
        """The placement for corrected head measurements, if the photo and matte allow it."""
        try:
            fit = solve(head, decoded, reach_sides)
            if request.change_bg and _shows_cut_hair(person, face, fit, head, to_level, cut_head):
                return None
        except EngineError:
            return None
        return fit if _frame_matted(person, fit, to_level) else None

    _add_face_warnings(face, head, fit, decoded, warnings)
    hands = find_hands(decoded.rgb, face.landmarks[list(FACE_OVAL)])

    def render(fit: Fit, head: HeadGeometry, warnings: list[str]) -> np.ndarray:
        """The ID photo's pixels for this placement: one warp from the decoded source
        straight into the output frame, then matte, continuations, retouch, background."""
        to_output = compose(fit.matrix, to_level)
        rgb, inside = warp(decoded.rgb, to_output, size)
        landmarks = apply(to_output, face.landmarks)
        rgb, red_eyes = correct_red_eyes(rgb, landmarks)
        if red_eyes:
            warnings.append("Red eyes from the flash were corrected.")
        alpha = None
        if request.change_bg or request.clothes_id:
            alpha = _alpha_in_output(person, to_output, inside, fit, head, rgb)
            alpha = _close_face(alpha, landmarks, fit.scale * head.face_width, request)
            chin_row = _chin_row(fit, head)
            alpha = matte.fill_body_notches(
                alpha, chin_row, fit.face_x(head), fit.scale * head.face_width
            )
            alpha = matte.fill_clothes_gaps(alpha, rgb, inside, chin_row)
            if request.change_bg:
                rgb, alpha = _continue_below(rgb, alpha, inside, fit, decoded, warnings)
            if reach_sides:  # not where a tilted photo's bottom edge comes into the frame
                rgb, alpha = _continue_shoulders(rgb, alpha, inside, fit, head, decoded, warnings)
            if cut_head is not None:
                rgb, alpha = _continue_crown(
                    rgb, alpha, inside, cut_head, person, to_output, fit.scale, face, warnings
                )
        _add_hand_warning(hands, to_output, alpha, landmarks, fit, head, warnings)
        rgb, alpha, landmarks = _retouch(rgb, alpha, landmarks, request)
        if request.clothes_id:
            rgb, alpha = _outfit(rgb, alpha, landmarks, request.clothes_id)
        if request.change_bg:
            background = make_background(size, request.bg_color, request.bg_color2)
            _add_outline_warning(rgb, alpha, background, fit, head, warnings)
            _add_beside_head_warning(alpha, fit, head, warnings)
            rgb = composite(rgb, alpha, background)
        return rgb

    rendered_warnings = list(warnings)
    rgb = render(fit, head, rendered_warnings)
    measurements = fit.measure(head)
    report(80)
    # Read the delivered photo as an official would; where the landmarker puts the eye line
    # or chin outside a requested band (it read them differently on the source), place
    # the head again from what it reads on the output.
    corrected = _head_as_delivered(rgb, head, fit, bands)
    if corrected is not None:
        placed = refit(corrected)
        if placed is not None:
            again_warnings = list(warnings)
            again = render(placed, corrected, again_warnings)
            if _head_as_delivered(again, corrected, placed, bands) is None:
                rgb, fit, head, rendered_warnings = again, placed, corrected, again_warnings
                measurements = fit.measure(head)
    warnings = rendered_warnings
    photo = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    report(90)

    if request.add_label and request.label_text:
        photo = _label(photo, request.label_text, request.label_height)
    if request.preview:
        photo = _watermark(photo)
    photo_jpeg = _encode(photo, request)
    sheet_jpeg = _layout(photo, request) if request.layout else None
    report(95)
    return PhotoResult(
        photo=photo,
        photo_jpeg=photo_jpeg,
        sheet_jpeg=sheet_jpeg,
        measurements=measurements,
        warnings=warnings,
    )


# --- geometry ------------------------------------------------------------------------------


def _head_as_delivered(
    rgb: np.ndarray, head: HeadGeometry, fit: Fit, bands: dict[str, Band]
) -> HeadGeometry | None:
    """None when the landmarker, run on the delivered photo, reads the eye line, chin and
    face width inside every requested band (OUTPUT_TOLERANCE_PX); else the head
    measurements corrected to what it reads there.

    The source's landmarks are read on the framed source, the official's on the finished
    photo; on 84 calibration outputs they agree to 0.5 px (median) at the chin, but a
    head tipped up read 11 px apart on its new background.
    """
    if all(band.is_empty for band in bands.values()):
        return None
    found = detect_faces(rgb)
    if not found:
        return None
    seen = found[0]
    placed = fit.measure(head)
    eyes_y, chin_y = float(seen.eye_center[1]), float(seen.chin[1])
    measured = {
        "head_top": placed.crown_y,
        "eyes_top": eyes_y,
        "chin_top": chin_y,
        "face_height": chin_y - placed.crown_y,
        "face_width": seen.face_width,
    }

    def within(value: float, band: Band) -> bool:
        lo, hi = band.bounds()
        return lo - OUTPUT_TOLERANCE_PX <= value <= hi + OUTPUT_TOLERANCE_PX

    if all(within(measured[name], band) for name, band in bands.items() if not band.is_empty):
        return None
    return replace(
        head,
        eyes_y=head.eyes_y + (eyes_y - placed.eyes_y) / fit.scale,
        chin_y=head.chin_y + (chin_y - placed.chin_y) / fit.scale,
        face_width=head.face_width * seen.face_width / placed.face_width,
    )


def _head_geometry(face: Face, to_level: np.ndarray, *, crown_y: float | None) -> HeadGeometry:
    level = apply(to_level, face.landmarks)
    eyes_y = float(apply(to_level, face.eye_center[None])[0, 1])
    chin_y = float(level[CHIN, 1])
    forehead_y = float(level[FOREHEAD, 1])
    if crown_y is None:
        crown_y = forehead_y - CROWN_GUESS * (chin_y - forehead_y)
    cheeks = level[[CHEEK_RIGHT, CHEEK_LEFT]]
    return HeadGeometry(
        crown_y=crown_y,
        eyes_y=eyes_y,
        chin_y=chin_y,
        center_x=float(cheeks[:, 0].mean()),
        face_width=face.face_width,
    )


def _find_face_upright(source: bytes, size: tuple[int, int]) -> tuple[DecodedImage, Face, int]:
    """The decoded photo turned so that the face is upright, the face, and the quarter
    turns (counter-clockwise) that took.

    A phone photo stored sideways or upside down without the EXIF orientation that says
    so is turned, not refused: MediaPipe finds a face lying on its side, and reports its
    roll, but not one upside down, which is looked for on the picture turned over when no
    face is found at all.
    """
    decoded = _decode(source, _decode_short_side(size))
    try:
        return decoded, _find(decoded, size), 0
    except HeadLyingDown as lying:
        if abs(lying.roll) < SIDEWAYS_MIN_ROLL:
            raise  # a head tilted far in an upright photo: the body would lie sideways
        turns = round(lying.roll / 90) % 4
    except FaceTurnedAway:
        raise  # the face is there, the right way up
    except NoFace:
        if not upside_down_face(decoded.rgb):
            raise
        turns = 2
    return (*_turned(source, size, turns), turns)


def _decode(source: bytes, min_short_side: int, turns: int = 0) -> DecodedImage:
    """The upload decoded, turned ``turns`` quarter turns, and taken out of a plain margin
    it was set into at an angle (engine/inset.py)."""
    decoded = decode_image(source, min_short_side=min_short_side, quarter_turns=turns)
    inset = find_inset(decoded.rgb)
    if inset is None:
        return decoded
    rgb = straighten(decoded.rgb, inset)
    height, width = rgb.shape[:2]
    source_size = (round(width / decoded.scale), round(height / decoded.scale))
    return DecodedImage(rgb=rgb, scale=decoded.scale, source_size=source_size)


def _decode_short_side(size: tuple[int, int]) -> int:
    return max(DECODE_MIN_SHORT_SIDE, round(DECODE_OVERSAMPLING * max(size)))


def _find(decoded: DecodedImage, size: tuple[int, int]) -> Face:
    # A face narrower than this (in decoded pixels) could not fill the photo sharply.
    smallest_face = SMALLEST_FACE * max(size) * decoded.scale / MAX_UPSCALE
    return find_face(decoded.rgb, is_drawn=is_drawn, smallest_face=smallest_face)


def _turned(source: bytes, size: tuple[int, int], turns: int) -> tuple[DecodedImage, Face]:
    """The upload decoded again turned ``turns`` quarter turns, and its face."""
    decoded = _decode(source, _decode_short_side(size), turns)
    return decoded, _find(decoded, size)


def _guess_fit(head: HeadGeometry, solve, decoded: DecodedImage, size: tuple[int, int]) -> Fit:
    """A first framing from the guessed crown, to know which region to matte.

    Errors are not final yet (the crown is a guess); fall back to the ideal framing.
    """
    try:
        return solve(head, decoded)
    except EngineError:
        scale = IDEAL_FACE_HEIGHT * size[1] / head.face_height
        return Fit(
            scale=scale,
            tx=size[0] / 2 - scale * head.center_x,
            ty=IDEAL_HEAD_TOP * size[1] - scale * head.crown_y,
            size=size,
        )


def _refine_face(rgb: np.ndarray, face: Face, to_frame: np.ndarray, size: tuple[int, int]) -> Face:
    """Landmarks again, on the face as it will appear: upright, framed, at output scale.

    The full-frame pass sees the face wherever and however large it is in the upload; the
    second look makes eye line and chin agree with what the delivered photo shows. Where
    it finds no face, a closer look around the face is taken; where that finds none
    either, what the first pass took for a face is not one (a tile of a cartoon's
    ponytail, a game portrait's armour), and the photo is refused rather than framed.
    """
    shrink = float(np.clip(1.0, REFINE_MIN_SIDE / max(size), REFINE_MAX_SIDE / max(size)))
    frame_size = (max(32, round(size[0] * shrink)), max(32, round(size[1] * shrink)))
    to_small = compose(np.array([[shrink, 0, 0], [0, shrink, 0]]), to_frame)
    found = _face_near_centre(rgb, to_small, frame_size)
    if found is None:
        # The face as large as a third of the view (the request may frame it small).
        scale = REFINE_MIN_SIDE / (CLOSER_LOOK * face.face_width)
        closer = leveling_matrix(face.center, face.roll) * scale
        closer[:, 2] += REFINE_MIN_SIDE / 2 - scale * face.center
        to_small = closer
        found = _face_near_centre(rgb, to_small, (REFINE_MIN_SIDE, REFINE_MIN_SIDE))
    if found is None:
        raise NoFace(
            "No face was found. Upload a sharp, well-lit photo of one person looking "
            "into the camera."
        )
    return found.transformed(invert(to_small))


def _face_near_centre(rgb: np.ndarray, to_view: np.ndarray, view_size: tuple[int, int]):
    """The face the landmarker finds near the middle of a view of ``rgb``, else None."""
    view, _ = warp(rgb, to_view, view_size, interpolation=cv2.INTER_LINEAR)
    center = np.array(view_size) / 2
    for found in detect_faces(view):
        if np.linalg.norm(found.eye_center - center) < view_size[0] / 3:
            return found
    return None


def _frame_matted(person: matte.PersonMatte, fit: Fit, to_level: np.ndarray) -> bool:
    """Does the matte cover everything the output frame shows of the photo?"""
    needed = _matte_rect(fit, to_level, 0.0, margin_bottom=0.0, margin_side=0.0)
    return _covers(person, needed, tolerance=2.0)


def _covers(person: matte.PersonMatte, rect: tuple, *, tolerance: float) -> bool:
    """Does the matte cover ``rect`` (source pixels), as far as the photo reaches?"""
    width, height = person.source_size
    x0, y0, x1, y1 = person.source_rect
    return (
        (x0 <= rect[0] + tolerance or x0 == 0)
        and (y0 <= rect[1] + tolerance or y0 == 0)
        and (x1 >= rect[2] - tolerance or x1 == width)
        and (y1 >= rect[3] - tolerance or y1 == height)
    )


# --- matte ---------------------------------------------------------------------------------


def _matte_rect(
    fit: Fit,
    to_level: np.ndarray,
    margin_top: float,
    *,
    margin_bottom: float = MATTE_MARGIN_BOTTOM,
    margin_side: float = MATTE_MARGIN_SIDE,
) -> tuple[float, float, float, float]:
    """Source-pixel bounding box of the output frame plus margins (shares of its size)."""
    width, height = fit.size
    corners_out = np.array(
        [
            (-margin_side * width, -margin_top * height),
            ((1 + margin_side) * width, -margin_top * height),
            ((1 + margin_side) * width, (1 + margin_bottom) * height),
            (-margin_side * width, (1 + margin_bottom) * height),
        ]
    )
    to_source = invert(compose(fit.matrix, to_level))
    corners = apply(to_source, corners_out)
    return (
        float(corners[:, 0].min()),
        float(corners[:, 1].min()),
        float(corners[:, 0].max()),
        float(corners[:, 1].max()),
    )


def _measure_crown(person: matte.PersonMatte, face: Face, to_level: np.ndarray) -> matte.Crown:
    level = apply(to_level, face.landmarks)
    forehead_y = float(level[FOREHEAD, 1])
    chin_y = float(level[CHIN, 1])
    return matte.measure_crown(
        person,
        to_level,
        columns=(
            float(level[[CHEEK_RIGHT, CHEEK_LEFT], 0].min()),
            float(level[[CHEEK_RIGHT, CHEEK_LEFT], 0].max()),
        ),
        forehead_y=forehead_y,
        search_top=forehead_y - 1.5 * (chin_y - forehead_y),
    )


def _fit_cut_head(person: matte.PersonMatte, face: Face) -> CutHead | None:
    """The outline of a head the photo's top edge cuts, fitted in the matte's pixels."""
    points = apply(person.from_source, face.landmarks[[CHEEK_RIGHT, CHEEK_LEFT, FOREHEAD, CHIN]])
    face_length = float(np.linalg.norm(points[3] - points[2]))
    face_width = float(np.linalg.norm(points[1] - points[0]))
    return fit_cut_head(
        person.alpha, float(points[:2, 0].mean()), face_length, face_width, face.roll
    )


def _continued_crown(
    cut_head: CutHead,
    measured: matte.Crown,
    person: matte.PersonMatte,
    face: Face,
    to_level: np.ndarray,
) -> matte.Crown:
    """The top of the head in the level frame, between the cheeks, as the crown of an
    uncut head is measured: the continued outline's top, or hair the photo still holds
    that levelling lifts above it (a tilted head's top is not where it closes in the
    photo's rows, and a tuft beside the cut can stand higher)."""
    outline = apply(to_level, apply(invert(person.from_source), cut_head.outline()))
    cheeks = apply(to_level, face.landmarks[[CHEEK_RIGHT, CHEEK_LEFT]])[:, 0]
    between = (outline[:, 0] >= cheeks.min()) & (outline[:, 0] <= cheeks.max())
    top = min(measured.y, float(outline[between, 1].min())) if between.any() else measured.y
    return matte.Crown(y=top, status="continued")


def _hair_cut_in_frame(
    person: matte.PersonMatte, face: Face, fit: Fit, to_level: np.ndarray, cut_head: CutHead | None
) -> float:
    """How much of the head, in output pixels along the photo's edges, runs into an edge
    of the photo where the ID photo shows that edge, above the chin (below it the clothes
    and shoulders are continued), beyond what the continued outline covers.

    The crown's own measurement looks only straight above the face; levelling a tilted
    photo slants its edges, and hair can run into the top edge beside the crown or into
    a side edge, which the new background would show as a straight cut.
    """
    alpha = person.alpha
    height, width = alpha.shape
    x0, y0, x1, _y1 = person.source_rect
    inset = min(SKIP_MATTE_PX, height - 1, width - 1)
    edges = []  # (x, y) matte points on the photo's edges, and whether the head is there
    if y0 == 0:
        xs = np.arange(width, dtype=np.float64)
        head = alpha[inset] > 0.5
        if cut_head is not None:  # the continued cap covers the hair along the top edge
            head &= cut_head.distance(xs, np.full_like(xs, float(inset))) < -1.0
        edges.append((xs, np.zeros_like(xs), head))
    if x0 == 0:
        ys = np.arange(height, dtype=np.float64)
        edges.append((np.zeros_like(ys), ys, alpha[:, inset] > 0.5))
    if x1 == person.source_size[0]:
        ys = np.arange(height, dtype=np.float64)
        edges.append((np.full_like(ys, float(width)), ys, alpha[:, width - 1 - inset] > 0.5))
    if not edges:
        return 0.0
    xs, ys, head = (np.concatenate(part) for part in zip(*edges, strict=True))
    to_output = compose(fit.matrix, to_level)
    points = apply(to_output, apply(invert(person.from_source), np.stack([xs, ys], 1)))
    chin_y = apply(to_output, face.chin[None])[0, 1]
    shown = (
        (points[:, 0] > 0.5)
        & (points[:, 0] < fit.size[0] - 0.5)
        & (points[:, 1] > 0.5)
        & (points[:, 1] < chin_y)
    )
    return float(np.count_nonzero(head & shown)) * fit.scale / person.resolution


def _continue_crown(
    rgb, alpha, inside, cut_head: CutHead, person, to_output, scale: float, face: Face, warnings
):
    """engine/crown.py above a photo that cuts the top of the hair; say so if it did.
    ``scale``: output pixels per (decoded) source pixel, the fit's."""
    to_matte = compose(person.from_source, invert(to_output))
    face_length = scale * float(np.linalg.norm(face.chin - face.forehead))
    rgb, alpha, continued = continue_crown(
        rgb, alpha, inside, cut_head, to_matte, scale / person.resolution, face_length
    )
    if continued:
        warnings.append(
            "The top of the hair was cut off by the edge of the photo; it was continued."
        )
    return rgb, alpha


def _shoulders_reach_sides(person: matte.PersonMatte, face: Face) -> bool:
    """Does the person run into the photo's left or right edge below the chin?"""
    width = person.source_size[0]
    x0, _y0, x1, _y1 = person.source_rect
    chin_row = int(
        np.clip(apply(person.from_source, face.chin[None])[0, 1], 0, person.alpha.shape[0])
    )
    body = person.alpha[chin_row:]
    if body.shape[0] == 0:
        return False
    edges = [body[:, 0]] if x0 == 0 else []
    if x1 == width:
        edges.append(body[:, -1])
    return any(float((edge > 0.5).mean()) > 0.1 for edge in edges)


def _shows_cut_hair(
    person: matte.PersonMatte,
    face: Face,
    fit: Fit,
    head: HeadGeometry,
    to_level: np.ndarray,
    cut_head: CutHead | None,
) -> bool:
    """Would the new background show hair ending in a straight line at a photo edge?
    (Keeping the background, the frame stays inside the photo.)"""
    cut = _hair_cut_in_frame(person, face, fit, to_level, cut_head)
    return cut > MAX_HAIR_CUT * fit.scale * head.face_height


def _alpha_in_output(
    person: matte.PersonMatte,
    to_output: np.ndarray,
    inside: np.ndarray,
    fit: Fit,
    head: HeadGeometry,
    rgb: np.ndarray,
) -> np.ndarray:
    """The matte in the output frame, snapped to the output's edges.

    Above the chin, anything the photo or the matte does not cover is background; below
    it the matte's edge is continued (shoulders cut by the photo's side stay shoulders).
    """
    alpha, covered = person.warped(to_output, fit.size)
    upsampling = fit.scale / person.resolution
    refined = matte.refine_alpha(alpha, rgb, upsampling=upsampling)
    empty = (inside < 0.5) | (covered < 0.5)
    chin_row = max(0, _chin_row(fit, head))
    empty[chin_row:] = False
    refined[empty] = 0.0
    face_centre = (fit.face_x(head), fit.scale * (head.eyes_y + head.chin_y) / 2 + fit.ty)
    return matte.drop_loose_parts(refined, face_centre, above_row=chin_row)


def _close_face(alpha, landmarks, face_width: float, request: PhotoRequest):
    """Close small holes the matte leaves in the face; refuse a cut-out full of them.

    Of 335 calibration outputs (41 portraits at four specs, 287 grey, sepia, dark,
    noisy, compressed, small and smoothed copies at two) all but 7 had the whole face
    matted. Those 7 had holes: 3-4 % of the face (a grey Biden's forehead, closed here
    unseen), or 6-10 %, where the hair and body were torn as well (a sepia and a noisy
    low-light copy, a dark black-and-white Einstein): refused, as a person the matte
    could not separate.
    """
    face = matte.face_mask(alpha.shape, landmarks[list(FACE_OVAL)], face_width)
    covered = matte.face_coverage(alpha, face)
    if request.change_bg and covered < MIN_FACE_MATTED:
        raise NotAPerson(
            NOT_SEPARATED,
            reasons=["holes in the face's cut-out"],
            measured=f"Measured: face matted {covered:.2f} (at least {MIN_FACE_MATTED}).",
        )
    return matte.fill_face(alpha, face, face_width)


def _continue_shoulders(rgb, alpha, inside, fit: Fit, head: HeadGeometry, decoded, warnings):
    """engine/shoulders.py beside a photo too narrow for the frame; say so if it shows."""
    scale = fit.scale * decoded.scale  # output pixels per source pixel
    rgb, alpha, continued = continue_shoulders(rgb, alpha, inside, _chin_row(fit, head), scale)
    if continued > NOTICEABLE_CONTINUATION:
        warnings.append(
            "The photo was narrow for this size: the shoulders were continued at the sides."
        )
    return rgb, alpha


def _continue_below(rgb, alpha, inside, fit: Fit, decoded, warnings):
    """engine/body.py below a photo cut close under the chin; say so if it shows."""
    rgb, alpha, continued = continue_below(rgb, alpha, inside, fit.scale * decoded.scale)
    if continued > NOTICEABLE_CONTINUATION:
        warnings.append(
            "The photo was cut close below the chin: the clothes were continued at the bottom."
        )
    return rgb, alpha


def _add_outline_warning(rgb, alpha, background, fit: Fit, head: HeadGeometry, warnings):
    """Say so when the clothes are about the colour of the new background."""
    half_neck = NECK_HALF_WIDTH * fit.scale * head.face_width
    face_x = fit.face_x(head)
    neck = (round(face_x - half_neck), round(face_x + half_neck))
    contrast = outline_contrast(rgb, alpha, background, _chin_row(fit, head), neck)
    if contrast is not None and contrast < MIN_OUTLINE_CONTRAST:
        warnings.append(
            "The clothes are close to the background colour, so the shoulders hardly show; "
            "a different background colour or contrasting clothes would look better."
        )


def _add_beside_head_warning(alpha, fit: Fit, head: HeadGeometry, warnings):
    """Say so when something stands out beside the head, which the new background shows
    as it is: a hand or an arm raised, or part of someone else. Voluminous hair can reach
    as far (no colour or shape test told it from arms on the calibration photos), so
    the customer is asked to look, not told what it is."""
    placed = fit.measure(head)
    rows = (round(placed.crown_y), _chin_row(fit, head))
    held = matte.beside_head(alpha, rows, fit.face_x(head), placed.face_width)
    if held is not None and held > MAX_BESIDE_HEAD:
        warnings.append(
            "Something reaches far out beside the head; check that the photo shows only "
            "your head and shoulders (no raised hand or arm, no part of someone else)."
        )


def _add_hand_warning(hands, to_output, alpha, landmarks, fit: Fit, head: HeadGeometry, warnings):
    """Say so when a hand shows in the ID photo: in the frame and, with a new background,
    kept by the matte (a hand it left out is not seen). Over the face (well inside its
    outline: a hand under the chin touches the jaw) it hides features."""
    if not hands:
        return
    width, height = fit.size
    oval = landmarks[list(FACE_OVAL)]
    face = matte.face_mask((height, width), oval, fit.scale * head.face_width) > 0.5
    on_face = False
    showing = False
    for hand in hands:
        x, y = np.round(apply(to_output, hand)).astype(int).T
        inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
        x, y = x[inside], y[inside]
        if alpha is not None:
            kept = alpha[y, x] >= 0.5
            x, y = x[kept], y[kept]
        if x.size >= MIN_HAND_POINTS_SHOWING:
            showing = True
            on_face = on_face or int(face[y, x].sum()) >= MIN_HAND_POINTS_ON_FACE
    if on_face:
        warnings.append(
            "A hand covers part of the face; upload a photo with the whole face uncovered "
            "and the hands out of the picture."
        )
    elif showing:
        warnings.append(
            "A hand shows in the photo; officials usually refuse that. Upload one with the "
            "hands out of the picture."
        )


def _chin_row(fit: Fit, head: HeadGeometry) -> int:
    """The first output row below the chin."""
    return math.ceil(fit.scale * head.chin_y + fit.ty)


# --- warnings ------------------------------------------------------------------------------


def _add_face_warnings(
    face: Face, head: HeadGeometry, fit: Fit, decoded: DecodedImage, warnings: list[str]
) -> None:
    if abs(face.roll) >= 2:
        warnings.append(f"The head was tilted by {abs(face.roll):.0f}°; it has been straightened.")
    if abs(face.yaw) > 12:
        warnings.append("The head is turned to one side; officials may ask for a frontal photo.")
    if abs(face.pitch) > 15:
        warnings.append("The head is tipped up or down; look straight into the camera.")
    blink = min(face.blendshapes.get("eyeBlinkLeft", 0), face.blendshapes.get("eyeBlinkRight", 0))
    if blink > 0.55:
        warnings.append("The eyes look closed.")
    if glasses.behind_dark_glasses(decoded.rgb, face):
        warnings.append(
            "The eyes are hidden behind dark glasses; ID photos must show the eyes. Upload a "
            "photo without the glasses."
        )
    if face.blendshapes.get("jawOpen", 0) > 0.35:
        warnings.append("The mouth is open; most ID photos need a closed mouth.")
    mouth = mouth_contrast(decoded.rgb, face.landmarks, face.face_width)
    if mouth is not None and mouth < MIN_MOUTH_CONTRAST:
        warnings.append(
            "The mouth and chin look covered (a mask or a scarf?); ID photos need the whole "
            "face uncovered."
        )
    if is_black_and_white(decoded.rgb):
        warnings.append("The photo is in black and white; most documents need a colour photo.")
    if lighting.half_in_shadow(decoded.rgb, face):
        warnings.append(
            "One side of the face is in deep shadow; officials ask for even light on the "
            "face. Face a window or a lamp."
        )
    if is_too_dark(decoded.rgb):
        warnings.append(
            "The photo is very dark; one taken in brighter, even light will look better, and "
            "officials may refuse a dark photo."
        )
    forehead_to_chin = (
        head.chin_y - apply(leveling_matrix(face.center, face.roll), face.forehead[None])[0, 1]
    )
    if head.chin_y - head.crown_y > 1.9 * forehead_to_chin:
        warnings.append(
            "The head top is unusually high (hat or tall hair?); the head was sized to its top."
        )
    upscale = fit.scale * decoded.scale
    if upscale > 1.5:
        warnings.append(
            f"The photo's resolution is low: it was enlarged {upscale:.1f} times and may look soft."
        )


# --- the other parts of the engine (imported lazily; see each module) ----------------------


def _retouch(rgb, alpha, landmarks, request: PhotoRequest):
    """Retouch the fitted foreground; a slimmer jaw moves the matte and landmarks too."""
    factors = dict(
        bright=request.bright,
        smooth=request.smooth,
        thin_face=request.thin_face,
        sharp=request.sharp,
    )
    if all(v is None for v in factors.values()):
        return rgb, alpha, landmarks
    from photos.engine import retouch

    # The slimmer jaw moves the photo, the matte and the landmarks by one warp.
    thin = factors.pop("thin_face")
    warp = retouch.JawWarp.build(rgb.shape[:2], landmarks, thin) if thin else None
    if warp is not None:
        rgb = warp.apply(rgb)
        alpha = None if alpha is None else warp.apply(alpha)
        landmarks = warp.move(landmarks)
    return retouch.apply_retouch(rgb, landmarks, **factors), alpha, landmarks


def _outfit(rgb, alpha, landmarks, clothes_id: str):
    from photos.engine.outfit import apply_outfit

    return apply_outfit(rgb, alpha, landmarks, clothes_id)


def _label(photo: Image.Image, text: str, height: int) -> Image.Image:
    from photos.engine.label import add_label

    return add_label(photo, text=text, height=height)


def _watermark(photo: Image.Image) -> Image.Image:
    from photos.engine.preview import watermark

    return watermark(photo)


def _encode(photo: Image.Image, request: PhotoRequest) -> bytes:
    from photos.engine.encode import encode_jpeg

    return encode_jpeg(
        photo,
        dpi=request.dpi,
        quality=request.quality,
        min_file_size=request.min_file_size,
        max_file_size=request.max_file_size,
    )


def _layout(photo: Image.Image, request: PhotoRequest) -> bytes:
    from photos.engine.encode import encode_jpeg
    from photos.engine.layout import layout_sheet

    sheet = layout_sheet(
        photo,
        photo_mm=request.physical_mm,
        paper=request.layout_size,
        vertical=request.layout_vertical,
        bg_color=request.layout_bg_color,
        qr_data=request.layout_qr_code_data,
        qr_size=request.layout_qr_code_size,
        label_text=request.layout_label_text,
    )
    return encode_jpeg(sheet, dpi=300)
