"""A scripted upstream at the HTTP boundary (httpx.MockTransport) and a clock that only
moves when the provider sleeps, so 5 minutes of polling take milliseconds."""

import io
import time

import httpx
import pytest

from photos.providers import picwish
from tests.conftest import jpeg_bytes, portrait_image

UPSTREAM = "https://upstream.test"
RESULT_HOST = "oss.upstream.test"
RESULT_URL = f"https://{RESULT_HOST}/tasks/output/result.jpg"
SHEET_URL = f"https://{RESULT_HOST}/tasks/output/sheet.jpg"
TASK_ID = "90662b52-deca-42eb-99fa-141289cbd3c1"
IMAGE_ID = "19e2bfa2-99c0-11f0-823d-a3b20139f801"


def answer(status: int = 200, message: str = "success", data: dict | None = None, **headers):
    body = {"status": status, "message": message}
    if data is not None:
        body["data"] = data
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(status, json=body, headers=headers)


def created(task_id: str = TASK_ID):
    return answer(message="ok", data={"task_id": task_id})


def running(state: int = 4, progress: int = 21):
    return answer(data={"state": state, "progress": progress})


def completed(image: str = RESULT_URL, **extra):
    data = {
        "task_id": TASK_ID,
        "state": 1,
        "progress": 100,
        "image": image,
        "image_id": IMAGE_ID,
        "return_type": 1,
        "state_detail": "Complete",
        **extra,
    }
    return answer(data=data)


def failed(state: int, message: str = "success"):
    """The reference's "Processing Failed" example: HTTP 200, message "success", state < 0."""
    data = {"task_id": TASK_ID, "state": state, "progress": 0, "created_at": 1634884056}
    return answer(message=message, data=data)


class FakeClock:
    def __init__(self):
        self.now = time.monotonic()
        self.slept = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeUpstream:
    """Answers from three scripts (create, poll, download); the last item of a script
    repeats. An item is a response, an exception to raise, or a callable(request)."""

    def __init__(self, photo: bytes):
        self.photo = photo
        self.requests: list[httpx.Request] = []
        self.creates = [created()]
        self.polls = [running(2, 10), running(4, 60), completed()]
        self.downloads = [
            httpx.Response(200, content=photo, headers={"content-type": "image/jpeg"})
        ]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == RESULT_HOST:
            script = self.downloads
        elif request.method == "POST" and path == picwish.TASKS_PATH:
            script = self.creates
        elif request.method == "GET" and path.startswith(picwish.TASKS_PATH + "/"):
            script = self.polls
        else:
            return answer(404, "Not found.")
        item = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            return item(request)
        return item

    def sent(self, method: str, host: str = "upstream.test") -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.host == host]

    @property
    def creates_sent(self) -> int:
        return len(self.sent("POST"))

    def form(self, request: httpx.Request) -> dict:
        """The form fields of a create request (files as (filename, bytes)); multipart
        with image_file, urlencoded without (last_id), as the reference's samples send."""
        from urllib.parse import parse_qsl

        if request.headers["content-type"] == "application/x-www-form-urlencoded":
            return dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        from django.core.files.uploadhandler import MemoryFileUploadHandler
        from django.http.multipartparser import MultiPartParser

        meta = {
            "CONTENT_TYPE": request.headers["content-type"],
            "CONTENT_LENGTH": str(len(request.content)),
        }
        post, files = MultiPartParser(
            meta, io.BytesIO(request.content), [MemoryFileUploadHandler()], "utf-8"
        ).parse()
        fields = {name: post.get(name) for name in post}
        for name in files:
            upload = files[name]
            fields[name] = (upload.name, upload.read())
        return fields


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def result_jpeg() -> bytes:
    """What the upstream hands back: a real portrait at the 1-inch size (295 x 413)."""
    return jpeg_bytes(portrait_image(295).crop((0, 0, 295, 413)))


@pytest.fixture
def upstream(settings, monkeypatch, clock, result_jpeg):
    """Every PicwishProvider talks to the scripted upstream and sleeps on the fake clock."""
    settings.PICWISH_API_KEY = "pw-test-key"
    settings.PICWISH_BASE_URL = UPSTREAM
    settings.PUBLIC_BASE_URL = ""
    fake = FakeUpstream(result_jpeg)
    original = picwish.PicwishProvider.from_settings.__func__

    def from_settings(cls, **options):
        options = {
            "transport": httpx.MockTransport(fake.handler),
            "sleep": clock.sleep,
            "clock": clock,
            **options,
        }
        return original(cls, **options)

    monkeypatch.setattr(picwish.PicwishProvider, "from_settings", classmethod(from_settings))
    return fake


@pytest.fixture
def picwish_order(settings, specs, customer, portrait_jpeg):
    """A paid customer order for the picwish provider, not queued (tests run the task)."""
    from photos.params import parse_params
    from photos.services.orders import order_create, source_image_create

    def make(params: dict | None = None, source=None):
        settings.IDPHOTO_PROVIDER = "picwish"
        source = source or source_image_create(owner=customer, data=portrait_jpeg, name="me.jpg")
        order = order_create(
            owner=customer,
            params=parse_params({"spec_id": "1102", **(params or {})}),
            source=source,
            enqueue=False,
        )
        settings.IDPHOTO_PROVIDER = "local"
        return order

    return make


def ledger(order) -> list[str]:
    return list(order.credit_entries.order_by("id").values_list("kind", flat=True))
