"""Shared fixtures: customers with credits, API keys, the spec catalogue, real portraits,
and a real django-q2 worker process on the test database."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def portrait_image(width: int = 1200):
    """Grace Hopper's portrait (public domain, ships with matplotlib), head and shoulders."""
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        image = Image.open(handle).convert("RGB")
    if width != image.width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    return image


def jpeg_bytes(image, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def portrait_jpeg() -> bytes:
    return jpeg_bytes(portrait_image())


@pytest.fixture(scope="session")
def landscape_jpeg() -> bytes:
    """A real photo with no person in it (skimage's coffee cup)."""
    from PIL import Image
    from skimage import data

    return jpeg_bytes(Image.fromarray(data.coffee()))


DATABASE_FIXTURES = {"specs", "customer", "make_customer", "api_key", "qcluster"}


def pytest_configure(config):
    from django.conf import settings

    # Hashing with PBKDF2 costs ~0.3 s per login or sign-up; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """Tests using our data fixtures get the test database without repeating the marker;
    with live_server (or a worker process) it must be the transactional one."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & DATABASE_FIXTURES and item.get_closest_marker("django_db") is None:
            transactional = bool(names & {"live_server", "transactional_db", "qcluster"})
            item.add_marker(pytest.mark.django_db(transaction=transactional))


@pytest.fixture
def specs():
    from django.core.management import call_command

    call_command("loaddata", "specs", verbosity=0)


@pytest.fixture
def make_customer():
    from photos.models import User
    from photos.services.credits import credits_topup

    def make(username: str = "alice", credits: int = 100, password: str = "correct-horse-42"):
        user = User.objects.create_user(username, f"{username}@example.com", password)
        if credits:
            credits_topup(user=user, amount=credits, reason="test top-up")
        return user

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def api_key(customer):
    """(user, plain key) with 100 credits."""
    from photos.models import ApiKey

    _, plain = ApiKey.generate(user=customer, name="test")
    return customer, plain


def _test_database_url() -> str:
    from django.db import connection

    cfg = connection.settings_dict
    if cfg["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{cfg['NAME']}"
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
    return f"postgres://{auth}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"


_worker = {"alive": False}
IN_FLIGHT = (2, 3, 4)  # Order states preparing, waiting, processing


def _wait_until_worker_idle(timeout: float = 30.0) -> None:
    """Wait until the broker is empty and no order is mid-processing, then drop leftovers.

    A test that ends while the worker still writes would make the transactional teardown's
    flush (TRUNCATE on PostgreSQL) deadlock with the worker's transaction.
    """
    from django_q.brokers import get_broker

    from photos.models import Order

    broker = get_broker()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not broker.queue_size() and not Order.objects.filter(state__in=IN_FLIGHT).exists():
            break
        time.sleep(0.2)
    broker.purge_queue()


@pytest.fixture(autouse=True)
def _quiet_worker(request):
    """Before a transactional test's database is flushed, let the worker finish."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        # Set the database up first, so that it is torn down (flushed) after this waits.
        request.getfixturevalue("_django_db_helper")
    yield
    if transactional and _worker["alive"]:
        _wait_until_worker_idle()


@pytest.fixture(scope="session")
def qcluster(django_db_setup, django_db_blocker):
    """A real django-q2 worker (``manage.py qcluster``) sharing the test database and broker.

    Its scheduler is off: schedules are tested as data, and a scheduler touching tables
    during a test's teardown could deadlock with the flush.
    """
    from django_q.brokers import get_broker

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        get_broker().purge_queue()  # tasks left by tests that ran without a worker
        env = dict(os.environ, DATABASE_URL=_test_database_url(), Q_WORKERS="2", Q_SCHEDULER="0")
    log = open(ARTIFACTS / "qcluster.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(1.5)
    if process.poll() is not None:
        raise RuntimeError(f"qcluster exited early; see {ARTIFACTS / 'qcluster.log'}")
    _worker["alive"] = True
    yield process
    _worker["alive"] = False
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the cluster's worker processes too
    except ProcessLookupError:
        pass
    process.wait()
    log.close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (its own browser downloads fail here)."""
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: apt-get install chromium (make browser-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread; the tests' own
    # ORM calls are still plain synchronous code, so Django's async guard is switched off.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
