"""Pages of the evidence log: status and consistency, head signing, bundle and certificate."""

from django.urls import URLPattern, path

from vanban.evidence import views

app_name = "evidence"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("head/", views.head_sign, name="head_sign"),
    path("hub.pem", views.certificate, name="certificate"),
    path("delivery/<str:delivery_id>/bundle.json", views.bundle, name="bundle"),
]
