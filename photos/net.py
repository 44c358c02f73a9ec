"""Outbound requests to URLs a client gave us (``image_url``, ``callback_url``).

Never trust them: only http/https, at most 512 characters, and every address the host
resolves to (at each redirect) must be a public one, so a client cannot make us reach
loopback, private, link-local or reserved networks. Tests may allow loopback through
the IDPHOTO_ALLOW_LOOPBACK_URLS setting; nothing else is ever allowed.
"""

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from photos.engine.params import MAX_IMAGE_BYTES

MAX_URL_LENGTH = 512  # "max 512 characters" (Request Parameters, image_url)
DOWNLOAD_TIMEOUT = 10.0  # "download timeout 10s"
MAX_DOWNLOAD_BYTES = MAX_IMAGE_BYTES
MAX_REDIRECTS = 5


class UnsafeURL(ValueError):
    """The URL is malformed or points somewhere we must not go."""


class DownloadError(Exception):
    """The download failed (state -3), or was too large (``too_large``, state -5)."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if address.is_loopback and settings.IDPHOTO_ALLOW_LOOPBACK_URLS:
        return True
    return address.is_global and not address.is_multicast


def check_url(url: str) -> str:
    """Raise UnsafeURL unless ``url`` is http(s), short enough, and resolves to public addresses."""
    if not url or len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"The URL must be 1 to {MAX_URL_LENGTH} characters long.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Only http and https URLs with a host name are accepted.")
    if parts.username or parts.password:
        raise UnsafeURL("URLs with a user name or password are not accepted.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise UnsafeURL(f"The host {parts.hostname!r} cannot be resolved.") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not _address_allowed(address):
            raise UnsafeURL(f"The host {parts.hostname!r} is not a public address.")
    return url


def fetch_image(url: str) -> bytes:
    """Download an image, following redirects safely, stopping past 15 MB."""
    try:
        check_url(url)
    except UnsafeURL as error:
        raise DownloadError(f"Failed to download image_url: {error}") from error
    try:
        with httpx.Client(timeout=DOWNLOAD_TIMEOUT, follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                with client.stream("GET", url, headers={"User-Agent": "idphoto/1"}) as response:
                    if response.is_redirect:
                        url = check_url(urljoin(url, response.headers.get("location", "")))
                        continue
                    if response.status_code != 200:
                        raise DownloadError(
                            f"Failed to download image_url: the server answered {response.status_code}."
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > MAX_DOWNLOAD_BYTES:
                        raise DownloadError(
                            "The image at image_url is larger than 15 MB.", too_large=True
                        )
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > MAX_DOWNLOAD_BYTES:
                            raise DownloadError(
                                "The image at image_url is larger than 15 MB.", too_large=True
                            )
                    return bytes(body)
            raise DownloadError("Failed to download image_url: too many redirects.")
    except UnsafeURL as error:
        raise DownloadError(f"Failed to download image_url: {error}") from error
    except httpx.TimeoutException as error:
        raise DownloadError("Failed to download image_url: no answer within 10 seconds.") from error
    except httpx.HTTPError as error:
        raise DownloadError(f"Failed to download image_url: {error.__class__.__name__}.") from error
