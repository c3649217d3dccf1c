"""Staff pages of the one-stop desk (under ``/onestop/``)."""

from django.urls import URLPattern, URLResolver, include, path

from vanban.onestop import views

app_name = "onestop"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.desk, name="desk"),
    path("new/", views.intake, name="intake"),
    path("so-theo-doi.pdf", views.ledger, name="ledger"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<int:pk>/", views.procedure, name="procedure"),
    path("thu-tuc/xuat.<slug:fmt>", views.catalogue_export, name="catalogue_export"),
    path("thu-tuc/nhap/", views.catalogue_import, name="catalogue_import"),
    path("chuyen-den/", views.forwarded, name="forwarded"),
    path("chuyen-den/<uuid:uid>/", views.forwarded_receive, name="forwarded_receive"),
    path("chuyen-den/<uuid:uid>/tep/<int:index>/", views.forwarded_file,
         name="forwarded_file"),
    path("chuyen-den/<uuid:uid>/tra-lai/", views.forwarded_send_back,
         name="forwarded_send_back"),
    path("stats/", include("vanban.onestop.statistics.urls")),  # the statistics pages
    path("<str:ref>/", views.dossier, name="dossier"),
    path("<str:ref>/<slug:form>.pdf", views.dossier_form, name="dossier_form"),
    path("<str:ref>/tep/<int:file_id>/", views.dossier_file, name="dossier_file"),
    path("<str:ref>/thao-tac/<slug:action>/", views.act, name="act"),
]
