"""The citizen portal's pages (under ``/dich-vu-cong/``)."""

from django.urls import URLPattern, URLResolver, path

from vanban.onestop.portal import views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("thu-tuc/<int:pk>/", views.procedure, name="procedure"),
    path("thu-tuc/<int:pk>/nop/", views.file, name="file"),
    path("tra-cuu/", views.track, name="track"),
    path("danh-gia/", views.rate, name="rate"),
]
