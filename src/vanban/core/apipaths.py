"""One name for a resource's path parameter (issue 15 §4): ``{id}``, whatever the key.

A viewset keeps its model's ``lookup_field`` (``seq``, ``uid``, ``message_id``, ``code``) and
takes it from the path as ``id`` (``lookup_url_kwarg``); the schema then says what the id is,
a number, a UUID or a code, with its pattern and a description, so a generated client has one
spelling for every resource. :func:`id_parameter` is that schema parameter; a viewset class
is decorated with ``@path_ids(id_parameter(...))``, which puts it on each operation whose path
has that placeholder (and on no list or create operation).

A second key inside one resource's path (a document's file, a work file's item) cannot also
be ``id``; those are named ``<thing>_id`` and listed in :data:`NESTED_IDS` with the reason, which
the schema test reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema

from vanban.core.pathids import CODE_PATTERN, UUID_PATTERN

LOOKUP_URL_KWARG = "id"
V = TypeVar("V", bound=type)
NUMBER, UUID, CODE, TEXT = "number", "uuid", "code", "text"
_LARGEST = 10**18 - 1  # ID_PATTERN: at most 18 digits
TEXT_PATTERN = r"[^/]{1,80}"

# Second ids inside one resource's path: they name a part of the resource, so they cannot be
# ``id`` too. path parameter -> why it keeps its own name.
NESTED_IDS: dict[str, str] = {
    "file_id": "a file of the document named by {id} (documents/{id}/files/{file_id}/)",
    "item_id": "an item of the work file named by {id} (workflow/files/{id}/items/{item_id}/)",
}


def _schema(kind: str) -> dict[str, Any]:
    if kind == NUMBER:
        return {"type": "integer", "format": "int64", "minimum": 0, "maximum": _LARGEST}
    if kind == UUID:
        return {"type": "string", "format": "uuid", "pattern": f"^{UUID_PATTERN}$"}
    pattern = CODE_PATTERN if kind == CODE else TEXT_PATTERN
    return {"type": "string", "minLength": 1, "pattern": f"^{pattern}$"}


def id_parameter(kind: str, description: str, name: str = LOOKUP_URL_KWARG) -> OpenApiParameter:
    """The schema's path parameter ``name`` (``id`` unless nested): its kind's type and
    pattern (``number``: integer of at most 18 digits; ``uuid``; ``code``: an agency's
    identifier code; ``text``: a log's own key) and a bilingual description."""
    return OpenApiParameter(name, _schema(kind), OpenApiParameter.PATH, description=description)


class _OnlyItsPath(AutoSchema):
    """Keeps a path parameter given at the class level off operations without it."""

    def get_override_parameters(self) -> list[Any]:
        """The overrides, less the path parameters this operation's path does not name."""
        return [p for p in super().get_override_parameters()
                if not (isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.PATH
                        and f"{{{p.name}}}" not in self.path)]


def path_ids(*parameters: OpenApiParameter) -> Callable[[V], V]:
    """Class decorator: ``parameters`` (from :func:`id_parameter`) describe the viewset's path
    ids in the schema, on the operations whose paths have them."""

    def decorate(view: V) -> V:
        view = extend_schema(parameters=list(parameters))(view)
        base = type(view.schema)  # type: ignore[attr-defined]
        only = type(f"PathIds{base.__name__}", (_OnlyItsPath, base), {})
        view.schema = only()  # type: ignore[attr-defined]
        for name in dir(view):  # methods with their own annotations stay subclasses of it
            kwargs = getattr(getattr(view, name, None), "kwargs", None)
            if isinstance(kwargs, dict) and isinstance(kwargs.get("schema"), type):
                kwargs["schema"] = type(f"PathIds{kwargs['schema'].__name__}",
                                        (kwargs["schema"], only), {})
        return view

    return decorate
