"""The workflow's world (Sở Tài chính, its head, clerk, units and staff, a registered paper
document, the sending Sở Nội vụ) for the dashboard's tests."""

from vanban.workflow.tests.conftest import (  # noqa: F401 - fixtures
    agency,
    budget,
    clerk,
    head,
    other_agency,
    paper,
    province,
    sender,
    sender_clerk,
    specialist,
    stranger,
)
