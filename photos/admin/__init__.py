"""The staff back office in Django admin: customers and their credits, orders, the spec
catalogue, the ledger (read-only) and API keys. The index shows the queue's health.

One module per model family; the pages that are not a plain changelist live in
``photos.backoffice`` and are wired in by each ModelAdmin's ``get_urls``.
"""

from django.conf import settings
from django.contrib import admin

from photos.admin import ledger, orders, specs, users  # noqa: F401  (registers the models)

admin.site.site_header = f"{settings.SHOP_NAME} back office"
admin.site.site_title = f"{settings.SHOP_NAME} staff"
admin.site.index_title = "Back office"
