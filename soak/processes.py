"""Starting, killing and always stopping the soak's processes.

Each child runs in its own session (process group), so a kill reaches everything it
spawned (a qcluster's sentinel, workers, monitor and pusher) and nothing else. Only
processes started here are ever signalled, by their own ids.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Child:
    name: str
    cmd: list[str]
    log: Path
    env: dict | None = None
    popen: subprocess.Popen | None = None
    starts: int = 0
    stopped: bool = False

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


class Supervisor:
    """The soak's children: started with a log file each, stopped whatever happens."""

    def __init__(self, env: dict, logs: Path) -> None:
        self.env, self.logs = env, logs
        self.children: dict[str, Child] = {}

    def start(self, name: str, cmd: list[str], env: dict | None = None) -> Child:
        """Start `cmd` (with `env`, else the supervisor's) in its own process group."""
        child = self.children.get(name) or Child(name, cmd, self.logs / f"{name}.log", env)
        self.children[name] = child
        with child.log.open("ab") as log:
            child.popen = subprocess.Popen(
                child.cmd,
                cwd=ROOT,
                env=child.env or self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child.starts += 1
        child.stopped = False
        return child

    def restart(self, name: str) -> Child:
        return self.start(name, self.children[name].cmd, self.children[name].env)

    def kill(self, name: str) -> None:
        """kill -9 the child and everything it spawned (its process group)."""
        child = self.children[name]
        if child.popen is None or child.stopped:
            return
        _signal_group(child.popen.pid, signal.SIGKILL)
        child.popen.wait()
        child.stopped = True

    def stop(self, name: str, grace: float = 8) -> None:
        """SIGTERM, then SIGKILL for whatever of the group is left. Once only: afterwards
        the group id may belong to someone else."""
        child = self.children[name]
        if child.popen is None or child.stopped:
            return
        if child.popen.poll() is None:
            _signal_group(child.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.popen.wait(grace)
        # Whatever is left of the group (a worker stuck in a task, an orphan) goes now.
        _signal_group(child.popen.pid, signal.SIGKILL)
        child.popen.wait()
        child.stopped = True

    def stop_all(self) -> None:
        for name in reversed(list(self.children)):
            self.stop(name)


def _signal_group(pgid: int | None, sig: int) -> None:
    if pgid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def wait_for_line(log: Path, prefix: str, seconds: float = 30) -> str:
    """The first line of `log` starting with `prefix` (a child announcing itself)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith(prefix):
                    return line
        time.sleep(0.1)
    raise RuntimeError(f"{log.name}: no line starting with {prefix!r} within {seconds:.0f} s")


# ---- /proc: which of a cluster's processes are doing what -----------------------------------
def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (Linux /proc), nearest first."""
    parents = _parents()
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = children
    return found


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":  # a zombie is already dead
            parents[int(entry)] = int(fields[1])
    return parents


def talking_to(pids: list[int], port: int) -> list[int]:
    """The processes among `pids` with an open TCP connection to 127.0.0.1:`port`."""
    inodes = _established_inodes(port)
    busy = []
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links):
            busy.append(pid)
    return busy


def _established_inodes(port: int) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cells = line.split()
        remote, state, inode = cells[2], cells[3], cells[9]
        if state == "01" and int(remote.split(":")[1], 16) == port:
            inodes.add(inode)
    return inodes
