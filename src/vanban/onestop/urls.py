"""Staff pages of the one-stop desk (under ``/onestop/``)."""

from django.urls import URLPattern, URLResolver

app_name = "onestop"
urlpatterns: list[URLPattern | URLResolver] = []
