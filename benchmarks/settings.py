"""Django settings for benchmark processes: production settings on a benchmark database.

The driver (`python -m benchmarks`) names the database in BENCH_DATABASE_URL: a fresh
SQLite file under benchmarks/results/ by default, or a dedicated PostgreSQL database
next to the one DATABASE_URL names. DEBUG stays off: with it on, Django keeps every
query's SQL in memory, which would distort the memory figures.
"""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "YmVuY2htYXJrLW9ubHktZmllbGQta2V5LTAxMjM0NTY=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("LOG_LEVEL", "WARNING")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

from config.settings import *  # noqa: F403

DEBUG = False
# 200 submissions from one loopback address in a minute or two.
PUBLIC_FORM_RATE_LIMIT = 1_000_000
AXES_ENABLED = False
# A queue of its own: a test or soak run sharing the Redis server never takes our tasks.
Q_CLUSTER = {**Q_CLUSTER, "name": "plezi-bench"}  # noqa: F405
