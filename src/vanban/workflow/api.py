"""REST API of the workflow (``/api/v1/workflow/…``): assign (and re-assign) a registered
incoming document, pass a line on, opinions (list, write, correct), start and complete, the
caller's tasks, and work files (open, correct, fill, close). Errors are RFC 9457 problems;
another agency's objects are 404 (R1.1)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from vanban.core import apifilters as af
from vanban.core.apipaths import id_parameter, path_ids
from vanban.core.errors import not_found
from vanban.core.pathids import ID_PATTERN
from vanban.core.roles import Actor
from vanban.directory.models import Unit
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.registry import selectors as registry_selectors
from vanban.registry.api import PlainTextSerializer, plausible_date, plausible_year
from vanban.workflow import selectors, services
from vanban.workflow.api_shapes import (
    INCOMING_OUT,
    LINE_OUT,
    OPINION_OUT,
    TASKS_OUT,
    WORK_DOCUMENT_OUT,
    WORK_FILE_LIST_OUT,
    WORK_FILE_OUT,
)
from vanban.workflow.models import AssignmentLine, LineRole, Opinion, OpinionKind, WorkFile


def _actor(request: Request) -> Actor:
    return cast(Actor, request.user)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def line_json(line: AssignmentLine) -> dict[str, Any]:
    """One line: role, unit or person, deadline, progress."""
    return {"id": line.pk, "assignment_id": line.assignment_id,
            "parent_line_id": line.assignment.parent_id, "role": line.role,
            "unit_id": line.unit_id, "user_id": line.user_id, "holder": line.holder_name,
            "deadline": _time(line.deadline), "working_days": line.working_days,
            "started_at": _time(line.started_at), "done_at": _time(line.done_at),
            "withdrawn_at": _time(line.withdrawn_at), "withdrawn_by_id": line.withdrawn_by_id}


def opinion_json(opinion: Opinion) -> dict[str, Any]:
    """One opinion, with what it corrects (and, if any, its correction)."""
    correction = getattr(opinion, "correction", None)
    return {"id": opinion.pk, "kind": opinion.kind, "author_id": opinion.author_id,
            "author": opinion.author_name, "at": _time(opinion.at), "text": opinion.text,
            "sha256": opinion.text_sha256, "corrects": opinion.corrects_id,
            "corrected_by": correction.pk if correction is not None else None}


def incoming_json(document: IncomingDocument) -> dict[str, Any]:
    """The document as the workflow sees it."""
    return {"id": document.pk, "arrival_number": document.arrival_number,
            "arrival_date": _time(document.arrival_date), "issuer": document.issuer_name,
            "number": document.number_text, "subject": document.subject,
            "state": document.state, "due_date": _time(document.due_date),
            "completed_at": _time(document.completed_at),
            "reply_document_id": document.reply_document_id}


def work_file_json(work_file: WorkFile, *, items: bool = False) -> dict[str, Any]:
    """A work file's Decree 30 metadata (and its documents)."""
    body: dict[str, Any] = {
        "id": work_file.pk, "file_code": work_file.file_code, "year": work_file.year,
        "notation": work_file.notation, "title": work_file.title,
        "retention_years": work_file.retention_years, "retention": work_file.retention_text,
        "rights": work_file.rights, "creator": work_file.creator_name,
        "unit_id": work_file.unit_id, "language": work_file.language,
        "start_date": _time(work_file.start_date), "end_date": _time(work_file.end_date),
        "page_total": work_file.page_total, "note": work_file.note,
        "closed_at": _time(work_file.closed_at)}
    if items:
        body["items"] = [{"id": i.pk, "incoming_id": i.incoming_id, "document_id": i.document_id,
                          "added_at": _time(i.added_at)} for i in selectors.items_of(work_file)]
        body["doc_total"] = len(body["items"])
    return body


class LineSerializer(serializers.Serializer[AssignmentLine]):
    """One line to create: a unit or a person, and working days or a date."""

    role = serializers.ChoiceField(choices=LineRole.values)
    unit_id = serializers.IntegerField(required=False, allow_null=True)
    user_id = serializers.IntegerField(required=False, allow_null=True)
    working_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    deadline = serializers.DateField(required=False, validators=[plausible_date])


