"""URL map: pages per app, the REST API under /api/v1/, its schema and docs, language switch."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

urlpatterns = [
    path("", include("vanban.web.urls")),
    path("accounts/", include("vanban.accounts.urls")),
    path("directory/", include("vanban.directory.urls")),
    path("audit/", include("vanban.audit.urls")),
    path("documents/", include("vanban.registry.urls")),
    path("signatures/", include("vanban.signatures.urls")),
    path("exchange/", include("vanban.exchange.urls")),
    path("evidence/", include("vanban.evidence.urls")),
    path("incoming/", include("vanban.incoming.urls")),
    path("work/", include("vanban.workflow.urls")),
    path("checks/", include("vanban.checks.urls")),
    path("notices/", include("vanban.notices.urls")),
    path("mail/", include("vanban.mail.urls")),
    path("mailgate/", include("vanban.mailgate.urls")),
    path("onestop/", include("vanban.onestop.urls")),
    path("search/", include("vanban.search.urls")),
    path("dich-vu-cong/", include("vanban.onestop.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Both viewers load their code from files (CSP script-src 'self', no inline script).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema",
                                                    template_name="web/redoc.html"),
         name="api-redoc"),
]

handler403 = "vanban.web.errors.permission_denied"
handler404 = "vanban.web.errors.page_not_found"
# Inside /api/ an unexpected error is an RFC 9457 problem; elsewhere the usual page.
handler500 = "vanban.web.problems.server_error"
