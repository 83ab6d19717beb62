"""Fault injection: the next N (or a random share of) matching requests fail on purpose.

Faults apply to ``/oauth/v2/...`` and ``/crm/v2/...`` only, never to the control API.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

from zoho_sandbox.wire import Reply, html_reply, json_reply

KINDS = ("error", "html", "malformed", "drop", "slow", "expire_token", "redirect")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "*")

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Zoho</title></head><body>"
    "<h1>Service temporarily unavailable</h1><p>Please try again after some time.</p>"
    "</body></html>"
)
TRUNCATED_JSON = b'{"data":[{"Owner":{"name":"Sandbox Admin","id":"'


class FaultSpecError(ValueError):
    pass


@dataclass
class Fault:
    pattern: re.Pattern
    method: str
    kind: str
    status: int | None
    body: Any
    delay_ms: int
    retry_after: int | None  # a 429's Retry-After header; Zoho's is not confirmed (§10)
    times: int | None  # None: probabilistic, until cleared
    rate: float | None
    rng: random.Random | None

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and bool(self.pattern.search(path))


def parse_fault(spec: dict) -> Fault:
    """Build a fault from the control API's JSON; raises :class:`FaultSpecError`."""
    try:
        pattern = re.compile(spec.get("path", ".*"))
    except re.error as exc:
        raise FaultSpecError(f"bad path regex: {exc}") from None
    method = str(spec.get("method", "*")).upper()
    kind = spec.get("kind", "error")
    if method not in METHODS or kind not in KINDS:
        raise FaultSpecError(f"method must be one of {METHODS}, kind one of {KINDS}")
    times, rate = spec.get("times"), spec.get("rate")
    if rate is None and times is None:
        times = 1
    if rate is not None and not 0 <= float(rate) <= 1:
        raise FaultSpecError("rate must be between 0 and 1")
    rng = random.Random(spec.get("seed")) if rate is not None else None
    return Fault(
        pattern,
        method,
        kind,
        spec.get("status"),
        spec.get("body"),
        int(spec.get("delay_ms", 0)),
        None if spec.get("retry_after") is None else int(spec["retry_after"]),
        None if rate is not None else int(times),
        None if rate is None else float(rate),
        rng,
    )


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault that fires for this request, consuming one of its ``times``."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                if fault.rate is not None:
                    if fault.rng.random() < fault.rate:
                        return fault
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[dict]:
        with self._lock:
            return [
                {
                    "path": f.pattern.pattern,
                    "method": f.method,
                    "kind": f.kind,
                    "times": f.times,
                    "rate": f.rate,
                }
                for f in self._faults
            ]


def fault_reply(fault: Fault) -> Reply:
    """The reply of an ``error``, ``html``, ``malformed``, ``redirect`` or ``drop`` fault."""
    if fault.kind == "drop":
        return Reply(0, drop=True)
    if fault.kind == "html":
        page = fault.body if isinstance(fault.body, str) else HTML_PAGE
        return html_reply(fault.status or 500, page)
    if fault.kind == "redirect":  # `body` is the Location; a client must not follow it
        location = fault.body if isinstance(fault.body, str) else "https://elsewhere.invalid/"
        return Reply(fault.status or 307, b"", {"Location": location})
    if fault.kind == "malformed":
        return Reply(fault.status or 200, TRUNCATED_JSON, {"Content-Type": "application/json"})
    return _error_reply(fault)


def _error_reply(fault: Fault) -> Reply:
    status = fault.status or 500
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    if isinstance(fault.body, str):
        return Reply(status, fault.body.encode(), {"Content-Type": "text/plain", **headers})
    body = fault.body if fault.body is not None else _default_body(status)
    return json_reply(status, body, headers)


def _default_body(status: int) -> dict:
    code, message = {
        401: ("INVALID_TOKEN", "invalid oauth token"),
        429: ("TOO_MANY_REQUESTS", "too many requests, try again after some time"),
    }.get(status, ("INTERNAL_ERROR", "Internal Server Error"))
    return {"code": code, "details": {}, "message": message, "status": "error"}
