"""Template filters for the storefront."""

from django import template

from photos.forms import color_name as _color_name

register = template.Library()


@register.filter
def color_name(hex_color: str) -> str:
    """'438EDB' → 'Blue' (the reference's common colours), else '#HEX'."""
    return _color_name(hex_color or "")


@register.filter
def kilobytes(size: int | None) -> str:
    return f"{size // 1024} KB" if size else ""
