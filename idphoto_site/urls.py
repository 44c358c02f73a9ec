from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("photos.api.urls")),
    path("providers/picwish/", include("photos.providers.receiver")),
    path("", include("photos.urls")),
]
