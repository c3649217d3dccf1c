"""Account services (writes). One module per family; everything is re-exported here so callers
write ``from vanban.accounts.services import staff_create``."""

from vanban.accounts.services.approvals import role_request_decide
from vanban.accounts.services.credentials import (
    AccountLockedError,
    LoginError,
    api_token_issue,
    lock_end,
    login_attempt,
    login_second_factor,
    logout_record,
    password_change,
)
from vanban.accounts.services.security import agency_security_policy_set
from vanban.accounts.services.staff import (
    KEEP,
    Keep,
    staff_create,
    staff_reset_password,
    staff_set_roles,
    staff_unlock,
    staff_update,
)
from vanban.accounts.services.tokens import (
    IssuedToken,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
)
from vanban.accounts.services.totp import (
    has_confirmed_device,
    provisioning_uri,
    totp_disable,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_verify,
)

__all__ = [
    "KEEP",
    "AccountLockedError",
    "IssuedToken",
    "Keep",
    "LoginError",
    "agency_security_policy_set",
    "api_token_authenticate",
    "api_token_create",
    "api_token_issue",
    "api_token_revoke",
    "api_tokens_revoke_all",
    "has_confirmed_device",
    "lock_end",
    "login_attempt",
    "login_second_factor",
    "logout_record",
    "password_change",
    "provisioning_uri",
    "role_request_decide",
    "staff_create",
    "staff_reset_password",
    "staff_set_roles",
    "staff_unlock",
    "staff_update",
    "totp_disable",
    "totp_enrol_confirm",
    "totp_enrol_start",
    "totp_verify",
]
