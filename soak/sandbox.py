"""`python -m soak.sandbox`: the Zoho sandbox in its own process, for the soak.

Like `python -m zoho_sandbox`, plus: on exit it writes every secret it issued (client
secrets, grant codes, refresh and access tokens) to `--secrets`, so the soak can look
for each of them in the database dump and the logs. Nothing is kept between runs.
"""

import argparse
import json
import signal
import sys
from pathlib import Path

from zoho_sandbox.server import build_server


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m soak.sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secrets", required=True, help="JSON file written on exit")
    parser.add_argument("--credits-per-day", type=int, default=10_000_000)
    parser.add_argument("--max-concurrency", type=int, default=10)
    # Short-lived access tokens: every connection refreshes several times during the soak.
    parser.add_argument("--access-token-ttl", type=int, default=120)
    return parser.parse_args(argv)


def issued_secrets(org) -> dict[str, list[str]]:
    with org.lock:
        return {
            "client_secret": [c.client_secret for c in org.clients.values()],
            "grant_code": list(org.codes),
            "refresh_token": list(org.refresh_tokens),
            "access_token": list(org.access_tokens),
        }


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server = build_server(
        "127.0.0.1",
        args.port,
        credits_per_day=args.credits_per_day,
        max_concurrency=args.max_concurrency,
        access_token_ttl_seconds=args.access_token_ttl,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"Zoho sandbox on {server.base_url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        Path(args.secrets).write_text(json.dumps(issued_secrets(server.org)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
