"""image_url: checked when the task is created, downloaded by the worker (states -3, -5)."""

import pytest

from photos.models import Order
from photos.services.credits import credits_balance
from tests.api.conftest import TASKS, assert_id_photo


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/x.jpg",
        "http://192.168.1.10/x.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/x.jpg",
        "file:///etc/passwd",
        "gopher://example.com/x",
        "http://user:pass@example.com/x.jpg",
        "http://" + "a" * 600 + ".com/x.jpg",
    ],
)
def test_unsafe_image_url_is_refused_before_any_request(api, api_key, url):
    user, _ = api_key
    response = api.post(TASKS, data={"image_url": url})
    body = response.json()
    assert response.status_code == body["status"] == 400
    assert "image_url" in body["message"]
    assert not Order.objects.exists()
    assert credits_balance(user) == 100


def test_loopback_is_refused_unless_the_test_setting_allows_it(
    api, api_key, settings, local_server, portrait_jpeg
):
    settings.IDPHOTO_ALLOW_LOOPBACK_URLS = False
    local_server.routes["/p.jpg"] = (200, {}, portrait_jpeg)
    for url in (f"{local_server.url}/p.jpg", "http://localhost/p.jpg", "http://[::1]/p.jpg"):
        response = api.post(TASKS, data={"image_url": url})
        assert response.status_code == 400, url
    assert local_server.requests == []
    assert not Order.objects.exists()


@pytest.mark.slow
def test_sync_image_url_download(api, local_server, portrait_jpeg):
    local_server.routes["/p.jpg"] = (200, {"Content-Type": "image/jpeg"}, portrait_jpeg)
    response = api.post(TASKS, data={"sync": "1", "image_url": f"{local_server.url}/p.jpg"})
    data = response.json()["data"]
    assert data["state"] == 1, response.json()
    assert_id_photo(api.get(data["image"]).content, (295, 413))


def test_download_failures_end_the_task_and_refund(api, api_key, local_server):
    user, _ = api_key
    local_server.routes["/redirect"] = (302, {"Location": "http://10.0.0.1/x.jpg"}, b"")
    cases = {"/missing.jpg": -3, "/redirect": -3}
    for path, state in cases.items():
        response = api.post(TASKS, data={"sync": "1", "image_url": local_server.url + path})
        body = response.json()
        assert body["data"]["state"] == state, body
        assert "image_url" in body["message"]
    assert credits_balance(user) == 100


def test_an_image_url_over_15_mb_is_state_minus_5(api, api_key, local_server):
    user, _ = api_key
    local_server.routes["/huge.jpg"] = (200, {}, b"\xff" * (15 * 1024 * 1024 + 10))
    response = api.post(TASKS, data={"sync": "1", "image_url": local_server.url + "/huge.jpg"})
    body = response.json()
    assert body["data"]["state"] == -5, body
    assert "15 MB" in body["message"]
    assert credits_balance(user) == 100
