"""Reads of the registry, scoped to the actor's agency (R1.1: another agency's document is
"not found"): documents, their files, the dispatch plan and recipients block, the registers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, F, Func, Q, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

from vanban.core.errors import not_found
from vanban.core.fold import words
from vanban.core.roles import Actor
from vanban.registry import rules
from vanban.registry.core import dispatch
from vanban.registry.core.approval import edit_refusal, submit_refusal
from vanban.registry.core.recipients_block import (
    RecipientLine,
    RecipientsBlock,
    clean_text,
    render_block,
)
from vanban.registry.models import (
    ApprovalState,
    ApprovalStep,
    Document,
    DocumentFile,
    DocumentRecipient,
    DocumentState,
    FileKind,
    Register,
)


def documents_of(actor: Actor | None, *, agency_id: int | None = None) -> QuerySet[Document]:
    """The documents of the actor's agency, newest first (the console operator: any agency)."""
    documents = Document.objects.select_related("agency", "unit", "register")
    if actor is None:
        return documents if agency_id is None else documents.filter(agency_id=agency_id)
    if actor.agency_id is None:
        return documents.none()
    return documents.filter(agency_id=actor.agency_id)


@dataclass(frozen=True)
class DocumentFilter:
    """What the outgoing list is narrowed to: words of the number, notation, subject or signer;
    a state; a year of issue (or of drafting, for drafts); a type."""

    text: str = ""
    state: str = ""
    year: int | None = None
    type_code: str = ""


def documents_search(documents: QuerySet[Document], query: DocumentFilter) -> QuerySet[Document]:
    """The documents matching every part of ``query`` (each word somewhere in the number,
    notation, subject, type, signer or issue date; diacritics and đ/d folded: the one search
    rule of ADR 0017)."""
    for word in words(query.text):
        match = Q(search_text__contains=word)
        if _numbered(word):
            match |= Q(code_number=int(word.split("/", 1)[0]))
        documents = documents.filter(match)
    if query.state:
        documents = documents.filter(state=query.state)
    if query.year is not None:
        documents = documents.filter(Q(issued_date__year=query.year)
                                     | Q(issued_date__isnull=True, created_at__year=query.year))
    if query.type_code:
        documents = documents.filter(type_code=query.type_code)
    return documents


def _numbered(word: str) -> bool:
    """Whether ``word`` may also be a document's number (``12`` or ``12/UBND``)."""
    number = word.split("/", 1)[0]
    return number.isdigit() and len(number) < 10


# The largest id: the upper end of an agency's key range (ids are 64-bit).
_MAX_ID = 2**63 - 1


def _pair(first: Any, second: Any) -> Func:
    """A row value ``(first, second)`` (PostgreSQL and SQLite compare them column by column)."""
    return Func(first, second, function="", output_field=BigIntegerField())


def in_agency_range(documents: QuerySet[Document], agency_id: int) -> QuerySet[Document]:
    """``documents`` bounded to the agency's key range of the ``(agency_id, id DESC)`` index,
    ``(agency_id, id) > (agency, 0) AND (agency_id, id) < (agency, max)``: always true for the
    agency's rows, so nothing changes but the plan.

    Why: for ``WHERE agency_id = … ORDER BY id DESC LIMIT 51`` PostgreSQL assumes the agency's
    rows are spread evenly over the ids and walks the primary key backwards; an agency whose
    newest documents are older than the rest of the installation's (a quiet agency in a busy
    province) then pays a walk of every newer row of the others (900,000 in the benchmark,
    300–500 ms). The row-value bounds are conditions of that index only, and estimated as
    narrow, so the planner reads the agency's newest rows from the index and stops after one
    page (under 1 ms). Word searches too: the walk stays inside the agency (a common word:
    5 ms, was 500 ms through the primary key; a word no row has: the agency's every row,
    58 ms at 100,000, which is why rare words go by :func:`rare_word_ids`). Neither a
    composite trigram index (btree_gin) nor a subquery of the trigram matches kept the planner
    off the primary key for a common word (670 and 384 ms).
    """
    return documents.filter(
        GreaterThan(_pair(F("agency_id"), F("id")), _pair(Value(agency_id), Value(0))),
        LessThan(_pair(F("agency_id"), F("id")), _pair(Value(agency_id), Value(_MAX_ID))))


