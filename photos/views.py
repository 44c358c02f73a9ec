"""Storefront views."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from photos.models import Spec


@require_GET
def home(request):
    specs = Spec.objects.filter(is_active=True)
    return render(request, "home.html", {"specs": specs})
