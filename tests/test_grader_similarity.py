"""Near-identical submissions (grader/similarity.py): disguised copies are flagged with their
partner and score, independent implementations and unattempted notebooks are not, identical code
scores 1.0; the columns, the run's output, summary.md, --resume with an old grades.json, the CLI
option, a missing copydetect, and hostile files.

The runner tests grade with a stand-in executor (rows made without kernels: the similarity step
reads the files itself, text only); tests/test_grader_bad_submissions.py flags copies in a real run.
"""
from __future__ import annotations

import csv
import itertools
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from grader_cases import similar as S
from grader_cases.nbtools import with_edit
from mlpkit.cli import main as cli_main
from mlpkit.grader import runner, similarity
from mlpkit.grader.assignments import get
from mlpkit.grader.rows import Row
from mlpkit.grader.similarity import DEFAULT_THRESHOLD, MAX_CHARS, code_text, similar_pairs
from mlpkit.grader.submission import NotANotebook, code_digest, load_submission

DISGUISES = ("renamed", "reformatted", "recommented", "reordered", "all")


def text(nb) -> str:
    """The code the grader compares: the handout's unchanged cells left out."""
    return S.code_of(nb)


def handout(nn: str) -> str:
    """The boilerplate: all the handed-out code (as grader/similarity.py's flag takes it)."""
    return code_text([(i, c.cell_type, c.source) for i, c in enumerate(S.exercise(nn).cells)])


def flagged(codes: dict, nn: str, threshold=DEFAULT_THRESHOLD) -> dict:
    return {(p.a, p.b): p.score for p in similar_pairs(codes, handout(nn), threshold)}


# ------------------------------------------------------------------ the measure
@pytest.mark.parametrize("nn", ["04", "07"])
@pytest.mark.parametrize("how", DISGUISES)
def test_a_disguised_copy_is_flagged_with_its_partner(nn, how):
    codes = {"alice": text(S.solution(nn)), "bob": text(S.disguised(nn, how, seed=3)),
             "carol": text(S.independent(nn, "helpers"))}
    assert codes["alice"] != codes["bob"]
    pairs = flagged(codes, nn)
    assert list(pairs) == [("alice", "bob")]
    assert DEFAULT_THRESHOLD <= pairs[("alice", "bob")] <= 1.0


@pytest.mark.parametrize("nn", ["04", "07"])
def test_independent_implementations_are_not_flagged(nn):
    codes = {name: text(S.independent(nn, name)) for name in S.INDEPENDENT[nn]}
    codes["solution"] = text(S.solution(nn))
    assert len(codes) >= 4
    assert flagged(codes, nn) == {}
    # the measure sees them: at a low threshold the closest pairs are listed
    assert flagged(codes, nn, threshold=0.3)


@pytest.mark.parametrize("nn", ["04", "07"])
def test_unattempted_notebooks_are_not_flagged(nn):
    ex = S.exercise(nn)
    other = S.exercise(nn)
    other.metadata["author"] = "x"
    for c in other.cells:
        if c.cell_type == "code":
            c.outputs = [nbformat.v4.new_output("stream", text="NotImplementedError\n")]
    codes = {"a": text(ex), "b": text(other), "c": text(ex) + "\n# I gave up\n"}
    assert flagged(codes, nn, threshold=0.01) == {}
    # the whole code, the handout's cells too: its fingerprints are removed as boilerplate ...
    raw = {s: code_text([(i, c.cell_type, c.source) for i, c in enumerate(nb.cells)])
           for s, nb in (("a", ex), ("b", other))}
    raw["c"] = raw["a"] + "\n# I gave up\n"
    assert flagged(raw, nn, threshold=0.01) == {}
    # ... without which they would all be "copies"
    assert len(similar_pairs(raw, "", 0.5)) == 3


def test_identical_code_scores_one():
    code = text(S.solution("04"))
    pairs = flagged({"a": code, "b": code, "c": code + "\n\n"}, "04")
    assert pairs == {("a", "b"): 1.0, ("a", "c"): 1.0, ("b", "c"): 1.0}


def test_cells_left_as_handed_out_are_not_compared():
    ex, sol = S.exercise("04"), S.solution("04")
    drop = frozenset(c.source.strip() for c in ex.cells if c.cell_type == "code")
    cells = [(i, c.cell_type, c.source) for i, c in enumerate(sol.cells)]
    kept = code_text(cells, drop)
    assert "def forward(" in kept and "def backward(" in kept          # edited: kept
    assert "import numpy" not in kept and "check_forward" not in kept  # as handed out: left out
    assert code_text(cells).count("\n") > kept.count("\n")


