"""Settings for idphoto, read from the environment with safe local defaults.

Every variable is listed in the README's configuration table. Nothing secret lives in git:
without ``SECRET_KEY`` a key is generated once into ``var/secret_key`` (untracked).
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IDPHOTO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A per-checkout key kept in var/, so sessions survive restarts without a key in git."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_q",
    "photos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "idphoto_site.urls"
WSGI_APPLICATION = "idphoto_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "photos.context_processors.shop",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL (e.g. postgres://...) to scale out.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two credit charges cannot interleave;
    # WAL lets the web server read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Reopening per request costs ~1 ms and, when the last connection closes, a WAL
    # checkpoint; SQLITE_CONN_MAX_AGE=600 keeps connections (tests/bench/api.py).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("SQLITE_CONN_MAX_AGE", 60)
    if os.environ.get("IDPHOTO_TEST_DB"):
        # A file, not :memory:, so a django-q2 worker process can share the test database.
        DATABASES["default"]["TEST"] = {"NAME": os.environ["IDPHOTO_TEST_DB"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "photos.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded sources and results are private: they are stored under MEDIA_ROOT but never
# served from /media/; views check the owner or a signed, expiring token.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not os.environ.get("IDPHOTO_TESTING")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# E-mail: console by default (password reset links print in the server log).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "idphoto <noreply@localhost>")

# Security: strict by default when DEBUG is off (check --deploy clean behind HTTPS).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "security.W021")

# Task queue: Redis when REDIS_URL is set, otherwise the database ("orm"), which
# django-q2 only uses when told to (it would fall back to Redis otherwise).
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": os.environ.get("Q_CLUSTER_NAME", "idphoto"),
    "workers": env_int("Q_WORKERS", 1),
    "recycle": 200,
    # A task may run at most `timeout` seconds; it is handed to another worker only after
    # `retry` seconds, and at most `max_attempts` times: a paid upstream call is never
    # replayed forever (the picwish provider also resumes instead of re-creating).
    "timeout": env_int("Q_TIMEOUT", 330),
    "retry": env_int("Q_RETRY", 360),
    "max_attempts": 2,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "poll": 0.2,
    "label": "Task queue",
    "scheduler": env_bool("Q_SCHEDULER", True),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# The ID-photo service.
IDPHOTO_PROVIDER = os.environ.get("IDPHOTO_PROVIDER", "local")
PICWISH_API_KEY = os.environ.get("PICWISH_API_KEY", "")
PICWISH_BASE_URL = os.environ.get("PICWISH_BASE_URL", "https://techsz.aoscdn.com")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
IDPHOTO_MODELS_DIR = os.environ.get("IDPHOTO_MODELS_DIR", str(VAR_DIR / "models"))
os.environ.setdefault("IDPHOTO_MODELS_DIR", IDPHOTO_MODELS_DIR)
# Result URLs are valid for one hour, as the upstream's notice says.
RESULT_URL_MAX_AGE = env_int("RESULT_URL_MAX_AGE", 3600)
# Images (sources and results) are deleted this many hours after the order was created.
RESULT_RETENTION_HOURS = env_int("RESULT_RETENTION_HOURS", 72)
API_QPS_LIMIT = env_int("API_QPS_LIMIT", 2)
# Only tests turn this on: lets image_url / callback_url reach 127.0.0.1.
IDPHOTO_ALLOW_LOOPBACK_URLS = env_bool("IDPHOTO_ALLOW_LOOPBACK_URLS", False)
SIGNUP_CREDITS = env_int("SIGNUP_CREDITS", 0)

SHOP_NAME = os.environ.get("SHOP_NAME", "idphoto")
SHOP_LOGO_URL = os.environ.get("SHOP_LOGO_URL", "")
SHOP_CONTACT = os.environ.get("SHOP_CONTACT", "")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
