"""The picwish provider: our orders processed by the upstream ID-photo API over httpx.

The contract is shared/reference/idphoto-api.txt: create a task (``POST``, multipart, async),
poll ``GET …/{task_id}`` every second for at most 5 minutes, download the result at once
(its URL is valid for 1 hour). ``PicwishClient`` is the only code that knows the upstream's
URLs; ``PicwishProvider`` maps the upstream's answers onto our order (states, progress,
results, failures) and makes a re-run of the django-q2 task resume the upstream task it
already paid for instead of creating a new one.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from photos import pricing
from photos.models import Order
from photos.params import BY_NAME
from photos.providers.base import ProviderError, ProviderResult, Report, complete_order

log = logging.getLogger(__name__)

# From shared/reference/idphoto-api.txt ("Request Instructions", "Polling for ID Photo Result").
TASKS_PATH = "/api/tasks/visual/external/idphoto"
POLL_INTERVAL = 1.0  # "Recommended polling interval is 1 second."
RESULT_URL_LIFETIME = timedelta(hours=1)  # "The URL of the result image is valid for 1 hour."
FAILURE_MESSAGES = {  # the "state < 0" list, in words a customer understands
    Order.State.FAILED: "ID photo processing failed.",
    Order.State.STORE_FAILED: "The photo was made but could not be stored.",
    Order.State.DOWNLOAD_FAILED: "The photo service could not read the image.",
    Order.State.TOO_LARGE: "The image is larger than 15 MB.",
    Order.State.INVALID_IMAGE: "The image file is invalid (corrupted or in an unsupported format).",
    Order.State.TIMEOUT: "The photo service took too long to process the photo.",
}
RUNNING_STATES = (Order.State.QUEUED, Order.State.PREPARING, Order.State.WAITING)

# Our own limits for talking to it.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
MAX_TRIES = 4  # network errors, timeouts, 5xx and 429: 1 try + 3 retries
BACKOFF = 0.5  # seconds before the first retry, doubled each time
MAX_RETRY_AFTER = 10.0  # at most this long for a 429's Retry-After
REUSE_IMAGE_ID_FOR = timedelta(hours=24)  # send last_id instead of the file within this age
CALLBACK_SALT = "idphoto.providers.picwish.callback"
REJECTED = "The photo service rejected the request."
UNREACHABLE = "The photo service could not be reached. Please try again later."
NOT_DOWNLOADED = "The photo was made but could not be downloaded from the photo service."


class UpstreamError(Exception):
    """The upstream did not give a usable answer; ``raw`` is what it said, for staff."""

    def __init__(self, message: str, *, status: int | None = None, raw: str = "", tries: int = 1):
        super().__init__(message)
        self.status = status
        self.raw = raw
        self.tries = tries


class UpstreamRejected(UpstreamError):
    """A 4xx answer (other than 429): retrying the same request cannot help."""


class UpstreamUnavailable(UpstreamError):
    """Network errors, timeouts, 5xx or 429 on every try."""


Clock = Callable[[], float]
Sleep = Callable[[float], None]


class PicwishClient:
    """One httpx client (connection reuse, timeouts) for the upstream's task API.

    The API key is sent only to the API, never to the host serving result files.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        max_tries: int = MAX_TRIES,
        backoff: float = BACKOFF,
    ):
        self.api_key = api_key
        self.sleep = sleep
        self.clock = clock
        self.max_tries = max_tries
        self.backoff = backoff
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
            headers={"User-Agent": "idphoto/1 (+picwish provider)"},
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def create_task(
        self, fields: dict[str, str], image: tuple[str, bytes, str] | None, *, deadline: float
    ) -> dict:
        """POST the task; returns the answer's JSON (``data.task_id``)."""
        files = {"image_file": image} if image else None
        return self._send("POST", TASKS_PATH, deadline=deadline, data=fields, files=files).json()

    def get_task(self, task_id: str, *, deadline: float) -> dict:
        return self._send("GET", f"{TASKS_PATH}/{task_id}", deadline=deadline).json()

    def download(self, url: str, *, deadline: float) -> bytes:
        return self._send("GET", url, deadline=deadline, api=False).content

    def _send(
        self, method: str, url: str, *, deadline: float, api: bool = True, **kwargs
    ) -> httpx.Response:
        """Send with bounded retries and exponential backoff, never past ``deadline``."""
        headers = {"X-API-KEY": self.api_key} if api else {}
        wait = self.backoff
        for attempt in range(1, self.max_tries + 1):
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise UpstreamUnavailable("the time limit was reached", tries=attempt - 1)
            timeout = httpx.Timeout(
                min(READ_TIMEOUT, remaining), connect=min(CONNECT_TIMEOUT, remaining)
            )
            status, raw = None, ""
            try:
                response = self.http.request(
                    method,
                    url,
                    headers=headers,
                    timeout=timeout,
                    follow_redirects=not api,
                    **kwargs,
                )
            except httpx.TransportError as error:
                problem = f"{error.__class__.__name__}: {error}"
            else:
                status, raw = _status_of(response, api=api), _text(response)
                if status < 300:
                    return response
                if status != 429 and status < 500:
                    raise UpstreamRejected(
                        _message_of(response) or f"HTTP {status}", status=status, raw=raw
                    )
                problem = f"HTTP {status}"
                wait = max(wait, _retry_after(response))
            if attempt == self.max_tries or self.clock() + wait >= deadline:
                raise UpstreamUnavailable(problem, status=status, raw=raw, tries=attempt)
            log.warning("upstream %s %s: %s; retrying in %.1f s", method, url, problem, wait)
            self.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")


