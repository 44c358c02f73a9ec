"""The ONNX models run from this machine's optimized copies, made once and checked."""

from __future__ import annotations

import shutil

import numpy as np
import onnxruntime as ort
import pytest

from photos.engine import models


@pytest.fixture
def modnet_dir(tmp_path, monkeypatch, engine_models):
    """A models directory holding only MODNet (the model the copies save most memory on)."""
    shutil.copy(models.model_path(models.MODNET), tmp_path / models.MODNET.name)
    monkeypatch.setenv("IDPHOTO_MODELS_DIR", str(tmp_path))
    return tmp_path


def alpha_of(session) -> np.ndarray:
    image = np.random.default_rng(7).uniform(-1, 1, (1, 3, 256, 192)).astype(np.float32)
    return session.run(None, {session.get_inputs()[0].name: image})[0]


def test_fetch_makes_the_optimized_copies_the_sessions_load(engine_models):
    made = models.fetch_all()
    optimized = [path for path in made if path.name.endswith(".optimized.onnx")]
    assert {path.name.split(".")[0] for path in optimized} == {"modnet", "efficientnet-lite0"}
    for path in optimized:
        assert path.is_file()
        assert f".{models._hardware_key()}." in path.name  # only valid for this machine
    session = models.onnx_session(models.model_path(models.MODNET))
    assert session._model_path in {str(path) for path in optimized}


def test_the_optimized_copy_mattes_as_the_original(modnet_dir):
    source = modnet_dir / models.MODNET.name
    copy = models.optimized_onnx(source)
    assert copy != source and copy.parent == modnet_dir

    original = ort.InferenceSession(
        str(source), models._session_options(), providers=["CPUExecutionProvider"]
    )
    optimized = ort.InferenceSession(
        str(copy), models._session_options(), providers=["CPUExecutionProvider"]
    )
    np.testing.assert_allclose(alpha_of(optimized), alpha_of(original), atol=1e-6)


def test_a_changed_copy_is_made_again(modnet_dir):
    source = modnet_dir / models.MODNET.name
    copy = models.optimized_onnx(source)
    broken = copy.read_bytes()[:-100] + bytes(100)
    models._verified.discard(copy)  # a new process
    copy.write_bytes(broken)

    assert models.optimized_onnx(source) == copy
    assert copy.read_bytes() != broken
    session = ort.InferenceSession(
        str(copy), models._session_options(), providers=["CPUExecutionProvider"]
    )
    assert alpha_of(session).shape == (1, 1, 256, 192)


def test_a_copy_made_on_another_machine_is_not_used(modnet_dir, monkeypatch):
    source = modnet_dir / models.MODNET.name
    here = models.optimized_onnx(source)
    monkeypatch.setattr(models, "_hardware_key", lambda: "othercpu0000")

    there = models.optimized_onnx(source)
    assert there.name == "modnet.othercpu0000.optimized.onnx"
    assert there.is_file() and here.is_file()


def test_an_unwritable_models_directory_falls_back_to_the_original(modnet_dir, monkeypatch):
    def refuse(path, target):
        raise PermissionError(13, "Read-only file system", str(target))

    monkeypatch.setattr(models, "_write_optimized", refuse)
    source = modnet_dir / models.MODNET.name
    assert models.optimized_onnx(source) == source
    assert not list(modnet_dir.glob("*.optimized.onnx"))
