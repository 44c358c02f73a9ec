"""Real portraits and non-portraits for the engine tests, all from packages we install.

Grace Hopper ships with matplotlib, the astronaut (Eileen Collins), the rocket and the cat
with scikit-image. Every engine test needs the real models: a missing model is a failure,
never a skip.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photos.engine import classify, models

# Animals, cartoons and a painting that must never become an ID photo (see PROVENANCE.md).
NOT_PEOPLE = Path(__file__).parent / "data" / "not_people"


@pytest.fixture(scope="session")
def engine_models() -> None:
    """Fail (never skip) every test that uses this when a model file is absent or wrong."""
    # Each raises ModelMissing naming `python -m photos.engine.models fetch`.
    for model in models.REGISTRY:
        models.model_path(model)
    classify.onnx_path()


def encode(image: Image.Image | np.ndarray, fmt: str = "JPEG", **params) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        params.setdefault("quality", 95)
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def grace_image() -> Image.Image:
    """512x600, head and shoulders, navy cap, flag and sky behind."""
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        return Image.open(handle).convert("RGB")


def astronaut_image() -> Image.Image:
    """512x512, hair close to the top edge, a busy background."""
    from skimage import data

    return Image.fromarray(data.astronaut())


@pytest.fixture(scope="session")
def grace() -> Image.Image:
    return grace_image()


@pytest.fixture(scope="session")
def grace_jpeg(grace) -> bytes:
    return encode(grace)


@pytest.fixture(scope="session")
def astronaut_jpeg() -> bytes:
    return encode(astronaut_image())


@pytest.fixture(scope="session")
def rocket_jpeg() -> bytes:
    """A landscape photo without any person."""
    from skimage import data

    return encode(data.rocket())


@pytest.fixture(scope="session")
def cat_jpeg() -> bytes:
    """An animal's face: must not pass for a person."""
    from skimage import data

    return encode(data.chelsea())


@pytest.fixture(scope="session")
def two_people_jpeg(grace) -> bytes:
    """Grace Hopper and Eileen Collins side by side, heads of similar size."""
    left = grace.resize((512, 600))
    right = astronaut_image().resize((600, 600))
    canvas = Image.new("RGB", (1112, 600), (200, 200, 200))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (512, 0))
    return encode(canvas)


@pytest.fixture(scope="session")
def poster_behind_jpeg(grace) -> bytes:
    """Grace in front, a much smaller face (a poster) in the corner behind her."""
    canvas = grace.copy()
    small = astronaut_image().resize((110, 110))
    canvas.paste(small, (400, 10))
    return encode(canvas)


@pytest.fixture(scope="session")
def chin_tight_jpeg(grace) -> bytes:
    """Cut a few pixels below the chin: no shoulders to fill an ID photo with."""
    return encode(grace.crop((0, 0, 512, 345)))
