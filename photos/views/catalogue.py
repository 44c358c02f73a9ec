"""Land and choose the document: the searchable spec catalogue."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from photos import selectors


@require_GET
@vary_on_headers("HX-Request")
def home(request):
    """The catalogue: popular first, category tabs, search; HTMX swaps just the list."""
    query = request.GET.get("q", "").strip()[:80]
    categories = selectors.spec_categories()
    category = request.GET.get("category", "")
    if category not in categories:
        category = ""
    source = None
    if request.user.is_authenticated and request.GET.get("source"):
        source = selectors.source_of(request.user, request.GET["source"])
    context = {
        "specs": selectors.spec_catalogue(query=query, category=category),
        "categories": categories,
        "category": category,
        "query": query,
        "source": source,
    }
    if request.htmx and request.htmx.target == "catalogue":
        return render(request, "photos/_catalogue.html", context)
    return render(request, "home.html", context)


@require_GET
def outfit_thumbnail(request, clothes_id: str):
    """An outfit's product thumbnail (public: it shows clothes, not a customer)."""
    path = selectors.outfit_thumbnail_path(clothes_id)
    if path is None:
        raise Http404("No such outfit.")
    response = FileResponse(open(path, "rb"))  # noqa: SIM115
    patch_cache_control(response, public=True, max_age=86400)
    return response
