"""Reading submissions without trusting them: which entries, and the code cells of one.

:func:`collect_submissions` lists a submissions folder: every entry (dotfiles too) becomes
one :class:`Entry`, graded or refused with a reason (a symbolic link is never followed: it
could lead to the instructor's solutions; a FIFO or device is never opened). Student ids are
readable even for file names that are not valid UTF-8 (``caf\\xe9``).
:func:`load_submission` parses one file and, when it is not a notebook, says
why (:class:`NotANotebook`: empty, not UTF-8, not JSON, JSON but not a notebook,
no code cell, too much code). Old formats (nbformat 3) are converted; the kernel name in the
file is ignored (always ``python3``); stored outputs are never used (nor counted in the size
limit on code).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 256 * 2**20   # read at most this much of a file (outputs included)
MAX_CODE_BYTES = 50 * 2**20    # of source in its cells

__all__ = ["NotANotebook", "Entry", "load_submission", "collect_submissions", "sha256_of",
           "code_digest", "readable", "MAX_FILE_BYTES", "MAX_CODE_BYTES"]


class NotANotebook(Exception):
    """The file cannot be graded as a notebook; the message says why."""


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: never through a symbolic link, never from a FIFO or device."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise NotANotebook(f"cannot read the file ({exc.strerror or exc})")
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotANotebook("not a regular file")
        raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise NotANotebook(f"the file is more than {MAX_FILE_BYTES // 2**20} MB")
    return raw


def _read_json(path: Path) -> tuple[dict, str]:
    raw = _read_bytes(path)
    if not raw.strip():
        raise NotANotebook("the file is empty")
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
    code = sum(len(src.encode("utf-8", "surrogatepass")) for _, t, src in cells if t == "code")
    if code > MAX_CODE_BYTES:
        raise NotANotebook(f"its code cells hold {code // 2**20} MB of source, more than "
                           f"{MAX_CODE_BYTES // 2**20} MB")
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


def readable(name: str) -> str:
    """A file name as text, undecodable bytes shown as ``\\xNN`` (never a lone surrogate)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass
class Entry:
    """One entry of the submissions folder: graded (``refused`` empty) or refused, and why."""

    student: str
    path: Path
    refused: str = ""      # the row's status when it is not graded at all
    reason: str = ""


def _link_entry(student: str, path: Path) -> Entry:
    try:
        target = readable(os.readlink(path))
    except OSError:
        target = "?"
    return Entry(student, path, "refused-symlink", f"a symbolic link (to {target}): links are "
                 "not followed (they could lead anywhere); submit the notebook file itself")


def _entry(path: Path) -> Entry:
    name = path.name
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        return _link_entry(readable(name[:-6] if name.endswith(".ipynb") else name), path)
    if stat.S_ISDIR(st.st_mode):
        nbs = sorted(p for p in path.iterdir() if p.name.endswith(".ipynb"))
        if not nbs:
            return Entry(readable(name), path, "not-a-notebook", "the folder holds no .ipynb file")
        if nbs[0].is_symlink():
            return _link_entry(readable(name), nbs[0])
        return Entry(readable(name), nbs[0])
    student = readable(name[:-6] if name.endswith(".ipynb") else name)
    if not stat.S_ISREG(st.st_mode):
        return Entry(student, path, "not-a-notebook", "not a regular file (a FIFO, socket or "
                                                      "device): not opened")
    return Entry(student, path)


def collect_submissions(folder: Path) -> list[Entry]:
    """One :class:`Entry` per entry of ``folder`` (each file, or each sub-folder's notebook)."""
    out, seen = [], set()
    for path in sorted(Path(folder).iterdir(), key=lambda p: os.fsencode(p.name)):
        e = _entry(path)
        if e.student in seen:  # alice.ipynb and a folder alice/: the second keeps its full name
            e.student = readable(path.name)
        base, k = e.student, 2
        while e.student in seen:
            e.student, k = f"{base} ({k})", k + 1
        seen.add(e.student)
        out.append(e)
    return out


def code_digest(cells: list) -> str:
    """SHA-256 of the code cells' sources, blank lines and trailing spaces removed (outputs,
    metadata, Markdown and cell ids never count): equal for copies saved twice."""
    lines = [ln.rstrip() for _, t, src in cells if t == "code" for ln in src.splitlines()]
    text = "\n".join(ln for ln in lines if ln)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
