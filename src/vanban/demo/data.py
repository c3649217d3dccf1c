"""The demo province: Bắc Giang's agencies as in 2015 (QĐ 133/2015/QĐ-UBND), with demo codes.

Codes follow the QCVN 102:2016 shape ``ddd.dd.dd.Xnn`` (vn-standards.md §1.8): the level-1 code
at the right, level 2 (departments, districts) in the group next to it, level 3 (communes) in the
middle group. The level-1 code ``H99`` is deliberately fictitious: Bắc Giang's real level-1 code
is unconfirmed and must not be guessed; a real installation imports the official list.
Pure data: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "demo.bacgiang.gov.vn"
LEVEL1 = "H99"

Unit = tuple[str, str, str]  # code, name, short name


@dataclass(frozen=True)
class DemoAgency:
    """One agency of the demo tree. ``slug`` makes usernames (``vt.<slug>``) and mailboxes."""

    slug: str
    level2: int
    name: str
    short_name: str
    kind: str
    units: tuple[Unit, ...]
    level3: int = 0
    parent: str | None = None
    connected: bool = True

    @property
    def code(self) -> str:
        """The demo identifier code."""
        return f"000.{self.level3:02d}.{self.level2:02d}.{LEVEL1}"

    @property
    def full_staff(self) -> bool:
        """Province, office, departments and districts get every role; communes a few."""
        return self.kind != "commune"


_DEPARTMENT_UNITS: tuple[Unit, ...] = (
    ("VP", "Văn phòng Sở", "VP"),
    ("KHTC", "Phòng Kế hoạch - Tài chính", "KHTC"),
    ("TTR", "Thanh tra Sở", "TTr"),
)
_DEPARTMENTS: tuple[tuple[int, str, str, str, Unit], ...] = (
    (2, "snv", "Sở Nội vụ", "SNV", ("TCBM", "Phòng Tổ chức - Biên chế", "TCBM")),
    (3, "stc", "Sở Tài chính", "STC", ("QLNS", "Phòng Quản lý ngân sách", "QLNS")),
    (4, "skhdt", "Sở Kế hoạch và Đầu tư", "SKHĐT", ("DKKD", "Phòng Đăng ký kinh doanh", "ĐKKD")),
    (5, "stp", "Sở Tư pháp", "STP", ("HCTP", "Phòng Hành chính tư pháp", "HCTP")),
    (6, "sgddt", "Sở Giáo dục và Đào tạo", "SGDĐT", ("GDTH", "Phòng Giáo dục Trung học", "GDTrH")),
    (7, "syt", "Sở Y tế", "SYT", ("NVY", "Phòng Nghiệp vụ Y", "NVY")),
    (8, "stnmt", "Sở Tài nguyên và Môi trường", "STNMT", ("QLDD", "Phòng Quản lý đất đai", "QLĐĐ")),
    (9, "snnptnt", "Sở Nông nghiệp và Phát triển nông thôn", "SNN",
     ("KHTH", "Phòng Kế hoạch - Tổng hợp", "KHTH")),
    (10, "sxd", "Sở Xây dựng", "SXD", ("QLXD", "Phòng Quản lý xây dựng", "QLXD")),
    (11, "sgtvt", "Sở Giao thông vận tải", "SGTVT", ("QLVT", "Phòng Quản lý vận tải", "QLVT")),
    (12, "sldtbxh", "Sở Lao động - Thương binh và Xã hội", "SLĐTBXH",
     ("LDVL", "Phòng Lao động - Việc làm", "LĐVL")),
    (13, "svhttdl", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL",
     ("QLVH", "Phòng Quản lý văn hóa", "QLVH")),
    (14, "sct", "Sở Công Thương", "SCT", ("QLTM", "Phòng Quản lý thương mại", "QLTM")),
    (15, "skhcn", "Sở Khoa học và Công nghệ", "SKHCN", ("QLKH", "Phòng Quản lý khoa học", "QLKH")),
    (16, "stttt", "Sở Thông tin và Truyền thông", "STTTT",
     ("CNTT", "Phòng Công nghệ thông tin", "CNTT")),
)
_DISTRICT_UNITS: tuple[Unit, ...] = (
    ("VP", "Văn phòng HĐND và UBND", "VP"),
    ("NV", "Phòng Nội vụ", "NV"),
    ("TCKH", "Phòng Tài chính - Kế hoạch", "TCKH"),
    ("VHTT", "Phòng Văn hóa và Thông tin", "VHTT"),
)
_DISTRICTS: tuple[tuple[int, str, str], ...] = (
    (21, "tpbg", "UBND thành phố Bắc Giang"),
    (22, "yenthe", "UBND huyện Yên Thế"),
    (23, "tanyen", "UBND huyện Tân Yên"),
    (24, "langgiang", "UBND huyện Lạng Giang"),
    (25, "lucnam", "UBND huyện Lục Nam"),
    (26, "lucngan", "UBND huyện Lục Ngạn"),
    (27, "sondong", "UBND huyện Sơn Động"),
    (28, "yendung", "UBND huyện Yên Dũng"),
    (29, "vietyen", "UBND huyện Việt Yên"),
    (30, "hiephoa", "UBND huyện Hiệp Hòa"),
)
_COMMUNE_UNITS: tuple[Unit, ...] = (
    ("VP", "Văn phòng - Thống kê", "VP"),
    ("DCXD", "Địa chính - Xây dựng", "ĐCXD"),
    ("MC", "Bộ phận tiếp nhận và trả kết quả", "MC"),
)
# (district slug, level-3 number, slug, name, connected): remote communes lacked the means in
# 2015, so documents to them also go on paper (R3.2b).
_COMMUNES: tuple[tuple[str, int, str, str, bool], ...] = (
    ("yenthe", 1, "caugo.yenthe", "UBND thị trấn Cầu Gồ", True),
    ("yenthe", 2, "dongtam.yenthe", "UBND xã Đồng Tâm", True),
    ("lucngan", 1, "chu.lucngan", "UBND thị trấn Chũ", True),
    ("lucngan", 2, "saly.lucngan", "UBND xã Sa Lý", False),
    ("sondong", 1, "anchau.sondong", "UBND thị trấn An Châu", True),
    ("sondong", 2, "anlac.sondong", "UBND xã An Lạc", False),
)


def agencies() -> list[DemoAgency]:
    """The demo tree, parents before children."""
    out = [
        DemoAgency("ubndt", 0, "UBND tỉnh Bắc Giang", "UBND", "province", (
            ("TH", "Bộ phận Tổng hợp", "TH"), ("KTN", "Bộ phận Kinh tế ngành", "KTN"),
            ("VX", "Bộ phận Văn xã", "VX"), ("NC", "Bộ phận Nội chính", "NC"))),
        DemoAgency("vpubnd", 1, "Văn phòng UBND tỉnh Bắc Giang", "VP", "office", (
            ("HCTC", "Phòng Hành chính - Tổ chức", "HCTC"),
            ("KSTT", "Phòng Kiểm soát thủ tục hành chính", "KSTT"),
            ("TTTH", "Trung tâm Tin học - Công báo", "TTTH")), parent="ubndt"),
    ]
    out += [DemoAgency(slug, n, name, short, "department", (*_DEPARTMENT_UNITS, extra),
                       parent="ubndt") for n, slug, name, short, extra in _DEPARTMENTS]
    out += [DemoAgency(slug, n, name, "UBND", "district", _DISTRICT_UNITS, parent="ubndt")
            for n, slug, name in _DISTRICTS]
    level2 = {a.slug: a.level2 for a in out}
    out += [DemoAgency(slug, level2[district], name, "UBND", "commune", _COMMUNE_UNITS,
                       level3=n, parent=district, connected=connected)
            for district, n, slug, name, connected in _COMMUNES]
    return out


_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Ngô", "Dương", "Thân", "Giáp",
           "Hà", "Đào")
_MALE = (("Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Mạnh"),
         ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Quân", "Sơn",
          "Thắng", "Tuấn", "Việt", "Trung", "Hiếu", "Phong"))
_FEMALE = (("Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng"),
           ("Anh", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai",
            "Nga", "Phương", "Thảo", "Trang", "Yến", "Nhung", "Vân", "Huyền"))


def person_name(n: int) -> str:
    """A plausible Vietnamese full name, the same for the same ``n`` (no randomness)."""
    middles, givens = _MALE if n % 2 == 0 else _FEMALE
    return (f"{_FAMILY[(n * 7) % len(_FAMILY)]} {middles[(n // 2) % len(middles)]} "
            f"{givens[(n * 5) % len(givens)]}")
