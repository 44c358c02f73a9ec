"""Loaded with ``-p tests.pytest_env`` before Django's settings are read: test defaults.

Tests run over plain http on localhost, share a file-based SQLite database (or the
PostgreSQL test database) with a real django-q2 worker process, and may let image_url and
callback_url reach 127.0.0.1. Values already in the environment win (CI sets DATABASE_URL
and REDIS_URL for the scale-out run).
"""

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_run_dir = Path(tempfile.mkdtemp(prefix="idphoto-test-"))

for name, value in {
    "IDPHOTO_TESTING": "1",
    "DEBUG": "0",
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "IDPHOTO_ALLOW_LOOPBACK_URLS": "1",
    "IDPHOTO_TEST_DB": str(_run_dir / "test-db.sqlite3"),
    "MEDIA_ROOT": str(_run_dir / "media"),
    "Q_CLUSTER_NAME": f"idphoto-test-{os.getpid()}",
    "API_QPS_LIMIT": "1000",
    "IDPHOTO_MODELS_DIR": str(ROOT / "var" / "models"),
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(name, value)
