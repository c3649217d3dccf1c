"""Account pages: sign-in and its second step, password change, 2FA, security, staff."""
