"""Keys, rate limit, ownership and the error envelope: the HTTP status equals ``status``."""

import pytest

from photos.models import ApiKey, Order
from photos.services.api_keys import api_key_create, api_key_revoke
from tests.api.conftest import TASKS, stored_order


def test_missing_or_wrong_key_is_401_like_the_upstream(live_server):
    import httpx

    for headers in ({}, {"X-API-KEY": "nope"}, {"X-API-KEY": "idp_" + "x" * 500}):
        response = httpx.post(live_server.url + TASKS, headers=headers, data={"sync": "1"})
        assert response.status_code == 401
        assert response.json() == {"status": 401, "message": "Invalid API key"}
        response = httpx.get(f"{live_server.url}{TASKS}/abc", headers=headers)
        assert response.status_code == 401


def test_a_revoked_key_stops_working_and_last_use_is_recorded(api, api_key):
    user, _ = api_key
    key = ApiKey.objects.get(user=user)
    assert key.last_used_at is None
    assert api.get(f"{TASKS}/00000000-0000-0000-0000-000000000000").status_code == 404
    key.refresh_from_db()
    assert key.last_used_at is not None
    api_key_revoke(api_key=key)
    assert api.get(f"{TASKS}/00000000-0000-0000-0000-000000000000").status_code == 401


def test_api_key_create_returns_the_plain_key_once(customer):
    key, plain = api_key_create(user=customer, name="shop till")
    assert plain.startswith("idp_") and key.name == "shop till" and key.is_active
    assert plain not in key.key_hash


def test_another_customers_task_is_404(api, make_customer, portrait_jpeg):
    other = make_customer("mallory")
    order = stored_order(other, portrait_jpeg)
    for task_id in (str(order.task_id), "not-a-uuid", "1' OR '1'='1", "x" * 300):
        response = api.get(f"{TASKS}/{task_id}")
        assert response.status_code == 404
        assert response.json()["status"] == 404


def test_a_queued_task_polls_with_state_0(api, api_key, portrait_jpeg):
    user, _ = api_key
    order = stored_order(user, portrait_jpeg)
    body = api.get(f"{TASKS}/{order.task_id}").json()
    assert body["status"] == 200 and body["message"] == "success"
    data = body["data"]
    assert data["state"] == 0 and data["progress"] == 0 and data["task_id"] == str(order.task_id)
    assert "image" not in data and "completed_at" not in data
    assert isinstance(data["created_at"], int)


def test_wrong_method_and_unknown_paths_answer_json(api):
    response = api.put(TASKS)
    assert response.status_code == 405 and response.json()["status"] == 405
    assert "POST" in response.headers["Allow"]
    response = api.post(f"{TASKS}/abc")
    assert response.status_code == 405
    response = api.get("/api/nothing/here")
    assert response.status_code == 404 and response.json()["status"] == 404


@pytest.mark.parametrize("size_mb", [15, 40])
def test_an_upload_over_15_mb_is_413(api, api_key, size_mb):
    data = b"\xff" * (size_mb * 1024 * 1024 + 1)
    response = api.post(TASKS, files={"image_file": ("big.jpg", data, "image/jpeg")})
    assert response.status_code == 413
    assert response.json() == {"status": 413, "message": "The image is larger than 15 MB."}
    assert not Order.objects.exists()


def test_more_than_the_per_key_rate_is_429(api, settings):
    settings.API_QPS_LIMIT = 2
    from django.core.cache import cache

    cache.clear()
    statuses = [api.get(f"{TASKS}/abc").status_code for _ in range(6)]
    assert 429 in statuses and statuses[0] == 404
    too_many = api.get(f"{TASKS}/abc")
    if too_many.status_code == 429:
        assert too_many.json()["status"] == 429 and too_many.headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nContent-Disposition: broken\r\n\r\n"),
        ("multipart/form-data", b"no boundary"),
        ("application/json", b'{"image_url": 1}'),
        ("application/x-www-form-urlencoded", b"%ff%fe=%00&&&=="),
    ],
)
def test_malformed_bodies_are_400_not_500(api, content_type, body):
    response = api.post(TASKS, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400
