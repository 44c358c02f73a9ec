"""Per-key request rate limit (API_QPS_LIMIT requests per second, 2 like the upstream).

A fixed one-second window counted in Django's cache: shared by every web process when
REDIS_URL is set, per process with the local-memory cache. 0 turns the limit off.
"""

import time

from django.conf import settings
from django.core.cache import cache


def throttle_allows(api_key_id: int) -> bool:
    limit = settings.API_QPS_LIMIT
    if limit <= 0:
        return True
    key = f"idphoto:qps:{api_key_id}:{int(time.time())}"
    if cache.add(key, 1, timeout=2):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2)
        count = 1
    return count <= limit
