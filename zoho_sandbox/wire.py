"""The request and reply objects passed between the HTTP server and the handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json"
V2_PREFIX, V8_PREFIX = "/crm/v2/", "/crm/v8/"
_UNPARSED = object()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    _parsed: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._parsed = _UNPARSED

    @classmethod
    def build(cls, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Request:
        path, _, qs = raw_path.partition("?")
        query = {k: v[-1] for k, v in parse_qs(qs, keep_blank_values=True).items()}
        return cls(method, path, query, {k.lower(): v for k, v in headers.items()}, body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def legacy(self) -> bool:
        """A ``/crm/v2/`` call: no page tokens, no required ``fields`` (zoho-crm-api.md §10)."""
        return self.path.startswith(V2_PREFIX)

    def json(self) -> Any:
        """The body as JSON; ``None`` when empty; raises ``ValueError`` when malformed.

        Parsed once: the credit count, the batch checks and the handler all read it."""
        if self._parsed is _UNPARSED:
            self._parsed = json.loads(self.body) if self.body.strip() else None
        return self._parsed

    def form(self) -> dict[str, str]:
        """Query string merged with a form-encoded body (Zoho accepts either for OAuth)."""
        merged = dict(self.query)
        if self.body:
            text = self.body.decode("utf-8", "replace")
            merged.update({k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()})
        return merged


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering (fault injection)


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Reply(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


def zoho_error(
    status: int, code: str, message: str, details: dict | None = None, **headers: str
) -> Reply:
    """Zoho CRM's error envelope: ``{"code","details","message","status":"error"}``."""
    payload = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return json_reply(status, payload, {k.replace("_", "-"): v for k, v in headers.items()})


def empty(status: int) -> Reply:
    """204 and 304 carry no body (Zoho: "no content" / "not modified")."""
    return Reply(status)


def html_reply(status: int, page: str) -> Reply:
    return Reply(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
