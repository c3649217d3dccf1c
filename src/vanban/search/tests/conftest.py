"""Fixtures of the search tests: the workflow's receiving agency (Sở Tài chính) with its head,
clerk, units and staff, another agency, and documents written through the real services."""

from __future__ import annotations

from vanban.workflow.tests import conftest as work

_monday = work._monday
province = work.province
sender = work.sender
agency = work.agency
other_agency = work.other_agency
budget = work.budget
planning = work.planning
head = work.head
clerk = work.clerk
unit_leader = work.unit_leader
specialist = work.specialist
specialist2 = work.specialist2
stranger = work.stranger
paper = work.paper
