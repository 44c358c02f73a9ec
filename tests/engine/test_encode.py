"""encode.encode_jpeg: DPI, colour profile, metadata and file-size bands, read back from the file."""

import io

import numpy as np
import pytest
from PIL import Image, ImageCms
from skimage import data

from photos.engine.encode import encode_jpeg, read_dpi
from photos.engine.errors import FileSizeUnreachable

KB = 1024


def astronaut(width: int, height: int) -> Image.Image:
    """The astronaut photo cropped to width:height and resized to exactly that size."""
    full = Image.fromarray(data.astronaut())
    crop_w = min(full.width, round(full.height * width / height))
    crop_h = round(crop_w * height / width)
    left = (full.width - crop_w) // 2
    return full.crop((left, 0, left + crop_w, crop_h)).resize((width, height), Image.LANCZOS)


@pytest.fixture(scope="module")
def photo():
    return astronaut(413, 531)  # 35×45 mm at 300 dpi


def decode(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def segments(jpeg: bytes) -> list[tuple[int, int]]:
    """(marker, segment length) of every segment before the image data."""
    found, offset = [], 2
    while True:
        assert jpeg[offset] == 0xFF
        marker, length = jpeg[offset + 1], int.from_bytes(jpeg[offset + 2 : offset + 4], "big")
        found.append((marker, length))
        if marker == 0xDA:
            return found
        offset += 2 + length


@pytest.mark.parametrize("dpi", [300, 350, 72])
def test_dpi_is_in_jfif_and_exif(photo, dpi):
    image = decode(encode_jpeg(photo, dpi=dpi))

    assert image.info["dpi"] == (dpi, dpi)
    assert image.info["jfif_unit"] == 1 and image.info["jfif_density"] == (dpi, dpi)
    exif = image.getexif()
    assert (exif[0x011A], exif[0x011B], exif[0x0128]) == (dpi, dpi, 2)
    assert image.size == (413, 531)
    assert read_dpi(encode_jpeg(photo, dpi=dpi)) == (dpi, dpi)


def test_srgb_profile_is_embedded(photo):
    image = decode(encode_jpeg(photo))
    profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


def test_camera_metadata_is_stripped(photo):
    camera = photo.copy()
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS R5"  # Model
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPS
    camera.info["exif"] = exif.tobytes()
    camera.info["comment"] = b"shot at home"
    carried = Image.Exif()
    carried.load(camera.info["exif"])
    assert carried.get_ifd(0x8825)[2] == (48.0, 51.0, 29.0)  # the input really carries GPS
    jpeg = encode_jpeg(camera)

    image = decode(jpeg)
    out = image.getexif()
    assert set(out) == {0x011A, 0x011B, 0x0128}
    assert not out.get_ifd(0x8825)
    assert "comment" not in image.info
    assert b"Canon" not in jpeg and b"shot at home" not in jpeg


def test_default_quality_is_92_and_quality_is_honoured(photo):
    assert encode_jpeg(photo) == encode_jpeg(photo, quality=92)
    sizes = [len(encode_jpeg(photo, quality=q)) for q in (10, 40, 75, 92, 100)]
    assert sizes == sorted(sizes)

    original = np.asarray(photo, dtype=np.int16)
    errors = [
        np.abs(np.asarray(decode(encode_jpeg(photo, quality=q)), dtype=np.int16) - original).mean()
        for q in (10, 92)
    ]
    assert errors[1] < errors[0] / 2


def test_band_20_to_50_kb_on_a_35x45_photo(photo):
    jpeg = encode_jpeg(photo, min_file_size=20 * KB, max_file_size=50 * KB)
    assert 20 * KB <= len(jpeg) <= 50 * KB
    assert decode(jpeg).size == (413, 531)
    # The search takes the best quality that fits, not just any.
    assert len(jpeg) > 40 * KB


def test_max_240_kb_at_602_px():
    square = astronaut(602, 602)
    jpeg = encode_jpeg(square, max_file_size=240 * KB)
    assert len(jpeg) <= 240 * KB
    assert len(jpeg) > 200 * KB
    assert decode(jpeg).size == (602, 602)


def test_min_above_natural_size_is_padded_with_comment_segments(photo):
    best = encode_jpeg(photo, quality=100)
    target = len(best) + 150_000  # needs more than two 64 KB comment segments
    jpeg = encode_jpeg(photo, min_file_size=target, max_file_size=target + 10 * KB)

    assert len(jpeg) == target
    assert jpeg.endswith(b"\xff\xd9") and jpeg.count(b"\xff\xd9") >= 1
    comments = [length for marker, length in segments(jpeg) if marker == 0xFE]
    assert len(comments) == 3 and all(length <= 65535 for length in comments)
    # Comments come before the image data, right after the APP segments.
    markers = [marker for marker, _ in segments(jpeg)]
    assert markers[:6] == [0xE0, 0xE1, 0xE2, 0xFE, 0xFE, 0xFE]
    padded = decode(jpeg)
    assert padded.info["dpi"] == (300, 300)
    assert np.array_equal(np.asarray(padded), np.asarray(decode(best)))


def test_min_only_pads_when_even_quality_100_is_smaller(photo):
    jpeg = encode_jpeg(photo, min_file_size=500 * KB)
    assert len(jpeg) == 500 * KB
    assert decode(jpeg).size == (413, 531)


def test_min_only_keeps_default_quality_when_already_big_enough(photo):
    assert encode_jpeg(photo, min_file_size=10 * KB) == encode_jpeg(photo)


def test_unreachable_max_names_the_smallest_size():
    small = astronaut(295, 413)
    with pytest.raises(FileSizeUnreachable) as caught:
        encode_jpeg(small, max_file_size=2000)
    message = str(caught.value)
    assert "max_file_size 2,000 bytes cannot be reached at 295×413 px" in message
    assert "the smallest JPEG is" in message


def test_min_larger_than_max_is_refused(photo):
    with pytest.raises(FileSizeUnreachable, match="larger than max_file_size"):
        encode_jpeg(photo, min_file_size=60 * KB, max_file_size=50 * KB)


def test_transparent_pixels_become_white():
    rgba = Image.new("RGBA", (120, 160), (255, 0, 0, 0))
    pixels = np.asarray(decode(encode_jpeg(rgba)))
    assert pixels.min() > 245