class AssignSerializer(PlainTextSerializer):
    """The lines (exactly one lead when assigning) and an optional direction."""

    lines = LineSerializer(many=True)
    direction = serializers.CharField(required=False, allow_blank=True, default="")


class ReassignSerializer(PlainTextSerializer):
    """The new lines (exactly one lead) and the reason, which is required."""

    lines = LineSerializer(many=True)
    reason = serializers.CharField()


class OpinionSerializer(PlainTextSerializer):
    """An opinion's text, kind and the opinion it corrects."""

    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=OpinionKind.values, required=False)
    corrects = serializers.IntegerField(required=False)


class CompleteSerializer(serializers.Serializer[IncomingDocument]):
    """The reply outgoing document, if any."""

    reply_document_id = serializers.IntegerField(required=False)


class WorkFileSerializer(PlainTextSerializer):
    """Phụ lục V metadata; no ``retention_years`` means permanent."""

    notation = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=500)
    retention_years = serializers.IntegerField(required=False, allow_null=True, default=None)
    year = serializers.IntegerField(required=False, validators=[plausible_year])
    start_date = serializers.DateField(required=False, validators=[plausible_date])
    unit_id = serializers.IntegerField(required=False, allow_null=True)
    rights = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, default="Tiếng Việt")
    page_total = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ItemSerializer(serializers.Serializer[WorkFile]):
    """One document to add: ``incoming_id`` or ``document_id``."""

    incoming_id = serializers.IntegerField(required=False)
    document_id = serializers.IntegerField(required=False)


class CloseSerializer(PlainTextSerializer):
    """End date and page count when closing."""

    end_date = serializers.DateField(required=False, validators=[plausible_date])
    page_total = serializers.IntegerField(required=False, min_value=0)


def _lines(data: list[dict[str, Any]], agency_id: int) -> list[services.LineInput]:
    out = []
    for item in data:
        unit = user = None
        if item.get("unit_id") is not None:
            unit = Unit.objects.filter(pk=item["unit_id"], agency_id=agency_id).first()
            if unit is None:
                raise not_found("đơn vị", "Unit")
        if item.get("user_id") is not None:
            user = get_user_model().objects.filter(pk=item["user_id"],
                                                   agency_id=agency_id).first()
            if user is None:
                raise not_found("cán bộ", "Staff member")
        out.append(services.LineInput(role=item["role"], unit=unit, user=user,
                                      working_days=item.get("working_days"),
                                      deadline=item.get("deadline")))
    return out


def _unit(unit_id: int | None, agency_id: int) -> Unit | None:
    """The agency's unit an ``unit_id`` names (None when not given)."""
    if not unit_id:
        return None
    unit = Unit.objects.filter(pk=unit_id, agency_id=agency_id).first()
    if unit is None:
        raise not_found("đơn vị", "Unit")
    return unit


def _document_body(document: IncomingDocument) -> dict[str, Any]:
    return {**incoming_json(document),
            "lines": [line_json(x) for x in selectors.lines_of(document)],
            "opinions": [opinion_json(o) for o in selectors.opinions_of(document)]}


INCOMING_FILTERS = (
    af.state_filter(IncomingState.values, "Tình trạng xử lý / where the work stands"),
    af.DATE_FROM, af.DATE_TO, af.YEAR,
    af.agency_filter("Mã định danh cơ quan ban hành / the issuer's code"),
    af.ListFilter("type", "text", "Loại văn bản (tên) / document type name"))
INCOMING_LOOKUPS = {"state": "state", "date_from": "arrival_date__gte",
                    "date_to": "arrival_date__lte", "year": "register__year",
                    "agency": "issuer__code", "type": "type_name__iexact"}
TASK_FILTERS = (
    af.ListFilter("due", "choice", "Hạn: quá hạn, sắp đến hạn / overdue, or due soon",
                  ("overdue", "soon")),
    af.ListFilter("role", "choice", "Vai trò / what the line asks", tuple(LineRole.values)))
FILE_FILTERS = (
    af.YEAR, af.ListFilter("state", "choice", "Hồ sơ đang mở hay đã đóng / open or closed",
                           ("open", "closed")))
FILE_LOOKUPS = {"year": "year"}


