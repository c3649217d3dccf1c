"""Reading the portal's forms: the applicant's fields and one upload per paper. Plain
``request.POST``/``FILES`` reads; every check is the services' (one message per rule)."""

from __future__ import annotations

from django.http import HttpRequest

from vanban.onestop.models import Procedure
from vanban.onestop.portal import config, selectors
from vanban.onestop.portal.services import Upload
from vanban.onestop.services import Applicant

FIELDS = ("name", "id_number", "address", "phone", "email", "subject")


def applicant_of(request: HttpRequest) -> Applicant:
    """The applicant's fields as typed."""
    post = request.POST
    return Applicant(name=post.get("name", ""), id_number=post.get("id_number", ""),
                     address=post.get("address", ""), phone=post.get("phone", ""),
                     email=post.get("email", ""))


def uploads_of(request: HttpRequest, procedure: Procedure) -> list[Upload]:
    """One upload per paper the applicant chose (field ``doc_<id>``); a file over the limit is
    passed on unread past the limit, for the service to refuse by name."""
    out = []
    limit = config.max_file_bytes()
    for document in selectors.documents_of(procedure):
        chosen = request.FILES.get(f"doc_{document.pk}")
        if chosen is None:
            continue
        data = chosen.read(limit + 1)
        out.append(Upload(required_document_id=document.pk, filename=chosen.name or "",
                          data=data))
    return out


def typed(request: HttpRequest) -> dict[str, str]:
    """What was typed, to fill the form again after a refusal."""
    return {name: request.POST.get(name, "") for name in FIELDS}
