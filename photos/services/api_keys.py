"""API keys: create (the plain key is returned once) and revoke."""

from django.core.cache import cache

from photos.models import ApiKey, User


def api_key_cache_key(key_hash: str) -> str:
    """Where the API caches a key's lookup for a few seconds (see photos.api.auth)."""
    return f"idphoto:apikey:{key_hash}"


def api_key_create(*, user: User, name: str = "") -> tuple[ApiKey, str]:
    """A new key for ``user``; the plain key exists only in the return value."""
    return ApiKey.generate(user=user, name=name[:80])


def api_key_revoke(*, api_key: ApiKey) -> None:
    """Stop accepting the key; it stays in the database for the order history.

    The shared cache entry goes at once; a web process with a local-memory cache may
    still accept the key for photos.api.auth.AUTH_CACHE_SECONDS.
    """
    ApiKey.objects.filter(pk=api_key.pk).update(is_active=False)
    api_key.is_active = False
    cache.delete(api_key_cache_key(api_key.key_hash))
