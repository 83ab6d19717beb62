"""`python -m benchmarks.multiorg --orgs N`: N independent sandbox orgs behind one port.

The fan-out scenario needs one Zoho org per workspace (each with its own concurrency
cap and credits), while the product accepts a single sandbox URL. This server routes
each request to its org: the control API by the `X-Sandbox-Org` header, the token
endpoint by client id or token, CRM calls by their access token. Benchmark-only.
"""

import argparse
import signal
import sys
from typing import Any

from zoho_sandbox.server import Handler, SandboxServer, dispatch
from zoho_sandbox.state import Org
from zoho_sandbox.wire import Request

ORG_HEADER = "x-sandbox-org"


class MultiOrgServer(SandboxServer):
    def __init__(self, address: tuple[str, int], orgs: list[Org]) -> None:
        super().__init__(address, orgs[0], verbose=False)
        self.orgs = orgs
        for org in orgs:
            org.base_url = self.base_url

    def org_for(self, request: Request) -> Org:
        chosen = request.header(ORG_HEADER)
        if chosen is not None:
            return self.orgs[int(chosen)]
        if request.path.startswith("/oauth/v2/"):
            form = request.form()
            return self._find(form.get("client_id"), "clients") or self._find(
                form.get("token"), "refresh_tokens", "access_tokens"
            )
        token = (request.header("Authorization") or "").partition(" ")[2].strip()
        return self._find(token, "access_tokens")

    def _find(self, key: str | None, *tables: str) -> Org | None:
        if key:
            for org in self.orgs:
                if any(key in getattr(org, table) for table in tables):
                    return org
        return None


class MultiOrgHandler(Handler):
    server: MultiOrgServer

    def _serve(self) -> None:
        # Handler._serve, with the org chosen per request.
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request.build(self.command, self.path, dict(self.headers.items()), body)
        reply = dispatch(self.server.org_for(request) or self.server.orgs[0], request)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status not in (204, 304):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body and reply.status not in (204, 304):
            self.wfile.write(reply.body)


def build(host: str, port: int, orgs: int, **settings: Any) -> MultiOrgServer:
    server = MultiOrgServer((host, port), [Org(settings=settings) for _ in range(orgs)])
    server.RequestHandlerClass = MultiOrgHandler
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.multiorg")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--orgs", type=int, required=True)
    args = parser.parse_args(argv)
    server = build(args.host, args.port, args.orgs)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"Zoho sandbox ({args.orgs} orgs) on {server.base_url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
