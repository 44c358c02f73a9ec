"""The reference's asynchronous flow over real HTTP with a real worker: create, then poll
every second until state 1; with image_file, image_url and last_id."""

import pytest

from photos.models import CreditEntry, Order
from photos.services.credits import credits_balance
from tests.api.conftest import TASKS, assert_id_photo, poll_until_done

pytestmark = pytest.mark.slow


def test_async_flow_with_image_file(qcluster, specs, api, api_key, portrait_jpeg):
    user, _ = api_key
    response = api.post(
        TASKS,
        data={"sync": "0", "spec_id": "1102", "bg_color": "438EDB"},
        files={"image_file": ("selfie.jpg", portrait_jpeg, "image/jpeg")},
    )
    body = response.json()
    assert response.status_code == body["status"] == 200, body
    task_id = body["data"]["task_id"]

    done, seen = poll_until_done(api, task_id)
    data = done["data"]
    assert data["state"] == 1 and data["progress"] == 100 and data["state_detail"] == "Complete"
    assert data["task_id"] == task_id and data["return_type"] == 1
    assert data["created_at"] <= data["processed_at"] <= data["completed_at"]
    assert float(data["time_elapsed"]) >= 0
    assert all(0 <= progress <= 100 for _, progress in seen)

    # The link works without the key and is the spec's exact size, at its DPI.
    download = api.get(data["image"], headers={"X-API-KEY": ""})
    assert download.status_code == 200 and download.headers["content-type"] == "image/jpeg"
    assert_id_photo(download.content, (295, 413), dpi=300)

    order = Order.objects.get(task_id=task_id)
    assert str(order.source.image_id) == data["image_id"]
    assert order.channel == "api" and order.credits == 6
    assert credits_balance(user) == 94
    charge = CreditEntry.objects.get(user=user, kind="charge")
    assert charge.order == order and charge.amount == -6


def test_async_flow_with_image_url_then_last_id(
    qcluster, specs, api, api_key, portrait_jpeg, local_server
):
    user, _ = api_key
    local_server.routes["/portrait.jpg"] = (200, {"Content-Type": "image/jpeg"}, portrait_jpeg)
    response = api.post(
        TASKS, data={"image_url": f"{local_server.url}/portrait.jpg", "spec_id": "3108"}
    )
    assert response.status_code == 200, response.text
    first, _ = poll_until_done(api, response.json()["data"]["task_id"])
    assert first["data"]["state"] == 1, first
    assert_id_photo(api.get(first["data"]["image"]).content, (602, 602))
    downloads = len(local_server.requests)
    assert downloads == 1

    # last_id reuses the stored photo: no second download, same image_id, a new task.
    response = api.post(
        TASKS, data={"last_id": first["data"]["image_id"], "px_width": "413", "px_height": "531"}
    )
    assert response.status_code == 200, response.text
    second, _ = poll_until_done(api, response.json()["data"]["task_id"])
    assert second["data"]["state"] == 1, second
    assert second["data"]["image_id"] == first["data"]["image_id"]
    assert second["data"]["task_id"] != first["data"]["task_id"]
    assert_id_photo(api.get(second["data"]["image"]).content, (413, 531))
    assert len(local_server.requests) == downloads
    assert credits_balance(user) == 100 - 6 - 6


def test_a_failed_task_is_refunded(qcluster, specs, api, api_key, landscape_jpeg):
    user, _ = api_key
    response = api.post(
        TASKS,
        files={"image_file": ("coffee.jpg", landscape_jpeg, "image/jpeg")},
        data={"layout": "1"},
    )
    assert response.status_code == 200
    assert credits_balance(user) == 89
    done, _ = poll_until_done(api, response.json()["data"]["task_id"])
    assert done["data"]["state"] == -1
    assert "face" in done["message"].lower()
    assert "image" not in done["data"]
    assert credits_balance(user) == 100
