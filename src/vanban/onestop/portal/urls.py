"""The citizen portal's pages (under ``/dich-vu-cong/``)."""

from django.urls import URLPattern, URLResolver

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = []
