"""Pages of the signatures app: certificates (with expiry warnings and the province
administrator's issue / renew / revoke actions) and the published CRLs."""

from django.urls import URLPattern, path

from vanban.signatures import views

app_name = "signatures"
urlpatterns: list[URLPattern] = [
    path("", views.certificate_list, name="certificate_list"),
    path("issue/", views.certificate_issue, name="certificate_issue"),
    path("<int:pk>/renew/", views.certificate_renew, name="certificate_renew"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("crl/<int:ca_id>.crl", views.crl, name="crl"),
]
