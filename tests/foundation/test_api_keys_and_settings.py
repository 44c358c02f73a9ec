import os
import subprocess
import sys
from pathlib import Path

import pytest

from photos.models import ApiKey, hash_api_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_api_key_is_stored_only_as_a_hash(customer):
    api_key, plain = ApiKey.generate(user=customer, name="shop")
    assert plain.startswith("idp_") and len(plain) > 40
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.key_hash == hash_api_key(plain) != plain
    assert plain not in {str(v) for v in stored.__dict__.values()}
    assert stored.key_prefix == plain[:10]


@pytest.mark.django_db
def test_createapikey_command_creates_user_credits_and_prints_key_once():
    from io import StringIO

    from django.core.management import call_command

    from photos.models import User
    from photos.services.credits import credits_balance

    out = StringIO()
    call_command("createapikey", "partner", "--credits", "50", stdout=out)
    plain = out.getvalue().strip().splitlines()[-1]
    user = User.objects.get(username="partner")
    assert credits_balance(user) == 50
    assert ApiKey.objects.get(user=user).key_hash == hash_api_key(plain)


def _settings_in_subprocess(env: dict, expression: str) -> str:
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='idphoto_site.settings'; django.setup(); from django.conf import settings; print(repr(({expression})))"
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_settings_come_from_the_environment():
    assert (
        _settings_in_subprocess(
            {"DATABASE_URL": "postgres://u:p@db.example:5433/shop"},
            "settings.DATABASES['default']['HOST'], settings.DATABASES['default']['NAME']",
        )
        == "('db.example', 'shop')"
    )
    assert "redis://example:6379/1" in _settings_in_subprocess(
        {"REDIS_URL": "redis://example:6379/1"}, "settings.Q_CLUSTER"
    )
    orm = _settings_in_subprocess(
        {}, "settings.Q_CLUSTER.get('orm'), 'redis' in settings.Q_CLUSTER"
    )
    assert orm == "('default', False)"
    assert (
        _settings_in_subprocess({"IDPHOTO_PROVIDER": "picwish"}, "settings.IDPHOTO_PROVIDER")
        == "'picwish'"
    )


def test_queue_settings_never_replay_forever():
    from django.conf import settings

    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"]
    assert 1 <= q["max_attempts"] <= 3
    assert q["catch_up"] is False


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
            "IDPHOTO_TESTING",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 30 + "production-secret-key-0123456789-abcdefghijkl",
        ALLOWED_HOSTS="photos.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
