"""Executing code in a fresh, limited kernel, on nbclient.

nbclient's :class:`~nbclient.NotebookClient` does the work: starting the kernel
(through :class:`GradingKernelManager`), sending a cell, waiting for its reply
with a per-cell timeout, interrupting the kernel on a timeout, noticing a dead
kernel. Ours are only: how the kernel is started (:class:`KernelStart`: a clean
environment, resource limits, and a command prefix and transport a sandbox
plugs into), starting again a kernel that dies before running anything
(``START_TRIES``), killing a kernel that ignores the interrupt (after
``INTERRUPT_GRACE`` s), and keeping only the result messages of the harness
(every other output is dropped as it arrives: a grade never reads them), and
waiting for messages in short slices (:mod:`.wakeup`: a missed wake-up of pyzmq's
poll would otherwise wait out the whole cell timeout).
"""
from __future__ import annotations

import asyncio
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

import nbformat
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from traitlets import List, Unicode

from ..safecall import RESULT_MIME
from .treewatch import TreeWatch
from .wakeup import slice_waits

# A kernel that dies before it has run anything says nothing about the submission (seen:
# "Kernel died before replying to kernel_info" once in ~40 kernels started side by side,
# likely two processes picking the same free port); it is started again, at most this often.
START_TRIES = 3
# Seconds a kernel gets to stop after the interrupt of a timed-out cell before it is killed.
INTERRUPT_GRACE = 5.0
MAX_RESULT_CHARS = 256 * 2**20

__all__ = ["Limits", "KernelStart", "GradingKernelManager", "Kernel", "START_TRIES", "kernel_env"]


@dataclass
class Limits:
    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    memory_mb: int = 2048          # per process (RLIMIT_AS) and for the whole tree (TreeWatch)
    file_mb: int = 512
    startup_timeout: float = 60.0
    max_processes: int = 64        # in the kernel's process tree


def kernel_env(home: str) -> dict:
    """A clean environment: nothing in it says "grading"."""
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "HOME": home,
           "LANG": os.environ.get("LANG", "C.UTF-8"), "IPYTHONDIR": os.path.join(home, ".ipython"),
           "MPLBACKEND": "Agg", "TMPDIR": home}
    mpl = os.environ.get("MPLCONFIGDIR") or os.path.join(os.path.expanduser("~"), ".config",
                                                          "matplotlib")
    env["MPLCONFIGDIR"] = mpl  # the font cache is shared (building one takes seconds)
    for k, v in os.environ.items():  # thread settings of the machine, unchanged; the install
        if k.startswith(("OMP_", "OPENBLAS_", "MKL_", "VECLIB_", "LC_")) or k in (
                "PYTHONPATH", "LD_LIBRARY_PATH", "SYSTEMROOT", "VIRTUAL_ENV"):
            env[k] = v
    return env


def rlimits(memory_mb: int, file_mb: int, cpu_s: int | None = None) -> Callable[[], None]:
    """A ``preexec_fn`` setting the address-space, file-size, CPU-time (per process: every
    core's seconds count) and core-dump limits (POSIX)."""
    def preexec():  # runs in the kernel process before exec
        try:
            import resource

            mem = int(memory_mb) * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            fsz = int(file_mb) * 2**20
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsz, fsz))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if cpu_s:
                resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_s), int(cpu_s) + 5))
        except Exception:
            pass
    return preexec


class GradingKernelManager(AsyncKernelManager):
    """jupyter_client's manager, with a command prefix (e.g. a sandbox) before the kernel's command."""

    command_prefix = List(Unicode(), help="argv put before the kernel command").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        return list(self.command_prefix) + super().format_kernel_cmd(extra_arguments)


