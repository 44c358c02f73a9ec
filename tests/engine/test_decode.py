"""decode: every accepted format and pixel layout becomes upright 8-bit sRGB; bad input
gets the typed error the API reports (state -7 invalid, -5 too large)."""

from __future__ import annotations

import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from photos.engine.decode import MAX_BYTES, decode_image
from photos.engine.errors import ImageTooLarge, InvalidImage
from tests.engine.conftest import encode

pytestmark = pytest.mark.usefixtures("engine_models")


def mean_abs_diff(a, b) -> float:
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())


@pytest.mark.parametrize(
    ("fmt", "tolerance"),
    [("JPEG", 4.0), ("PNG", 0.0), ("BMP", 0.0), ("WEBP", 6.0), ("TIFF", 0.0)],
)
def test_supported_formats_decode_to_the_same_pixels(grace, fmt, tolerance):
    decoded = decode_image(encode(grace, fmt))
    assert decoded.rgb.shape == (600, 512, 3)
    assert decoded.rgb.dtype == np.uint8
    assert decoded.scale == 1.0
    assert mean_abs_diff(decoded.rgb, grace) <= tolerance


def test_exif_orientation_is_applied(grace):
    stored = Image.fromarray(np.rot90(np.asarray(grace)))  # lying on its side
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    decoded = decode_image(encode(stored, "JPEG", exif=exif))
    assert decoded.rgb.shape == (600, 512, 3)
    assert decoded.source_size == (512, 600)
    assert mean_abs_diff(decoded.rgb, grace) < 5


def test_cmyk_jpeg_becomes_rgb(grace):
    decoded = decode_image(encode(grace.convert("CMYK"), "JPEG"))
    assert decoded.rgb.shape == (600, 512, 3)
    assert mean_abs_diff(decoded.rgb, grace) < 8


def test_greyscale_becomes_three_equal_channels(grace):
    decoded = decode_image(encode(grace.convert("L"), "PNG"))
    assert decoded.rgb.shape == (600, 512, 3)
    assert np.array_equal(decoded.rgb[..., 0], decoded.rgb[..., 2])
    assert mean_abs_diff(decoded.rgb[..., 0], grace.convert("L")) == 0


def test_palette_image_becomes_rgb(grace):
    palette = grace.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    decoded = decode_image(encode(palette, "PNG"))
    assert mean_abs_diff(decoded.rgb, palette.convert("RGB")) == 0


def test_transparency_is_flattened_onto_white(grace):
    rgba = grace.convert("RGBA")
    alpha = np.full((600, 512), 255, np.uint8)
    alpha[:100] = 0  # the top is see-through
    rgba.putalpha(Image.fromarray(alpha))
    decoded = decode_image(encode(rgba, "PNG"))
    assert (decoded.rgb[:100] == 255).all()
    assert mean_abs_diff(decoded.rgb[100:], np.asarray(grace)[100:]) == 0


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (80, 1))
    decoded = decode_image(encode(Image.fromarray(ramp), "PNG"))
    row = decoded.rgb[0, :, 0].astype(int)
    assert row[0] == 0 and row[-1] == 255
    assert abs(row[128] - 128) <= 1
    assert (np.diff(row) >= 0).all()


def linear_rgb_profile() -> bytes:
    """A minimal ICC v2 display profile: sRGB primaries, gamma 1.0 (so it is not sRGB)."""

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(x, y, z) -> bytes:
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    description = b"Linear RGB test\0"
    tags = [
        (
            b"desc",
            b"desc"
            + b"\0" * 4
            + struct.pack(">I", len(description))
            + description
            + b"\0" * 8
            + b"\0" * 3
            + b"\0" * 67,
        ),  # fmt: skip
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0100) + b"\0\0"),
        (b"gTRC", b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0100) + b"\0\0"),
        (b"bTRC", b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0100) + b"\0\0"),
        (b"cprt", b"text" + b"\0" * 4 + b"public domain\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
        + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
        + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48
    )  # fmt: skip
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def test_embedded_icc_profile_is_honoured():
    grey = Image.new("RGB", (100, 100), (128, 128, 128))
    decoded = decode_image(encode(grey, "PNG", icc_profile=linear_rgb_profile()))
    # Linear 0.5 is sRGB ~188: without the profile the value would stay 128.
    assert abs(int(decoded.rgb[50, 50, 0]) - 188) <= 3


def test_jpeg_draft_decodes_smaller_but_keeps_the_source_size(grace):
    big = grace.resize((2048, 2400))
    decoded = decode_image(encode(big), min_short_side=500)
    assert decoded.rgb.shape[:2] == (600, 512)
    assert decoded.scale == pytest.approx(0.25)
    assert decoded.source_size == (2048, 2400)


def test_png_is_area_downscaled_when_much_larger_than_needed(grace):
    big = grace.resize((1536, 1800))
    decoded = decode_image(encode(big, "PNG"), min_short_side=400)
    assert min(decoded.rgb.shape[:2]) == 400
    assert decoded.scale == pytest.approx(400 / 1536, rel=1e-3)


def test_corrupt_file_is_invalid(grace):
    with pytest.raises(InvalidImage) as excinfo:
        decode_image(b"this is not an image at all" * 100)
    assert excinfo.value.state == -7
    truncated = encode(grace)[:3000]
    with pytest.raises(InvalidImage):
        decode_image(truncated)


def test_unsupported_format_is_invalid(grace):
    with pytest.raises(InvalidImage):
        decode_image(encode(grace, "GIF"))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(30000, 30000), (5000, 5000)])
def test_decompression_bomb_is_refused_before_decoding(size):
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge) as excinfo:
        decode_image(png_header_only(*size))
    assert excinfo.value.state == -5
    assert time.perf_counter() - started < 0.5  # nothing was expanded


def test_4097_pixels_is_too_large_and_4096_is_fine():
    with pytest.raises(ImageTooLarge):
        decode_image(encode(Image.new("RGB", (4097, 80), "gray")))
    decoded = decode_image(encode(Image.new("RGB", (4096, 80), "gray")))
    assert decoded.rgb.shape == (80, 4096, 3)


def test_more_than_15_mb_is_too_large():
    with pytest.raises(ImageTooLarge) as excinfo:
        decode_image(b"\xff\xd8\xff" + bytes(MAX_BYTES))
    assert "15 MB" in str(excinfo.value)


def test_tiny_image_is_invalid():
    with pytest.raises(InvalidImage):
        decode_image(encode(Image.new("RGB", (20, 20), "gray"), "PNG"))


def test_decoded_array_is_writable_and_contiguous(grace):
    decoded = decode_image(encode(grace, "PNG"))
    assert decoded.rgb.flags["C_CONTIGUOUS"]
    assert decoded.rgb.flags["WRITEABLE"]
