from django.urls import path, re_path
from django.views.generic import RedirectView

from photos.api import docs, openapi, results, views

app_name = "api"

urlpatterns = [
    path("tasks/visual/external/idphoto", views.task_create, name="task-create"),
    path("tasks/visual/external/idphoto/<str:task_id>", views.task_detail, name="task-detail"),
    path("results/<str:token>.jpg", results.result_download, name="result"),
    path("openapi.json", openapi.openapi_json, name="openapi"),
    path("docs/", docs.api_docs, name="docs"),
    path("docs", RedirectView.as_view(pattern_name="api:docs", permanent=True)),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
