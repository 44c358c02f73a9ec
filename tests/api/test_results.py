"""Result links: work without the key, expire after an hour (410), files purged later."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from photos.api.results import result_path
from photos.models import Order
from photos.services.orders import order_complete
from photos.services.retention import expired_files_purge
from tests.api.conftest import TASKS, open_jpeg, stored_order
from tests.conftest import jpeg_bytes, portrait_image


@pytest.fixture
def finished_order(api_key, portrait_jpeg):
    user, _ = api_key
    order = stored_order(user, portrait_jpeg, {"layout": "1"})
    photo = jpeg_bytes(portrait_image(295))
    order_complete(order, photo_jpeg=photo, sheet_jpeg=jpeg_bytes(portrait_image(600)))
    return order


def test_links_work_without_the_key(live_server, api, finished_order):
    import httpx

    data = api.get(f"{TASKS}/{finished_order.task_id}").json()["data"]
    assert data["image"].startswith(live_server.url + "/api/results/")
    assert data["image"].endswith(".jpg")
    photo = httpx.get(data["image"])
    assert photo.status_code == 200 and open_jpeg(photo.content).width == 295
    assert f'filename="{finished_order.task_id}.jpg"' in photo.headers["content-disposition"]
    sheet = httpx.get(data["layout_image"])
    assert open_jpeg(sheet.content).width == 600


def test_an_expired_link_answers_410(live_server, finished_order, settings):
    import httpx

    hour_ago = time.time() - settings.RESULT_URL_MAX_AGE - 5
    with mock.patch("time.time", return_value=hour_ago):
        old = result_path(finished_order)
    response = httpx.get(live_server.url + old)
    assert response.status_code == 410
    body = response.json()
    assert body["status"] == 410 and "expired" in body["message"]
    fresh = httpx.get(live_server.url + result_path(finished_order))
    assert fresh.status_code == 200


def test_a_tampered_link_answers_403(live_server, finished_order):
    import httpx

    path = result_path(finished_order)
    other = path.replace(str(finished_order.task_id), "00000000-0000-0000-0000-000000000000")
    for bad in (other, path[:-8] + "AAAA.jpg", "/api/results/nonsense.jpg"):
        response = httpx.get(live_server.url + bad)
        assert response.status_code == 403, bad
        assert response.json()["status"] == 403


def test_files_are_purged_after_the_retention(live_server, api, finished_order, settings):
    import httpx

    data = api.get(f"{TASKS}/{finished_order.task_id}").json()["data"]
    result_file = finished_order.result.path
    source = finished_order.source
    assert expired_files_purge() == {"orders": 0, "sources": 0}

    later = timezone.now() + timedelta(hours=settings.RESULT_RETENTION_HOURS, minutes=1)
    assert expired_files_purge(now=later) == {"orders": 1, "sources": 1}
    assert expired_files_purge(now=later) == {"orders": 0, "sources": 0}
    finished_order.refresh_from_db()
    source.refresh_from_db()
    assert finished_order.purged_at and source.purged_at
    import os

    assert not os.path.exists(result_file) and not os.path.exists(source.file.path)

    response = httpx.get(data["image"])
    assert response.status_code == 410 and "deleted" in response.json()["message"]
    body = api.get(f"{TASKS}/{finished_order.task_id}").json()
    assert body["data"]["state"] == 1 and "image" not in body["data"]
    assert "deleted" in body["message"]
    response = api.post(TASKS, data={"last_id": str(source.image_id)})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_source_in_use_by_a_running_order_waits(api_key, portrait_jpeg, settings):
    user, _ = api_key
    stored_order(user, portrait_jpeg)
    later = timezone.now() + timedelta(hours=settings.RESULT_RETENTION_HOURS + 1)
    assert expired_files_purge(now=later) == {"orders": 1, "sources": 0}
    Order.objects.update(state=Order.State.FAILED)
    assert expired_files_purge(now=later) == {"orders": 0, "sources": 1}


@pytest.mark.django_db
def test_the_purge_schedule_is_created_once():
    import importlib

    from django.apps import apps
    from django_q.models import Schedule

    migration = importlib.import_module("photos.migrations.0004_purge_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)
    schedule = Schedule.objects.get(name="purge-expired-files")
    assert schedule.func == "photos.services.retention.expired_files_purge"
    assert schedule.schedule_type == Schedule.HOURLY
    from django.utils.module_loading import import_string

    assert callable(import_string(schedule.func))
