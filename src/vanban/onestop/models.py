"""Tables of the one-stop desk: the procedure catalogue (versioned) and the dossiers.

A procedure row is one *version*: editing a procedure writes a new row (``version`` + 1) and
points the old one at it (``replaced_by``); a dossier keeps the row it was received under
(onestop.md §4). Dossier codes come from :class:`DossierCounter`, a row per (identifier, local
day) locked in the accepting transaction, never from a sequence (gap-free, §6). The history
(:class:`DossierEvent`) is append-only by database triggers (``triggers.py``), as opinions are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanban.core import clock
from vanban.onestop.core.states import RUNNING, TERMINAL, State

OPEN_STATES = sorted(s.value for s in State if s not in TERMINAL)
"""States of a dossier not yet finished, in a stable order (the partial indexes' condition)."""


class DossierState(models.TextChoices):
    """§5 states; the moves between them are ``core/states.py``."""

    SUBMITTED = State.SUBMITTED.value, _("Mới nộp, chờ kiểm tra")
    INTAKE_SUPPLEMENT = State.INTAKE_SUPPLEMENT.value, _("Chờ bổ sung khi tiếp nhận")
    REFUSED = State.REFUSED.value, _("Từ chối tiếp nhận")
    ACCEPTED = State.ACCEPTED.value, _("Đã tiếp nhận")
    PROCESSING = State.PROCESSING.value, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = State.SUPPLEMENT_REQUESTED.value, _("Chờ bổ sung sau thẩm định")
    FEE_DUE = State.FEE_DUE.value, _("Chờ thực hiện nghĩa vụ tài chính")
    RESULT_READY = State.RESULT_READY.value, _("Đã có kết quả")
    REFUSED_AFTER_APPRAISAL = State.REFUSED_AFTER_APPRAISAL.value, _("Từ chối giải quyết")
    RETURNED = State.RETURNED.value, _("Đã trả kết quả")
    WITHDRAWAL_REQUESTED = State.WITHDRAWAL_REQUESTED.value, _("Công dân xin rút hồ sơ")
    STOPPED = State.STOPPED.value, _("Dừng giải quyết")
    CLOSED_NO_SUPPLEMENT = State.CLOSED_NO_SUPPLEMENT.value, _("Kết thúc do không bổ sung")
    TRANSFERRED = State.TRANSFERRED.value, _("Đã chuyển cơ quan khác")


class LimitUnit(models.TextChoices):
    """Unit of a time limit (thời hạn giải quyết, §4)."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    MONTHS = "months", _("tháng")


class OnlineLevel(models.TextChoices):
    """Mức độ dịch vụ công trực tuyến (NĐ 42/2022)."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class Channel(models.TextChoices):
    """How a dossier came in (DVCQG ``KenhThucHien``: 1 counter, 2 online, 3 post)."""

    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Bưu chính công ích")
    AGENCY = "agency", _("Liên thông từ cơ quan khác")


class DocumentForm(models.TextChoices):
    """Form of a required paper (thành phần hồ sơ)."""

    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    ELECTRONIC = "electronic", _("Bản điện tử")


class StepRole(models.TextChoices):
    """Who does a step of a procedure."""

    ONESTOP = "onestop", _("Bộ phận một cửa")
    HANDLING = "handling", _("Chuyên viên xử lý")
    APPROVING = "approving", _("Lãnh đạo phê duyệt")
    JOINT = "joint", _("Cơ quan phối hợp liên thông")


class Classification(models.TextChoices):
    """Secrecy of the content; anything but NORMAL is refused at intake (R3.1)."""

    NORMAL = "thuong", _("Thường")
    SECRET = "mat", _("Mật")
    TOP_SECRET = "toi_mat", _("Tối mật")
    ABSOLUTE_SECRET = "tuyet_mat", _("Tuyệt mật")


class Procedure(models.Model):
    """One version of an agency's administrative procedure (thủ tục hành chính, §4)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="onestop_procedures", verbose_name=_("Cơ quan"))
    code = models.CharField(_("Mã thủ tục"), max_length=50,
                            help_text=_("Mã trên Cơ sở dữ liệu quốc gia về TTHC"))
    name = models.CharField(_("Tên thủ tục"), max_length=500)
    sector = models.CharField(_("Lĩnh vực"), max_length=200, blank=True)
    deciding_body = models.CharField(_("Cơ quan giải quyết"), max_length=300, blank=True)
    limit_value = models.DecimalField(_("Thời hạn giải quyết"), max_digits=6, decimal_places=1)
    limit_unit = models.CharField(_("Đơn vị thời hạn"), max_length=20, choices=LimitUnit.choices,
                                  default=LimitUnit.WORKING_DAYS)
    fee = models.CharField(_("Phí, lệ phí"), max_length=500, blank=True)
    fee_pauses_clock = models.BooleanField(_("Chờ nộp phí thì dừng tính thời gian"),
                                           default=False)
    result = models.CharField(_("Kết quả"), max_length=500, blank=True)
    result_type_code = models.CharField(_("Mã loại kết quả"), max_length=30, blank=True)
    online_level = models.CharField(_("Mức độ trực tuyến"), max_length=10,
                                    choices=OnlineLevel.choices, default=OnlineLevel.NONE)
    channels = models.JSONField(_("Cách thức nộp"), default=list, blank=True)
    active = models.BooleanField(_("Đang áp dụng"), default=True)
    version = models.PositiveIntegerField(_("Phiên bản"), default=1)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces",
                                       verbose_name=_("Thay bằng phiên bản"))
    created_at = models.DateTimeField(_("Tạo lúc"), default=clock.now)

    class Meta:
        verbose_name = _("Thủ tục hành chính")
        verbose_name_plural = _("Thủ tục hành chính")
        ordering = ("agency", "code", "-version")
        constraints = (
            models.UniqueConstraint(fields=("agency", "code", "version"),
                                    name="onestop_procedure_version_once"),
        )
        indexes = (models.Index(fields=("agency", "active", "code"),
                                name="onestop_procedure_current"),)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def current(self) -> bool:
        """The version new dossiers are received under."""
        return self.replaced_by_id is None


class ProcedureStep(models.Model):
    """A step of a procedure: which unit (or, liên thông, which other agency) does what, in
    how long. The steps' times add up to at most the procedure's limit (§4)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps",
                                  verbose_name=_("Thủ tục"))
    order = models.PositiveSmallIntegerField(_("Thứ tự"))
    agency = models.ForeignKey("directory.Agency", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("Cơ quan phối hợp"),
                               help_text=_("Để trống nếu là cơ quan của thủ tục"))
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("Đơn vị"))
    role = models.CharField(_("Vai trò"), max_length=20, choices=StepRole.choices,
                            default=StepRole.HANDLING)
    time_value = models.DecimalField(_("Thời gian"), max_digits=6, decimal_places=1)
    time_unit = models.CharField(_("Đơn vị thời gian"), max_length=20, choices=LimitUnit.choices,
                                 default=LimitUnit.WORKING_DAYS)
    description = models.CharField(_("Nội dung công việc"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Bước xử lý")
        verbose_name_plural = _("Bước xử lý")
        ordering = ("procedure", "order")
        constraints = (models.UniqueConstraint(fields=("procedure", "order"),
                                               name="onestop_procedure_step_order"),)

    def __str__(self) -> str:
        return f"{self.procedure_id}:{self.order}"


class RequiredDocument(models.Model):
    """A paper of the dossier (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE,
                                  related_name="required_documents", verbose_name=_("Thủ tục"))
    order = models.PositiveSmallIntegerField(_("Thứ tự"), default=0)
    name = models.CharField(_("Tên giấy tờ"), max_length=500)
    form = models.CharField(_("Hình thức"), max_length=20, choices=DocumentForm.choices,
                            default=DocumentForm.COPY)
    quantity = models.PositiveSmallIntegerField(_("Số lượng"), default=1)
    mandatory = models.BooleanField(_("Bắt buộc"), default=True)

    class Meta:
        verbose_name = _("Thành phần hồ sơ")
        verbose_name_plural = _("Thành phần hồ sơ")
        ordering = ("procedure", "order", "id")

    def __str__(self) -> str:
        return self.name


class DossierCounter(models.Model):
    """The last sequence number given for a code identifier on a local day; locked (SELECT …
    FOR UPDATE) to give the next, so codes are gap-free and unique (§6)."""

    identifier = models.CharField(max_length=35)
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Bộ đếm mã hồ sơ")
        constraints = (models.UniqueConstraint(fields=("identifier", "day"),
                                               name="onestop_counter_once_per_day"),)

    def __str__(self) -> str:
        return f"{self.identifier}/{self.day}:{self.last_number}"


class Dossier(models.Model):
    """A dossier (hồ sơ TTHC) at an agency's one-stop desk, from intake to return."""

    code = models.CharField(_("Mã hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    desk = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                             related_name="onestop_dossiers", verbose_name=_("Bộ phận một cửa"))
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers",
                                  verbose_name=_("Thủ tục (phiên bản)"))
    channel = models.CharField(_("Kênh nộp"), max_length=10, choices=Channel.choices,
                               default=Channel.COUNTER)
    classification = models.CharField(_("Độ mật"), max_length=20,
                                      choices=Classification.choices,
                                      default=Classification.NORMAL)
    applicant_name = models.CharField(_("Tên tổ chức, cá nhân"), max_length=200)
    applicant_id_number = models.CharField(_("Số định danh"), max_length=30, blank=True)
    applicant_address = models.CharField(_("Địa chỉ"), max_length=300, blank=True)
    applicant_phone = models.CharField(_("Điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("Thư điện tử"), blank=True)
    subject = models.CharField(_("Nội dung yêu cầu"), max_length=500, blank=True)
    state = models.CharField(_("Trạng thái"), max_length=30, choices=DossierState.choices,
                             default=DossierState.SUBMITTED)
    received_at = models.DateTimeField(_("Nhận lúc"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("Người tiếp nhận"))
    accepted_at = models.DateTimeField(_("Tiếp nhận lúc"), null=True, blank=True)
    clock_start = models.DateTimeField(_("Bắt đầu tính thời gian"), null=True, blank=True)
    due_at = models.DateTimeField(_("Hẹn trả kết quả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("Hẹn trả ban đầu"), null=True, blank=True,
                                           help_text=_("Trước khi gia hạn (một lần)"))
    finished_at = models.DateTimeField(_("Xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("Trả kết quả lúc"), null=True, blank=True)
    secret_hash = models.CharField(max_length=128, blank=True)
    extended = models.BooleanField(_("Đã gia hạn"), default=False)
    intake_supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_count = models.PositiveSmallIntegerField(_("Số lần yêu cầu bổ sung"), default=0)
    refusal_reason = models.TextField(_("Lý do từ chối"), blank=True)
    result_note = models.TextField(_("Kết quả giải quyết"), blank=True)
    clock_rules = models.JSONField(default=dict, blank=True, editable=False)
    """The clock's rules at acceptance (spec §7: frozen per dossier, so a later settings edit
    never moves a due time already printed); empty before acceptance."""
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("Hồ sơ thủ tục hành chính")
        verbose_name_plural = _("Hồ sơ thủ tục hành chính")
        ordering = ("-received_at", "-id")
        indexes = (
            models.Index(fields=("desk", "state", "-id"), name="onestop_dossier_queue"),
            models.Index(fields=("state", "due_at"), name="onestop_dossier_due"),
            models.Index(fields=("received_at",), name="onestop_dossier_received"),
            # The queues' counts (``queues.counts``): only open dossiers, a small part of a
            # desk's million, read index-only with their due time.
            models.Index(fields=("desk", "state", "due_at"), name="onestop_dossier_open",
                         condition=models.Q(state__in=OPEN_STATES)),
            models.Index(fields=("procedure", "state", "due_at"),
                         name="onestop_dossier_open_proc",
                         condition=models.Q(state__in=OPEN_STATES)),
        )

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def overdue(self) -> bool:
        """Past its due time and not yet finished (§5 flag, computed)."""
        if self.due_at is None or self.finished_at is not None:
            return False
        return State(self.state) in RUNNING and self.due_at < clock.now()

    @property
    def classified(self) -> bool:
        """Mật, Tối mật or Tuyệt mật (R3.1)."""
        return self.classification != Classification.NORMAL


class FileStage(models.TextChoices):
    """When a file joined the dossier."""

    INTAKE = "intake", _("Khi nộp")
    SUPPLEMENT = "supplement", _("Bổ sung")
    RESULT = "result", _("Kết quả")


class DossierFile(models.Model):
    """A scanned or uploaded paper of a dossier: a content-addressed blob (storage), passed
    through the security intake like every upload (R16.1)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="files",
                                verbose_name=_("Hồ sơ"))
    required_document = models.ForeignKey(RequiredDocument, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("Thành phần hồ sơ"))
    stage = models.CharField(_("Giai đoạn"), max_length=20, choices=FileStage.choices,
                             default=FileStage.INTAKE)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(_("Tên tệp"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Tệp hồ sơ")
        verbose_name_plural = _("Tệp hồ sơ")
        ordering = ("dossier", "uploaded_at", "id")

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.sha256[:12]}"


class DossierStep(models.Model):
    """The dossier's copy of a procedure step: who holds it, until when (§5 processing)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="steps",
                                verbose_name=_("Hồ sơ"))
    order = models.PositiveSmallIntegerField(_("Thứ tự"))
    procedure_step = models.ForeignKey(ProcedureStep, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("Vai trò"), max_length=20, choices=StepRole.choices,
                            default=StepRole.HANDLING)
    description = models.CharField(_("Nội dung công việc"), max_length=500, blank=True)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("Cơ quan"))
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("Đơn vị"))
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("Người đang giữ"))
    deadline = models.DateTimeField(_("Hạn của bước"), null=True, blank=True)
    started_at = models.DateTimeField(_("Bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Hoàn thành"), null=True, blank=True)

    class Meta:
        verbose_name = _("Bước xử lý của hồ sơ")
        verbose_name_plural = _("Bước xử lý của hồ sơ")
        ordering = ("dossier", "order")
        constraints = (models.UniqueConstraint(fields=("dossier", "order"),
                                               name="onestop_dossier_step_order"),)
        indexes = (models.Index(fields=("agency", "finished_at"), name="onestop_step_open"),)

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.order}"


class DossierEvent(models.Model):
    """One transition of a dossier: status change or hand-over (Art. 21.3: every status change is
    kept). Append-only (triggers); the control sheet Mẫu 06 and the DVCQG export read it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("Hồ sơ"))
    action = models.CharField(_("Thao tác"), max_length=40)
    from_state = models.CharField(_("Từ trạng thái"), max_length=30, blank=True)
    to_state = models.CharField(_("Sang trạng thái"), max_length=30)
    at = models.DateTimeField(_("Thời điểm"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("Người giao"))
    actor_name = models.CharField(_("Người giao"), max_length=150, blank=True)
    from_agency = models.ForeignKey("directory.Agency", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    from_unit = models.ForeignKey("directory.Unit", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("directory.Agency", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("directory.Unit", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("Người nhận"))
    step_deadline = models.DateTimeField(_("Hạn của bước"), null=True, blank=True)
    due_at = models.DateTimeField(_("Hẹn trả lúc đó"), null=True, blank=True)
    note = models.TextField(_("Ghi chú"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Lịch sử hồ sơ")
        verbose_name_plural = _("Lịch sử hồ sơ")
        ordering = ("dossier", "at", "id")
        indexes = (models.Index(fields=("dossier", "id"), name="onestop_event_dossier"),
                   models.Index(fields=("at", "id"), name="onestop_event_at"))

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.action}"


class SupplementStage(models.TextChoices):
    """When the supplement was asked for."""

    INTAKE = "intake", _("Khi tiếp nhận")
    APPRAISAL = "appraisal", _("Sau thẩm định")


class SupplementRequest(models.Model):
    """A request for supplements (Mẫu 02) listing every missing item; once at intake
    (Art. 17.1.c); after appraisal it stops the clock until the full supplement (Art. 19.5)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT,
                                related_name="supplement_requests", verbose_name=_("Hồ sơ"))
    stage = models.CharField(_("Giai đoạn"), max_length=20, choices=SupplementStage.choices)
    items = models.JSONField(_("Giấy tờ cần bổ sung"), default=list)
    reason = models.TextField(_("Lý do"), blank=True)
    requested_at = models.DateTimeField(_("Yêu cầu lúc"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    close_after = models.DateTimeField(_("Kết thúc nếu không bổ sung sau"), null=True,
                                       blank=True)
    fulfilled_at = models.DateTimeField(_("Đã bổ sung lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("Yêu cầu bổ sung")
        verbose_name_plural = _("Yêu cầu bổ sung")
        ordering = ("dossier", "requested_at", "id")

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.stage}"


class Extension(models.Model):
    """The apology and new appointment (Mẫu 04): once per dossier, at least one day before the
    due time, flagged ``late`` otherwise (Art. 19.6)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="extension",
                                   verbose_name=_("Hồ sơ"))
    reason = models.TextField(_("Lý do"))
    old_due_at = models.DateTimeField(_("Hẹn trả cũ"))
    new_due_at = models.DateTimeField(_("Hẹn trả mới"))
    issued_at = models.DateTimeField(_("Ngày phát hành"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    late = models.BooleanField(_("Phát hành muộn"), default=False)

    class Meta:
        verbose_name = _("Văn bản xin lỗi và gia hạn")
        verbose_name_plural = _("Văn bản xin lỗi và gia hạn")

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.new_due_at}"


class Withdrawal(models.Model):
    """The applicant's withdrawal and the desk's stop notice (Mẫu 05, Art. 21)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="withdrawal",
                                   verbose_name=_("Hồ sơ"))
    requested_at = models.DateTimeField(_("Ngày đề nghị"))
    reason = models.TextField(_("Lý do"), blank=True)
    returned_items = models.TextField(_("Giấy tờ, phí trả lại"), blank=True)
    stopped_at = models.DateTimeField(_("Dừng giải quyết lúc"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Rút hồ sơ")
        verbose_name_plural = _("Rút hồ sơ")

    def __str__(self) -> str:
        return f"{self.dossier_id}:withdrawal"


class ServiceRating(models.Model):
    """The applicant's rating of the service for a finished dossier (1–5 and a comment), once
    per dossier and never changed: written in the transaction of its audit event, read by the
    statistics (average per procedure or agency)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating",
                                   verbose_name=_("Hồ sơ"))
    score = models.PositiveSmallIntegerField(_("Mức đánh giá"))
    comment = models.TextField(_("Nhận xét"), blank=True)
    created_at = models.DateTimeField(_("Đánh giá lúc"), default=clock.now)

    class Meta:
        verbose_name = _("Đánh giá sự phục vụ")
        verbose_name_plural = _("Đánh giá sự phục vụ")
        ordering = ("-created_at", "-id")
        constraints = (models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                              name="onestop_rating_score_1_5"),)

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.score}"


class DossierForwarding(models.Model):
    """One sending of a dossier to another agency's desk (R11.1a): the registry draft the clerk
    numbers and sends, and the target. Written with the dossier's "sent to another agency"
    event; while it is open (draft not cancelled, delivery neither sent back nor withdrawn) the
    dossier is out of the sending desk's open queues and cannot be sent there again."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="forwardings",
                                verbose_name=_("Hồ sơ"))
    document = models.OneToOneField("registry.Document", on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("Phiếu chuyển"))
    target = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("Cơ quan nhận"))
    created_at = models.DateTimeField(_("Chuyển lúc"), default=clock.now)

    class Meta:
        verbose_name = _("Lần chuyển hồ sơ")
        verbose_name_plural = _("Lần chuyển hồ sơ")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.dossier_id}→{self.target_id}"