def test_the_prefilter_keeps_every_pair_above_the_threshold():
    """Candidate pairs (shared fingerprints) and the vectorised score versus copydetect's score
    of every pair, on a synthetic class (functions mixed from five implementations, renamed,
    random lines added) and the hand-written set."""
    for nn in ("04", "07"):
        codes = S.synthetic_class(nn, 40, seed=int(nn))
        for k, how in enumerate(DISGUISES):
            codes[f"copy-{how}"] = text(S.disguised(nn, how, seed=k))
        for name in S.INDEPENDENT[nn]:
            codes[name] = text(S.independent(nn, name))
        bp = similarity.boilerplate_of(handout(nn))
        fps = {s: similarity.fingerprint(t, bp) for s, t in codes.items()}
        score = {}
        for a, b in itertools.combinations(sorted(codes), 2):
            score[a, b] = similarity._score(fps[a], fps[b])
            assert similarity._fast_score(fps[a], fps[b]) == pytest.approx(score[a, b],
                                                                           abs=1e-12), (a, b)
        for threshold in (0.5, DEFAULT_THRESHOLD):
            every = {p for p, v in score.items() if v >= threshold
                     and min(fps[p[0]].token_coverage, fps[p[1]].token_coverage)
                     >= similarity.MIN_OWN}
            got = {(p.a, p.b) for p in similar_pairs(codes, handout(nn), threshold)}
            assert len(every) >= 10 and got == every, (nn, threshold)


# ------------------------------------------------------------------ hostile files
def test_hostile_files_neither_crash_nor_hang_the_step(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    sol = S.solution("04")
    nbformat.write(sol, str(subs / "a.ipynb"))
    nbformat.write(S.disguised("04", "renamed"), str(subs / "b.ipynb"))
    huge = S.solution("04")
    huge.cells.append(nbformat.v4.new_code_cell("x = [" + "1, (" * 2_000_000 + "]"))
    nbformat.write(huge, str(subs / "huge_cell.ipynb"))
    many = S.exercise("04")
    many.cells += [nbformat.v4.new_code_cell(f"v{i} = {i} @ w  # {i}\n'''") for i in range(5000)]
    nbformat.write(many, str(subs / "many_cells.ipynb"))
    odd = S.exercise("04")
    odd.cells.append(nbformat.v4.new_code_cell("s = '\x00\ud800\U0001f600' @@@ \\\n\t\r" * 500))
    (subs / "odd.ipynb").write_text(nbformat.writes(odd), encoding="utf-8", errors="surrogatepass")
    (subs / "junk.ipynb").write_bytes(os.urandom(200_000))
    (subs / "latin1.ipynb").write_bytes(nbformat.writes(sol).replace("sigmoid", "sigmoïd")
                                        .encode("latin-1"))
    with pytest.raises(NotANotebook):
        load_submission(subs / "latin1.ipynb")
    cells = load_submission(subs / "huge_cell.ipynb")[0]
    assert len(code_text(cells)) <= MAX_CHARS
    rows = {p.name[:-6]: Row(p.name[:-6], p.name, "ok", 0.0, 12.0) for p in subs.iterdir()}
    pairs = similarity.flag(rows, subs, get("04"), DEFAULT_THRESHOLD)
    # the huge cell comes after the solution: its first MAX_CHARS still hold the solution
    assert {(a, b) for a, b, _ in pairs} == {("a", "b"), ("a", "huge_cell"), ("b", "huge_cell")}
    assert rows["junk"].similar_to == [] and rows["odd"].similar_to == []


# ------------------------------------------------------------------ the runner and the CLI
def _fake_executor(jobs=None):
    """Rows without kernels (status ok, no points), with the code digest the worker computes."""
    def run(job_list, assignment, timeout):
        for job in job_list:
            try:
                digest = code_digest(load_submission(Path(job["path"]))[0])
            except NotANotebook as exc:
                yield job, Row.failed(assignment, job["student"], job["file"], "not-a-notebook",
                                      str(exc))
                continue
            yield job, Row(job["student"], job["file"], "ok", 0.0, assignment.max_points,
                           code_sha256=digest)
    return run


@pytest.fixture
def cls(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "local_executor", _fake_executor)
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(S.solution("04"), str(subs / "alice.ipynb"))
    edited = with_edit(S.solution("04"), "def backward(", "db2 = D2.sum(axis=0)",
                       "db2 = np.add.reduce(D2, 0)")                # one line of its own
    nbformat.write(S.disguised("04", "all", seed=5, nb=edited), str(subs / "bob.ipynb"))
    nbformat.write(S.solution("04"), str(subs / "carl.ipynb"))
    nbformat.write(S.independent("04", "loops"), str(subs / "dora.ipynb"))
    nbformat.write(S.exercise("04"), str(subs / "eve.ipynb"))
    nbformat.write(S.exercise("04"), str(subs / "fred.ipynb"))
    (subs / "notes.txt").write_text("not a notebook")
    return subs, tmp_path / "out"


def test_columns_output_and_summary(cls, capsys):
    subs, out = cls
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    doc = json.loads((out / "grades.json").read_text())
    by = {r["student"]: r["similar_to"] for r in doc["submissions"]}
    assert [s["student"] for s in by["alice"]] == ["carl", "bob"]      # best score first
    assert by["alice"][0]["score"] == 1.0 and DEFAULT_THRESHOLD <= by["alice"][1]["score"] < 1
    assert by["dora"] == by["eve"] == by["fred"] == by["notes.txt"] == []
    assert doc["settings"]["similarity"]["threshold"] == DEFAULT_THRESHOLD
    with open(out / "grades.csv", newline="") as fh:
        table = {r["student"]: r["similar_to"] for r in csv.DictReader(fh)}
    score = by["bob"][0]["score"]
    assert table["bob"] == f"alice ({score:.2f}); carl ({score:.2f})"
    assert table["carl"] == f"alice (1.00); bob ({score:.2f})" and table["eve"] == ""
    assert "NOT a verdict" in printed and "1.00  alice  ~  carl" in printed
    assert f"{score:.2f}  alice  ~  bob" in printed and "eve" not in printed
    summary = (out / "summary.md").read_text()
    assert "## Similar code: for a human to look at, not a verdict" in summary
    assert "| 1.00 | alice | carl |" in summary and f"| {score:.2f} | bob | carl |" in summary
    assert "fred" not in summary


def test_threshold_option(cls, capsys):
    subs, out = cls
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet",
                     "--similarity-threshold", "off"]) == 0
    doc = json.loads((out / "grades.json").read_text())
    by = {r["student"]: r["similar_to"] for r in doc["submissions"]}
    # identical code only, and never the handed-out code itself (eve and fred)
    assert by["alice"] == [{"student": "carl", "score": 1.0}] and by["bob"] == by["eve"] == []
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet", "--force",
                     "--similarity-threshold", "0.2"]) == 0
    doc = json.loads((out / "grades.json").read_text())
    assert any(s["student"] == "dora" for s in doc["submissions"][0]["similar_to"])
    for bad in ("2", "-0.1", "high", "nan"):
        with pytest.raises(SystemExit):
            cli_main(["grade", "04", str(subs), "--out", str(out), "--similarity-threshold", bad])
        assert "--similarity-threshold must be a number from 0 to 1" in capsys.readouterr().err
    assert similarity.parse_threshold("0") is None and similarity.parse_threshold("OFF") is None