@dataclass
class KernelStart:
    """How a kernel is started: where, with which environment and limits, in which sandbox.

    ``sandbox`` (a :class:`~mlpkit.grader.sandbox.Sandbox`) puts its command line before the
    kernel's and switches to IPC sockets in the per-kernel connection folder (a sandbox has no
    network); ``preexec`` runs in the kernel's process before exec (resource limits).
    """

    cwd: str | None
    env: dict
    preexec: Callable | None = None
    sandbox: object = None

    @classmethod
    def plain(cls, cwd: str, limits: Limits) -> "KernelStart":
        """A kernel as the grader's user, in ``cwd`` (``--no-sandbox``)."""
        return cls(cwd=cwd, env=kernel_env(cwd), preexec=_preexec(limits))

    @classmethod
    def sandboxed(cls, sandbox, limits: Limits) -> "KernelStart":
        """A kernel inside ``sandbox``, at home in the sandbox's private tmp."""
        from .sandbox import INSIDE_HOME

        import mlpkit

        env = {k: v for k, v in kernel_env(INSIDE_HOME).items() if k != "PYTHONPATH"}
        # a PYTHONPATH entry that gave the grader its mlpkit (a checkout used without installing
        # it) is kept, that entry only: the sandbox shows its mlpkit/ and nothing else of it
        shown = os.path.dirname(os.path.abspath(os.path.dirname(mlpkit.__file__)))
        if shown in [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                     if p]:
            env["PYTHONPATH"] = shown
        return cls(cwd=None, env=env, preexec=_preexec(limits), sandbox=sandbox)

    def manager(self, connection_dir: str) -> GradingKernelManager:
        prefix = self.sandbox.argv(connection_dir) if self.sandbox is not None else []
        km = GradingKernelManager(kernel_name="python3", command_prefix=prefix,
                                  transport="ipc" if self.sandbox is not None else "tcp")
        km.connection_file = os.path.join(connection_dir, "kernel.json")
        if self.sandbox is not None:
            km.ip = os.path.join(connection_dir, "k")
            km.kernel_spec.interrupt_mode = "message"  # a signal would reach bwrap, not the kernel
        return km

    def popen_kwargs(self, connection_dir: str) -> dict:
        kw = dict(cwd=self.cwd or connection_dir, env=dict(self.env), stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        if self.preexec is not None:
            kw["preexec_fn"] = self.preexec
        return kw


def _preexec(limits: Limits):
    cpu = math.ceil(limits.total_timeout * (os.cpu_count() or 1)) + 30  # only a runaway meets it
    return rlimits(limits.memory_mb, limits.file_mb, cpu) if os.name == "posix" else None


class _Client(NotebookClient):
    """nbclient, keeping of a cell's outputs only the harness's result message."""

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "display_data":
            text = (msg.get("content", {}).get("data") or {}).get(RESULT_MIME)
            if isinstance(text, str) and len(text) <= MAX_RESULT_CHARS:
                outs[:] = [text]
        return None

    def handle_comm_msg(self, outs, msg, cell_index):  # widgets: never part of a grade
        return None


class Kernel:
    """A fresh kernel: ``run(code, timeout)`` -> ``(status, results)``.

    ``status`` is ``ok``, ``error``, ``timeout`` (interrupted), ``timeout-killed`` (it ignored
    the interrupt) or ``dead``; ``results`` the texts of the result messages the cell sent.
    """

    def __init__(self, start: KernelStart, limits: Limits):
        self.start, self.limits, self.killed, self.connection_dir = start, limits, False, None
        self.error_name = None  # the exception name of the last cell's error
        self.watch = None
        self.client = _Client(nbformat.v4.new_notebook(), kernel_name="python3", allow_errors=True,
                              interrupt_on_timeout=True, startup_timeout=int(limits.startup_timeout),
                              record_timing=False, store_widget_state=False,
                              shutdown_kernel="immediate")
        for attempt in range(1, START_TRIES + 1):
            try:
                self._start()
                return
            except Exception:
                self.close()
                if attempt == START_TRIES:
                    raise

    def _start(self):
        self.connection_dir = tempfile.mkdtemp(prefix="mlpkit-kernel-")  # fresh: never reused
        self.client.km = self.start.manager(self.connection_dir)
        self.client.start_new_kernel(**self.start.popen_kwargs(self.connection_dir))
        self.watch = TreeWatch(self.client.km.provisioner.pid, self.limits.memory_mb,
                               self.limits.max_processes, folder=self.connection_dir,
                               folder_mb=self.limits.file_mb)
        self.client.start_new_kernel_client()
        slice_waits(self.client.kc)  # a missed zmq wake-up must not read as a timeout

    @property
    def death(self) -> str:
        """Why the grader killed the kernel's processes ("" if it did not)."""
        return self.watch.reason if self.watch is not None else ""

    def run(self, code: str, timeout: float) -> tuple[str, list]:
        if self.client.kc is None or not run_sync(self._alive)():
            return "dead", []
        cell = nbformat.v4.new_code_cell(code)
        self.client.nb.cells = [cell]
        self.client.timeout = max(1, math.ceil(timeout))
        t0 = time.monotonic()
        try:
            run_sync(self._execute)(cell, self.client.timeout + INTERRUPT_GRACE)
        except (DeadKernelError, CellTimeoutError):
            return ("timeout-killed" if self.killed else "dead"), []
        status = "timeout" if time.monotonic() - t0 >= self.client.timeout else self._reply
        return status, list(cell.outputs)

    async def _alive(self) -> bool:
        return bool(await ensure_async(self.client.km.is_alive()))

    async def _execute(self, cell, kill_after: float):
        self._reply, self.error_name = "ok", None
        loop = asyncio.get_running_loop()
        watchdog = loop.call_later(kill_after, self._kill)

        async def on_error(cell, cell_index, execute_reply):
            self._reply = "error"
            self.error_name = str((execute_reply or {}).get("content", {}).get("ename", ""))[:100]

        self.client.on_cell_error = on_error
        try:
            await self.client.async_execute_cell(cell, 0, store_history=True)
        finally:
            watchdog.cancel()

    def _kill(self):
        """The kernel ignored the interrupt: kill its whole process group."""
        self.killed = True
        asyncio.ensure_future(ensure_async(self.client.km.signal_kernel(signal.SIGKILL)))

    def close(self):  # also after a failed start: the client or manager may be half made
        km, kc = self.client.km, self.client.kc
        if self.watch is not None:
            self.watch.stop()
            self.watch.kill_all()  # whatever the notebook left running
        try:
            if kc is not None:
                kc.stop_channels()
        except Exception:
            pass
        try:
            if km is not None:
                run_sync(self._shutdown)(km)
        except Exception:
            pass
        self.client.km = self.client.kc = None
        if getattr(self, "connection_dir", None):
            shutil.rmtree(self.connection_dir, ignore_errors=True)

    @staticmethod
    async def _shutdown(km):
        try:
            if await ensure_async(km.is_alive()):
                await ensure_async(km.shutdown_kernel(now=True))
        finally:
            await ensure_async(km.cleanup_resources())
