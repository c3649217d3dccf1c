"""Who works in each demo agency: the accounts the loader creates and the starter list
shows, kept apart so both read one plan."""

from __future__ import annotations

from vanban.core.roles import Role
from vanban.demo import data

# (username prefix, role, unit index, position) per kind of agency; unit index into its units.
_FULL_STAFF: tuple[tuple[str, Role, int | None, str], ...] = (
    ("ld", Role.HEAD, None, "{head}"),
    ("pld", Role.DELEGATE, None, "{deputy}"),
    ("vt", Role.CLERK, 0, "Văn thư"),
    ("cv1", Role.SPECIALIST, 1, "Chuyên viên"),
    ("cv2", Role.SPECIALIST, 2, "Chuyên viên"),
    ("mc", Role.ONESTOP, 0, "Cán bộ tiếp nhận và trả kết quả"),
    ("it", Role.IT_OFFICER, -1, "Chuyên viên công nghệ thông tin"),
    ("attt", Role.SECURITY_OFFICER, -1, "Chuyên viên phụ trách an toàn thông tin"),
)
_COMMUNE_STAFF: tuple[tuple[str, Role, int | None, str], ...] = (
    ("ld", Role.HEAD, None, "{head}"),
    ("vt", Role.CLERK, 0, "Văn thư"),
    ("cv1", Role.SPECIALIST, 1, "Công chức Địa chính - Xây dựng"),
    ("mc", Role.ONESTOP, 2, "Cán bộ tiếp nhận và trả kết quả"),
)

def staff_plan(spec: data.DemoAgency) -> list[tuple[str, Role, int | None, str]]:
    """The accounts of one demo agency."""
    plan = list(_FULL_STAFF if spec.full_staff else _COMMUNE_STAFF)
    if spec.slug == "stttt":
        plan.insert(0, ("qttinh", Role.PROVINCE_ADMIN, -1, "Quản trị hệ thống cấp tỉnh"))
    return plan
