"""``python -m zoho_sandbox``: serve the fake Zoho until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys

from zoho_sandbox.editions import EDITIONS
from zoho_sandbox.server import build_server


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zoho_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every Zoho call")
    parser.add_argument("--seed-leads", type=int, default=0, help="fake leads for a new org")
    parser.add_argument("--seed-contacts", type=int, default=0, help="fake contacts, likewise")
    parser.add_argument("--data", help="JSON file that keeps the org across restarts")
    parser.add_argument(
        "--edition", choices=list(EDITIONS), help="the org's edition and its limits"
    )
    parser.add_argument("--credits-per-day", type=int, default=None)
    parser.add_argument("--max-concurrency", type=int, default=None)
    parser.add_argument("--tz-offset-minutes", type=int, default=None, help="org time zone")
    parser.add_argument("--public-url", help="base URL to announce (behind a proxy)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM (make run, docker stop) saves --data like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = {"latency_ms": args.latency_ms}
    optional = {
        "edition": args.edition,
        "credits_per_day": args.credits_per_day,
        "max_concurrency": args.max_concurrency,
        "time_zone_offset_minutes": args.tz_offset_minutes,
    }
    settings.update({k: v for k, v in optional.items() if v is not None})
    server = build_server(
        args.host,
        args.port,
        data=args.data,
        seed_leads=args.seed_leads,
        seed_contacts=args.seed_contacts,
        verbose=args.verbose,
        public_url=args.public_url,
        **settings,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"Zoho sandbox on {server.base_url}  (console: {server.base_url}/)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if server.saver is not None:
            server.saver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