# At most this many matches of the words are taken from the trigram index; more, and the
# agency's key range is walked instead (a common word fills a page within a few rows there).
PROBE_CAP = 200
# The trigram index serves a word of at least this many characters (one trigram).
_TRIGRAM = 3


def rare_word_ids(agency_id: int, probe: list[str]) -> list[int] | None:
    """The ids of the agency's documents whose folded text holds every word of ``probe``,
    when there are at most :data:`PROBE_CAP` of them; ``None`` when there are more, or when
    no word can be looked up in the trigram index (SQLite; words under three characters).

    Why: walking the agency's key range (:func:`in_agency_range`) finds a common word in a
    few rows, but a word no row has reads every row of the agency (58 ms at 100,000, 174 ms
    for the page). Without an order, PostgreSQL answers this capped probe from the trigram
    index for a rare word (``Bitmap Index Scan on document_search_trgm``, under 2 ms for an
    absent word) and stops after ``PROBE_CAP + 1`` rows of the agency's index for a common
    one (about 7 ms at one row in 50): the ids found are a superset of the answer, exact once
    the query's own conditions are applied to them. A word that may be a number is left out
    of the probe (its number matches by ``code_number``, which the trigram index cannot see)."""
    if connection.vendor != "postgresql" or not any(len(w) >= _TRIGRAM for w in probe):
        return None
    found = Document.objects.filter(agency_id=agency_id)
    for word in probe:
        found = found.filter(search_text__contains=word)
    ids = list(found.order_by().values_list("pk", flat=True)[:PROBE_CAP + 1])
    return ids if len(ids) <= PROBE_CAP else None


def newest_of_agency(documents: QuerySet[Document], agency_id: int,
                     probe: list[str]) -> QuerySet[Document]:
    """``documents`` (already narrowed to the agency and by the words ``probe`` among other
    conditions), shaped for PostgreSQL's planner: the few matches of rare words by id
    (:func:`rare_word_ids`), else the agency's key range (:func:`in_agency_range`). Agency,
    unit and register are read by id after the page (three small queries): joined, the
    range's narrow estimate would hash-join the agency's every row first."""
    documents = documents.select_related(None).prefetch_related("agency", "unit", "register")
    ids = rare_word_ids(agency_id, probe) if probe else None
    if ids is not None:
        return documents.filter(pk__in=ids)
    return in_agency_range(documents, agency_id)


def documents_list(actor: Actor | None, query: DocumentFilter) -> QuerySet[Document]:
    """The outgoing list (the page's and the API's): :func:`documents_of` narrowed by
    :func:`documents_search`, on PostgreSQL through :func:`newest_of_agency` (the rare words'
    ids or the agency's key range). SQLite already reads ``(agency_id, id DESC)`` for the plain
    filter, and would sort the range instead."""
    documents = documents_search(documents_of(actor), query)
    if actor is None or actor.agency_id is None or connection.vendor != "postgresql":
        return documents
    # A word that may be a number also matches by number: only the others bound the probe.
    probe = [w for w in words(query.text) if not _numbered(w)]
    return newest_of_agency(documents, actor.agency_id, probe)


@dataclass(frozen=True)
class DocumentParts:
    """A document's recipients (with their agencies) and files, read for a whole page."""

    recipients: list[DocumentRecipient]
    files: list[DocumentFile]


def document_parts(documents: list[Document]) -> dict[int, DocumentParts]:
    """The parts of every document of a page in two queries, grouped in Python (a page of
    200 documents: two queries instead of 600, and no queryset built per row: issue 15)."""
    ids = [d.pk for d in documents]
    parts = {pk: DocumentParts(recipients=[], files=[]) for pk in ids}
    for recipient in (DocumentRecipient.objects.filter(document_id__in=ids)
                      .select_related("agency").order_by("document_id", "position", "id")):
        parts[recipient.document_id].recipients.append(recipient)
    for found in (DocumentFile.objects.filter(document_id__in=ids)
                  .order_by("document_id", "uploaded_at", "id")):
        parts[found.document_id].files.append(found)
    return parts