@extend_schema_view(
    list=extend_schema(summary="Registered incoming documents, newest first",
                       responses=INCOMING_OUT, parameters=af.parameters(INCOMING_FILTERS)),
    retrieve=extend_schema(summary="One document with its lines and opinions",
                           responses=WORK_DOCUMENT_OUT),
    assign=extend_schema(summary="Assign (head or delegate; status 04)",
                         request=AssignSerializer, responses={201: WORK_DOCUMENT_OUT},
                         examples=[OpenApiExample(
                             "Một phòng chủ trì, một phòng phối hợp", request_only=True,
                             value={"lines": [
                                 {"role": "lead", "unit_id": 12, "deadline": "2027-01-20"},
                                 {"role": "cooperate", "unit_id": 14}],
                                 "direction": "Phòng Kế hoạch chủ trì, báo cáo trước 20/01."})]),
    reassign=extend_schema(summary="Re-assign with a reason", request=ReassignSerializer,
                           responses={201: WORK_DOCUMENT_OUT}),
    start=extend_schema(summary="The lead starts (status 05)", responses=INCOMING_OUT),
    complete=extend_schema(summary="Complete (status 06)", request=CompleteSerializer,
                           responses=INCOMING_OUT))
@path_ids(id_parameter(
    "number", "Mã số của văn bản đến / the incoming document's number"))
