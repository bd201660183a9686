"""The ``mlpkit`` command line."""
from __future__ import annotations

import argparse
import importlib
import sys


def _info(args) -> int:
    import platform

    import numpy as np

    from . import __version__

    print(f"mlpkit {__version__} on Python {platform.python_version()}, numpy {np.__version__}")
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                print(f"BLAS: {pool.get('internal_api')} {pool.get('version')}, "
                      f"{pool.get('num_threads')} threads, kernel {pool.get('architecture')}")
    except Exception:  # threadpoolctl is optional here
        pass
    try:
        import torch

        print(f"PyTorch {torch.__version__} (optional cross-checks enabled)")
    except ImportError:
        print("PyTorch not installed (optional: `make torch`)")
    return 0


def _assign(args) -> int:
    from .assign import AssignError, assign

    try:
        changed = assign(args.root, check=args.check, names=args.only or None)
    except AssignError as exc:
        print(f"mlpkit assign: {exc}", file=sys.stderr)
        return 2
    if args.check and changed:
        print(f"{changed} exercise notebook(s) out of date with their solutions", file=sys.stderr)
        return 1
    return 0


def _student_release() -> bool:
    """Whether this copy of mlpkit is a student release (its public checks use stored values)."""
    from pathlib import Path

    return (Path(__file__).parent / "checks" / "stored_values.json").exists()


def _instructor_module(command: str, module: str, why: str):
    """``mlpkit.<module>``, or ``None`` after printing ``why`` for ``mlpkit <command>``: the
    student release has neither the grader nor the instructors' and maintainers' tools."""
    try:
        if _student_release():
            raise ImportError("student release")
        return importlib.import_module(f".{module}", __package__)
    except ImportError:
        print(f"mlpkit {command}: {why}", file=sys.stderr)
        return None


def _grade(args) -> int:
    runner = _instructor_module("grade", "grader.runner", "the grader is not part of this copy of "
                                "the course (the student release); grading happens in the "
                                "instructor's copy")
    return 2 if runner is None else runner.cli_grade(args)


def _threshold(text):
    """``--similarity-threshold``: checked here, so a typo stops the run before any grading."""
    try:
        from .grader.similarity import DEFAULT_THRESHOLD, parse_threshold
    except ImportError:        # the student release: `grade` says the grader is missing
        return None
    if text == "default":
        return DEFAULT_THRESHOLD
    try:
        return parse_threshold(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _release(args) -> int:
    release = _instructor_module("release", "release", "this copy is already a student "
                                 "release; build releases from the instructor's copy")
    if release is None:
        return 2
    try:
        release.build_release(args.out_dir, root=args.root, force=args.force)
    except release.ReleaseError as exc:
        print(f"mlpkit release: {exc}", file=sys.stderr)
        return 2
    return 0


def _execute(args) -> int:
    execute = _instructor_module("execute", "execute", "not part of the student release (use "
                                 "Jupyter's Run All)")
    if execute is None:
        return 2
    if args.timeout <= 0:
        print(f"mlpkit execute: --timeout must be a positive number of seconds, got "
              f"{args.timeout:g}", file=sys.stderr)
        return 2
    failed = execute.execute_all(args.notebooks, timeout=args.timeout)
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlpkit", description="Tools of the mlp-course.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("info", help="versions of mlpkit, numpy, the BLAS and PyTorch")
    p.set_defaults(func=_info)

    p = sub.add_parser("assign", help="generate exercises/*.ipynb from solutions/*.ipynb",
                       description="Regenerate the exercise notebooks from the solutions: solution "
                                   "blocks become stubs, instructor-only cells and outputs go.")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a committed exercise differs from what would "
                        "be generated")
    p.add_argument("--root", default=None, help="course root (default: found from the current "
                                                "directory)")
    p.add_argument("only", nargs="*", help="only these notebooks (e.g. 04 or 04_backprop_two_layer)")
    p.set_defaults(func=_assign)

    p = sub.add_parser("grade", help="grade a folder of submitted notebooks for one assignment",
                       description="Run every submission in its own fresh, limited kernel, call the "
                                   "graded functions on hidden inputs and write grades.csv, "
                                   "grades.json and one feedback file per student.")
    p.add_argument("assignment", help="assignment number, e.g. 04")
    p.add_argument("submissions", nargs="?", help="folder of submitted notebooks (one per student)")
    p.add_argument("--out", help="output folder for grades.csv, grades.json, feedback/")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true",
                      help="keep existing rows whose file is unchanged, grade the rest")
    mode.add_argument("--force", action="store_true",
                      help="re-grade everything; the previous grade files are kept as *.bak-<time>")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel kernels (default: CPU count)")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    p.add_argument("--total-timeout", type=float, default=600.0,
                   help="seconds per submission (default 600)")
    p.add_argument("--memory-mb", type=int, default=2048, help="address-space cap of each kernel, MB")
    p.add_argument("--seed", type=int, default=0, help="base seed of the hidden inputs")
    p.add_argument("--list-checks", action="store_true", help="list the hidden checks and exit")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="grade on a Dask cluster: a scheduler address (tcp://host:8786), a scheduler "
                        "file (*.json), or local:N for N worker processes here; needs the "
                        "[cluster] extra (docs/INSTRUCTORS.md)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="UNSAFE: run the kernels without the bubblewrap sandbox (where bwrap is "
                        "missing, e.g. macOS); every notebook can then read and write your files")
    p.add_argument("--similarity-threshold", type=_threshold, default=_threshold("default"),
                   metavar="X",
                   help="flag pairs of submissions whose code (beyond the handout; names, comments "
                        "and spacing ignored) scores at least X in copydetect, 0 to 1 (default "
                        "%(default)s); 0 or off: flag identical code only (docs/INSTRUCTORS.md)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)

    p = sub.add_parser("release", help="build the student release (no solutions, no grader)",
                       description="Write what students get into OUT_DIR: the notebooks, the "
                                   "exercises, the package with public checks that compare with "
                                   "stored values, README and set-up files; no solutions/, no "
                                   "instructor documents, no grader. See docs/INSTRUCTORS.md.")
    p.add_argument("out_dir", metavar="OUT_DIR", help="a new (or empty) folder outside the course")
    p.add_argument("--force", action="store_true",
                   help="replace a previous release in OUT_DIR")
    p.add_argument("--root", default=None, help="course root (default: found from the current "
                                                "directory)")
    p.set_defaults(func=_release)

    p = sub.add_parser("execute", help="re-run notebooks top to bottom and save their outputs",
                       description="Run each notebook in a fresh kernel from its own folder and "
                                   "write it back with its outputs (what nbval compares with); a "
                                   "notebook with a failing cell is left unchanged and named. "
                                   "Exit status 1 if any failed.")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help=".ipynb files")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds a cell may run (default 300)")
    p.set_defaults(func=_execute)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
