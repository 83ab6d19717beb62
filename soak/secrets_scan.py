"""After the soak: every secret Zoho issued, looked for in the database dump, logs and Redis.

The sandbox lists what it issued (client secrets, grant codes, refresh and access
tokens). Each must be absent, in clear text, from a plain `pg_dump` of the soak's
database, from every log line of every process, and from the Redis database the
queue and limiter used. Each token's random parts are looked for on their own too, so
a token cut up or reformatted in a log is still found, and so is its hex form (how
pg_dump shows bytes, e.g. a pickled task argument).
"""

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import redis


@dataclass
class Leak:
    kind: str
    where: str
    excerpt: str


@dataclass
class ScanResult:
    secrets: dict[str, int] = field(default_factory=dict)  # kind -> how many were looked for
    places: list[str] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)


def scan(*, secrets_file: Path, database_url: str, redis_url: str, logs: Path) -> ScanResult:
    issued = json.loads(secrets_file.read_text())
    needles = _needles(issued)
    result = ScanResult(secrets={kind: len(values) for kind, values in issued.items()})
    dump = logs / "database.sql"
    _pg_dump(database_url, dump)
    texts = {path.name: path for path in sorted(logs.glob("*")) if _scannable(path)}
    for name, path in texts.items():
        result.places.append(name)
        _search(path.read_text(errors="replace"), name, needles, result)
    result.places.append("redis")
    _search(_redis_contents(redis_url), "redis", needles, result)
    result.places.append("django-q task rows, unpickled")
    _search(_task_contents(), "django-q task rows", needles, result)
    return result


def _scannable(path: Path) -> bool:
    return path.is_file() and path.suffix in (".log", ".sql")


def _needles(issued: dict[str, list[str]]) -> dict[str, str]:
    """Text to look for -> the kind of secret it belongs to."""
    needles = {}
    for kind, values in issued.items():
        for value in values:
            needles[value] = kind
            # As bytes in a bytea column (a pickled task), pg_dump writes it in hex.
            needles[value.encode().hex()] = kind
            for part in re.findall(r"[0-9a-f]{16,}", value):
                needles[part] = kind
    return needles


def _search(text: str, where: str, needles: dict[str, str], result: ScanResult) -> None:
    if not needles:
        return
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    for match in pattern.finditer(text):
        # The excerpt shows where, never the secret itself.
        before = text[max(0, match.start() - 60) : match.start()]
        excerpt = f"{before}[{len(match.group())} chars]{text[match.end() : match.end() + 20]}"
        excerpt = excerpt.replace("\n", " ")
        result.leaks.append(Leak(needles[match.group()], where, excerpt))


def _pg_dump(database_url: str, out: Path) -> None:
    with out.open("wb") as file:
        subprocess.run(["pg_dump", "--no-owner", database_url], stdout=file, check=True)


def _task_contents() -> str:
    """Task arguments and results are pickled (base64) in the dump: read them decoded."""
    from django_q.models import Task

    rows = Task.objects.values_list("name", "args", "kwargs", "result").iterator()
    return "\n".join(repr(row) for row in rows)


def _redis_contents(redis_url: str) -> str:
    """Every key and value of the soak's Redis database, as text."""
    client = redis.Redis.from_url(redis_url)
    lines = []
    for key in client.scan_iter(count=500):
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "zset":
            value = client.zrange(key, 0, -1)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = client.smembers(key)
        else:
            value = kind
        lines.append(f"{key!r} {value!r}")
    client.close()
    return "\n".join(lines)
