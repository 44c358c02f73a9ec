"""The reference's synchronous flow (sync=1): one request answers with the finished task."""

import base64

import pytest

from photos.models import Order
from photos.services.credits import credits_balance
from tests.api.conftest import TASKS, assert_id_photo, open_jpeg
from tests.engine.conftest import NOT_PEOPLE

pytestmark = pytest.mark.slow


def test_sync_flow_answers_with_the_finished_photo(specs, api, api_key, portrait_jpeg):
    user, _ = api_key
    response = api.post(
        TASKS,
        data={"sync": "1", "spec_id": "3110", "bg_color": "FFFFFF"},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    body = response.json()
    assert response.status_code == body["status"] == 200, body
    assert body["message"] == "success"
    data = body["data"]
    assert data["state"] == 1 and data["progress"] == 100
    assert "layout_image" not in data
    photo = assert_id_photo(api.get(data["image"]).content, (413, 531))
    assert photo.getpixel((5, 5))[0] > 240  # white background
    assert credits_balance(user) == 94


def test_sync_base64_and_layout_sheet(specs, api, api_key, portrait_jpeg):
    user, _ = api_key
    response = api.post(
        TASKS,
        data={"sync": "1", "spec_id": "1102", "layout": "1", "return_type": "2"},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    data = response.json()["data"]
    assert data["state"] == 1, response.json()
    assert data["return_type"] == 2
    assert_id_photo(base64.b64decode(data["image"]), (295, 413))
    sheet = open_jpeg(base64.b64decode(data["layout_image"]))
    assert sheet.size[0] > 1000 and sheet.size[1] > 1000  # a 5-inch print sheet
    assert credits_balance(user) == 100 - 6 - 5


def test_sync_layout_sheet_as_link(specs, api, portrait_jpeg):
    response = api.post(
        TASKS,
        data={"sync": "1", "layout": "1", "layout_size": "6inch"},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    data = response.json()["data"]
    sheet = api.get(data["layout_image"], headers={"X-API-KEY": ""})
    assert sheet.status_code == 200
    assert open_jpeg(sheet.content).size[0] > 1000
    assert data["layout_image"] != data["image"]


def test_sync_photo_without_a_person_fails_and_is_refunded(api, api_key, landscape_jpeg):
    user, _ = api_key
    response = api.post(
        TASKS,
        data={"sync": "1", "auto_smooth": "1"},
        files={"image_file": ("coffee.jpg", landscape_jpeg, "image/jpeg")},
    )
    body = response.json()
    assert response.status_code == body["status"] == 200
    assert body["data"]["state"] == -1
    assert "face" in body["message"].lower()
    assert "image" not in body["data"]
    assert credits_balance(user) == 100
    order = Order.objects.get(task_id=body["data"]["task_id"])
    assert list(order.credit_entries.order_by("id").values_list("kind", "amount")) == [
        ("charge", -14),
        ("refund", 14),
    ]


def test_sync_photo_of_a_monkey_fails_with_a_clear_reason_and_is_refunded(api, api_key):
    user, _ = api_key
    monkey = (NOT_PEOPLE / "proboscis_monkey.jpg").read_bytes()
    response = api.post(
        TASKS,
        data={"sync": "1"},
        files={"image_file": ("selfie.jpg", monkey, "image/jpeg")},
    )
    body = response.json()
    assert body["data"]["state"] == -1, body
    assert "real person" in body["message"]
    assert "image" not in body["data"]
    assert credits_balance(user) == 100
    staff_note = Order.objects.get(task_id=body["data"]["task_id"]).staff_note
    assert staff_note.startswith("Not a photographed person: an animal")
    assert "Measured: face matte" in staff_note
    assert "Measured" not in body["message"]  # the figures are for staff, not the customer


def test_sync_corrupt_bytes_are_an_invalid_image(api, api_key):
    user, _ = api_key
    response = api.post(
        TASKS,
        data={"sync": "1"},
        files={"image_file": ("broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")},
    )
    body = response.json()
    assert body["data"]["state"] == -7, body
    assert body["message"]
    assert credits_balance(user) == 100


def test_sync_past_the_processing_limit_is_state_minus_8(api, api_key, portrait_jpeg, monkeypatch):
    user, _ = api_key
    monkeypatch.setattr("photos.tasks.PROCESSING_LIMIT", 0.0)
    response = api.post(
        TASKS,
        data={"sync": "1"},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    body = response.json()
    assert body["data"]["state"] == -8, body
    assert "30 seconds" in body["message"]
    assert credits_balance(user) == 100
