"""Pages of the notices (under ``/notices/``)."""

from django.urls import URLPattern, path

from vanban.notices import views

app_name = "notices"
urlpatterns: list[URLPattern] = [
    path("", views.notice_list, name="list"),
    path("read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.settings_page, name="settings"),
]
