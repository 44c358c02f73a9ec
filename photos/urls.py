from django.urls import path

from photos import views

urlpatterns = [
    path("", views.home, name="home"),
]
