"""layout: print sheets hold as many real-size copies as fit, plus a QR code and label."""

import io
import itertools

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from skimage import data

from photos.engine.errors import EngineError
from photos.engine.layout import layout_jpeg, layout_sheet, plan_layout

DPI = 300
PAPER_PX = {"5inch": (1500, 1050), "6inch": (1800, 1200), "A6": (1748, 1240), "A4": (3508, 2480)}
GAP_PX = MARGIN_PX = round(2 / 25.4 * DPI)  # 2 mm


def px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def photo_for(mm: tuple[float, float]) -> Image.Image:
    """The astronaut cropped to the photo's shape, at its printed pixel size."""
    full = Image.fromarray(data.astronaut())
    width = round(512 * mm[0] / mm[1])
    left = (512 - width) // 2
    return full.crop((left, 0, left + width, 512)).resize((px(mm[0]), px(mm[1])), Image.LANCZOS)


def expected_count(paper: str, vertical: bool, mm: tuple[float, float]) -> int:
    long, short = PAPER_PX[paper]
    width, height = (short, long) if vertical else (long, short)
    best = 0
    for w, h in ((px(mm[0]), px(mm[1])), (px(mm[1]), px(mm[0]))):
        cols = (width - 2 * MARGIN_PX + GAP_PX) // (w + GAP_PX)
        rows = (height - 2 * MARGIN_PX + GAP_PX) // (h + GAP_PX)
        best = max(best, cols * rows)
    return best


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


SIZES = [(25, 35), (35, 45), (51, 51), (33, 48)]


@pytest.mark.parametrize(
    ("paper", "vertical", "mm"),
    list(itertools.product(["5inch", "6inch", "A6"], [False, True], SIZES)),
)
def test_copies_fit_at_their_printed_size(paper, vertical, mm):
    plan = plan_layout(photo_mm=mm, paper=paper, vertical=vertical)

    long, short = PAPER_PX[paper]
    assert plan.paper_size == ((short, long) if vertical else (long, short))
    assert plan.count == expected_count(paper, vertical, mm)
    for box in plan.boxes:
        w_mm, h_mm = ((box[2] - box[0]) / DPI * 25.4, (box[3] - box[1]) / DPI * 25.4)
        printed = (h_mm, w_mm) if plan.rotated else (w_mm, h_mm)
        assert abs(printed[0] - mm[0]) <= 0.2 and abs(printed[1] - mm[1]) <= 0.2
        assert box[0] >= MARGIN_PX and box[1] >= MARGIN_PX
        assert box[2] <= plan.paper_size[0] - MARGIN_PX
        assert box[3] <= plan.paper_size[1] - MARGIN_PX
    for a, b in itertools.combinations(plan.boxes, 2):
        gap_x = max(a[0] - b[2], b[0] - a[2])
        gap_y = max(a[1] - b[3], b[1] - a[3])
        assert max(gap_x, gap_y) >= GAP_PX  # at least 2 mm to cut between any two copies


def test_well_known_counts():
    assert plan_layout(photo_mm=(35, 45), paper="6inch").count == 8
    assert plan_layout(photo_mm=(25, 35), paper="5inch").count == 9  # turned 90°
    assert plan_layout(photo_mm=(25, 35), paper="5inch").rotated
    assert plan_layout(photo_mm=(35, 45), paper="4R").count == 8
    assert plan_layout(photo_mm=(35, 45), paper="a4", vertical=True).count == 30


def test_block_is_centred():
    plan = plan_layout(photo_mm=(35, 45), paper="6inch")
    left = min(b[0] for b in plan.boxes)
    right = plan.paper_size[0] - max(b[2] for b in plan.boxes)
    top = min(b[1] for b in plan.boxes)
    bottom = plan.paper_size[1] - max(b[3] for b in plan.boxes)
    assert abs(left - right) <= 1 and abs(top - bottom) <= 1


