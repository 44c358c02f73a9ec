"""Parameters are validated with the reference's ranges; a bad one answers 400 naming it."""

import pytest

from photos.models import Order, SourceImage
from photos.services.credits import credits_balance
from tests.api.conftest import TASKS


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("dpi", "5", "10 to 1000"),
        ("dpi", "1001", "10 to 1000"),
        ("px_width", "1800", "below 1800"),
        ("mm_height", "180", "below 180"),
        ("bg_color", "blue", "hex"),
        ("smooth_factor", "1.5", "0 to 1"),
        ("quality", "0", "1 to 100"),
        ("clothes_id", "man_21", "man_1"),
        ("layout_size", "7inch", "5inch, 6inch"),
        ("sync", "2", "0 or 1"),
        ("change_bg", "yes", "0 or 1"),
        ("return_type", "3", "1, 2"),
        ("max_head_top", "-1", "int"),
    ],
)
def test_bad_values_answer_400_naming_the_parameter(specs, api, portrait_jpeg, field, value, words):
    data = {field: value}
    if field.startswith("px_"):
        data["px_height"] = "400"
    if field.startswith("mm_"):
        data["mm_width"] = "35"
    response = api.post(
        TASKS, data=data, files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")}
    )
    body = response.json()
    assert response.status_code == body["status"] == 400
    assert field in body["message"] and words in body["message"], body["message"]
    assert not Order.objects.exists() and not SourceImage.objects.exists()


def test_unknown_spec_and_lonely_pair_and_missing_image(specs, api, api_key, portrait_jpeg):
    user, _ = api_key
    photo = {"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")}
    for data, words in (
        ({"spec_id": "9999"}, "spec_id"),
        ({"spec_id": "99999999999999999999999"}, "spec_id"),
        ({"px_width": "300"}, "px_height"),
        ({"min_face_width": "200", "max_face_width": "100"}, "min_face_width"),
        ({"label_text": "a\x00b"}, "label_text"),
    ):
        response = api.post(TASKS, data=data, files=photo)
        assert response.status_code == 400, (data, response.text)
        assert words in response.json()["message"]
    response = api.post(TASKS, data={"spec_id": "1102"})
    assert response.status_code == 400
    assert "image_file, image_url or last_id" in response.json()["message"]
    response = api.post(TASKS, data={"last_id": "not-an-id"})
    assert response.status_code == 400 and "last_id" in response.json()["message"]
    response = api.post(TASKS, data={"image_file": "not a file"})
    assert response.status_code == 400 and "multipart" in response.json()["message"]
    assert not Order.objects.exists()
    assert credits_balance(user) == 100


def test_last_id_of_another_customer_is_unknown(api, make_customer, portrait_jpeg):
    from photos.services.orders import source_image_create

    other = source_image_create(owner=make_customer("mallory"), data=portrait_jpeg)
    response = api.post(TASKS, data={"last_id": str(other.image_id)})
    assert response.status_code == 400 and "last_id" in response.json()["message"]


def test_url_encoded_forms_are_accepted(api, local_server, portrait_jpeg):
    local_server.routes["/p.jpg"] = (200, {}, portrait_jpeg)
    response = api.post(
        TASKS,
        content=f"image_url={local_server.url}/p.jpg&preview=1&bg_color=%23438edb".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    order = Order.objects.get(task_id=response.json()["data"]["task_id"])
    assert order.params["bg_color"] == "438EDB" and order.preview
