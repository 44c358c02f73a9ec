"""Upload, options and the free preview: one page per document (or a custom size).

The upload form posts (HTMX, multipart, with a progress bar) the photo and the options
together. A valid photo is stored at once and kept as a hidden ``source`` field, so an
error in another field never loses it; when everything is valid a free preview order
starts and its progress fragment polls next to the form.
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from photos import pricing, selectors
from photos.forms import BEAUTY, PhotoOptionsForm, UploadForm, options_initial
from photos.models import Spec
from photos.params import ParamError
from photos.services.orders import source_image_create
from photos.services.storefront import preview_create
from photos.views.common import customer_required
from photos.views.orders import order_context

OUTFIT_GROUPS = {"man": "Men", "woman": "Women", "child": "Children"}
PRICE_FLAGS = ("clothes_id", "layout", *(switch for switch, _factor, _label in BEAUTY))


def _spec(spec_id: int | None) -> Spec | None:
    if spec_id is None:
        return None
    spec = Spec.objects.filter(pk=spec_id, is_active=True).first()
    if spec is None:
        raise Http404("This document is not in our catalogue.")
    return spec


def _options_form(spec: Spec | None, data=None, initial=None) -> PhotoOptionsForm:
    outfits = selectors.outfit_catalogue()
    return PhotoOptionsForm(
        data,
        spec=spec,
        initial=initial,
        clothes_choices=[(o["id"], o["title"]) for o in outfits],
    )


def price_context(request, data) -> dict:
    """The paid photo's price for the options in ``data`` (a form's raw values)."""
    flags = {name: data.get(name) for name in PRICE_FLAGS}
    flags["layout"] = flags["layout"] if flags["layout"] not in ("", "0", "off") else None
    total = pricing.task_price(flags)
    context = {"price_lines": selectors.price_lines(flags), "price_total": total}
    if request.user.is_authenticated:
        from photos.services.credits import credits_balance

        balance = credits_balance(request.user)
        context.update(balance=balance, short_by=max(0, total - balance))
    return context


def _outfit_groups(options: PhotoOptionsForm, outfits: list[dict]):
    """The outfit radios grouped (men, women, children), each with its catalogue entry."""
    by_id = {outfit["id"]: outfit for outfit in outfits}
    groups: dict[str, list] = {}
    own_clothes = None
    for radio in options["clothes_id"]:
        value = radio.data["value"]
        if not value:
            own_clothes = radio
            continue
        outfit = by_id.get(value, {"id": value, "group": value.split("_")[0]})
        groups.setdefault(outfit["group"], []).append((radio, outfit))
    titled = [
        (OUTFIT_GROUPS.get(group, group.capitalize()), items) for group, items in groups.items()
    ]
    return own_clothes, titled


def _render(request, *, spec, options, upload, source=None, order=None, status=200):
    outfits = selectors.outfit_catalogue()
    own_clothes, outfit_groups = _outfit_groups(options, outfits)
    context = {
        "spec": spec,
        "options": options,
        "upload": upload,
        "source": source,
        "order": order,
        "rules": selectors.spec_rules(spec) if spec else [],
        "own_clothes": own_clothes,
        "outfit_groups": outfit_groups,
        "outfit_thumbnails": any(o.get("has_thumbnail") for o in outfits),
        **price_context(request, options.data if options.is_bound else _initial_data(options)),
    }
    if order is not None:
        context.update(order_context(request, order, place="studio"))
    template = "photos/_studio.html" if request.htmx else "photos/studio.html"
    return render(request, template, context, status=status)


def _initial_data(form: PhotoOptionsForm) -> dict:
    return {name: form.get_initial_for_field(field, name) for name, field in form.fields.items()}


@require_http_methods(["GET", "POST"])
@customer_required
def studio(request, spec_id: int | None = None):
    spec = _spec(spec_id)
    if request.method == "POST":
        return _studio_post(request, spec)
    source, order, initial = None, None, None
    if request.GET.get("preview"):
        order = selectors.order_of(request.user, request.GET["preview"])
        source = order.source if order.source and order.source.purged_at is None else None
        initial = options_initial(order.params, spec=spec)
        if order.spec_id != (spec.pk if spec else None):
            order = None  # options of another document's preview are not shown here
    elif request.GET.get("source"):
        source = selectors.source_of(request.user, request.GET["source"])
    upload = UploadForm(initial={"source": source.image_id if source else None})
    return _render(
        request,
        spec=spec,
        options=_options_form(spec, initial=initial),
        upload=upload,
        source=source,
        order=order,
    )


def _studio_post(request, spec: Spec | None):
    upload = UploadForm(request.POST, request.FILES)
    options = _options_form(spec, request.POST)
    source = None
    if upload.is_valid():
        photo = upload.cleaned_data["image_file"]
        if photo:
            source = source_image_create(
                owner=request.user, data=photo.idphoto_data, name=photo.name
            )
        else:
            source = selectors.source_of(request.user, upload.cleaned_data["source"])
            if source is None:
                upload.add_error(
                    None, "Your earlier photo is no longer available; please upload it again."
                )
    elif upload.cleaned_data.get("source"):
        # The new file was refused: keep the photo the customer had before.
        source = selectors.source_of(request.user, upload.cleaned_data["source"])
    order = None
    if source is not None and options.is_valid() and not upload.errors:
        try:
            order = preview_create(
                owner=request.user, source=source, params=options.params(preview=True)
            )
        except ParamError as error:
            options.add_error(None, error.message)
    return _render(request, spec=spec, options=options, upload=upload, source=source, order=order)


@require_GET
def price(request):
    """The live price fragment: the credits the photo will cost with these options."""
    return render(request, "photos/_price.html", price_context(request, request.GET))
