"""The class report an instructor reads first: ``grades/summary.md`` and ``summary.png``.

Written at the end of every grading run (:func:`write_summary`, called by
``runner.grade_folder``): the distribution of the scores, the pass rate of every hidden
check, and the most frequent diagnoses across the class (the class's common
misconceptions) with their counts, each linked to the section of the lecture notebook that
teaches the point.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

from .rows import Row
from .similarity import EXPLAIN, pairs_of

__all__ = ["write_summary", "diagnosis_key", "common_diagnoses", "section_for", "TOP"]

#: How many diagnoses the report lists.
TOP = 12
#: How many similar pairs the report lists (grades.csv has all).
SIMILAR_TOP = 200
# a value (not a bare 1, which is part of formulas: 1 - a, 1/m)
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-+]?(?!1(?![\d.e]))\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_STOP = {"the", "and", "for", "with", "not", "was", "are", "has", "its", "you", "your", "from",
         "this", "that", "use", "got", "expected", "into", "one", "each", "all", "only", "did",
         "should", "than", "here", "what", "which", "check", "returned", "value", "values"}
#: Diagnosis words -> words of the lecture's headings that teach them (the first match counts).
_TOPICS = [(r"sigma'|sigmoid_prime|derivative", "sigmoid derivative"),
           (r"wrong sign|negative gradient|up the gradient|moved w away",
            "sign descent output cross-entropy"),
           (r"overflow|max shift|underflow|nan|stable|log-sum-exp", "stability stable overflow"),
           (r"column|product with|input", "whole batch vectorised"),
           (r"batch|1/m|average|mean", "batch vectorised mean"),
           (r"shape|transpos|\(n_out, n_in\)|broadcast", "shapes notation batch"),
           (r"softmax|one-hot|onehot", "softmax cross-entropy"),
           (r"boundary|label|perceptron", "perceptron update boundary"),
           (r"accuracy|epoch|learning rate|lr", "training minibatch learning"),
           (r"bias", "bias layer forward")]

def diagnosis_key(message: str) -> str:
    """A diagnosis without its numbers, so that the same mistake on other inputs counts once."""
    text = _NUMBER.sub("#", str(message)).strip()
    text = re.sub(r"\[[#, ]+\]", "[...]", text)
    return re.sub(r"\s+", " ", text)


def common_diagnoses(rows, assignment) -> list:
    """``[(key, count, [check ids], example message)]``, most frequent first; a student counts
    once per diagnosis."""
    count, checks, example = Counter(), {}, {}
    for r in rows:
        seen = set()
        for cid, c in r.checks.items():
            if c.points >= c.max or not c.message or c.message.startswith("not graded"):
                continue
            key = diagnosis_key(c.message)
            checks.setdefault(key, [])
            if cid not in checks[key]:
                checks[key].append(cid)
            example.setdefault(key, c.message)
            if key not in seen:
                seen.add(key)
                count[key] += 1
    order = sorted(count, key=lambda k: (-count[k], k))
    return [(k, count[k], checks[k], example[k]) for k in order]


def _headings(notebook: Path) -> list:
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        src = "".join(cell.get("source", []))
        for line in src.split("\n"):
            m = re.match(r"^(#{1,4})\s+(.+?)\s*$", line)
            if m:
                out.append(m.group(2))
    return out


def _words(text: str) -> set:
    return {w for w in re.findall(r"[a-z][a-z'-]{2,}", text.lower()) if w not in _STOP}


def section_for(notebook: Path, message: str, description: str = ""):
    """``(heading, anchor)`` of the notebook section that best matches a diagnosis (keyword
    overlap with the heading, the diagnosis's topics counted twice), or ``(None, "")``."""
    heads = _headings(notebook)
    if not heads:
        return None, ""
    words = _words(message + " " + description)
    topic = next((set(w.split()) for p, w in _TOPICS if re.search(p, message, re.I)), set())
    best, score = None, 0
    for h in heads[1:] or heads:  # the first heading is the notebook's title
        hw = _words(h)
        s = len(hw & words) + 2 * len(hw & topic)
        if s > score:
            best, score = h, s
    if best is None:
        return heads[0], _anchor(heads[0])
    return best, _anchor(best)


def _anchor(heading: str) -> str:
    """JupyterLab's anchor of a Markdown heading (spaces become dashes)."""
    text = re.sub(r"[`*_$]", "", heading).strip()
    return "#" + re.sub(r"\s+", "-", text).replace("(", "%28").replace(")", "%29")


def _stats(rows, assignment):
    totals = [r.total for r in rows]
    statuses = Counter(r.status for r in rows)
    rates = {}
    for c in assignment.checks:
        graded = [r for r in rows if c.id in r.checks]
        full = sum(1 for r in graded if r.checks[c.id].points >= r.checks[c.id].max)
        rates[c.id] = (full / len(graded)) if graded else 0.0
    return totals, statuses, rates


def _figure(path: Path, totals, rates, assignment) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    top = assignment.max_points
    a1.hist(totals, bins=[x - 0.5 for x in range(int(top) + 2)], color="#4c72b0", edgecolor="k")
    a1.set_xlabel(f"total points (of {top:g})")
    a1.set_ylabel("submissions")
    a1.set_title(f"assignment {assignment.number}: scores")
    ids = list(rates)
    a2.barh(ids[::-1], [100 * rates[i] for i in ids[::-1]], color="#55a868", edgecolor="k")
    a2.set_xlim(0, 100)
    a2.set_xlabel("% of submissions with full points")
    a2.set_title("pass rate per check")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)


