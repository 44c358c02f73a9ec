"""The spec catalogue: sizes, colours (swatches), face-geometry bands with a live preview."""

from urllib.parse import urlencode

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from photos.admin.common import BR, CSS, admin_view
from photos.backoffice import views
from photos.backoffice.forms import SpecAdminForm
from photos.models import Spec

DEFAULT_SIZE = (295, 413)  # the upstream's default px_width x px_height


def swatches_html(colours) -> str:
    if not colours:
        return format_html('<span class="swatch-any">{}</span>', "any colour")
    return format_html_join(
        "",
        '<span class="swatch" style="background:#{}" title="#{}"></span>',
        ((c, c) for c in colours),
    )


def band_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    return f"≥ {low}" if low is not None else f"≤ {high}"


def preview_query(spec: Spec | None) -> str:
    values = {"px_width": DEFAULT_SIZE[0], "px_height": DEFAULT_SIZE[1]}
    if spec is not None:
        values.update(
            px_width=spec.px_width or DEFAULT_SIZE[0], px_height=spec.px_height or DEFAULT_SIZE[1]
        )
        for name, (low, high) in spec.geometry_bands().items():
            for suffix, value in (("min", low), ("max", high)):
                if value is not None:
                    values[f"{name}_{suffix}"] = value
        if spec.bg_colors:
            values["bg_colors"] = ",".join(spec.bg_colors)
    return urlencode(values)


class HasGeometryFilter(admin.SimpleListFilter):
    title = "face-geometry rules"
    parameter_name = "geometry"

    def lookups(self, request, model_admin):
        return [("yes", "With rules"), ("no", "Without rules")]

    def queryset(self, request, queryset):
        from django.db.models import Q

        has = Q()
        for name in Spec.GEOMETRY_FIELDS:
            has |= Q(**{f"{name}_min__isnull": False}) | Q(**{f"{name}_max__isnull": False})
        if self.value() == "yes":
            return queryset.filter(has)
        if self.value() == "no":
            return queryset.exclude(has)
        return queryset


@admin.register(Spec)
class SpecAdmin(admin.ModelAdmin):
    form = SpecAdminForm
    list_display = (
        "spec_id",
        "title_and_category",
        "size",
        "colours",
        "geometry",
        "file_size",
        "is_active",
        "popularity",
    )
    list_display_links = ("spec_id", "title_and_category")
    list_filter = ("is_active", "category", HasGeometryFilter, "dpi", "retouch_allowed")
    list_editable = ("is_active", "popularity")
    search_fields = ("=spec_id", "title", "category")
    actions = ["activate", "deactivate"]
    fieldsets = (
        (None, {"fields": ("spec_id", "category", "title", "is_active", "popularity", "rules")}),
        ("Size", {"fields": (("px_width", "px_height"), ("mm_width", "mm_height"), "dpi")}),
        ("Background", {"fields": ("bg_colors", "swatches")}),
        (
            "Face geometry (pixels from the top edge of the photo; empty = no rule)",
            {
                "classes": ("geometry-fieldset",),
                "fields": (
                    "geometry_preview",
                    ("head_top_min", "head_top_max"),
                    ("eyes_top_min", "eyes_top_max"),
                    ("chin_top_min", "chin_top_max"),
                    ("face_height_min", "face_height_max"),
                    ("face_width_min", "face_width_max"),
                ),
            },
        ),
        ("File", {"fields": (("min_file_size", "max_file_size"), "retouch_allowed")}),
    )

    class Media:
        css = CSS
        js = ("admin-extra/spec_preview.js",)

    def get_urls(self):
        return [
            path(
                "geometry-preview.svg",
                admin_view(self, views.spec_geometry_preview),
                name="photos_spec_geometry_preview",
            ),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = ["swatches", "geometry_preview"]
        if obj is not None:
            fields.append("spec_id")  # the API's spec_id: changing it would make a copy
        return fields

    @admin.display(description="Title", ordering="title")
    def title_and_category(self, spec):
        return format_html("{}<br><small>{}</small>", spec.title, spec.category)

    @admin.display(description="Size")
    def size(self, spec):
        return format_html(
            '<span class="nowrap">{}×{} px</span><br><small class="nowrap">{}×{} mm · {} dpi</small>',
            spec.px_width,
            spec.px_height,
            spec.mm_width,
            spec.mm_height,
            spec.dpi,
        )

    @admin.display(description="Colours")
    def colours(self, spec):
        return swatches_html(spec.bg_colors)

    @admin.display(description="Swatches")
    def swatches(self, spec):
        colours = spec.bg_colors if spec is not None else []
        return format_html('<span id="bg-swatches">{}</span>', swatches_html(colours))

    @admin.display(description="Face geometry")
    def geometry(self, spec):
        bands = spec.geometry_bands()
        if not bands:
            return "—"
        return format_html_join(
            BR,
            '<small class="nowrap">{}: {}</small>',
            ((name.replace("_", " "), band_text(low, high)) for name, (low, high) in bands.items()),
        )

    @admin.display(description="File size")
    def file_size(self, spec):
        if spec.min_file_size is None and spec.max_file_size is None:
            return "—"
        low = f"{spec.min_file_size // 1024} KB" if spec.min_file_size else "0"
        high = f"{spec.max_file_size // 1024} KB" if spec.max_file_size else "∞"
        return f"{low} – {high}"

    @admin.display(description="Preview")
    def geometry_preview(self, spec):
        base = reverse("admin:photos_spec_geometry_preview")
        return format_html(
            '<div class="geometry-preview-box"><img id="geometry-preview" src="{}?{}" '
            'data-base="{}" alt="The photo frame with the face-geometry bands"></div>'
            '<div class="help">Shaded zones: where the head top, eye line and chin may be '
            "(measured from the top edge); the purple bracket is the face height from the "
            "crown, the orange zones the face width. It follows your edits before saving.</div>",
            base,
            preview_query(spec),
            base,
        )

    @admin.action(description="Activate selected specs", permissions=["change"])
    def activate(self, request, queryset):
        count = queryset.update(is_active=True)
        self.message_user(request, f"{count} spec(s) are now offered.")

    @admin.action(description="Deactivate selected specs", permissions=["change"])
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count} spec(s) are no longer offered.")
