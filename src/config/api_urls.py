"""The REST API (v1): each app contributes its routes from its ``api`` module."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from vanban.accounts import api as accounts_api
from vanban.audit import api as audit_api
from vanban.directory import api as directory_api
from vanban.evidence import api as evidence_api
from vanban.exchange import api as exchange_api
from vanban.incoming import api as incoming_api
from vanban.registry import api as registry_api
from vanban.signatures import api as signatures_api
from vanban.web.problems import api_not_found
from vanban.workflow import api as workflow_api

router = DefaultRouter()
directory_api.register(router)
accounts_api.register(router)
audit_api.register(router)
signatures_api.register(router)
registry_api.register(router)
exchange_api.register(router)
incoming_api.register(router)
workflow_api.register(router)
evidence_api.register(router)

urlpatterns = [
    path("", include(router.urls)),
    *accounts_api.urlpatterns,
    *signatures_api.urlpatterns,
    *registry_api.urlpatterns,
    *exchange_api.urlpatterns,
    *evidence_api.urlpatterns,
    # Last: an address no operation has is a 404 problem, not the HTML page (issue 15).
    re_path(r"^(?P<rest>.*)$", api_not_found),
]