class IncomingWorkViewSet(viewsets.GenericViewSet[IncomingDocument]):
    """Registered incoming documents the caller may see, and the work on them (R8.1, R14.2)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = AssignSerializer
    list_parameters = af.names(INCOMING_FILTERS)
    queryset = IncomingDocument.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> Any:
        return selectors.incoming_visible(_actor(self.request))

    def list(self, request: Request) -> Response:
        """Newest registration first, narrowed by the page's filters."""
        rows = af.narrow(self.get_queryset(), af.read(request.query_params, INCOMING_FILTERS),
                         INCOMING_LOOKUPS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([incoming_json(d) for d in page or []])

    def retrieve(self, request: Request, pk: str) -> Response:
        """One document with its lines and opinions."""
        return Response(_document_body(selectors.incoming_get(_actor(request), int(pk))))

    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """The head or a delegate assigns: one lead, co-operating, for information (04)."""
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        document = selectors.incoming_get(actor, int(pk))
        services.assignment_create(
            actor=actor, document=document,
            lines=_lines(data.validated_data["lines"], document.agency_id),
            direction=data.validated_data["direction"])
        return Response(_document_body(document), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=ReassignSerializer)
    def reassign(self, request: Request, pk: str) -> Response:
        """The head or a delegate re-assigns: the open lines are withdrawn (kept, marked), new
        lines are created, the reason is written as a direction; no status to the sender."""
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        document = selectors.incoming_get(actor, int(pk))
        services.assignment_reassign(
            actor=actor, document=document,
            lines=_lines(data.validated_data["lines"], document.agency_id),
            reason=data.validated_data["reason"])
        return Response(_document_body(document), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], summary="The opinion thread",
                   responses=OPINION_OUT(many=True))
    @extend_schema(methods=["post"], summary="Write or correct an opinion",
                   request=OpinionSerializer, responses={201: OPINION_OUT})
    @action(detail=True, methods=["get", "post"], serializer_class=OpinionSerializer,
            pagination_class=None)  # the whole thread, as it is returned
    def opinions(self, request: Request, pk: str) -> Response:
        """GET: the thread. POST: write an opinion, or a correction (``corrects``)."""
        actor = _actor(request)
        document = selectors.incoming_get(actor, int(pk))
        if request.method == "GET":
            return Response([opinion_json(o) for o in selectors.opinions_of(document)])
        data = OpinionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        corrects_id = data.validated_data.get("corrects")
        opinion = services.opinion_write(
            actor=actor, document=document, text=data.validated_data["text"],
            kind=data.validated_data.get("kind"),
            corrects=selectors.opinion_get(actor, corrects_id) if corrects_id else None)
        return Response(opinion_json(opinion), status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        """The lead starts (05)."""
        actor = _actor(request)
        document = services.incoming_start(actor=actor,
                                           document=selectors.incoming_get(actor, int(pk)))
        return Response(incoming_json(document))

    @action(detail=True, methods=["post"], serializer_class=CompleteSerializer)
    def complete(self, request: Request, pk: str) -> Response:
        """The lead (or the head) completes (06), linking the reply document if given."""
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        reply_id = data.validated_data.get("reply_document_id")
        document = services.incoming_complete(
            actor=actor, document=selectors.incoming_get(actor, int(pk)),
            reply_document=registry_selectors.document_get(actor, reply_id) if reply_id
            else None)
        return Response(incoming_json(document))


@extend_schema_view(
    list=extend_schema(summary="My tasks: open lines, in the order they were given",
                       responses=TASKS_OUT, parameters=af.parameters(TASK_FILTERS)),
    forward=extend_schema(summary="Pass the unit's line on", request=AssignSerializer,
                          responses={201: LINE_OUT(many=True)}),
    done=extend_schema(summary="Report the holder's part done", responses=LINE_OUT))
@path_ids(id_parameter(
    "number", "Mã số của dòng phân công / the assignment line's number"))
class LineViewSet(viewsets.GenericViewSet[AssignmentLine]):
    """The caller's open lines (my tasks); passing a line on; reporting a part done."""

    page_ordering = "pk"  # the order they were given (a deadline is no unique key)
    list_parameters = af.names(TASK_FILTERS)

    lookup_value_regex = ID_PATTERN

    serializer_class = LineSerializer

    def get_queryset(self) -> Any:
        return AssignmentLine.objects.none()

    def list(self, request: Request) -> Response:
        """My tasks: open lines, paged; ``due`` and ``role`` narrow them as on the page."""
        actor = _actor(request)
        values = af.read(request.query_params, TASK_FILTERS)
        lines = selectors.by_due(selectors.my_open_lines(actor), values.get("due", ""),
                                 actor.agency_id or 0)
        page = self.paginate_queryset(af.narrow(lines, values, {"role": "role"}))
        return self.get_paginated_response([{**line_json(x), "incoming": incoming_json(x.incoming)}
                                            for x in page or []])

    @extend_schema(request=AssignSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: str) -> Response:
        """A unit's leader passes the unit's line on to specialists."""
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        line = selectors.line_get(actor, int(pk))
        assignment = services.assignment_forward(
            actor=actor, line=line,
            lines=_lines(data.validated_data["lines"], line.incoming.agency_id),
            direction=data.validated_data["direction"])
        return Response([line_json(x) for x in assignment.lines.select_related("assignment")],
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        """A holder reports its part done."""
        actor = _actor(request)
        line = services.line_done(actor=actor, line=selectors.line_get(actor, int(pk)))
        return Response(line_json(line))


def _item_remove(request: Request, pk: str, item_id: str) -> Response:
    """Take a document out of an open work file (audited by the service)."""
    actor = _actor(request)
    work_file = selectors.work_file_get(actor, int(pk))
    item = work_file.items.filter(pk=int(item_id)).first()
    if item is None:
        raise not_found("văn bản trong hồ sơ", "File item")
    services.work_file_remove(actor=actor, item=item)
    return Response(work_file_json(work_file, items=True))


@extend_schema_view(
    list=extend_schema(summary="Work files, newest first", responses=WORK_FILE_LIST_OUT,
                       parameters=af.parameters(FILE_FILTERS)),
    retrieve=extend_schema(summary="One work file with its documents",
                           responses=WORK_FILE_OUT),
    create=extend_schema(summary="Open a work file", responses={201: WORK_FILE_OUT}),
    partial_update=extend_schema(summary="Correct an open file's metadata",
                                 responses=WORK_FILE_OUT),
    items=extend_schema(summary="Add a document to the file", request=ItemSerializer,
                        responses={201: WORK_FILE_OUT}),
    remove_item=extend_schema(summary="Take a document out (deprecated: DELETE the item)",
                              responses=WORK_FILE_OUT),
    item=extend_schema(summary="Take a document out of an open file", responses=WORK_FILE_OUT),
    close=extend_schema(summary="Close the file", request=CloseSerializer,
                        responses=WORK_FILE_OUT))
@path_ids(
    id_parameter("number", "Mã số của hồ sơ công việc / the work file's number"),
    id_parameter("number", "Mã số của mục trong hồ sơ / the item's number", name="item_id"))
class WorkFileViewSet(viewsets.GenericViewSet[WorkFile]):
    """Work files of the caller's agency (R12.1)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = WorkFileSerializer
    list_parameters = af.names(FILE_FILTERS)
    queryset = WorkFile.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> Any:
        return selectors.work_files_of(_actor(self.request))

    def list(self, request: Request) -> Response:
        """Newest first; ``year`` and ``state`` (open, closed) narrow them as on the page."""
        values = af.read(request.query_params, FILE_FILTERS)
        files = af.narrow(self.get_queryset(), values, FILE_LOOKUPS)
        if "state" in values:
            files = files.filter(closed_at__isnull=values["state"] == "open")
        page = self.paginate_queryset(files)
        return self.get_paginated_response([work_file_json(f) for f in page or []])

    def retrieve(self, request: Request, pk: str) -> Response:
        """One file with its documents."""
        return Response(work_file_json(selectors.work_file_get(_actor(request), int(pk)),
                                       items=True))

    def create(self, request: Request) -> Response:
        """Open a work file in the caller's agency."""
        data = WorkFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        values = dict(data.validated_data)
        unit = _unit(values.pop("unit_id", None), actor.agency_id or 0)
        created = services.work_file_create(actor=actor,
                                            data=services.WorkFileInput(unit=unit, **values))
        return Response(work_file_json(created, items=True), status=status.HTTP_201_CREATED)

    @extend_schema(request=WorkFileSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Correct the metadata of an open file (the creator or the head or delegate); fields
        left out keep their value, ``"unit_id": null`` clears the unit."""
        data = WorkFileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        work_file = selectors.work_file_get(actor, int(pk))
        current = {"notation": work_file.notation, "title": work_file.title,
                   "retention_years": work_file.retention_years, "year": work_file.year,
                   "start_date": work_file.start_date, "rights": work_file.rights,
                   "language": work_file.language, "page_total": work_file.page_total,
                   "note": work_file.note, "unit_id": work_file.unit_id}
        values = {**current, **data.validated_data}
        unit = _unit(values.pop("unit_id"), work_file.agency_id)
        work_file = services.work_file_update(
            actor=actor, work_file=work_file, data=services.WorkFileInput(unit=unit, **values))
        return Response(work_file_json(work_file, items=True))

    @action(detail=True, methods=["post"], serializer_class=ItemSerializer)
    def items(self, request: Request, pk: str) -> Response:
        """Add an incoming or outgoing document of the agency."""
        data = ItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        work_file = selectors.work_file_get(actor, int(pk))
        incoming_id = data.validated_data.get("incoming_id")
        document_id = data.validated_data.get("document_id")
        services.work_file_add(
            actor=actor, work_file=work_file,
            incoming=selectors.incoming_get(actor, incoming_id) if incoming_id else None,
            document=registry_selectors.document_get(actor, document_id) if document_id
            else None)
        return Response(work_file_json(work_file, items=True), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, deprecated=True,
                   description="Deprecated: use DELETE /api/v1/workflow/files/{id}/items/"
                   "{item_id}/, which does the same.")
    @action(detail=True, methods=["post"], url_path=rf"items/(?P<item_id>{ID_PATTERN})/remove")
    def remove_item(self, request: Request, pk: str, item_id: str) -> Response:
        """Take a document out of an open file (audited); kept for existing clients."""
        return _item_remove(request, pk, item_id)

    @extend_schema(request=None)
    @action(detail=True, methods=["delete"], url_path=rf"items/(?P<item_id>{ID_PATTERN})",
            url_name="item")
    def item(self, request: Request, pk: str, item_id: str) -> Response:
        """Take a document out of an open file (audited); answers the file as it now is."""
        return _item_remove(request, pk, item_id)

    @action(detail=True, methods=["post"], serializer_class=CloseSerializer)
    def close(self, request: Request, pk: str) -> Response:
        """Close the file: read-only from then on."""
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        work_file = services.work_file_close(
            actor=actor, work_file=selectors.work_file_get(actor, int(pk)),
            end_date=data.validated_data.get("end_date"),
            page_total=data.validated_data.get("page_total"))
        return Response(work_file_json(work_file, items=True))


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("workflow/incoming", IncomingWorkViewSet, basename="workflow-incoming")
    router.register("workflow/tasks", LineViewSet, basename="workflow-line")
    router.register("workflow/files", WorkFileViewSet, basename="workflow-file")
