"""The sandbox of a submission's kernel: bubblewrap (``bwrap``, the sandbox Flatpak uses).

Each kernel runs as ``bwrap [options] python -m ipykernel_launcher ...`` with:

* a new mount namespace built from nothing: read-only ``/usr``, a few files of ``/etc``, the Python
  environment (``sys.prefix``, ``sys.base_prefix``) and the ``mlpkit`` package folder, a
  matplotlib font cache (read-only), a fresh ``/dev`` and ``/proc``, and a private writable
  ``/tmp`` (a tmpfs; the kernel's home and working folder). Nothing else of the machine is
  there: not the grader's job folders, not the other submissions, not the output folder, not
  ``solutions/`` (the course folder shows only ``mlpkit/`` and the environment);
* its own PID, IPC, UTS, cgroup and network namespaces (no network at all: the grader talks to
  it over IPC sockets in a per-kernel connection folder, the only writable host folder bound);
* an unprivileged user inside (uid 65534), every capability dropped;
* ``--die-with-parent``: it dies with its worker; when the kernel exits, everything it started
  (even with ``setsid``) dies with the PID namespace.

What it does not stop is written in docs/INSTRUCTORS.md (section "Threat model").
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Sandbox", "find_bwrap", "SandboxUnavailable", "INSIDE_HOME"]

#: The kernel's home and working folder, inside the sandbox (on its private tmpfs).
INSIDE_HOME = "/tmp/work"
_SYSTEM_LINKS = ("/bin", "/lib", "/lib32", "/lib64", "/sbin")
# Of /etc, only what the dynamic loader and Python need (no secrets: the kernel's uid maps to the
# grader's user, so a file the grader can read would be readable too).
_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
        "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/alternatives", "/etc/fonts")


class SandboxUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=None)
def find_bwrap() -> str | None:
    """The path of a working ``bwrap`` (tried once), or ``None``."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    try:
        ok = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
                             "true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return path if ok else None


def _real(path) -> str:
    return os.path.realpath(os.fspath(path))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


@dataclass
class Sandbox:
    """A bwrap command line for kernels: what is visible read-only, what is hidden."""

    bwrap: str
    read_only: list = field(default_factory=list)   # host paths, shown read-only at the same place
    hide: list = field(default_factory=list)
    tmp_mb: int = 512                                # size of the private /tmp (a tmpfs)

    @classmethod
    def for_grading(cls, hide=(), tmp_mb: int = 512) -> "Sandbox":
        """The Python environment and ``mlpkit`` read-only; ``hide`` invisible even if under them."""
        bwrap = find_bwrap()
        if bwrap is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed or cannot create namespaces here: every "
                "submission's kernel must run in a sandbox. Install it (Debian/Ubuntu: apt-get "
                "install bubblewrap), or pass --no-sandbox to grade UNSAFELY: each notebook then "
                "runs as your user and can read and write your files, including the grades")
        import mlpkit

        mpl = os.environ.get("MPLCONFIGDIR") or str(Path.home() / ".config" / "matplotlib")
        ro = ["/usr", *_ETC, sys.prefix, sys.base_prefix, Path(mlpkit.__file__).parent, mpl]
        ro = sorted({os.path.abspath(p) for p in ro if os.path.exists(p)} |
                    {_real(p) for p in (sys.prefix, sys.base_prefix)})
        return cls(bwrap=bwrap, read_only=ro, hide=[_real(h) for h in hide], tmp_mb=tmp_mb)

    def argv(self, connection_dir: str) -> list:
        """``bwrap ...`` up to the kernel's command; ``connection_dir`` bound writable."""
        a = [self.bwrap, "--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
             "--uid", "65534", "--gid", "65534",
             # ipykernel would take the PID namespace's init for a dead parent and quit
             "--unsetenv", "JPY_PARENT_PID"]
        # the private /tmp first: what is shown read-only may lie under /tmp (a course cloned
        # there, its .venv), and a tmpfs mounted after its bind would cover it
        a += ["--size", str(int(self.tmp_mb) * 2**20), "--tmpfs", "/tmp"]
        for p in self.read_only:
            a += ["--ro-bind", p, p]
        for link in _SYSTEM_LINKS:
            if os.path.islink(link):
                a += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                a += ["--ro-bind", link, link]
        a += ["--dev", "/dev", "--proc", "/proc", "--dir", INSIDE_HOME]
        for h in self.hide:
            if any(_inside(h, p) for p in self.read_only):
                if os.path.isdir(h):
                    a += ["--tmpfs", h]
                elif os.path.exists(h):
                    a += ["--ro-bind", "/dev/null", h]
        conn = _real(connection_dir)
        a += ["--bind", conn, conn, "--chdir", INSIDE_HOME]
        return a
