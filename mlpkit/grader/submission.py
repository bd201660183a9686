"""Reading submissions without trusting them: which files, and the code cells of one.

:func:`collect_submissions` lists a submissions folder (one row per entry);
:func:`load_submission` parses one file and, when it is not a notebook, says
why (:class:`NotANotebook`: empty, not UTF-8, not JSON, JSON but not a notebook,
no code cell). Old formats (nbformat 3) are converted; the kernel name in the
file is ignored (always ``python3``); stored outputs are never used.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

MAX_FILE_BYTES = 50 * 2**20

__all__ = ["NotANotebook", "load_submission", "collect_submissions", "sha256_of", "MAX_FILE_BYTES"]


class NotANotebook(Exception):
    """The file cannot be graded as a notebook; the message says why."""


def _read_json(path: Path) -> tuple[dict, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotANotebook(f"cannot read the file ({exc.strerror or exc})")
    if not raw.strip():
        raise NotANotebook("the file is empty")
    if len(raw) > MAX_FILE_BYTES:
        raise NotANotebook(f"the file is {len(raw) // 2**20} MB, more than {MAX_FILE_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotANotebook(f"not UTF-8 text (byte {exc.start}): not a notebook (.ipynb) file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotANotebook(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
                           "the notebook file is corrupted or not a notebook")
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        raise NotANotebook("valid JSON but not a Jupyter notebook (no cells)")
    return data, text


def _upgrade(data: dict, text: str, notes: list) -> dict:
    """nbformat 3 (and older) converted to version 4."""
    major = data.get("nbformat")
    if not (isinstance(major, int) and major < 4):
        return data
    try:
        import nbformat

        data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
    except Exception as exc:
        raise NotANotebook(f"old notebook format (nbformat {major}) that cannot be converted "
                           f"({type(exc).__name__})")
    notes.append(f"old notebook format (nbformat {major}) converted to version 4")
    return data


def _cells(data: dict) -> list:
    cells_in = data.get("cells")
    if not isinstance(cells_in, list):
        raise NotANotebook("the notebook's 'cells' is not a list")
    cells = []
    for i, c in enumerate(cells_in, start=1):
        if not isinstance(c, dict):
            continue
        src = c.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            src = ""
        cells.append((i, str(c.get("cell_type", "")), src))
    if not any(t == "code" for _, t, _ in cells):
        raise NotANotebook("the notebook has no code cell")
    return cells


def load_submission(path: Path):
    """``(cells, notes)``: ``cells`` a list of ``(number, cell_type, source)``, 1-based numbers."""
    notes: list = []
    data, text = _read_json(Path(path))
    data = _upgrade(data, text, notes)
    kname = ((data.get("metadata") or {}).get("kernelspec") or {}).get("name")
    if isinstance(kname, str) and kname != "python3":
        notes.append(f"kernel {kname!r} in the file ignored: graded with python3")
    return _cells(data), notes


def collect_submissions(folder: Path) -> list[tuple[str, Path]]:
    """``(student, path)`` for every submission: each file, or each sub-folder's notebook."""
    out, seen = [], set()
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            nbs = sorted(p for p in entry.glob("*.ipynb") if not p.name.startswith("."))
            path = nbs[0] if nbs else entry / "(no notebook)"
            student = entry.name
        elif entry.is_file():
            path = entry
            student = entry.name[:-6] if entry.name.endswith(".ipynb") else entry.name
        else:
            continue
        if student in seen:
            student = entry.name
        seen.add(student)
        out.append((student, path))
    return out


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), ``""`` when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()
