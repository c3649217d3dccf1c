"""Pages of the checks app (R10.2)."""

from django.urls import URLPattern, path

from vanban.checks import views

app_name = "checks"
urlpatterns: list[URLPattern] = [
    path("", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/read/", views.reminders_read, name="reminders_read"),
]
