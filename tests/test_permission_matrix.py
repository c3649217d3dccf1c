"""The permission matrix (R1.1, R16.2, R16.5, R20.1): every page and API action of the URL map,
tried by every role of an agency, a holder of a work line, the province administrator, every
role of another agency at once, and nobody signed in.

The table below is the written rule: for each address and method, who may use it.
:func:`test_every_address_has_an_entry` enumerates the URL patterns, so a new page or API action
without a line here fails until someone decides who may use it. Each actor's test then makes
every request and lists every difference:

* a read (GET) is answered (2xx/3xx) to exactly its audience; everyone else is refused (401,
  403, 404, or sent to sign in);
* a write is never carried out for anyone outside its audience: they are refused (as above, or
  by a refusal the services audited as ``*.denied``, which pages show as a message) or their
  input is rejected. The writes are sent with a minimal body and run after the reads; that the
  audience succeeds with a real body is what each app's own tests prove.

Audiences (combine with ``+``, remove with ``-``):
``public`` anybody, signed in or not · ``signed`` anybody signed in · ``agency`` every role of X
and the holder · ``keepers`` clerk, head, delegate · ``directors`` head, delegate · ``province``
the province administrator · ``other`` the roles of agency Y on X's objects · a role's value, or
``holder``, alone · ``nobody``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_world import ACTORS, AGENCY_ROLES, PASSWORD, World, build_world, pdf

pytestmark = pytest.mark.django_db

_AGENCY = frozenset({*(r.value for r in AGENCY_ROLES), "holder"})
GROUPS: dict[str, frozenset[str]] = {
    "public": frozenset(ACTORS),
    "signed": frozenset(ACTORS) - {"anonymous"},
    "agency": _AGENCY,
    "keepers": frozenset({"clerk", "head", "delegate"}),
    "directors": frozenset({"head", "delegate"}),
    "province": frozenset({"province_admin"}),
    "nobody": frozenset(),
}

# name  method  audience   (the ids used in the address are chosen by :data:`ARGUMENTS`)
MATRIX_TEXT = """
web:home                          GET    signed
web:favicon                       GET    public
web:outgoing                      GET    signed
web:rejected                      GET    signed
set_language                      POST   public
accounts:login                    GET    public
accounts:logout                   POST   public
accounts:password_change          GET    signed
accounts:two_factor_verify        GET    signed
accounts:two_factor_enrol         GET    signed
accounts:security                 GET    signed
accounts:staff_list               GET    directors+it_officer+other+province
accounts:staff_new                GET    directors+it_officer+other+province
accounts:staff_detail             GET    directors+it_officer+province
accounts:tokens                   GET    signed
accounts:approvals                GET    head+other+province
directory:agency_tree             GET    signed
directory:agency_create           GET    province
directory:agency_detail           GET    signed
directory:agency_edit             GET    province
directory:unit_create             GET    directors+it_officer+province
directory:unit_edit               GET    directors+it_officer+province
directory:group_list              GET    province
directory:group_create            GET    province
directory:group_create            POST   province
directory:group_edit              GET    province
directory:group_edit              POST   province
directory:group_delete            POST   province
audit:event_list                  GET    head+it_officer+other+province+security_officer
audit:verify                      POST   head+it_officer+security_officer+other+province
registry:document_list            GET    signed
registry:document_create          GET    keepers+holder+other+specialist
registry:document_detail          GET    agency
registry:document_edit            GET    keepers+holder+specialist
registry:document_upload          GET    clerk
registry:document_register        POST   clerk
registry:document_sign            GET    clerk
registry:document_sign            POST   clerk
registry:document_mark_ready      POST   clerk
registry:document_cancel          POST   clerk
registry:document_submit          POST   keepers+holder+specialist
registry:document_approve         POST   directors
registry:document_return          POST   directors
registry:document_note            POST   directors
registry:approval_queue           GET    directors+other
registry:file_download            GET    agency
registry:file_page                GET    agency
registry:dispatch_list_pdf        GET    agency
registry:register_view            GET    signed
registry:register_year            GET    signed
registry:register_pdf             GET    agency+other
signatures:certificate_list       GET    signed
signatures:certificate_issue      POST   province
signatures:certificate_renew      POST   province
signatures:certificate_revoke     POST   province
signatures:crl                    GET    public
exchange:sent_list                GET    signed
exchange:tracking                 GET    agency
exchange:send                     POST   clerk
exchange:revoke                   POST   clerk
exchange:recall                   POST   clerk
exchange:inbox                    GET    keepers+other
exchange:incoming                 GET    keepers
exchange:incoming_file            GET    keepers
exchange:incoming_status          POST   keepers
exchange:hub                      GET    province
exchange:hub_retry                POST   province
exchange:federation               POST   public
exchange:witness                  POST   public
evidence:index                    GET    it_officer+other+province
evidence:head_sign                POST   it_officer+other+province
evidence:certificate              GET    signed
evidence:bundle                   GET    agency+other
incoming:inbox                    GET    keepers+other
incoming:delivery                 GET    keepers
incoming:delivery_file            GET    keepers
incoming:delivery_page            GET    keepers
incoming:register                 POST   clerk
incoming:reject                   POST   clerk
incoming:paper                    GET    keepers+other
incoming:register_list            GET    keepers+other
incoming:register_pdf             GET    keepers
incoming:entry                    GET    keepers+holder
incoming:entry_file               GET    keepers+holder
incoming:entry_page               GET    keepers+holder
workflow:my_tasks                 GET    signed
workflow:overdue                  GET    directors+other
workflow:queue                    GET    signed
workflow:unassigned               GET    directors+other
workflow:document                 GET    keepers+holder
workflow:assign                   POST   directors
workflow:reassign                 POST   directors
workflow:opinion                  POST   keepers+holder
workflow:start                    POST   directors+holder
workflow:complete                 POST   directors+holder
workflow:slip                     GET    keepers+holder
workflow:document_file_add        POST   directors
workflow:forward                  POST   directors
workflow:line_done                POST   directors+holder
workflow:work_files               GET    signed
workflow:work_file                GET    agency
workflow:work_file_edit           POST   directors
workflow:work_file_add            POST   directors
workflow:work_file_remove         POST   directors
workflow:work_file_close          POST   directors
workflow:calendar                 GET    signed
mailgate:quarantine               GET    clerk+other
mailgate:message                  GET    clerk
mailgate:message_raw              GET    clerk
mailgate:reject                   POST   clerk
mailgate:rejudge                  POST   clerk
checks:report                     GET    keepers+other+province
checks:report_csv                 GET    keepers+other+province
checks:reminders                  GET    signed
checks:reminders_read             POST   signed
notices:list                      GET    signed
notices:read                      POST   signed
notices:read_all                  POST   signed
notices:settings                  GET    signed
notices:settings                  POST   signed
search:search                     GET    signed
search:export                     GET    signed
mail:mailboxes                    GET    province
mail:mailboxes                    POST   province
mail:mailbox_disable              POST   province
mail:dkim                         GET    province
mail:dkim                         POST   province
mail:dkim_disable                 POST   province
api-root                          GET    signed
api-schema                        GET    public
api-docs                          GET    public
api-redoc                         GET    public
api-auth-token                    POST   public
api-me                            GET    signed
agency-list                       GET    signed
agency-list                       POST   province
agency-detail                     GET    signed
agency-detail                     PATCH  province
unit-list                         GET    signed
unit-list                         POST   directors+it_officer+province
unit-detail                       GET    agency+province
unit-detail                       PATCH  province
staff-list                        GET    signed
staff-list                        POST   directors+it_officer+province
staff-detail                      GET    agency+province  # a colleague's record; the page: managers
me-tokens-list                    GET    signed
me-tokens-detail                  DELETE clerk
role-requests-list                GET    signed
role-requests-approve             POST   directors+province
role-requests-refuse              POST   directors+province
audit-event-list                  GET    head+it_officer+other+province+security_officer
audit-event-detail                GET    province
document-list                     GET    signed
document-list                     POST   keepers+specialist+holder+other
document-detail                   GET    agency
document-detail                   PUT    keepers+specialist+holder
document-cancel                   POST   clerk
document-file                     GET    agency
document-mark-ready               POST   clerk
document-plan                     GET    agency
document-register                 POST   clerk
document-sign                     POST   clerk
document-upload                   POST   clerk
exchange-transmission-list        GET    signed
exchange-transmission-list        POST   clerk+other
exchange-transmission-detail      GET    agency
exchange-transmission-revoke      POST   clerk
exchange-delivery-list            GET    keepers+other
exchange-delivery-detail          GET    keepers
exchange-delivery-recall          POST   clerk
exchange-delivery-status          POST   keepers
incoming-delivery-list            GET    keepers+other
incoming-delivery-detail          GET    keepers
incoming-delivery-file            GET    keepers
incoming-delivery-register        POST   clerk
incoming-delivery-reject          POST   clerk
incoming-entry-list               GET    keepers+other
incoming-entry-list               POST   clerk+other
incoming-entry-detail             GET    keepers+holder
incoming-entry-file               GET    keepers+holder
workflow-incoming-list            GET    signed
workflow-incoming-detail          GET    keepers+holder
workflow-incoming-assign          POST   directors
workflow-incoming-complete        POST   directors+holder
workflow-incoming-opinions        GET    keepers+holder
workflow-incoming-opinions        POST   keepers+holder
workflow-incoming-reassign        POST   directors
workflow-incoming-start           POST   directors+holder
workflow-line-list                GET    signed
workflow-line-done                POST   directors+holder
workflow-line-forward             POST   directors
workflow-file-list                GET    signed
workflow-file-list                POST   signed
workflow-file-detail              GET    agency
workflow-file-detail              PATCH  directors
workflow-file-close               POST   directors
workflow-file-items               POST   directors
workflow-file-remove-item         POST   directors
workflow-file-item                DELETE directors
evidence-head                     GET    signed
evidence-head                     POST   it_officer+other+province
evidence-deliveries               GET    signed
evidence-bundle                   GET    agency+other
evidence-consistency              GET    nobody  # answers only with its two tree sizes
evidence-consistency-check        POST   signed
onestop:statistics                GET    onestop+directors+province+other  # own desk; province: all
onestop:statistics_xlsx           GET    onestop+directors+province+other
onestop:desk                      GET    onestop+directors+specialist+holder+other
onestop:intake                    GET    onestop+other
onestop:intake                    POST   onestop+other
onestop:ledger                    GET    onestop+directors+specialist+holder+other
onestop:procedures                GET    onestop+directors+specialist+holder+other
onestop:procedure                 GET    onestop+directors+specialist+holder
onestop:dossier                   GET    agency+province  # the desk, and every agency with a step
onestop:dossier_form              GET    agency+province
onestop:dossier_file              GET    agency+province  # a scanned paper, audited (R16.2)
onestop:act                       POST   onestop  # transfer: the desk's officer
onestop:catalogue_export          GET    onestop+directors+other
onestop:catalogue_import          POST   onestop+directors+other
onestop:forwarded                 GET    onestop+other  # each desk's own list (R11.1a)
onestop:forwarded_receive         GET    onestop  # the receiving desk's officer
onestop:forwarded_receive         POST   onestop
onestop:forwarded_file            GET    onestop  # a received paper, audited (R16.2)
onestop:forwarded_send_back       POST   onestop
portal:home                       GET    public
portal:procedure                  GET    public
portal:file                       GET    public
portal:file                       POST   public  # local filing is a setting; the intake decides
portal:track                      GET    public
portal:track                      POST   public  # code and secret are the only key
portal:rate                       POST   public
"""

# Which world id fills each URL argument, by the route's name (prefix) and the argument.
ARGUMENTS: dict[str, dict[str, str]] = {
    "accounts:": {"pk": "staff"}, "staff-": {"pk": "staff"},
    "directory:": {"code": "agency", "pk": "unit"}, "agency-": {"id": "agency"},
    "directory:group_": {"pk": "recipient_group"},
    "unit-": {"pk": "unit"},
    "registry:document_edit": {"pk": "draft"},
    "registry:document_submit": {"pk": "draft"}, "registry:document_approve": {"pk": "draft"},
    "registry:document_return": {"pk": "draft"}, "registry:document_note": {"pk": "draft"},
    "registry:": {"pk": "document", "file_id": "file", "year": "year", "series": "series"},
    "registry:file_page": {"pk": "document", "file_id": "file", "page": "page"},
    "incoming:delivery_page": {"uid": "delivery", "page": "page"},
    "incoming:entry_page": {"pk": "incoming", "page": "page"},
    "document-": {"pk": "document", "file_id": "file"},
    "signatures:": {"pk": "certificate", "ca_id": "ca"},
    "exchange:tracking": {"pk": "sent_document"}, "exchange:send": {"pk": "sent_document"},
    "exchange:revoke": {"uid": "transmission_uid"}, "exchange:recall": {"uid": "sent_delivery"},
    "exchange:hub_retry": {"uid": "sent_delivery"}, "exchange:": {"uid": "delivery"},
    "exchange-transmission-": {"id": "transmission"},
    "exchange-delivery-recall": {"id": "sent_delivery"}, "exchange-delivery-": {"id": "delivery"},
    "evidence": {"delivery_id": "delivery"}, "evidence-bundle": {"id": "delivery"},
    "incoming:": {"uid": "delivery", "pk": "incoming"},
    "incoming-delivery-": {"id": "delivery"}, "incoming-entry-": {"pk": "incoming"},
    "workflow:forward": {"pk": "line"}, "workflow:line_done": {"pk": "line"},
    "workflow:work_file": {"pk": "work_file", "item_pk": "item"},
    "workflow:": {"pk": "incoming"}, "workflow-incoming-": {"pk": "incoming"},
    "workflow-line-": {"pk": "line"}, "workflow-file-": {"pk": "work_file", "item_id": "item"},
    "audit-event-": {"id": "audit_seq"}, "me-tokens-": {"pk": "token"},
    "role-requests-": {"pk": "role_request"},
    "mail:mailbox_disable": {"pk": "mailbox"}, "mail:dkim_disable": {"pk": "dkim_key"},
    "mailgate:": {"uid": "mail_message"},
    "portal:": {"pk": "procedure"},
    "onestop:": {"pk": "procedure", "ref": "dossier", "form": "dossier_form",
                 "action": "dossier_action", "fmt": "catalogue_format",
                 "file_id": "dossier_file", "uid": "forwarded", "index": "forwarded_index"},
}
_REFUSED = {401, 403, 404}


@dataclass(frozen=True)
class Route:
    """One named address of the URL map and the methods it is known to answer."""

    name: str
    methods: frozenset[str]  # empty for function views (they do not say)
    arguments: tuple[str, ...]


def audience(text: str) -> frozenset[str]:
    """``keepers+holder``, ``signed-other``… as a set of actors."""
    found: set[str] = set()
    for sign, word in re.findall(r"([+-]?)([a-z_]+)", text):
        members = GROUPS.get(word, frozenset({word}))
        assert members <= set(ACTORS), word
        if sign == "-":
            found -= members
        else:
            found |= members
    return frozenset(found)


def matrix() -> dict[tuple[str, str], frozenset[str]]:
    """The table as {(name, METHOD): actors who get through}."""
    table: dict[tuple[str, str], frozenset[str]] = {}
    for line in MATRIX_TEXT.strip().splitlines():
        row = line.partition("#")[0]
        name, method, who = row.split()
        assert (name, method) not in table, row
        table[name, method] = audience(who)
    return table


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            prefix = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, prefix)
        elif pattern.name and "format" not in pattern.pattern.regex.groupindex:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def routes() -> dict[str, Route]:
    """Every named address of the URL map (DRF format-suffix copies left out)."""
    found: dict[str, Route] = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if actions:
            # DRF adds "head" to a viewset's actions at its first GET: HEAD is GET's alias.
            methods = frozenset(m.upper() for m in actions if m != "head")
        elif view_class is not None:
            methods = frozenset(m.upper() for m in ("get", "post", "put", "patch", "delete")
                                if hasattr(view_class, m))
        else:
            methods = frozenset()
        found[name] = Route(name, methods, tuple(pattern.pattern.regex.groupindex))
    return found


def test_every_address_has_an_entry() -> None:
    """Every page and API action of the URL map has a line in the matrix (and no line is left
    for an address that is gone): a new address fails here until its audience is written."""
    table = matrix()
    known = routes()
    missing = sorted(f"{r.name} {m}" for r in known.values() for m in r.methods
                     if (r.name, m) not in table)
    missing += sorted(r.name for r in known.values()
                      if not r.methods and not any(n == r.name for n, _ in table))
    stale = sorted(f"{n} {m}" for n, m in table if n not in known)
    assert missing == [], f"addresses without a line in the matrix: {missing}"
    assert stale == [], f"lines for addresses that no longer exist: {stale}"


def _url(route: Route, ids: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for argument in route.arguments:
        rules = [v for k, v in sorted(ARGUMENTS.items(), key=lambda i: -len(i[0]))
                 if route.name.startswith(k) and argument in v]
        assert rules, f"no world id for {route.name} <{argument}>"
        assert rules[0][argument] in ids, f"the world has no {rules[0][argument]}"
        kwargs[argument] = ids[rules[0][argument]]
    return reverse(route.name, kwargs=kwargs)


REFUSED, REJECTED, DONE = "refused", "rejected", "done"


def _denials() -> int:
    from vanban.audit.models import AuditEvent

    return AuditEvent.objects.filter(action__endswith=".denied").count()


def outcome(client: Client, method: str, url: str, body: dict[str, Any]) -> str:
    """``refused``: 401, 403, 404, sent to sign in, or a refusal the services audited (pages
    answer those with a message and a redirect); ``rejected``: the input or the state was
    wrong (400, 405, 409…); ``done``: answered or carried out."""
    before = _denials()
    call = getattr(client, method.lower())
    if method == "GET":
        response = call(url)
    elif url.startswith("/api/"):
        response = call(url, body, content_type="application/json")
    else:
        response = call(url, body)
    location = response.get("Location", "") if response.status_code == 302 else ""
    signed_out = "/accounts/login/" in location and not url.endswith("/logout/")
    if response.status_code in _REFUSED or signed_out or _denials() > before:
        return REFUSED
    return REJECTED if response.status_code >= 400 else DONE


def agrees(method: str, got: str, allowed: bool) -> bool:
    """A read is answered exactly to its audience. A write is never carried out for anyone
    outside its audience (whether its audience succeeds depends on the body and the state:
    each app's own tests prove that)."""
    if method == "GET":
        return (got == DONE) == allowed
    return allowed or got != DONE


def _body(name: str, ids: dict[str, Any]) -> dict[str, Any]:
    """What a write sends: enough to get past the step-up of signing and to name a work file;
    otherwise nothing (an outsider must be refused before the input is even read)."""
    if name.endswith("sign"):
        return {"password": PASSWORD}
    if name == "workflow:document_file_add":
        return {"file": ids["work_file"]}
    return {"reason": "Thử ma trận quyền"}  # past the "reason required" checks of pages


@pytest.fixture
def world() -> World:
    """The province of :mod:`tests.matrix_world`, with an audit event to look at."""
    from vanban.audit.models import AuditEvent

    built = build_world()
    built.ids["audit_seq"] = AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[0]
    from vanban.registry.models import Document

    register = Document.objects.get(pk=built.ids["document"]).register
    assert register is not None
    built.ids["series"] = register.series
    from vanban.directory.models import Agency
    from vanban.onestop.models import OnlineLevel, Procedure

    built.ids["procedure"] = Procedure.objects.create(
        agency=Agency.objects.get(code=built.ids["agency"]), code="1.000001",
        name="Thủ tục của ma trận", limit_value=1, online_level=OnlineLevel.FULL).pk
    from vanban.onestop import services as onestop

    officer = built.people["onestop"]
    received = onestop.dossier_receive(
        actor=officer, desk=Agency.objects.get(code=built.ids["agency"]),
        procedure=Procedure.objects.get(pk=built.ids["procedure"]),
        applicant=onestop.Applicant(name="Người nộp ma trận"))
    accepted = onestop.dossier_accept(actor=officer, dossier=received).dossier
    built.ids.update(dossier=accepted.code, dossier_form="receipt", dossier_action="transfer",
                     catalogue_format="json")
    from vanban.onestop.models import DossierFile
    from vanban.storage.services import blob_put

    paper = blob_put(data=b"%PDF-1.4\n% a scanned paper\n%%EOF\n", content_type="application/pdf")
    built.ids["dossier_file"] = DossierFile.objects.create(
        dossier=accepted, sha256=paper.sha256, size=paper.size, content_type="application/pdf",
        filename="giay-to.pdf", uploaded_at=accepted.received_at).pk
    built.ids.update(forwarded=_forwarded(built), forwarded_index=0)
    return built


def _forwarded(built: World) -> str:
    """Y's desk forwards a dossier to X's desk through the hub (R11.1a): the delivery X's
    one-stop officer takes in or sends back."""
    from vanban.directory.models import Agency
    from vanban.exchange import services as exchange
    from vanban.onestop import services as onestop
    from vanban.onestop.models import Procedure
    from vanban.registry import services as registry

    x, y = (Agency.objects.get(code=built.ids[k]) for k in ("agency", "other_agency"))
    procedure = Procedure.objects.create(agency=y, code="1.000002", name="Thủ tục của Y",
                                         limit_value=1)
    received = onestop.dossier_receive(
        actor=built.people["other"], desk=y, procedure=procedure,
        applicant=onestop.Applicant(name="Người nộp chuyển đến"),
        papers=[onestop.Paper(parts=[pdf("Forwarded")], filename="don.pdf")])
    document = onestop.dossier_send_to_agency(actor=built.people["other"], dossier=received,
                                              target_agency=x)
    document = registry.document_register(actor=None, document=document)
    document = registry.document_mark_ready(actor=None, document=document)
    transmission = exchange.transmission_send(actor=None, document=document)
    exchange.outbox_run()
    return str(transmission.deliveries.get().uid)


@pytest.mark.parametrize("actor", ACTORS)
def test_matrix(actor: str, world: World) -> None:
    """R1.1, R16.2, R16.5, R20.1: for every address and method, ``actor`` gets through exactly
    when the matrix says so. Reads first, then writes (a write may change what follows)."""
    known = routes()
    user = world.people[actor]
    rows = sorted(matrix().items(), key=lambda i: (i[0][1] != "GET", i[0]))
    differences = []
    for (name, method), allowed in rows:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        url = _url(known[name], world.ids)
        got = outcome(client, method, url, _body(name, world.ids))
        if not agrees(method, got, actor in allowed):
            differences.append(f"{name} {method} {url}: {got}")
    assert not differences, "\n".join(differences)
