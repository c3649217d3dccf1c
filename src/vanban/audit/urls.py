"""Pages of the audit log: the viewer and the "verify now" action."""

from django.urls import path

from vanban.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("verify/", views.verify, name="verify"),
]
