"""Account pages under /accounts/."""

from django.urls import URLPattern, path

from vanban.accounts.views import auth, own, security, staff

app_name = "accounts"
urlpatterns: list[URLPattern] = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change, name="password_change"),
    path("2fa/verify/", auth.two_factor_verify, name="two_factor_verify"),
    path("2fa/enrol/", security.two_factor_enrol, name="two_factor_enrol"),
    path("security/", security.security, name="security"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_new, name="staff_new"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("tokens/", own.tokens, name="tokens"),
    path("approvals/", own.approvals, name="approvals"),
]
