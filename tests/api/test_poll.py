"""Polling: the task object's fields, and the cost of the hottest path."""

import pytest
from django.test import Client

from photos.services.orders import order_complete
from tests.api.conftest import TASKS, stored_order
from tests.conftest import jpeg_bytes, portrait_image


@pytest.fixture
def completed(api_key, portrait_jpeg):
    user, _ = api_key
    order = stored_order(user, portrait_jpeg)
    order_complete(order, photo_jpeg=jpeg_bytes(portrait_image(295)))
    return order


@pytest.mark.django_db
def test_completed_task_has_the_reference_fields(api_key, completed):
    _, plain = api_key
    response = Client().get(f"{TASKS}/{completed.task_id}", HTTP_X_API_KEY=plain)
    body = response.json()
    assert body["status"] == 200 and body["message"] == "success"
    assert set(body["data"]) == {
        "task_id",
        "state",
        "progress",
        "state_detail",
        "image",
        "image_id",
        "return_type",
        "created_at",
        "processed_at",
        "completed_at",
        "time_elapsed",
    }
    assert body["data"]["image_id"] == str(completed.source.image_id)
    assert body["data"]["image"].startswith("http://testserver/api/results/")
    assert all(isinstance(body["data"][k], int) for k in ("created_at", "completed_at"))
    assert isinstance(body["data"]["time_elapsed"], str)


@pytest.mark.django_db
def test_polling_costs_one_query_once_the_key_is_known(
    api_key, completed, django_assert_num_queries
):
    _, plain = api_key
    client = Client()
    client.get(f"{TASKS}/{completed.task_id}", HTTP_X_API_KEY=plain)  # looks the key up
    with django_assert_num_queries(1):
        response = client.get(f"{TASKS}/{completed.task_id}", HTTP_X_API_KEY=plain)
    assert response.json()["data"]["state"] == 1
