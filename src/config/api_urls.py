"""The REST API (v1): each app contributes its routes from its ``api`` module."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from vanban.accounts import api as accounts_api
from vanban.audit import api as audit_api
from vanban.directory import api as directory_api

router = DefaultRouter()
directory_api.register(router)
accounts_api.register(router)
audit_api.register(router)

urlpatterns = [
    path("", include(router.urls)),
    *accounts_api.urlpatterns,
]
