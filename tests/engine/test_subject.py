"""Only a photographed person becomes an ID photo: animals, cartoons and art are refused,
and real people are not, however their photo was taken or degraded."""

from __future__ import annotations

import io
import pickle
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from photos.engine import classify, matte, pipeline
from photos.engine.errors import EngineError, NoFace, NotAPerson
from photos.engine.faces import find_face
from photos.engine.fit import leveling_matrix
from photos.engine.params import PhotoRequest
from photos.engine.pipeline import make_id_photo
from photos.engine.state_dict import LEGACY_MAGIC, LEGACY_PROTOCOL, load_state_dict
from photos.engine.subject import SubjectReport, check_subject
from tests.engine.conftest import NOT_PEOPLE, astronaut_image, encode, grace_image
from tests.engine.official import spec_request


def _refusal(source: bytes) -> Exception:
    with pytest.raises((NotAPerson, NoFace)) as caught:
        make_id_photo(source, PhotoRequest())
    return caught.value


@pytest.mark.parametrize(
    "name",
    ["proboscis_monkey", "red_panda", "cartoon_father_and_son", "cartoon_child"],
)
def test_animals_and_cartoons_are_refused(engine_models, name):
    error = _refusal((NOT_PEOPLE / f"{name}.jpg").read_bytes())
    assert "real person" in str(error) or "No face" in str(error)


def test_a_monkey_the_face_model_takes_for_a_face_is_refused_as_an_animal(engine_models):
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / "proboscis_monkey.jpg").read_bytes(), PhotoRequest())
    assert caught.value.reasons[0] == "an animal"
    assert caught.value.state == -1
    assert "real person" in caught.value.message


@pytest.mark.parametrize("name", ["painted_bear", "painted_piglet"])
def test_animals_the_matte_takes_for_a_person_are_refused_whatever_their_eyes(engine_models, name):
    # Both have a full person matte; the piglet's eye whites would pass for a person's.
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / f"{name}.jpg").read_bytes(), PhotoRequest())
    assert caught.value.reasons == ["an animal"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("planet_neptune", "a face not in any skin colour"),  # blue
        ("cherries", "a face not in any skin colour"),  # a red no skin is
        ("pomegranate", "no eyes darker than the face"),
        ("cartoon_bunny_head", "no eyes darker than the face"),  # found turned over
        ("cartoon_teddy_bear", "skin in flat colour"),  # no classifier took it for a drawing
    ],
)
def test_objects_the_face_model_fits_a_face_to_are_refused(engine_models, name, reason):
    # Photographed (or drawn) on a plain background, the matte takes them whole and no
    # classifier sees an animal, a mask or artwork: each came out as a 1-inch photo.
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / f"{name}.jpg").read_bytes(), spec_request(1102))
    assert reason in caught.value.reasons
    assert "real person" in caught.value.message  # also where only the colour refused


SPECS = {"1-inch": 1102, "35x45 visa": 3110, "US visa": 3108}


@pytest.mark.parametrize("spec", SPECS)
def test_a_cartoon_is_refused_whatever_the_document(engine_models, spec):
    # For the 35x45 visa the matte kept less of this drawing and the matted figure alone
    # let it through; the unmatted one, confirmed by flat skin, does not depend on that.
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / "cartoon_woman.png").read_bytes(), spec_request(SPECS[spec]))
    assert "a drawing or stylised picture" in caught.value.reasons


@pytest.mark.parametrize("spec", ["1-inch", "US visa"])
def test_a_cartoon_whose_ponytail_passed_for_a_face_is_refused_not_framed(engine_models, spec):
    # The drawn face is too stylised for the detector, but a tile of the ponytail was
    # taken for a small face; the ID photo came out as a close-up of brown hair. Framed
    # as it would be delivered, the landmarker finds no face there.
    with pytest.raises(NoFace):
        make_id_photo((NOT_PEOPLE / "cartoon_face.jpg").read_bytes(), spec_request(SPECS[spec]))


