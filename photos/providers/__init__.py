"""Providers turn an order's source photo into results: our engine or the upstream API."""

from django.conf import settings

from photos.providers.base import Provider, ProviderError, ProviderResult


def get_provider(name: str | None = None) -> Provider:
    """The provider configured by IDPHOTO_PROVIDER (or the one an order was created with)."""
    name = name or settings.IDPHOTO_PROVIDER
    if name == "local":
        from photos.providers.local import LocalProvider

        return LocalProvider()
    if name == "picwish":
        from photos.providers.picwish import PicwishProvider

        return PicwishProvider.from_settings()
    raise ValueError(f"Unknown IDPHOTO_PROVIDER {name!r}: use 'local' or 'picwish'.")


__all__ = ["Provider", "ProviderError", "ProviderResult", "get_provider"]
