"""Re-running notebooks top to bottom and saving their outputs in place (for maintainers).

``mlpkit execute notebooks/*.ipynb solutions/*.ipynb`` (``make outputs``) is what the
committed outputs come from, and what nbval compares against: each notebook runs in a fresh
``python3`` kernel, in its own folder, on nbclient, with a per-cell timeout. It differs from
``jupyter nbconvert --execute --inplace`` in two ways:

* nothing is lost: a notebook is written (atomically) only when every cell ran without an
  error; otherwise the file is left as it was, and the failing cell is named;
* the waits for kernel messages are sliced (:mod:`mlpkit.grader.wakeup`): nbclient's own wait
  misses a wake-up now and then (seen after notebook 07's widget cell: 3 runs in 50 waited out
  their whole cell timeout; nbconvert's default timeout is none, so it hangs).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from .grader.wakeup import slice_waits

__all__ = ["ExecuteError", "execute_notebook", "execute_all"]


class ExecuteError(Exception):
    """A notebook that could not be run to the end; its file is unchanged."""


class _Client(NotebookClient):
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        slice_waits(kc)
        return kc


def _read(path: Path):
    if path.suffix != ".ipynb":
        raise ExecuteError(f"{path}: not a notebook (expected a .ipynb file)")
    if not path.is_file():
        raise ExecuteError(f"{path}: no such file")
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # NotJSONError, a validation error, a decoding error
        raise ExecuteError(f"{path}: not a readable notebook ({type(exc).__name__}: "
                           f"{str(exc)[:200]})") from None


def execute_notebook(path, timeout: float = 300.0) -> float:
    """Run notebook ``path`` top to bottom in a fresh kernel (cells time out after ``timeout``
    seconds) and write it back with its new outputs; returns the seconds it took. Raises
    :class:`ExecuteError`, leaving the file unchanged, when a cell fails."""
    path = Path(path)
    nb = _read(path)
    client = _Client(nb, timeout=int(timeout), kernel_name="python3", coalesce_streams=True,
                     resources={"metadata": {"path": str(path.parent.resolve())}})
    t0 = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as exc:
        raise ExecuteError(f"{path}: a cell raised {exc.ename}: {str(exc.evalue)[:200]}; the "
                           "file is unchanged") from None
    except CellTimeoutError:
        raise ExecuteError(f"{path}: a cell ran longer than {timeout:g} s (--timeout); the file "
                           "is unchanged") from None
    except DeadKernelError as exc:
        raise ExecuteError(f"{path}: the kernel died ({str(exc)[:200]}); the file is "
                           "unchanged") from None
    except Exception as exc:  # no python3 kernel, a kernel that does not start, ...
        raise ExecuteError(f"{path}: could not be run ({type(exc).__name__}: {str(exc)[:200]}); "
                           "the file is unchanged") from None
    took = time.monotonic() - t0
    tmp = path.with_name(f".{path.name}.mlpkit-execute.tmp")
    try:
        nbformat.write(nb, str(tmp))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return took


def execute_all(paths, timeout: float = 300.0, log=print) -> int:
    """Run every notebook of ``paths``; returns how many failed (each failure is logged)."""
    failed = 0
    for p in paths:
        try:
            took = execute_notebook(p, timeout)
        except ExecuteError as exc:
            log(f"mlpkit execute: {exc}")
            failed += 1
        else:
            log(f"ran {p} ({took:.1f} s)")
    return failed
