"""Typed engine errors.

Each error carries the upstream task state it maps to (see "Response Fields" in
shared/reference/idphoto-api.txt): -7 invalid image, -5 image too large, -1 processing
failed. The API and the storefront show ``str(error)`` to the customer, so messages are
plain sentences that say what to do.
"""


class EngineError(Exception):
    """Base class: the photo could not be produced (upstream state -1)."""

    state = -1
    code = "failed"
    staff_note = ""  # details for the shop's staff, never shown to the customer

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidImage(EngineError):
    """Not a decodable image in a supported format (upstream state -7)."""

    state = -7
    code = "invalid_image"


class ImageTooLarge(EngineError):
    """Over 15 MB or over 4096x4096 pixels (upstream state -5)."""

    state = -5
    code = "image_too_large"


class NoFace(EngineError):
    code = "no_face"


class FaceTurnedAway(NoFace):
    """A face was found, but turned or tipped too far from the camera."""


class HeadLyingDown(NoFace):
    """The face is turned by more than 45 degrees in the picture: a photo stored sideways
    (the pipeline turns it upright) or a person lying down."""

    def __init__(self, message: str, *, roll: float):
        super().__init__(message)
        self.roll = roll


class NotAPerson(EngineError):
    """The face found is an animal's, a drawing's or a painting's (see engine/subject.py)."""

    code = "not_a_person"

    def __init__(self, message: str, *, reasons: list[str], measured: str = ""):
        super().__init__(message)
        self.reasons = reasons
        self.staff_note = f"Not a photographed person: {', '.join(reasons)}. {measured}".strip()


class SeveralFaces(EngineError):
    code = "several_faces"


class FaceCutOff(EngineError):
    code = "face_cut_off"


class FaceTooSmall(EngineError):
    code = "face_too_small"


class BodyCutOff(EngineError):
    """The photo ends too close below the chin to fill the frame without a floating head."""

    code = "body_cut_off"


class ConstraintsUnsatisfiable(EngineError):
    code = "constraints_unsatisfiable"


class FileSizeUnreachable(EngineError):
    code = "file_size_unreachable"


class LabelTooLong(EngineError):
    code = "label_too_long"


class ModelMissing(EngineError):
    """A model file is absent or its hash does not match; the message names the fetch command."""

    code = "model_missing"