def document_get(actor: Actor | None, document_id: int) -> Document:
    """One document of the actor's agency, or ``NotFound`` (also for another agency's)."""
    document = documents_of(actor).filter(pk=document_id).first()
    if document is None:
        raise not_found("văn bản", "Document")
    return document


def files_of(document: Document) -> QuerySet[DocumentFile]:
    """Every file of the document, oldest first."""
    return document.files.select_related("uploaded_by").order_by("uploaded_at", "id")


def current_file(document: Document) -> DocumentFile | None:
    """The file to sign or send unsigned: the latest original or merged (with appendices)."""
    return (document.files.filter(kind__in=[FileKind.ORIGINAL, FileKind.MERGED])
            .order_by("-uploaded_at", "-id").first())


def signed_file(document: Document) -> DocumentFile | None:
    """The latest signed file, if any."""
    return document.files.filter(kind=FileKind.SIGNED).order_by("-uploaded_at", "-id").first()


def file_get(actor: Actor | None, document_id: int, file_id: int) -> DocumentFile:
    """One file of a visible document, or ``NotFound``."""
    document = document_get(actor, document_id)
    found = document.files.filter(pk=file_id).first()
    if found is None:
        raise not_found("tệp", "File")
    return found


@dataclass(frozen=True)
class PlanRow:
    """One line of the dispatch plan (R3.2): who, how, and whether paper goes too, and why."""

    recipient: DocumentRecipient
    channel: dispatch.Channel
    paper: bool
    reasons: tuple[dispatch.PaperReason, ...]

    def channel_label(self, language: str = "vi") -> str:
        """The channel in words."""
        vi, en = dispatch.CHANNEL_LABELS[self.channel]
        return en if language.startswith("en") else vi

    def reason_labels(self, language: str = "vi") -> list[str]:
        """The paper reasons in words."""
        index = 1 if language.startswith("en") else 0
        return [dispatch.REASON_LABELS[r][index] for r in self.reasons]


def paper_required_types() -> frozenset[str]:
    """R3.2c: document types that always go on paper too (``VANBAN_PAPER_REQUIRED_TYPES``)."""
    return frozenset(getattr(settings, "VANBAN_PAPER_REQUIRED_TYPES", ()))


def _facts(recipient: DocumentRecipient) -> dispatch.RecipientFacts:
    agency = recipient.agency
    paper_listed = recipient.role == DocumentRecipient.ROLE_PAPER
    if agency is None:
        return dispatch.RecipientFacts(individual=True, mailbox=recipient.mailbox,
                                       paper_listed=paper_listed)
    remote = bool(agency.installation)
    return dispatch.RecipientFacts(local=agency.active and not remote,
                                   remote=agency.active and remote,
                                   connected=agency.connected, mailbox=agency.mailbox,
                                   paper_listed=paper_listed)


def recipients_of(document: Document) -> QuerySet[DocumentRecipient]:
    """The document's recipients with their agencies, in order."""
    return document.recipients.select_related("agency")


def dispatch_plan(document: Document,
                  recipients: list[DocumentRecipient] | None = None) -> list[PlanRow]:
    """R3.2: for every recipient, the channel and whether a paper copy must also go
    (``recipients``: already read, e.g. by :func:`document_parts`; else read here)."""
    facts = dispatch.DocumentFacts(type_code=document.type_code,
                                   legal_normative=document.legal_normative,
                                   sender_connected=document.agency.connected)
    paper_types = paper_required_types()
    rows = []
    for recipient in recipients_of(document) if recipients is None else recipients:
        plan = dispatch.plan_for(facts, _facts(recipient), paper_types=paper_types)
        rows.append(PlanRow(recipient=recipient, channel=plan.channel, paper=plan.paper,
                            reasons=plan.reasons))
    return rows