@pytest.mark.parametrize("share", [0.04, 0.08])
def test_a_real_face_framed_small_is_found_by_a_closer_look(engine_models, share):
    # The same check must not refuse a real face that the request frames small: in a
    # 640-px view where the face takes 4 or 8 % of the width the landmarker finds nothing,
    # and the closer look around the face finds it, at the same place.
    rgb = np.asarray(grace_image())
    face = find_face(rgb)
    size = (640, 640)
    scale = share * size[0] / face.face_width
    to_frame = leveling_matrix(face.center, face.roll) * scale
    to_frame[:, 2] += np.array(size) / 2 - scale * face.center
    assert pipeline._face_near_centre(rgb, to_frame, size) is None
    found = pipeline._refine_face(rgb, face, to_frame, size)
    assert np.linalg.norm(found.eye_center - face.eye_center) < 2.0
    assert np.linalg.norm(found.chin - face.chin) < 4.0


@pytest.mark.parametrize("crop", [None, (230, 50, 590, 420), (265, 100, 500, 355)])
@pytest.mark.parametrize("spec", SPECS)
def test_a_gorilla_never_becomes_an_id_photo(engine_models, crop, spec):
    image = Image.open(NOT_PEOPLE / "gorilla.jpg")
    if crop:
        image = image.crop(crop)
    with pytest.raises(EngineError):
        make_id_photo(encode(image), spec_request(SPECS[spec]))


def test_a_carved_face_is_refused_as_a_statue(engine_models):
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / "mount_rushmore.jpg").read_bytes(), PhotoRequest())
    assert caught.value.reasons == ["a mask or a statue"]
    assert "statue" in caught.value.message


def test_a_painted_portrait_without_a_photographed_person_is_refused(engine_models):
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / "van_gogh_pere_tanguy.jpg").read_bytes(), PhotoRequest())
    assert "no person around the face" in caught.value.reasons


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("mount_rushmore", "1-inch"),
        ("painted_piglet", "35x45 visa"),
        ("proboscis_monkey", "US visa"),
    ],
)
def test_a_non_person_the_spec_cannot_frame_is_refused_as_what_it_is(engine_models, name, spec):
    # Each of these cannot meet the spec's face bands from its picture; the customer is
    # told it is not a photographed person, not that the framing failed.
    with pytest.raises(NotAPerson):
        make_id_photo((NOT_PEOPLE / f"{name}.jpg").read_bytes(), spec_request(SPECS[spec]))


@pytest.mark.parametrize("spec", SPECS)
def test_a_monkey_whose_head_cannot_be_measured_is_refused_as_an_animal(engine_models, spec):
    # Its matte never settled on a head (the photo's generic "could not be measured"
    # before); the customer is told why instead.
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / "macaque.jpg").read_bytes(), spec_request(SPECS[spec]))
    # (At the 1-inch size the matte also misses its body: that is said as well.)
    assert "an animal" in caught.value.reasons
    assert "does not look like a photo of a real person" in caught.value.message


def _cartoon(image: Image.Image) -> np.ndarray:
    bgr = np.asarray(image)[..., ::-1].copy()
    grey = cv2.medianBlur(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), 7)
    edges = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, 2)
    colour = cv2.bilateralFilter(bgr, 9, 250, 250)
    return cv2.bitwise_and(colour, colour, mask=edges)[..., ::-1]


def _watercolour(image: Image.Image) -> np.ndarray:
    bgr = np.asarray(image)[..., ::-1].copy()
    smooth = cv2.edgePreservingFilter(bgr, flags=1, sigma_s=60, sigma_r=0.4)
    return cv2.stylization(smooth, sigma_s=30, sigma_r=0.6)[..., ::-1]


@pytest.mark.parametrize(
    "make", [lambda: _cartoon(astronaut_image()), lambda: _watercolour(grace_image())]
)
def test_stylised_versions_of_real_portraits_are_refused(engine_models, make):
    with pytest.raises(NotAPerson):
        make_id_photo(encode(make(), "PNG"), PhotoRequest())


