from django.urls import include, path

from photos.views import accounts, catalogue, orders, studio

urlpatterns = [
    path("", catalogue.home, name="home"),
    path(
        "outfits/<str:clothes_id>/thumbnail/", catalogue.outfit_thumbnail, name="outfit_thumbnail"
    ),
    path("make/custom/", studio.studio, name="studio_custom"),
    path("make/<int:spec_id>/", studio.studio, name="studio"),
    path("price/", studio.price, name="price"),
    path("orders/", orders.history, name="history"),
    path("orders/<uuid:task_id>/", orders.order_detail, name="order_detail"),
    path("orders/<uuid:task_id>/status/", orders.order_status, name="order_status"),
    path("orders/<uuid:task_id>/buy/", orders.order_buy, name="order_buy"),
    path("orders/<uuid:task_id>/photo/", orders.order_photo, name="order_photo"),
    path("orders/<uuid:task_id>/download/", orders.order_download, name="order_download"),
    path(
        "orders/<uuid:task_id>/download/sheet/",
        orders.order_download,
        {"kind": "sheet"},
        name="order_sheet",
    ),
    path("photos/<uuid:image_id>/", orders.source_photo, name="source_photo"),
    path("credits/", accounts.credits_page, name="credits"),
    path("account/api-keys/", accounts.api_keys, name="api_keys"),
    path("account/api-keys/<int:pk>/revoke/", accounts.api_key_revoke_view, name="api_key_revoke"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
]
