"""Pages of the incoming app."""

from django.urls import URLPattern

app_name = "incoming"
urlpatterns: list[URLPattern] = []
