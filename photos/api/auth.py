"""X-API-KEY authentication and the decorator every API endpoint wears.

``api_endpoint`` answers, in this order: 405 for a method the endpoint does not take,
401 for a missing or unknown key, 429 past the per-key rate, then the view; client
mistakes that surface as exceptions become JSON 400/402/413, and an unexpected error a
JSON 500 (logged), never Django's HTML pages.
"""

import functools
import logging
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from photos.api.responses import error
from photos.api.throttle import throttle_allows
from photos.models import ApiKey, hash_api_key
from photos.params import ParamError
from photos.services.api_keys import api_key_cache_key
from photos.services.credits import InsufficientCredits
from photos.services.orders import SourceTooLarge

log = logging.getLogger(__name__)

HEADER = "X-API-KEY"
MAX_KEY_LENGTH = 200
AUTH_CACHE_SECONDS = 10  # a key lookup (hit or miss) is reused this long
LAST_USED_SECONDS = 60  # last_used_at is written at most once a minute per key


class ApiCaller(NamedTuple):
    """Who is calling: the key and its account (ids only; views load more when needed)."""

    api_key_id: int
    user_id: int


def api_caller_from_request(request) -> ApiCaller | None:
    """The active key named by the X-API-KEY header; None if there is none.

    Lookups are cached for AUTH_CACHE_SECONDS in Django's cache, so polling costs no key
    query; revoking a key clears its entry (photos.services.api_keys.api_key_revoke).
    """
    plain = request.headers.get(HEADER, "").strip()
    if not plain or len(plain) > MAX_KEY_LENGTH:
        return None
    key_hash = hash_api_key(plain)
    cache_key = api_key_cache_key(key_hash)
    entry = cache.get(cache_key)
    if entry is None:
        row = (
            ApiKey.objects.filter(key_hash=key_hash, is_active=True, user__is_active=True)
            .values_list("pk", "user_id")
            .first()
        )
        entry = tuple(row) if row else (0, 0)
        cache.set(cache_key, entry, AUTH_CACHE_SECONDS)
    if not entry[0]:
        return None
    if cache.add(f"idphoto:apikey-used:{key_hash}", 1, LAST_USED_SECONDS):
        ApiKey.objects.filter(pk=entry[0]).update(last_used_at=timezone.now())
    return ApiCaller(*entry)


def api_endpoint(*methods: str):
    """Wrap a view ``view(request, caller, ...)`` with method check, auth, rate limit, errors."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return error(
                    405, f"Method {request.method} is not allowed.", Allow=", ".join(methods)
                )
            caller = api_caller_from_request(request)
            if caller is None:
                return error(401, "Invalid API key")
            if not throttle_allows(caller.api_key_id):
                return error(
                    429, "Too many requests: slow down (per-key rate limit).", Retry_After="1"
                )
            try:
                return view(request, caller, *args, **kwargs)
            except ParamError as e:
                return error(400, e.message)
            except InsufficientCredits as e:
                return error(402, str(e))
            except (SourceTooLarge, RequestDataTooBig):
                return error(413, "The image is larger than 15 MB.")
            except (MultiPartParserError, UnreadablePostError, BadRequest, SuspiciousOperation):
                return error(400, "The request body could not be read as a form.")
            except Exception:
                log.exception("API error on %s %s", request.method, request.path)
                return error(500, "Internal error; please try again later.")

        return wrapper

    return decorator
