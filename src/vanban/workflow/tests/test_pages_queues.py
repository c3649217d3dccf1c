"""The workflow's queues and lists (issue 13): "chờ phân công", "việc của tôi" with filters,
search and paging that never cuts a list silently (R8.1)."""

from __future__ import annotations

from django.test import Client


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_head_sees_a_new_registration_in_the_unassigned_queue(head, paper):
    """R8.1: a newly registered document is in "chờ phân công" with a link to its assignment
    form; once assigned it leaves the queue."""
    page = _client(head)
    html = page.get("/work/unassigned/").content.decode()
    assert f'href="/work/incoming/{paper.pk}/#assign"' in html
    assert "Về việc lập dự toán ngân sách 2027" in html
    html = page.get(f"/work/incoming/{paper.pk}/").content.decode()
    assert 'id="assign"' in html


def test_my_tasks_for_a_head_without_tasks(head):
    """The page answers a user with no lines."""
    response = _client(head).get("/work/")
    assert response.status_code == 200, response.content.decode()[:3000]