def _link(out: Path, notebook: Path, anchor: str) -> str:
    try:
        rel = os.path.relpath(notebook.resolve(), out.resolve())
    except ValueError:  # another drive (Windows)
        rel = str(notebook.resolve())
    return rel.replace(os.sep, "/") + anchor


def summary_text(out: Path, assignment, rows, root: Path) -> str:
    """The Markdown of ``summary.md``."""
    rows = list(rows)
    totals, statuses, rates = _stats(rows, assignment)
    n = len(rows)
    mean = sum(totals) / n if n else 0.0
    median = sorted(totals)[n // 2] if n else 0.0
    notebook = root / "notebooks" / f"{assignment.topic}.ipynb"
    descr = {c.id: c.description for c in assignment.checks}
    lines = [f"# Class report: assignment {assignment.number} ({assignment.topic})", "",
             f"{n} submission(s); mean {mean:.2f}, median {median:g} of "
             f"{assignment.max_points:g} points. Statuses: "
             + ", ".join(f"{statuses[s]} {s}" for s in sorted(statuses, key=lambda s: -statuses[s]))
             + ".", "", "![scores and pass rates](summary.png)", "",
             "## Pass rate per check", "", "| check | points | full points | what it checks |",
             "|---|---|---|---|"]
    for c in assignment.checks:
        lines.append(f"| {c.id} | {c.points:g} | {100 * rates[c.id]:.0f} % | {descr[c.id]} |")
    lines += ["", "## Most frequent diagnoses", "",
              "How many students got each diagnosis (a student counts once per diagnosis), and "
              "where the lecture teaches the point.", "",
              "| students | diagnosis | checks | taught in |", "|---|---|---|---|"]
    for key, count, checks, example in common_diagnoses(rows, assignment)[:TOP]:
        head, anchor = section_for(notebook, example, " ".join(descr.get(c, "") for c in checks))
        where = (f"[{head}]({_link(out, notebook, anchor)})" if head else
                 f"`notebooks/{assignment.topic}.ipynb`")
        text = key.replace("|", "\\|")
        lines.append(f"| {count} | {text} | {', '.join(checks)} | {where} |")
    return "\n".join(lines + _similar_section(rows)) + "\n"


def _similar_section(rows) -> list:
    """The pairs of submissions with similar code (column ``similar_to``), best first."""
    pairs = pairs_of(rows)
    lines = ["", "## Similar code: for a human to look at, not a verdict", "",
             f"Pairs of submissions flagged by the similarity measure ({EXPLAIN}).", ""]
    if not pairs:
        return lines + ["No pair flagged."]
    lines += ["| score | student | student |", "|---|---|---|"]
    for a, b, score in pairs[:SIMILAR_TOP]:
        a, b = (s.replace("|", "\\|").replace("\n", " ") for s in (a, b))
        lines.append(f"| {score:.2f} | {a} | {b} |")
    if len(pairs) > SIMILAR_TOP:
        lines += ["", f"... and {len(pairs) - SIMILAR_TOP} more pairs (grades.csv, column "
                      "similar_to). So many usually means a shared source or a threshold too low "
                      "for this assignment."]
    return lines


def write_summary(out: Path, assignment, rows, root: Path | None = None) -> None:
    """Write ``summary.md`` and ``summary.png`` into ``out`` from ``rows`` (student -> Row or a
    list of rows)."""
    out = Path(out)
    rows = list(rows.values()) if isinstance(rows, dict) else list(rows)
    rows = [r if isinstance(r, Row) else Row.from_dict(r) for r in rows]
    root = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    out.mkdir(parents=True, exist_ok=True)
    totals, _, rates = _stats(rows, assignment)
    _figure(out / "summary.png", totals, rates, assignment)
    (out / "summary.md").write_text(summary_text(out, assignment, rows, root), encoding="utf-8")