def test_resume_reads_an_old_grades_json(cls):
    """grades.json written before the scores: similar_to a plain list of names."""
    subs, out = cls
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet"]) == 0
    doc = json.loads((out / "grades.json").read_text())
    for r in doc["submissions"]:
        r["similar_to"] = [s["student"] for s in r["similar_to"]]
    doc["settings"].pop("similarity")
    (out / "grades.json").write_text(json.dumps(doc))
    nbformat.write(S.disguised("04", "renamed", seed=9), str(subs / "gina.ipynb"))
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet", "--resume"]) == 0
    doc = json.loads((out / "grades.json").read_text())
    by = {r["student"]: r["similar_to"] for r in doc["submissions"]}
    assert {s["student"] for s in by["gina"]} == {"alice", "bob", "carl"}
    assert all(isinstance(s, dict) and 0 < s["score"] <= 1 for s in by["alice"])
    assert Row.from_dict({**doc["submissions"][0], "similar_to": ["x"]}).similar_to == \
        [{"student": "x", "score": 1.0}]


def test_missing_copydetect_is_a_clear_message(cls, monkeypatch, capsys):
    subs, out = cls
    for name in [m for m in sys.modules if m.startswith("copydetect")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "copydetect", None)          # import copydetect fails
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "needs copydetect" in err and "--similarity-threshold off" in err
    assert "Traceback" not in err and not out.exists()               # stopped before grading
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet",
                     "--similarity-threshold", "off"]) == 0


def test_long_lists_are_cut_in_the_output_and_summary(cls, monkeypatch, capsys):
    from mlpkit.grader import summary

    subs, out = cls
    monkeypatch.setattr(runner, "SHOWN", 1)
    monkeypatch.setattr(summary, "SIMILAR_TOP", 2)
    assert cli_main(["grade", "04", str(subs), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("  ~  ") == 1 and "... and 2 more pairs" in printed
    text_md = (out / "summary.md").read_text()
    assert text_md.count(" | alice | ") + text_md.count(" | bob | carl |") == 2
    assert "... and 1 more pairs" in text_md
    with open(out / "grades.csv", newline="") as fh:                  # the CSV keeps them all
        assert sum(r["similar_to"].count("(") for r in csv.DictReader(fh)) == 6
