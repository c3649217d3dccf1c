"""Addresses of the one search (mounted at ``/search/``)."""

from django.urls import path

from vanban.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("export.xlsx", views.search_export, name="export"),
]