def test_sheet_pixels_match_the_plan():
    mm = (35, 45)
    photo = photo_for(mm)
    sheet = layout_sheet(photo, photo_mm=mm, paper="6inch")
    plan = plan_layout(photo_mm=mm, paper="6inch")

    assert sheet.size == (1800, 1200) and sheet.mode == "RGB"
    assert sheet.getpixel((2, 2)) == (0xEE, 0xEE, 0xEE)  # default light grey
    for box in plan.boxes:
        assert np.array_equal(np.asarray(sheet.crop(box)), np.asarray(photo))
    # Crop marks continue each photo edge into the margin, never onto the photo.
    first = plan.boxes[0]
    column = np.asarray(sheet)[: first[1], first[0]]
    assert (column == (150, 150, 150)).all(axis=1).sum() >= 15

    white = layout_sheet(photo, photo_mm=mm, paper="6inch", bg_color="#FFFFFF")
    assert white.getpixel((2, 2)) == (255, 255, 255)


def test_qr_code_and_label_are_placed_clear_of_the_photos():
    mm = (35, 45)
    data_text = "https://example.com/orders/8f3a2c"
    label = "Order 8F3A2C\n张三 Zoë"
    sheet = layout_sheet(
        photo_for(mm), photo_mm=mm, paper="6inch", qr_data=data_text, label_text=label
    )
    plan = plan_layout(photo_mm=mm, paper="6inch", qr_data=data_text, label_text=label)

    assert 0 < plan.count < plan_layout(photo_mm=mm, paper="6inch").count  # room was made
    for extra in (plan.qr_box, plan.label_box):
        assert extra is not None
        assert not any(overlaps(extra, box) for box in plan.boxes)
        assert 0 <= extra[0] and extra[2] <= 1800 and 0 <= extra[1] and extra[3] <= 1200
    assert not overlaps(plan.qr_box, plan.label_box)
    assert plan.qr_box[2] - plan.qr_box[0] == 290

    found = zxingcpp.read_barcodes(sheet.crop(plan.qr_box))
    assert [code.text for code in found] == [data_text]
    assert [code.text for code in zxingcpp.read_barcodes(sheet)] == [data_text]
    ink = np.asarray(sheet.crop(plan.label_box).convert("L")) < 100
    assert ink.sum() > 300
    assert (
        ink.any(axis=1)[: ink.shape[0] // 3].any() and ink.any(axis=1)[-ink.shape[0] // 3 :].any()
    )


def test_literal_backslash_n_breaks_the_label_line():
    one = plan_layout(photo_mm=(35, 45), paper="6inch", label_text="Order 1")
    two = plan_layout(photo_mm=(35, 45), paper="6inch", label_text="Order 1\\nZhang San")
    assert two.label_box[3] - two.label_box[1] > 1.8 * (one.label_box[3] - one.label_box[1])


def test_max_count_limits_copies():
    plan = plan_layout(photo_mm=(35, 45), paper="6inch", max_count=3)
    assert plan.count == 3


def test_nothing_fits_is_a_clear_error():
    with pytest.raises(EngineError, match="does not fit on a 5inch sheet"):
        plan_layout(photo_mm=(100, 150), paper="5inch")
    with pytest.raises(EngineError, match="layout_qr_code_size 2000 px"):
        plan_layout(photo_mm=(35, 45), paper="5inch", qr_data="x", qr_size=2000)
    with pytest.raises(EngineError, match="next to the QR code"):
        plan_layout(photo_mm=(80, 110), paper="5inch", vertical=True, qr_data="x", qr_size=600)


def test_bad_inputs_are_refused():
    with pytest.raises(EngineError, match="Unknown paper size"):
        plan_layout(photo_mm=(35, 45), paper="7inch")
    with pytest.raises(EngineError, match="hex colour"):
        layout_sheet(photo_for((35, 45)), photo_mm=(35, 45), bg_color="grey")
    with pytest.raises(EngineError, match="print stretched"):
        layout_sheet(photo_for((35, 45)), photo_mm=(45, 35))


def test_layout_jpeg_is_a_300_dpi_sheet():
    jpeg = layout_jpeg(photo_for((25, 35)), photo_mm=(25, 35), paper="5inch", vertical=True)
    image = Image.open(io.BytesIO(jpeg))
    assert image.size == (1050, 1500) and image.info["dpi"] == (300, 300)
