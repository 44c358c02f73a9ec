"""API test helpers: an httpx client on the live server, a tiny image server and a tiny
callback receiver, both plain ``http.server`` on 127.0.0.1 in a thread."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from PIL import Image

TASKS = "/api/tasks/visual/external/idphoto"


def stored_order(owner, jpeg: bytes, query: dict | None = None):
    """An order as the API would create it from ``query``, not queued for a worker."""
    from photos.params import parse_params
    from photos.services.orders import order_create, source_image_create

    return order_create(
        owner=owner,
        params=parse_params(query or {}),
        source=source_image_create(owner=owner, data=jpeg),
        enqueue=False,
    )


class LocalServer:
    """Answers GET from ``routes`` {path: (status, headers, body)}; records every request."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[dict] = []
        self.post_statuses: list[int] = []  # answers to POSTs, in order; 200 when empty
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append({"method": "GET", "path": self.path})
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                server.requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                status = server.post_statuses.pop(0) if server.post_statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server():
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def api(live_server, api_key):
    """An httpx client for the live server, sending the customer's key like the samples do."""
    _, plain = api_key
    with httpx.Client(base_url=live_server.url, headers={"X-API-KEY": plain}, timeout=90) as client:
        yield client


def poll_until_done(client: httpx.Client, task_id: str, timeout: int = 60) -> tuple[dict, list]:
    """The reference's Python sample: GET every second until state 1 or below 0."""
    seen = []
    for i in range(timeout):
        if i:
            time.sleep(1)
        response = client.get(f"{TASKS}/{task_id}")
        body = response.json()
        assert response.status_code == body["status"] == 200, body
        seen.append((body["data"]["state"], body["data"]["progress"]))
        if body["data"]["state"] == 1 or body["data"]["state"] < 0:
            return body, seen
    raise AssertionError(f"task {task_id} not finished after {timeout} s: {seen}")


def open_jpeg(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


def assert_id_photo(data: bytes, size: tuple[int, int], dpi: int = 300) -> Image.Image:
    image = open_jpeg(data)
    assert image.size == size
    assert tuple(round(v) for v in image.info["dpi"]) == (dpi, dpi)
    return image
