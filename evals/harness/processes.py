"""Processes seen through /proc (Linux): what the orphan test and the soak
run check after killing an indexer: its descendants, and whether one still
runs. One reading of /proc for both (they carried a copy each)."""

from __future__ import annotations

import os
from pathlib import Path


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name (which may hold
    spaces and parentheses: cut at the last ')')."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, their children...), live or zombie."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(_stat_fields(entry)[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    out, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - out
        out |= frontier
    return out


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it does not count)."""
    try:
        return _stat_fields(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


def peak_rss_mb(pid: int) -> float | None:
    """A live process's own peak resident set (VmHWM), in MB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_s(pid: int) -> float | None:
    """A live process's own CPU seconds so far (user + system, all its threads,
    not its children); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pss_mb(pid: int) -> float:
    """Proportional set size of one process in MB (pages shared with forked
    workers counted once across them all, unlike RSS); 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0.0


class TreeMemory:
    """Samples, on a thread, the summed PSS of a process and its descendants
    (a server and the index workers it forks): the memory the whole tree
    holds, which the server's own VmHWM does not show. `stop()` gives the
    peak in MB and how many processes the tree had then."""

    def __init__(self, pid: int, interval: float = 0.5):
        import threading

        self.pid, self.interval = pid, interval
        self.peak, self.procs = 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set() and alive(self.pid):
            tree = {self.pid} | descendants(self.pid)
            total = sum(pss_mb(p) for p in tree)
            if total > self.peak:
                self.peak, self.procs = total, len(tree)
            self._stop.wait(self.interval)

    def stop(self) -> tuple[float, int]:
        self._stop.set()
        self._thread.join()
        return self.peak, self.procs