def _degraded(image: Image.Image, how: str) -> bytes:
    rgb = np.asarray(image)
    if how == "blur":
        return encode(cv2.GaussianBlur(rgb, (0, 0), 1.5))
    if how == "beauty filter":
        smooth = cv2.bilateralFilter(rgb, 15, 80, 15)
        return encode(cv2.bilateralFilter(smooth, 15, 80, 15))
    if how == "noise":
        noise = np.random.default_rng(1).normal(0, 10, rgb.shape)
        return encode(np.clip(rgb + noise, 0, 255).astype(np.uint8))
    if how == "dark":
        return encode((255 * (rgb / 255.0) ** 1.8).astype(np.uint8))
    if how == "greyscale":
        return encode(image.convert("L"))
    if how == "jpeg quality 10":
        return encode(image, quality=10)
    if how == "posterised":
        return encode((rgb // 32 * 32 + 16).astype(np.uint8))
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    ["blur", "beauty filter", "noise", "dark", "greyscale", "jpeg quality 10", "posterised"],
)
@pytest.mark.parametrize("who", ["grace", "astronaut"])
def test_real_people_are_accepted_however_the_photo_was_taken(engine_models, who, how):
    image = grace_image() if who == "grace" else astronaut_image()
    result = make_id_photo(_degraded(image, how), PhotoRequest())
    assert result.photo.size == (295, 413)


@pytest.mark.parametrize(
    "quality, request_", [(10, PhotoRequest(px_width=602, px_height=602)), (5, spec_request(3110))]
)
def test_a_heavily_compressed_photo_keeps_its_person_at_large_sizes(
    engine_models, quality, request_
):
    # Upsampled for a large output, the JPEG blocks hid the astronaut from the matte.
    source = encode(astronaut_image(), quality=quality)
    result = make_id_photo(source, request_)
    size = (request_.px_width, request_.px_height)
    assert result.photo.size == size
    centre = np.asarray(result.photo)[size[1] // 3 : size[1] // 2, size[0] // 3 : -size[0] // 3]
    assert centre.mean(axis=(0, 1)).max() < 235  # the face, not the white background


def _in_front_of(image: Image.Image, background: Image.Image) -> bytes:
    rgb = np.asarray(image)
    height, width = rgb.shape[:2]
    person = matte.matte_person(rgb, (0, 0, width, height), side=512)
    alpha, _ = person.warped(np.array([[1.0, 0, 0], [0, 1.0, 0]]), (width, height))
    alpha = alpha[..., None]
    backdrop = np.asarray(background.convert("RGB").resize((width, height)), np.float32)
    return encode((rgb * alpha + backdrop * (1 - alpha)).astype(np.uint8))


def test_a_person_in_front_of_a_painting_is_still_a_person(engine_models):
    painting = Image.open(NOT_PEOPLE / "van_gogh_pere_tanguy.jpg")
    result = make_id_photo(_in_front_of(astronaut_image(), painting), PhotoRequest())
    assert result.photo.size == (295, 413)


def test_a_painting_filling_the_frame_around_a_person_asks_for_a_plain_background(
    engine_models,
):
    # The price of refusing reproductions of paintings: seen whole, this photo is mostly
    # a Van Gogh. The customer is told what to do about it.
    painting = Image.open(NOT_PEOPLE / "van_gogh_pere_tanguy.jpg")
    with pytest.raises(NotAPerson) as caught:
        make_id_photo(_in_front_of(grace_image(), painting), PhotoRequest())
    assert caught.value.reasons == ["a painting or a print of one"]
    assert "plain background" in caught.value.message


@pytest.mark.parametrize("spec", SPECS)
def test_a_reproduction_of_a_painted_portrait_is_refused(engine_models, spec):
    # The Mona Lisa passes every check on the sitter: the matte covers her, the
    # classifier sees no artwork on her alone, her eyes have clear whites.
    with pytest.raises(NotAPerson) as caught:
        make_id_photo((NOT_PEOPLE / "mona_lisa.jpg").read_bytes(), spec_request(SPECS[spec]))
    assert caught.value.reasons == ["a painting or a print of one"]


def test_a_cartoon_printed_on_a_shirt_does_not_make_the_wearer_a_drawing(engine_models):
    image = astronaut_image()
    cartoon = Image.open(NOT_PEOPLE / "cartoon_father_and_son.jpg").resize((160, 160))
    image.paste(cartoon, (170, 330))
    result = make_id_photo(encode(image), PhotoRequest())
    assert result.photo.size == (295, 413)


def test_the_classifier_names_what_it_sees(engine_models):
    from skimage import data

    cat = classify.imagenet_probabilities(data.chelsea())
    coffee = classify.imagenet_probabilities(data.coffee())
    assert cat.sum() == pytest.approx(1.0, abs=1e-4)
    assert cat[list(range(281, 286))].sum() > 0.8  # tabby, tiger cat, Persian, ..., Egyptian cat
    assert int(np.argmax(coffee)) == 967  # espresso


def _legacy_file(path: Path, tensors_pickle: bytes) -> None:
    with path.open("wb") as fh:
        for value in (LEGACY_MAGIC, LEGACY_PROTOCOL, {"little_endian": True}):
            pickle.dump(value, fh, protocol=2)
        fh.write(tensors_pickle)
        pickle.dump([], fh, protocol=2)
        fh.write(struct.pack("<q", 0))


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned",))


def test_the_weights_reader_refuses_a_file_that_would_run_code(tmp_path):
    path = tmp_path / "evil.pth"
    _legacy_file(path, pickle.dumps({"weight": _Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        load_state_dict(path)


def test_the_classifier_file_is_made_by_fetch_and_checked(engine_models, tmp_path, monkeypatch):
    from photos.engine import models
    from photos.engine.errors import ModelMissing

    weights = models.model_path(models.EFFICIENTNET_LITE0)
    monkeypatch.setenv("IDPHOTO_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelMissing, match="python -m photos.engine.models fetch"):
        classify.onnx_path()
    (tmp_path / weights.name).symlink_to(weights)
    path = classify.write_onnx()
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(ModelMissing):
        classify.onnx_path()
    path.write_bytes(data)
    assert classify.onnx_path() == path


def test_the_checks_give_the_same_verdicts_from_several_threads(engine_models):
    from concurrent.futures import ThreadPoolExecutor

    people = [encode(grace_image()), encode(astronaut_image())]
    monkey = (NOT_PEOPLE / "proboscis_monkey.jpg").read_bytes()

    def verdict(source: bytes) -> str:
        try:
            make_id_photo(source, PhotoRequest())
        except NotAPerson:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(3) as pool:
        verdicts = list(pool.map(verdict, (people + [monkey]) * 2))
    assert verdicts == ["accepted", "accepted", "refused"] * 2


def test_a_cartoon_poster_behind_the_person_is_not_a_second_person(engine_models):
    from photos.engine.errors import SeveralFaces
    from photos.engine.faces import find_face

    wall = Image.new("RGB", (820, 512), (190, 190, 185))
    wall.paste(Image.open(NOT_PEOPLE / "cartoon_father_and_son.jpg").resize((380, 380)), (430, 40))
    person = astronaut_image()
    wall_behind = wall.crop((0, 0, 512, 512))
    left = Image.open(io.BytesIO(_in_front_of(person, wall_behind)))
    wall.paste(left, (0, 0))
    source = encode(wall)
    with pytest.raises(SeveralFaces):  # counting every face, the cartoon is a second person
        find_face(np.asarray(wall))
    result = make_id_photo(source, PhotoRequest())
    assert result.photo.size == (295, 413)


def _report(**figures) -> SubjectReport:
    """What a clear photo of a person measures, with ``figures`` changed."""
    person = dict(
        face_alpha=1.0,
        body_alpha=1.0,
        animal=0.0,
        other_animals=0.02,
        mask=0.0,
        artwork=0.01,
        scene_artwork=0.02,
        unmatted_artwork=0.01,
        eye_white_contrast=30.0,
        flat_skin=0.01,
    )
    return SubjectReport(**{**person, **figures})


def test_artwork_in_the_matted_head_alone_does_not_refuse_a_real_person():
    # A retouched magazine-style photo scored 0.03-0.11 on its matted head across four
    # specs, but 0.025 with its own background left in; a drawing scores high both ways.
    assert _report().refusal_reasons() == []
    assert _report(artwork=0.11, unmatted_artwork=0.025).refusal_reasons() == []
    drawn = _report(artwork=0.11, unmatted_artwork=0.2).refusal_reasons()
    assert drawn == ["a drawing or stylised picture"]


def test_skin_in_any_real_light_passes_and_colours_no_skin_has_do_not():
    # The calibration portraits and their degraded copies: sepia (hue 108), a face in a
    # party's purple light (hue -24), pale skin in low light (chroma 3, no hue to speak
    # of), a grey photo, a saturated studio portrait (chroma 50), a face half in shadow
    # (its lit eye 0.4 of the face's spread darker than its cheek).
    for hue, chroma in ((108.0, 20.0), (-24.0, 20.0), (-150.0, 3.0), (0.0, 0.0), (56.0, 50.0)):
        assert _report(skin_colours=((hue, chroma),) * 3).refusal_reasons() == []
    assert _report(eye_darkness=0.4).refusal_reasons() == []
    not_skin = ["a face not in any skin colour"]
    for hue, chroma in ((-83.0, 35.0), (-67.0, 13.0), (34.0, 84.0)):  # blue, lavender, cherry
        assert _report(skin_colours=((hue, chroma),) * 3).refusal_reasons() == not_skin
    # A blue face mask over two parts of the face leaves skin in the third.
    masked = ((40.0, 20.0), (-100.0, 25.0), (-100.0, 25.0))
    assert _report(skin_colours=masked).refusal_reasons() == []


def test_a_face_in_coloured_light_is_told_about_the_light():
    # Only the colour refused: a person under a club's purple light reads so too, and may
    # put it right; an object that also fails another check is told it is not a person.
    with pytest.raises(NotAPerson) as purple:
        check_subject(_report(skin_colours=((-60.0, 25.0),) * 3))
    assert "not in a natural skin colour" in purple.value.message
    assert "daylight" in purple.value.message
    with pytest.raises(NotAPerson) as planet:
        check_subject(_report(skin_colours=((-83.0, 35.0),) * 3, eye_darkness=0.02))
    assert "does not look like a photo of a real person" in planet.value.message
    assert _report(eye_darkness=0.06).refusal_reasons() == ["no eyes darker than the face"]


def test_skin_flat_as_a_cartoons_is_refused_without_a_classifiers_hint():
    # Heavy JPEG flattens real skin (0.20 of the whole at most on the calibration runs,
    # 0.11 in its least flat part); a cartoon bear filled with one brown measured 0.36 in
    # its least flat part, with artwork at 0.04.
    assert _report(flat_skin=0.2, least_flat_skin=0.11, artwork=0.04).refusal_reasons() == []
    flat = _report(flat_skin=0.49, least_flat_skin=0.36, artwork=0.04).refusal_reasons()
    assert flat == ["skin in flat colour"]


def test_a_person_the_matte_could_not_separate_is_told_so_not_called_a_statue():
    # A B&W portrait at JPEG quality 20: MODNet matted 0.12 of the face, no classifier
    # saw an animal, a mask or artwork. The refusal stands (the cut-out would have holes)
    # but does not tell a real person they are not one.
    with pytest.raises(NotAPerson) as lost:
        check_subject(_report(face_alpha=0.12, body_alpha=0.75))
    assert "could not be told apart from the background" in str(lost.value)
    assert lost.value.reasons == ["no person around the face"]
    with pytest.raises(NotAPerson) as ape:
        check_subject(_report(face_alpha=0.12, animal=0.9, eye_white_contrast=5.0))
    assert "does not look like a photo of a real person" in str(ape.value)


def _masked(photo: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """The portrait with a one-colour mask over nose, mouth and chin, cheek to cheek."""
    face = find_face(np.asarray(photo))
    outline = [234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379]
    outline += [365, 397, 288, 361, 323, 454, 6]  # round the chin, up to the nose bridge
    masked = photo.copy()
    ImageDraw.Draw(masked).polygon([tuple(face.landmarks[i]) for i in outline], fill=colour)
    return masked


@pytest.mark.parametrize("who", ["grace", "astronaut"])
@pytest.mark.parametrize("colour", [(170, 200, 230), (235, 235, 235), (30, 30, 35)])
def test_a_face_mask_is_pointed_out(who, colour):
    photo = {"grace": grace_image, "astronaut": astronaut_image}[who]()
    covered = make_id_photo(encode(_masked(photo, colour)), spec_request(3110))
    plain = make_id_photo(encode(photo), spec_request(3110))
    assert any("look covered" in warning for warning in covered.warnings)
    assert not any("look covered" in warning for warning in plain.warnings)
