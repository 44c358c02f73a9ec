from django.conf import settings


def shop(request):
    """Shop branding and the signed-in customer's balance, for the header."""
    context = {
        "shop_name": settings.SHOP_NAME,
        "shop_logo_url": settings.SHOP_LOGO_URL,
        "shop_contact": settings.SHOP_CONTACT,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from photos.services.credits import credits_balance

        context["credit_balance"] = credits_balance(user)
    return context
