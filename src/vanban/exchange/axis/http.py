"""The HTTP adapter: a gateway that exposes the SDK's operations over REST (httpx).

The REST shape assumed (paths can be changed one by one in ``Peer.settings["paths"]``; the
shape is documented in ``docs/interop.md``)::

    POST {url}/edocs                 body: the edXML; headers X-Axis-From, X-Axis-Service-Type,
                                     X-Axis-Message-Type, Idempotency-Key → {"id": "..."}
    GET  {url}/edocs/received        → [{"id", "from", "service_type", "message_type", "time"}]
    GET  {url}/edocs/{id}            → the edXML bytes
    POST {url}/edocs/{id}/status     {"status": "done"|"fail", "reason": "..."}
    GET  {url}/edocs/sent            → [{"id", "service_type", "message_type", "status", "time"}]
    GET  {url}/agencies              → [{"code", "name", "parent"}]
    POST {url}/agencies              {"code", "name", "parent"}

Authentication: one header (``auth_header``, default ``Authorization``) whose value is read
from the environment variable or setting named by ``token_env`` (the peer's row holds the
name, never the secret). A refused connection, a timeout, 5xx, 401 (a credential being
fixed), 408, 425 and 429 are outages (retried); other 4xx are refusals (final).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from vanban.exchange.axis.port import (
    AckStatus,
    AxisRefused,
    AxisUnavailable,
    NationalAgency,
    ReceivedItem,
    SentItem,
    ServiceType,
)

PATHS = {"send": "/edocs", "received": "/edocs/received", "get": "/edocs/{id}",
         "status": "/edocs/{id}/status", "sent": "/edocs/sent", "agencies": "/agencies",
         "register": "/agencies"}
# 401: the credential may be fixed by the operator, as federation retries its 401.
RETRIED = frozenset({401, 408, 425, 429})


class HttpAxis:
    """The :class:`~vanban.exchange.axis.port.AxisPort` over a REST gateway."""

    def __init__(self, url: str, *, headers: Mapping[str, str] | None = None,
                 paths: Mapping[str, str] | None = None, timeout: float = 30.0,
                 client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self.headers = dict(headers or {})
        self.paths = {**PATHS, **(paths or {})}
        self.client = client or httpx.Client(timeout=timeout)

    def _url(self, op: str, item_id: str = "") -> str:
        return self.url + self.paths[op].replace("{id}", quote(item_id, safe=""))

    def _call(self, method: str, op: str, item_id: str = "", **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        try:
            response = self.client.request(method, self._url(op, item_id), headers=headers,
                                           **kwargs)
        except httpx.HTTPError as err:
            raise AxisUnavailable(f"{type(err).__name__}: {err}"[:500]) from err
        status = response.status_code
        if 200 <= status < 300:
            return response
        text = f"HTTP {status}: {response.text[:400]}"
        if status >= 500 or status in RETRIED:
            raise AxisUnavailable(text)
        raise AxisRefused(text)

    def _json(self, op: str) -> list[Any]:
        response = self._call("GET", op)
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise AxisUnavailable(f"the gateway's answer to {op} is not JSON") from err
        if isinstance(data, dict):
            data = data.get("items", data.get("data", []))
        return data if isinstance(data, list) else []

    def send_edoc(self, body: bytes, *, sender_code: str, service_type: ServiceType,
                  message_type: str, message_id: str = "") -> str:
        headers = {"Content-Type": "application/xml", "X-Axis-From": sender_code,
                   "X-Axis-Service-Type": service_type, "X-Axis-Message-Type": message_type}
        if message_id:
            headers["Idempotency-Key"] = message_id
        response = self._call("POST", "send", content=body, headers=headers)
        try:
            return str(response.json().get("id", message_id))
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            return message_id

    def received_list(self) -> list[ReceivedItem]:
        return [ReceivedItem(id=str(i.get("id", "")), sender=str(i.get("from", "")),
                             service_type=str(i.get("service_type", "")),
                             message_type=str(i.get("message_type", "")),
                             time=str(i.get("time", "")))
                for i in self._json("received") if isinstance(i, dict) and i.get("id")]

    def get_edoc(self, item_id: str) -> bytes:
        return self._call("GET", "get", item_id).content

    def update_status(self, item_id: str, status: AckStatus, reason: str = "") -> None:
        self._call("POST", "status", item_id, json={"status": status, "reason": reason})

    def sent_list(self) -> list[SentItem]:
        return [SentItem(id=str(i.get("id", "")), service_type=str(i.get("service_type", "")),
                         message_type=str(i.get("message_type", "")),
                         status=str(i.get("status", "")), time=str(i.get("time", "")))
                for i in self._json("sent") if isinstance(i, dict)]

    def agencies(self) -> list[NationalAgency]:
        return [NationalAgency(code=str(i.get("code", "")), name=str(i.get("name", "")),
                               parent=str(i.get("parent") or ""), mail=str(i.get("mail") or ""))
                for i in self._json("agencies") if isinstance(i, dict)]

    def register_agency(self, code: str, name: str, parent: str = "") -> None:
        self._call("POST", "register", json={"code": code, "name": name, "parent": parent})