def document_dispatch_plan(actor: Actor | None, document_id: int) -> list[PlanRow]:
    """The plan of a visible document."""
    return dispatch_plan(document_get(actor, document_id))


def recipients_block(document: Document,
                     recipients: list[DocumentRecipient] | None = None) -> RecipientsBlock:
    """R6.1: paper recipients (chosen so, or needing paper by R3.2) under "Nơi nhận:", the others
    under "Bản điện tử:"; "Lưu:" with the archive units."""
    paper: list[RecipientLine] = []
    electronic: list[RecipientLine] = []
    for row in dispatch_plan(document, recipients):
        line = RecipientLine(clean_text(row.recipient.display_name))
        on_paper = row.paper or row.recipient.role == DocumentRecipient.ROLE_PAPER
        (paper if on_paper else electronic).append(line)
    archive = tuple(u for u in (clean_text(x) for x in document.archive_units.split(",")) if u)
    return RecipientsBlock(paper=tuple(paper), electronic=tuple(electronic), archive=archive)


def recipients_block_text(document: Document,
                          recipients: list[DocumentRecipient] | None = None) -> str:
    """The block as text, ready to print or paste into the document."""
    return render_block(recipients_block(document, recipients))


def registers_of(actor: Actor | None) -> QuerySet[Register]:
    """The registers of the actor's agency."""
    registers = Register.objects.select_related("agency", "counter")
    if actor is None:
        return registers
    if actor.agency_id is None:
        return registers.none()
    return registers.filter(agency_id=actor.agency_id)


def register_entries(register: Register) -> QuerySet[Document]:
    """The register's documents in number order (cancelled ones included: they keep numbers)."""
    return (register.documents.select_related("agency", "unit")
            .prefetch_related("recipients__agency").order_by("code_number"))


def register_years(actor: Actor | None) -> list[int]:
    """Years with a register, newest first."""
    return sorted(set(registers_of(actor).values_list("year", flat=True)), reverse=True)


def can_manage(actor: Actor | None, document: Document) -> bool:
    """Whether the actor is the agency's clerk (for showing the clerk's buttons)."""
    return rules.is_clerk(actor, document.agency_id)


def can_edit(actor: Actor | None, document: Document) -> bool:
    """Whether the actor may edit this draft (not while the head decides, nor once approved)."""
    return (document.state == DocumentState.DRAFT and rules.can_draft(actor, document.agency_id)
            and edit_refusal(document.approval) is None)


def register_get(actor: Actor | None, *, year: int, series: str) -> Register:
    """One register of the actor's agency, or ``NotFound``."""
    register = registers_of(actor).filter(year=year, series=series).first()
    if register is None:
        raise not_found("sổ đăng ký", "Register")
    return register


def approval_steps(document: Document) -> list[ApprovalStep]:
    """Every step of the draft's approval and the head's notes, oldest first (they stay with
    the document whatever its state)."""
    return list(document.approval_steps.order_by("at", "pk"))


def awaiting_approval(actor: Actor | None) -> QuerySet[Document]:
    """The "Chờ duyệt" queue: drafts of the actor's agency submitted to the head, for those who
    approve (empty for anybody else)."""
    if actor is None or actor.agency_id is None or not rules.can_approve(actor, actor.agency_id):
        return Document.objects.none()
    return documents_of(actor).filter(state=DocumentState.DRAFT, approval=ApprovalState.PENDING)


def can_submit(actor: Actor | None, document: Document) -> bool:
    """Whether the "Trình duyệt" button is offered."""
    return (rules.can_submit(actor, document.agency_id) and not document.classified
            and submit_refusal(document.state, document.approval) is None)


def can_decide(actor: Actor | None, document: Document) -> bool:
    """Whether the head's approve/return/note form is offered."""
    return (rules.can_approve(actor, document.agency_id)
            and document.state == DocumentState.DRAFT)
