"""Pages of the signatures app: certificates (with expiry warnings) and the published CRLs."""

from django.urls import URLPattern, path

from vanban.signatures import views

app_name = "signatures"
urlpatterns: list[URLPattern] = [
    path("", views.certificate_list, name="certificate_list"),
    path("crl/<int:ca_id>.crl", views.crl, name="crl"),
]
