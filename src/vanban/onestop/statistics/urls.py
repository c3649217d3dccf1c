"""The statistics pages, included under ``/onestop/stats/`` in the ``onestop`` namespace."""

from django.urls import URLPattern, path

from vanban.onestop.statistics import views

urlpatterns: list[URLPattern] = [
    path("", views.statistics, name="statistics"),
    path("thong-ke.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
]
