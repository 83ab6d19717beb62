"""The HTTP server: one port serves the console, the control API, accounts and CRM.

``ThreadingHTTPServer`` with HTTP/1.1 keep-alive (exact ``Content-Length`` on every reply)
so a ``requests.Session`` reuses its connections, as it would against Zoho.
"""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from zoho_sandbox import console, control, crm, oauth, persistence, seed
from zoho_sandbox.faults import fault_reply
from zoho_sandbox.state import Org
from zoho_sandbox.wire import V2_PREFIX, V8_PREFIX, Reply, Request, zoho_error

ID_SEGMENT = re.compile(r"/\d{6,}(?=/|$)")
IMMEDIATE_FAULTS = ("error", "html", "malformed", "drop", "redirect")


def call_key(request: Request) -> str:
    """``GET /crm/v8/Leads/{id}``: record ids folded so the stats stay readable."""
    return f"{request.method} {ID_SEGMENT.sub('/{id}', request.path.rstrip('/') or '/')}"


def dispatch(org: Org, request: Request) -> Reply:
    path = request.path
    if path.startswith(control.PREFIX):
        reply = control.handle(org, request)
    elif path.startswith(("/oauth/v2/", V2_PREFIX, V8_PREFIX)):
        reply = _zoho(org, request)
    elif path == "/" or path.startswith("/console"):
        reply = console.handle(org, request)
    else:
        reply = zoho_error(
            404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
        )
    if request.method != "GET":
        org.dirty.set()
    return reply


def _zoho(org: Org, request: Request) -> Reply:
    org.stats.count_call(call_key(request))
    fault = org.faults.take(request.method, request.path)
    if fault is not None:
        org.stats.count_fault()
        if fault.kind in IMMEDIATE_FAULTS:
            return fault_reply(fault)
        if fault.kind == "expire_token":
            crm.expire_token(org, request)
    delay_ms = org.settings["latency_ms"] + (
        fault.delay_ms if fault and fault.kind == "slow" else 0
    )
    if request.path.startswith("/oauth/v2/"):
        _sleep(delay_ms)
        return oauth.handle(org, request)
    if not org.gate.enter(org.settings["max_concurrency"]):
        return _too_many(org, "concurrency", sub=False)
    try:
        return _crm_in_flight(org, request, delay_ms)
    finally:
        org.gate.leave()


def _crm_in_flight(org: Org, request: Request, delay_ms: float) -> Reply:
    """A heavy call (crm.is_heavy) must also pass the sub-concurrency cap (Kaizen #203)."""
    heavy = crm.is_heavy(request)
    if heavy and not org.sub_gate.enter(org.settings["max_sub_concurrency"]):
        return _too_many(org, "sub-concurrency", sub=True)
    try:
        _sleep(delay_ms)  # while counted in flight, so the concurrency caps are observable
        return crm.handle(org, request)
    finally:
        if heavy:
            org.sub_gate.leave()


def _too_many(org: Org, limit: str, *, sub: bool) -> Reply:
    org.stats.count_throttle(sub=sub)
    headers = {"Retry_After": "1"} if org.settings["send_retry_after"] else {}
    return zoho_error(429, "TOO_MANY_REQUESTS", f"You have exceeded the {limit} limit", **headers)


def _sleep(delay_ms: float) -> None:
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle plus the client's
    # delayed ACK stall every keep-alive reply by ~40 ms.
    disable_nagle_algorithm = True
    server: SandboxServer

    def version_string(self) -> str:
        return "ZGS"

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header tells the org's clock, which tests move with advance_clock.
        return super().date_time_string(self.server.org.now() if timestamp is None else timestamp)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request.build(self.command, self.path, dict(self.headers.items()), body)
        reply = dispatch(self.server.org, request)
        if reply.drop:
            self.close_connection = True  # answer nothing: the client sees a dropped connection
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status not in (204, 304):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body and reply.status not in (204, 304):
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        org: Org,
        *,
        verbose: bool = False,
        public_url: str | None = None,
    ) -> None:
        super().__init__(address, Handler)
        self.org, self.verbose = org, verbose
        self.saver: persistence.Saver | None = None
        host, port = self.server_address[:2]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        org.base_url = public_url or f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.org.base_url

    def stop(self) -> None:
        """Stop serving, close the socket and write ``--data`` one last time."""
        self.shutdown()
        self.server_close()
        if self.saver is not None:
            self.saver.stop()


def build_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    data: str | Path | None = None,
    seed_leads: int = 0,
    seed_contacts: int = 0,
    verbose: bool = False,
    public_url: str | None = None,
    **settings: Any,
) -> SandboxServer:
    """A ready server (not yet serving). ``settings`` override the defaults (see README)."""
    org = Org(settings=settings)
    path = Path(data) if data else None
    saved = persistence.read(path) if path else None
    if saved is not None:
        persistence.load(org, saved)  # a known org keeps its state: no seeding
    else:
        with org.lock:
            seed.seed(org, "Leads", seed_leads, 1)
            seed.seed(org, "Contacts", seed_contacts, 2)
    server = SandboxServer((host, port), org, verbose=verbose, public_url=public_url)
    if path is not None:
        server.saver = persistence.Saver(org, path)
        server.saver.start()
        org.dirty.set()
    return server


def start_in_thread(
    host: str = "127.0.0.1", port: int = 0, **options: Any
) -> tuple[SandboxServer, threading.Thread]:
    """Serve in a daemon thread; ``server.base_url`` is the URL, ``server.stop()`` ends it."""
    server = build_server(host, port, **options)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="zoho-sandbox",
        daemon=True,
    )
    thread.start()
    return server, thread
