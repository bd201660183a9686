"""Limits on a kernel's whole process tree: total memory and number of processes.

``RLIMIT_AS`` caps each process, not the tree: four children of 2 GB each stay under a 2 GB
cap. Without a cgroup (this grader does not create any), :class:`TreeWatch` looks at the
kernel's process and all its descendants (psutil) every ``interval`` seconds and kills them
all when their resident memory together exceeds the limit or there are too many of them.
Inside the sandbox every process a notebook starts, even with ``setsid``, stays a descendant
(of the PID namespace's init), so none escapes the count.

It also caps what the tree writes into the one host folder a sandboxed kernel can write (its
connection folder), which no tmpfs size limits.

What it does not stop: a burst faster than the interval (a fork bomb can create many
processes, or a process allocate fast, between two looks; ``RLIMIT_AS`` still caps each one).
"""
from __future__ import annotations

import os
import threading

import psutil

__all__ = ["TreeWatch"]


def _size(folder: str) -> int:
    total = 0
    for root, dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


class TreeWatch:
    """Kill the tree under ``pid`` when it uses more than ``memory_mb`` or ``max_processes``."""

    def __init__(self, pid: int, memory_mb: int, max_processes: int, interval: float = 0.2,
                 folder: str | None = None, folder_mb: int = 512):
        self.pid, self.memory = pid, int(memory_mb) * 2**20
        self.max_processes, self.interval = int(max_processes), interval
        # a host folder the tree can write (the sandbox's connection folder): its size is capped
        self.folder, self.folder_bytes = folder, int(folder_mb) * 2**20
        self.reason = ""          # why the tree was killed ("" while it was not)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"treewatch-{pid}", daemon=True)
        self._thread.start()

    def _tree(self) -> list:
        root = psutil.Process(self.pid)
        return [root, *root.children(recursive=True)]

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                procs = self._tree()
            except psutil.Error:
                return  # the kernel is gone
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            if len(procs) > self.max_processes:
                self.reason = (f"the notebook started more than {self.max_processes} processes "
                               f"(the limit of its process tree)")
            elif rss > self.memory:
                self.reason = (f"the notebook's processes used more than {self.memory // 2**20} MB "
                               f"of memory together (the limit of its process tree)")
            elif self.folder and _size(self.folder) > self.folder_bytes:
                self.reason = (f"the notebook wrote more than {self.folder_bytes // 2**20} MB into "
                               f"its kernel's connection folder")
            if self.reason:
                self.kill_all()
                return

    def kill_all(self):
        """SIGKILL the whole tree, leaves first (also at the end of every grading)."""
        try:
            procs = self._tree()
        except psutil.Error:
            return
        for p in reversed(procs):
            try:
                p.kill()
            except psutil.Error:
                pass

    def stop(self):
        self._stop.set()
