"""The grading worker: ``python -m mlpkit.grader.worker JOB.json ROW.json``.

The runner starts one worker process per submission, so a misbehaving
submission can only take down its own worker. ``JOB.json`` names the file, the
assignment, the student, the seed and the limits; the worker grades it
(:func:`mlpkit.grader.grade.grade_submission`) and writes the row to ``ROW.json``.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# nbclient imports nbformat, which imports jsonschema, whose optional IRI format checker imports
# rfc3987_syntax, which compiles a grammar at import: 1.7 s of every worker's start, measured. The
# grader never validates an IRI; with the module marked absent, jsonschema skips that one format.
sys.modules.setdefault("rfc3987_syntax", None)

from .assignments import get  # noqa: E402
from .execute import KernelStart, Limits  # noqa: E402
from .grade import grade_submission  # noqa: E402
from .sandbox import Sandbox  # noqa: E402


def kernel_start(job: dict, job_dir: str, limits: Limits):
    """``work_dir -> KernelStart``: in a bwrap sandbox unless the job says ``"sandbox": false``."""
    if not job.get("sandbox", True):
        return lambda work: KernelStart.plain(work, limits)
    sandbox = Sandbox.for_grading(hide=[*job.get("hide", []), job_dir], tmp_mb=limits.file_mb)
    return lambda work: KernelStart.sandboxed(sandbox, limits)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    limits = Limits(**job["limits"])
    start = kernel_start(job, str(Path(argv[0]).resolve().parent), limits)
    row = grade_submission(Path(job["path"]), get(job["assignment"]), job["student"],
                           int(job["seed"]), limits, start=start)
    tmp = Path(argv[1] + ".tmp")
    tmp.write_text(json.dumps(row.to_dict()), encoding="utf-8")
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
