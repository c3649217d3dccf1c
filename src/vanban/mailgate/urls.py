"""Pages of the mail gateway (``/mailgate/``)."""

from django.urls import URLPattern, path

from vanban.mailgate import views

app_name = "mailgate"
urlpatterns: list[URLPattern] = [
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<uuid:uid>/", views.message, name="message"),
    path("quarantine/<uuid:uid>/eml/", views.message_raw, name="message_raw"),
    path("quarantine/<uuid:uid>/reject/", views.reject, name="reject"),
    path("quarantine/<uuid:uid>/rejudge/", views.rejudge, name="rejudge"),
]
