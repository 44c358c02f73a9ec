"""Encode the finished photo as the JPEG a portal accepts.

What goes into the file, following "File Size Control Parameters" in
shared/reference/idphoto-api.txt:

- the DPI twice, in the JFIF header and in EXIF XResolution/YResolution/ResolutionUnit,
  because upload portals and print labs read one or the other;
- the sRGB ICC profile, so browsers and printers do not guess the colours;
- nothing else from the camera: GPS, make, model, comments and XMP are dropped.

With ``quality`` unset and a file-size band given, the quality (1..100) is binary-searched
for the largest file not over ``max_file_size``, for both 4:4:4 and 4:2:0 chroma
subsampling; a file still under ``min_file_size`` at the best quality is padded with JPEG
comment (COM) segments placed before the image data, never with bytes after the end
marker, so every decoder still reads it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache

from PIL import Image, ImageCms, TiffImagePlugin

from photos.engine.errors import FileSizeUnreachable

DEFAULT_QUALITY = 92  # "quality ... Default: 92" in the reference
# From this quality up, keep full chroma resolution: coloured backgrounds stay crisp at edges.
FULL_CHROMA_FROM_QUALITY = 90
SUBSAMPLING_444 = 0
SUBSAMPLING_420 = 2

_EXIF_X_RESOLUTION = 0x011A
_EXIF_Y_RESOLUTION = 0x011B
_EXIF_RESOLUTION_UNIT = 0x0128
_RESOLUTION_UNIT_INCH = 2

_SOI = b"\xff\xd8"
_COM = b"\xff\xfe"
_COM_MAX_PAYLOAD = 65533  # the 16-bit segment length counts itself (2 bytes)
_PADDING_TEXT = b"idphoto file-size padding "


def encode_jpeg(
    image: Image.Image,
    *,
    dpi: int = 300,
    quality: int | None = None,
    min_file_size: int | None = None,
    max_file_size: int | None = None,
) -> bytes:
    """The photo as JPEG bytes; see the module docstring for what the file carries.

    ``min_file_size``/``max_file_size`` are in bytes and only apply when ``quality`` is
    None, as in the reference. 0 means no limit (an empty form field). Raises
    FileSizeUnreachable when the band cannot be met, naming the sizes this photo can reach.
    """
    if quality is not None and not 1 <= quality <= 100:
        raise ValueError(f"quality must be between 1 and 100, got {quality}")
    if not 1 <= dpi <= 65535:
        raise ValueError(f"dpi must be between 1 and 65535, got {dpi}")
    rgb = _clean_rgb(image)
    encode = _encoder(rgb, dpi)

    if quality is not None or not (min_file_size or max_file_size):
        q = DEFAULT_QUALITY if quality is None else quality
        return encode(q, _subsampling_for(q))
    return _fit_band(encode, rgb.size, min_file_size or 0, max_file_size or None)


def read_dpi(jpeg_bytes: bytes) -> tuple[float, float]:
    """The DPI a reader sees in the file (Pillow prefers the JFIF header, then EXIF)."""
    with Image.open(io.BytesIO(jpeg_bytes)) as image:
        x, y = image.info.get("dpi", (0, 0))
    return float(x), float(y)


def _fit_band(
    encode: Callable[[int, int], bytes],
    size: tuple[int, int],
    min_size: int,
    max_size: int | None,
) -> bytes:
    pixels = f"{size[0]}×{size[1]} px"
    if max_size is not None and min_size > max_size:
        raise FileSizeUnreachable(
            f"min_file_size {min_size:,} bytes is larger than max_file_size {max_size:,} bytes."
        )

    if max_size is None:
        # Only a floor: the default quality if it is big enough, else the lowest quality
        # that reaches the floor, else the best quality padded up to it.
        best = encode(DEFAULT_QUALITY, _subsampling_for(DEFAULT_QUALITY))
        if len(best) >= min_size:
            return best
        q = _search(lambda q: len(encode(q, SUBSAMPLING_444)) >= min_size, DEFAULT_QUALITY, 100)
        best = encode(q if q is not None else 100, SUBSAMPLING_444)
        return best if len(best) >= min_size else _pad(best, min_size)

    candidates = []
    for subsampling in (SUBSAMPLING_444, SUBSAMPLING_420):
        q = _search(lambda q, s=subsampling: len(encode(q, s)) <= max_size, 1, 100, highest=True)
        if q is not None:
            candidates.append(encode(q, subsampling))
    if not candidates:
        smallest = min(len(encode(1, s)) for s in (SUBSAMPLING_444, SUBSAMPLING_420))
        raise FileSizeUnreachable(
            f"max_file_size {max_size:,} bytes cannot be reached at {pixels}: "
            f"the smallest JPEG is {smallest:,} bytes."
        )
    candidates.sort(key=len, reverse=True)
    if len(candidates[0]) >= min_size:
        return candidates[0]
    for data in candidates:
        padded = _pad(data, min_size)
        if len(padded) <= max_size:
            return padded
    raise FileSizeUnreachable(  # only when the band is narrower than a comment header
        f"The file size band {min_size:,}–{max_size:,} bytes cannot be reached at {pixels}: "
        f"the nearest JPEG is {len(candidates[0]):,} bytes."
    )


def _search(ok: Callable[[int], bool], low: int, high: int, highest: bool = False) -> int | None:
    """Binary search over quality, assuming file size grows with quality.

    ``highest``: the highest q with ok(q) (ok holds for low qualities); otherwise the
    lowest q with ok(q) (ok holds for high qualities). None when no q in range is ok.
    """
    found = None
    while low <= high:
        mid = (low + high) // 2
        if ok(mid):
            found = mid
            if highest:
                low = mid + 1
            else:
                high = mid - 1
        elif highest:
            high = mid - 1
        else:
            low = mid + 1
    return found


def _encoder(rgb: Image.Image, dpi: int) -> Callable[[int, int], bytes]:
    """encode(quality, subsampling) -> bytes, memoised for the size search."""
    exif = _resolution_exif(dpi)
    icc = _srgb_profile()
    cache: dict[tuple[int, int], bytes] = {}

    def encode(quality: int, subsampling: int) -> bytes:
        key = (quality, subsampling)
        if key not in cache:
            buffer = io.BytesIO()
            rgb.save(
                buffer,
                format="JPEG",
                quality=quality,
                subsampling=subsampling,
                optimize=True,
                dpi=(dpi, dpi),
                exif=exif,
                icc_profile=icc,
            )
            cache[key] = buffer.getvalue()
        return cache[key]

    return encode


def _subsampling_for(quality: int) -> int:
    return SUBSAMPLING_444 if quality >= FULL_CHROMA_FROM_QUALITY else SUBSAMPLING_420


def _clean_rgb(image: Image.Image) -> Image.Image:
    """An RGB copy in sRGB with no metadata (Pillow would carry ``info['comment']`` over)."""
    source_icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        rgb = flat
    else:
        rgb = image.convert("RGB") if image.mode != "RGB" else image.copy()
    if source_icc and image.mode in ("RGB", "RGBA"):
        rgb = _to_srgb(rgb, source_icc)
    rgb.info = {}
    return rgb


def _to_srgb(rgb: Image.Image, icc: bytes) -> Image.Image:
    """Convert pixels tagged with another profile (e.g. Display P3 from a phone) to sRGB."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(source).lower():
            return rgb
        return ImageCms.profileToProfile(rgb, source, _srgb_cms_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return rgb  # an unreadable profile: keep the pixels as they are


@lru_cache(maxsize=1)
def _srgb_cms_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    return _srgb_cms_profile().tobytes()


@lru_cache(maxsize=32)
def _resolution_exif(dpi: int) -> bytes:
    exif = Image.Exif()
    exif[_EXIF_X_RESOLUTION] = TiffImagePlugin.IFDRational(dpi, 1)
    exif[_EXIF_Y_RESOLUTION] = TiffImagePlugin.IFDRational(dpi, 1)
    exif[_EXIF_RESOLUTION_UNIT] = _RESOLUTION_UNIT_INCH
    return exif.tobytes()


def _pad(jpeg: bytes, target: int) -> bytes:
    """Grow ``jpeg`` to ``target`` bytes (or 4 more, the smallest segment) with COM segments."""
    deficit = target - len(jpeg)
    if deficit <= 0:
        return jpeg
    deficit = max(deficit, 4)
    count = -(-deficit // (_COM_MAX_PAYLOAD + 4))
    base, extra = divmod(deficit, count)
    segments = []
    for i in range(count):
        payload_len = base + (1 if i < extra else 0) - 4
        payload = (_PADDING_TEXT * (payload_len // len(_PADDING_TEXT) + 1))[:payload_len]
        segments.append(_COM + (payload_len + 2).to_bytes(2, "big") + payload)
    at = _after_app_segments(jpeg)
    return jpeg[:at] + b"".join(segments) + jpeg[at:]


def _after_app_segments(jpeg: bytes) -> int:
    """Offset just past SOI and the APPn/COM segments that follow it."""
    if not jpeg.startswith(_SOI):
        raise ValueError("not a JPEG stream")
    offset = 2
    while offset + 4 <= len(jpeg) and jpeg[offset] == 0xFF:
        marker = jpeg[offset + 1]
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            break
        offset += 2 + int.from_bytes(jpeg[offset + 2 : offset + 4], "big")
    return offset