def _status_of(response: httpx.Response, *, api: bool) -> int:
    """The HTTP status, or the JSON ``status`` when a 2xx answer carries an error status;
    a 2xx API answer that is not JSON counts as a server error (a proxy's page, say)."""
    if not api or not response.is_success:
        return response.status_code
    try:
        body = response.json()
    except ValueError:
        return 502
    if not isinstance(body, dict):
        return 502
    status = body.get("status")
    return status if isinstance(status, int) and status >= 300 else response.status_code


def _message_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message") or "") if isinstance(body, dict) else ""


def _text(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("image/"):
        return f"<{len(response.content)} bytes of {response.headers['content-type']}>"
    return response.text[:2000]


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("retry-after", 0))))
    except ValueError:
        return 0.0


def upstream_fields(params: dict) -> dict[str, str]:
    """The order's parameters as the upstream's form fields: every one the customer chose
    (only the reference's names), booleans as 0/1; never ``sync=1``: we poll."""
    fields = {}
    for name, value in params.items():
        if value is None or name not in BY_NAME or name in ("sync", "last_id"):
            continue
        if isinstance(value, bool):
            value = int(value)
        fields[name] = str(value)
    fields["sync"] = "0"
    return fields


def upload_file(source: bytes, order: Order) -> tuple[str, bytes, str]:
    """``image_file`` with a name whose extension matches the bytes."""
    kinds = (
        (b"\xff\xd8\xff", "jpg", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
        (b"BM", "bmp", "image/bmp"),
        (b"II*\x00", "tiff", "image/tiff"),
        (b"MM\x00*", "tiff", "image/tiff"),
    )
    for magic, ext, content_type in kinds:
        if source.startswith(magic):
            return f"{order.task_id}.{ext}", source, content_type
    if source[:4] == b"RIFF" and source[8:12] == b"WEBP":
        return f"{order.task_id}.webp", source, "image/webp"
    name = order.source.file.name if order.source_id and order.source.file else ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else "jpg"
    return f"{order.task_id}.{ext}", source, "application/octet-stream"


def callback_token(order: Order) -> str:
    return signing.dumps(str(order.task_id), salt=CALLBACK_SALT)


def order_for_callback_token(token: str) -> str:
    """Our order's task id from a callback URL's token; raises signing.BadSignature."""
    return signing.loads(token, salt=CALLBACK_SALT)


def failure_for(body: dict) -> ProviderError:
    """A failed upstream task (state < 0) as our failure: same state, its message, raw JSON."""
    data = body.get("data") or {}
    state = _state(data)
    if state not in FAILURE_MESSAGES:
        state = Order.State.FAILED
    message = str(body.get("message") or "").strip()
    if message.lower() in ("", "ok", "success"):
        message = FAILURE_MESSAGES[state]
    return ProviderError(
        state,
        message,
        f"Upstream task {data.get('task_id', '?')} failed with state {data.get('state')}: "
        f"{json.dumps(body, ensure_ascii=False)[:4000]}",
    )


def rejected(error: UpstreamRejected, *, doing: str) -> ProviderError:
    """A 4xx from the upstream: the customer sees a plain sentence, staff see what to fix."""
    said = f"the upstream said: {error}. Raw answer: {error.raw}"
    if error.status in (401, 403):
        note = f"Upstream {error.status}: invalid PICWISH_API_KEY ({said}). {doing} was refused: set a valid key."
        return ProviderError(Order.State.FAILED, REJECTED, note)
    if error.status == 402:
        note = f"Upstream 402: the upstream account is out of credits ({said}). {doing} was refused: top it up."
        return ProviderError(Order.State.FAILED, REJECTED, note)
    if error.status == 413:
        note = f"Upstream 413: the image is too large for the upstream ({said})."
        return ProviderError(Order.State.TOO_LARGE, FAILURE_MESSAGES[Order.State.TOO_LARGE], note)
    if error.status == 400:
        return ProviderError(
            Order.State.FAILED,
            f"{REJECTED[:-1]}: {error}",
            f"Upstream 400: bad parameters ({said}). {doing} was refused.",
        )
    note = f"Upstream {error.status} ({said}). {doing} was refused."
    return ProviderError(Order.State.FAILED, REJECTED, note)


class PicwishProvider:
    name = "picwish"

    def __init__(
        self,
        client: PicwishClient,
        *,
        public_base_url: str = "",
        poll_interval: float = POLL_INTERVAL,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
    ):
        self.client = client
        self.public_base_url = public_base_url.rstrip("/")
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock

    @classmethod
    def from_settings(cls, **options) -> PicwishProvider:
        """The provider for PICWISH_BASE_URL / PICWISH_API_KEY / PUBLIC_BASE_URL.

        ``options`` (tests): ``transport``, ``sleep``, ``clock``, ``poll_interval``, ``max_tries``.
        """
        if not settings.PICWISH_API_KEY:
            raise ProviderError(
                Order.State.FAILED,
                REJECTED,
                "IDPHOTO_PROVIDER=picwish but PICWISH_API_KEY is empty: set the upstream key.",
            )
        sleep, clock = options.get("sleep", time.sleep), options.get("clock", time.monotonic)
        client = PicwishClient(
            base_url=settings.PICWISH_BASE_URL,
            api_key=settings.PICWISH_API_KEY,
            transport=options.get("transport"),
            sleep=sleep,
            clock=clock,
            max_tries=options.get("max_tries", MAX_TRIES),
        )
        return cls(
            client,
            public_base_url=settings.PUBLIC_BASE_URL,
            poll_interval=options.get("poll_interval", POLL_INTERVAL),
            sleep=sleep,
            clock=clock,
        )

    def process(
        self, order: Order, source: bytes, *, report: Report, deadline: float
    ) -> ProviderResult:
        """Create (or resume) the upstream task, follow it, download its result."""
        if order.upstream_task_id:
            log.info("order %s resumes upstream task %s", order.task_id, order.upstream_task_id)
            report(order.state, order.progress, "Resuming at the photo service")
        else:
            self.create(order, source, report=report, deadline=deadline)
        data = self.poll(order, report=report, deadline=deadline)
        if data is None:
            return self._finished_elsewhere(order)
        report(Order.State.PROCESSING, 99, "Downloading the result")
        return self.result_from(order, data, deadline=deadline)

    # --- create ---------------------------------------------------------------------------

    def create(self, order: Order, source: bytes, *, report: Report, deadline: float) -> str:
        """Create the upstream task and store its id (committed) before anything else."""
        fields = upstream_fields(order.params)
        if self.public_base_url:
            path = reverse("picwish-callback", args=[callback_token(order)])
            fields["callback_url"] = self.public_base_url + path
        report(Order.State.PREPARING, 5, "Sending the photo to the photo service")
        try:
            body = None
            last_id = self._reusable_image_id(order)
            if last_id:
                try:
                    body = self.client.create_task(
                        {**fields, "last_id": last_id}, None, deadline=deadline
                    )
                except UpstreamRejected as error:
                    if error.status != 400:
                        raise
                    log.info("upstream refused last_id %s (%s); uploading", last_id, error)
            if body is None:
                body = self.client.create_task(
                    fields, upload_file(source, order), deadline=deadline
                )
        except UpstreamRejected as error:
            raise rejected(error, doing="Creating the task") from error
        except UpstreamUnavailable as error:
            raise ProviderError(
                Order.State.FAILED,
                UNREACHABLE,
                f"Creating the upstream task failed after {error.tries} tries: {error}. "
                f"Last answer: {error.raw or '-'}",
            ) from error
        task_id = str((body.get("data") or {}).get("task_id") or "")
        if not task_id or len(task_id) > 64:
            raise ProviderError(
                Order.State.FAILED,
                UNREACHABLE,
                f"The upstream's answer has no usable task_id: {json.dumps(body)[:4000]}",
            )
        # Autocommitted before polling: a worker that dies from here on resumes this task.
        credits = pricing.task_price(order.params)
        Order.objects.filter(pk=order.pk).update(upstream_task_id=task_id, upstream_credits=credits)
        order.upstream_task_id, order.upstream_credits = task_id, credits
        return task_id

    def _reusable_image_id(self, order: Order) -> str:
        """The upstream's image_id for this source from a recent order, for ``last_id``."""
        if order.source_id is None:
            return ""
        earlier = (
            Order.objects.filter(
                source_id=order.source_id,
                provider=self.name,
                created_at__gte=timezone.now() - REUSE_IMAGE_ID_FOR,
            )
            .exclude(pk=order.pk)
            .exclude(upstream_image_id="")
            .order_by("-created_at")
            .values_list("upstream_image_id", flat=True)
            .first()
        )
        return earlier or ""

    # --- poll -----------------------------------------------------------------------------

    def poll(self, order: Order, *, report: Report, deadline: float) -> dict | None:
        """Follow the task until state 1 (returns its ``data``) or a failure (raises).

        Returns None when the order was finished meanwhile by the callback receiver.
        """
        task_id = order.upstream_task_id
        progress, last = order.progress, "no answer yet"
        while True:
            try:
                body = self.client.get_task(task_id, deadline=deadline)
            except UpstreamRejected as error:
                raise rejected(error, doing=f"Polling task {task_id}") from error
            except UpstreamUnavailable as error:
                last = f"{error} after {error.tries} tries ({error.raw or '-'})"
                log.warning("polling upstream task %s: %s", task_id, last)
            else:
                last = json.dumps(body, ensure_ascii=False)[:2000]
                data = body.get("data") or {}
                state = _state(data)
                if state == Order.State.COMPLETED:
                    return data
                if state is not None and state < 0:
                    self._record_no_charge(order)
                    raise failure_for(body)
                progress = max(progress, _int(data.get("progress")))
                ours = state if state in RUNNING_STATES else Order.State.PROCESSING
                report(ours, progress, Order.State(ours).label)
            if self._order_finished(order):
                return None
            if self.clock() + self.poll_interval >= deadline:
                raise ProviderError(
                    Order.State.TIMEOUT,
                    FAILURE_MESSAGES[Order.State.TIMEOUT],
                    f"Upstream task {task_id} was not finished when polling stopped (the "
                    f"reference's 5-minute limit). It may still finish and be charged "
                    f"upstream. Last answer: {last}",
                )
            self.sleep(self.poll_interval)

    def _order_finished(self, order: Order) -> bool:
        state = Order.objects.filter(pk=order.pk).values_list("state", flat=True).first()
        return state is None or state == Order.State.COMPLETED or state < 0

    def _finished_elsewhere(self, order: Order) -> ProviderResult:
        """The receiver finished the order first: hand its outcome back to the task."""
        order.refresh_from_db()
        if order.is_failed:
            raise ProviderError(order.state, order.error_message, order.staff_note)
        with order.result.open("rb") as handle:
            photo = handle.read()
        return ProviderResult(
            photo_jpeg=photo, measurements=order.measurements, warnings=order.warnings
        )

    def _record_no_charge(self, order: Order) -> None:
        """A failed upstream task costs nothing upstream (like our own API, which refunds)."""
        Order.objects.filter(pk=order.pk).update(upstream_credits=0)
        order.upstream_credits = 0

    # --- result ---------------------------------------------------------------------------

    def result_from(self, order: Order, data: dict, *, deadline: float) -> ProviderResult:
        """Download a completed task's photo (and print sheet) and remember its image_id."""
        photo = self._image(order, data, "image", deadline=deadline)
        warnings = []
        sheet = None
        if data.get("layout_image"):
            sheet = self._image(order, data, "layout_image", deadline=deadline)
        elif order.params.get("layout"):
            warnings.append("The photo service returned no print sheet.")
        image_id = str(data.get("image_id") or "")[:64]
        if image_id:
            Order.objects.filter(pk=order.pk).update(upstream_image_id=image_id)
            order.upstream_image_id = image_id
        photo, measurements = _as_jpeg(photo, order, data, "image")
        if sheet:
            sheet, _ = _as_jpeg(sheet, order, data, "layout_image")
        return ProviderResult(
            photo_jpeg=photo, sheet_jpeg=sheet, measurements=measurements, warnings=warnings
        )

    def _image(self, order: Order, data: dict, key: str, *, deadline: float) -> bytes:
        """A result by URL (return_type 1) or as base64 (return_type 2)."""
        value = str(data.get(key) or "")
        raw = json.dumps(data, ensure_ascii=False)[:2000]
        if not value:
            raise ProviderError(
                Order.State.STORE_FAILED,
                NOT_DOWNLOADED,
                f"Upstream task {order.upstream_task_id} completed without {key!r}: {raw}",
            )
        if value.startswith(("http://", "https://")):
            try:
                return self.client.download(value, deadline=max(deadline, self.clock() + 20))
            except UpstreamError as error:
                raise ProviderError(
                    Order.State.STORE_FAILED,
                    NOT_DOWNLOADED,
                    f"Downloading {key} of upstream task {order.upstream_task_id} failed "
                    f"(HTTP {error.status or '-'}, {error}, {error.tries} tries): {value}",
                ) from error
        try:
            return base64.b64decode(value.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ProviderError(
                Order.State.STORE_FAILED,
                NOT_DOWNLOADED,
                f"Upstream task {order.upstream_task_id}: {key} is neither a URL nor base64: {raw}",
            ) from error


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _state(data: dict) -> int | None:
    try:
        return int(data["state"])
    except (KeyError, TypeError, ValueError):
        return None


def _as_jpeg(data: bytes, order: Order, answer: dict, key: str) -> tuple[bytes, dict]:
    """Check the download is an image (a 200 error page is not a photo), JPEG it if needed."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise ProviderError(
            Order.State.STORE_FAILED,
            NOT_DOWNLOADED,
            f"{key} of upstream task {order.upstream_task_id} is not an image "
            f"({len(data)} bytes starting {data[:16]!r}): {json.dumps(answer)[:1000]}",
        ) from error
    dpi = image.info.get("dpi", (0, 0))[0]
    measurements = {"width": image.width, "height": image.height}
    if dpi:
        measurements["dpi"] = round(float(dpi))
    if image.format != "JPEG":
        buffer = io.BytesIO()
        extra = {"dpi": (dpi, dpi)} if dpi else {}
        image.convert("RGB").save(buffer, "JPEG", quality=95, **extra)
        data = buffer.getvalue()
    return data, measurements


def apply_upstream_task(order: Order, **options) -> str:
    """Check a pending order's upstream task now (callback mode) and finish the order the
    way the poller would: "completed", "failed", "pending", or "finished" (already done)."""
    from photos.services import orders as order_services

    provider = PicwishProvider.from_settings(**options)
    try:
        deadline = provider.clock() + 60
        try:
            body = provider.client.get_task(order.upstream_task_id, deadline=deadline)
        except UpstreamRejected as error:
            raise rejected(error, doing=f"Checking task {order.upstream_task_id}") from error
        data = body.get("data") or {}
        state = _state(data)
        if state is not None and state < 0:
            provider._record_no_charge(order)
            raise failure_for(body)
        if state != Order.State.COMPLETED:
            return "pending"
        result = provider.result_from(order, data, deadline=deadline)
        done = complete_order(order, result)
        return "completed" if done else "finished"
    except ProviderError as error:
        failed = order_services.order_fail(
            order, state=error.state, message=error.message, staff_note=error.staff_note
        )
        return "failed" if failed else "finished"
    finally:
        provider.client.close()
