"""Writes the storefront needs on top of the order and credit services.

Every photo the website makes is an ordinary order processed by the worker: a free
watermarked preview first (``preview=1``), then, when the customer buys, a second order
with the same photo and parameters and ``preview=0``, which is charged.
"""

from django.conf import settings
from django.db import transaction

from photos.models import Order, SourceImage, User
from photos.params import ParamError
from photos.services.credits import credits_topup
from photos.services.orders import order_create


class NotBuyable(Exception):
    """The order is not a finished preview whose photo still exists."""


def customer_signup(*, username: str, email: str, password: str) -> User:
    """Create a customer account with the shop's starting credits (SIGNUP_CREDITS)."""
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        if settings.SIGNUP_CREDITS > 0:
            credits_topup(user=user, amount=settings.SIGNUP_CREDITS, reason="Welcome credits")
    return user


def preview_create(*, owner: User, source: SourceImage, params: dict) -> Order:
    """A free, watermarked preview of the photo the customer is about to buy."""
    return order_create(
        owner=owner, params={**params, "preview": 1}, source=source, channel=Order.Channel.WEB
    )


def preview_buy(*, preview: Order) -> Order:
    """Buy the photo a preview shows: same source and parameters, charged.

    Raises NotBuyable, or InsufficientCredits before anything is created.
    """
    if not preview.preview or preview.state != Order.State.COMPLETED:
        raise NotBuyable("Only a finished preview can be bought.")
    source = preview.source
    if source is None or source.purged_at is not None:
        raise NotBuyable("The photo of this preview has been deleted; upload it again.")
    try:
        return order_create(
            owner=preview.owner,
            params={**preview.params, "preview": 0},
            source=source,
            channel=Order.Channel.WEB,
        )
    except ParamError as error:  # e.g. the spec was withdrawn since the preview
        raise NotBuyable(error.message) from error
