"""`python -m soak`: run the soak and print its figures; exit 1 when a check fails."""

import argparse
import sys

from soak.environment import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__)
    parser.add_argument("--duration", type=float, default=180, help="workload seconds")
    parser.add_argument("--kills", type=int, default=20, help="kill -9 trials during it")
    parser.add_argument("--workspaces", type=int, default=6)
    parser.add_argument("--contacts", type=int, default=120, help="Plezi contacts per workspace")
    parser.add_argument("--leads", type=int, default=80, help="Zoho leads per workspace")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--production-timings",
        action="store_true",
        help="production's task timeout and retry and Zoho's one-hour access tokens",
    )
    parser.add_argument("--logs", help="directory for logs and the dump (default: a new temp dir)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from soak.run import Soak

    return Soak(parse_args(argv)).main()


if __name__ == "__main__":
    sys.exit(main())
