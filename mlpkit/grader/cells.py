"""The code the grader sends into a submission's kernel, besides the submission's own cells.

* :data:`SETUP`, first: records, after every cell, the last *callable* bound to each graded
  name and what the namespace held (outside the user namespace: a later ``%reset`` loses
  nothing), turns ``exit()``/``quit()`` into an error of that cell instead of a dead kernel,
  and throws printed output away;
* :data:`HARNESS`: the source of :mod:`mlpkit.safecall`, as a fresh module (patching
  ``mlpkit`` in the notebook cannot change it);
* :data:`GROUP`: one per call group, calling a graded function on the grader's inputs.

Each name carries a random token, so a notebook cannot collide with them by accident.
"""
from __future__ import annotations

from pathlib import Path

from .. import safecall

__all__ = ["SETUP", "HARNESS", "GROUP", "CELL_NOTES", "harness_source"]

SETUP = '''\
def _mlpkit_setup_{token}():
    import os, sys, types
    ip = get_ipython()
    names = {names!r}
    # outside the user namespace, so that a later %reset cannot lose the functions
    holder = types.ModuleType("_mlpkit_record_{token}")
    holder.record = record = {{}}
    holder.namespace = {{}}
    sys.modules[holder.__name__] = holder
    def no_exit(*args, **kwargs):  # exit() / quit(): an error in that cell, not a dead kernel
        raise SystemExit("exit() or quit() called")
    ip.ask_exit = no_exit
    def snapshot(*args, **kwargs):
        ns = ip.user_ns
        holder.namespace.update(ns)  # what the functions' globals held, in case of a %reset
        for n in names:
            v = ns.get(n)
            if callable(v) and not isinstance(v, type):
                record[n] = v
    ip.events.register("post_run_cell", snapshot)
    try:  # tracebacks are never read; formatting 3000 frames of a recursion takes seconds
        ip.InteractiveTB.set_mode(mode="Minimal")
    except Exception:
        pass
    sink = open(os.devnull, "w")
    sys.stdout = sink
    sys.stderr = sink
_mlpkit_setup_{token}()
del _mlpkit_setup_{token}
'''

HARNESS = '''\
import types as _t_{token}
_mlpkit_h_{token} = _t_{token}.ModuleType("_mlpkit_harness_{token}")
exec({source!r}, _mlpkit_h_{token}.__dict__)
del _t_{token}
'''

GROUP = '''\
_mlpkit_h_{token}.run_group(__import__("sys").modules.get("_mlpkit_record_{token}"), globals(), \
{names!r}, {function!r}, {cases!r}, {forbid!r})
'''

# What a cell's error says about the notebook, worth a note in the feedback (by exception name).
CELL_NOTES = {
    "SystemExit": "cell {n} calls exit(), quit() or sys.exit(): ignored, the rest of the notebook "
                  "was run (do not stop the program in a notebook)",
    "StdinNotImplementedError": "cell {n} calls input(): the grader cannot type an answer, so that "
                                "cell stopped there with an error (use a variable instead)",
}


_SOURCE_CACHE: list = []


def harness_source() -> str:
    """The source of :mod:`mlpkit.safecall` (read once)."""
    if not _SOURCE_CACHE:
        _SOURCE_CACHE.append(Path(safecall.__file__).read_text(encoding="utf-8"))
    return _SOURCE_CACHE[0]
