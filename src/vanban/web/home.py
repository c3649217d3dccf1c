"""What the home page shows each role: its duties under the regulation and where to act."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from vanban.accounts.models import User
from vanban.checks import selectors as checks_selectors
from vanban.core.roles import Role


@dataclass(frozen=True)
class Block:
    """A card on the home page."""

    title: str
    duties: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)
    # Duties of the regulation this version of the system does not support yet.
    coming: list[str] = field(default_factory=list)


def _link(label: str, name: str, *args: object) -> list[tuple[str, str]]:
    try:
        return [(label, reverse(name, args=args))]
    except NoReverseMatch:
        return []


def blocks_for(user: User) -> list[Block]:
    """Cards for each of the user's roles, in the order of the regulation."""
    roles = user.role_set()
    out: list[Block] = []
    if Role.PROVINCE_ADMIN in roles:
        out.append(Block(
            _("Quản trị cấp tỉnh (Sở TT&TT)"),
            [_("Tạo cơ quan và hộp thư công vụ của cơ quan (Điều 20)."),
             _("Cấp chứng thư số cho cơ quan (Điều 21).")],
            _link(_("Danh bạ cơ quan"), "directory:agency_tree")
            + _link(_("Chứng thư số"), "signatures:certificate_list"),
            [_("Tổng hợp báo cáo gửi, nhận văn bản điện tử toàn tỉnh (Điều 22).")],
        ))
    if Role.HEAD in roles or Role.DELEGATE in roles:
        out.append(Block(
            _("Lãnh đạo cơ quan"),
            [_("Phân công xử lý văn bản đến cho đơn vị và chuyên viên (Điều 8)."),
             _("Tạo tài khoản cho cán bộ của cơ quan (Điều 20)."),
             _("Chịu trách nhiệm an toàn thông tin của cơ quan (Điều 17).")],
            _link(_("Văn bản chờ phân công"), "workflow:unassigned")
            + _link(_("Văn bản quá hạn"), "workflow:overdue")
            + _link(_("Cán bộ của cơ quan"), "accounts:staff_list")
            + _link(_("Văn bản đi"), "registry:document_list")
            + _link(_("Nhật ký kiểm toán"), "audit:event_list"),
        ))
    if Role.CLERK in roles:
        out.append(Block(
            _("Văn thư"),
            [_("Kiểm tra văn bản đến ít nhất hai lần mỗi ngày làm việc (Điều 10)."),
             _("Vào sổ văn bản đến, gắn văn bản vào hệ thống (Điều 10)."),
             _("Quét, ký số và gửi văn bản đi (Điều 9, Điều 15).")],
            _link(_("Văn bản đến"), "incoming:inbox")
            + _link(_("Sổ đăng ký văn bản đến"), "incoming:register_list")
            + _link(_("Soạn văn bản mới"), "registry:document_create")
            + _link(_("Sổ đăng ký văn bản đi"), "registry:register_view"),
        ))
    if Role.SPECIALIST in roles:
        out.append(Block(
            _("Chuyên viên"),
            [_("Xử lý văn bản được phân công, ghi ý kiến trên hệ thống (Điều 8, Điều 14)."),
             _("Soạn dự thảo văn bản đi để văn thư vào sổ và ký số (Điều 9).")],
            _link(_("Việc của tôi"), "workflow:my_tasks")
            + _link(_("Soạn văn bản mới"), "registry:document_create"),
        ))
    if Role.ONESTOP in roles:
        out.append(Block(
            _("Bộ phận một cửa"),
            [_("Tiếp nhận, kiểm tra và tạo lập hồ sơ điện tử (Điều 11)."),
             _("Chuyển xử lý, liên thông và trả kết quả đúng hẹn (Điều 11).")],
            _link(_("Tiếp nhận hồ sơ"), "onestop:intake")
            + _link(_("Hồ sơ một cửa"), "onestop:desk"),
        ))
    if Role.IT_OFFICER in roles or Role.SECURITY_OFFICER in roles:
        out.append(Block(
            _("Công nghệ thông tin và an toàn thông tin"),
            [_("Quản trị hệ thống của cơ quan (Điều 23)."),
             _("Theo dõi nhật ký truy cập và sự cố (Điều 17, Điều 18).")],
            _link(_("Nhật ký kiểm toán"), "audit:event_list"),
        ))
    unread = checks_selectors.reminders_unread_count(user)
    if unread:
        out.insert(0, Block(
            _("Nhắc kiểm tra văn bản đến"),
            [_("Bạn có %(n)s lời nhắc chưa đọc: hộp thư chưa được kiểm tra trong khi có văn "
               "bản chờ (Điều 10).") % {"n": unread}],
            _link(_("Xem lời nhắc"), "checks:reminders")
            + _link(_("Mở hộp thư văn bản đến"), "incoming:inbox")))
    if not out:
        out.append(Block(_("Tài khoản chưa được giao vai trò"),
                         [_("Liên hệ lãnh đạo cơ quan để được phân quyền.")]))
    return out
