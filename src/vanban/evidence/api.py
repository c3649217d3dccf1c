"""REST API of this app (routes registered on the shared v1 router)."""

from __future__ import annotations

from django.urls import URLPattern
from rest_framework.routers import BaseRouter

urlpatterns: list[URLPattern] = []


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
