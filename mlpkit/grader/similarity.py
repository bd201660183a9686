"""Similar submissions: pairs of students whose code is identical or near-identical.

Text only: the code cells each student wrote (outputs, metadata and Markdown never count; the
grader never runs or imports this code here) are compared with `copydetect
<https://github.com/blingenf/copydetect>`_, MOSS-style fingerprints (Schleimer, Wilkerson and
Aiken 2003): the code is tokenised by pygments' Python lexer and every name becomes ``V``
(functions ``F``), strings ``S``, comments and white space go, so renamed variables, reworded
comments and reformatting do not hide a copy; every ``NOISE_K``-character k-gram of what is
left is a fingerprint. Fingerprints of the handed-out exercise notebook are *boilerplate*
and removed: starter code that everyone has never counts. The score of a pair is copydetect's
(``compare_files``): the share of a submission's own code covered by fingerprints found in the
other, the larger of the two shares.

Scale: one fingerprint set per distinct code; candidate pairs are those sharing at least
``PREFILTER * threshold**2`` of the smaller set (a sparse document x fingerprint product, in
blocks), and only they are scored. A submission's code is compared up to ``MAX_CHARS`` characters.

A score is something for a human to look at, never a verdict (docs/INSTRUCTORS.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .report import mark_identical, mark_similar
from .submission import NotANotebook, code_digest, collect_submissions, load_submission

#: Pairs scoring at least this are listed. Measured (benchmarks/similarity_time.py): disguised
#: copies 1.00, one-edit copies 0.87 and up, independent implementations 0.58 at most.
DEFAULT_THRESHOLD = 0.8
#: k: fingerprints are k-grams of this many characters of the filtered code (copydetect's default).
NOISE_K = 25
#: Code compared per submission, in characters (the rest is ignored: a 50 MB cell costs no more).
MAX_CHARS = 100_000
#: Own code (characters of filtered code, beyond the handout) below which a submission is not
#: compared: two near-empty attempts are not "similar".
MIN_OWN = 2 * NOISE_K
#: A pair is scored only when it shares ``PREFILTER * threshold**2`` of the smaller fingerprint
#: set (a copied run of L characters shares L - k + 1 k-grams: scattered short matches share
#: few). Measured on synthetic classes (benchmarks/similarity_time.py): the least a pair scoring
#: 0.8 shared was 0.21 (1000 students); tests/test_grader_similarity.py and the benchmark check
#: the candidates against scoring every pair.
PREFILTER = 0.2
_BLOCK = 256
_MATMUL = re.compile(r"(?<=[^\s@])[ \t]*@[ \t]*")     # an @ after code on its line: the operator
_COEF = np.random.default_rng(20031).integers(1, 2**63, NOISE_K, dtype=np.uint64) | np.uint64(1)

__all__ = ["DEFAULT_THRESHOLD", "NOISE_K", "MAX_CHARS", "MIN_OWN", "Pair", "Fingerprint",
           "SimilarityUnavailable", "require", "parse_threshold", "code_text", "fingerprint",
           "similar_pairs", "boilerplate_of", "flag", "pairs_of", "EXPLAIN"]


class SimilarityUnavailable(RuntimeError):
    """copydetect is not installed."""


def require():
    """copydetect's utilities, or :class:`SimilarityUnavailable` saying how to install it."""
    try:
        from copydetect import utils
    except ImportError as exc:
        raise SimilarityUnavailable(
            f"flagging near-identical submissions needs copydetect, which cannot be imported "
            f"({exc}): install it with `pip install -e '.[grader]'` (or `pip install "
            f"'copydetect>=0.5,<0.6'`), or pass --similarity-threshold off") from None
    return utils


def parse_threshold(text) -> float | None:
    """``--similarity-threshold``: a number in (0, 1]; ``0`` or ``off`` disables (``None``)."""
    s = str(text).strip().lower()
    if s in ("off", "none", "no"):
        return None
    try:
        value = float(s)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise ValueError(f"--similarity-threshold must be a number from 0 to 1 (a share of the "
                         f"code) or 'off', not {text!r}")
    return value or None


def code_text(cells, drop=frozenset()) -> str:
    """The code cells' sources, one after the other, at most ``MAX_CHARS`` characters; cells
    whose source (stripped) is in ``drop`` (the handout's own cells, unchanged) are left out:
    they are boilerplate, and lexing them is most of the time."""
    out, n = [], 0
    for _, kind, src in cells:
        if kind != "code" or src.strip() in drop:
            continue
        out.append(src[: MAX_CHARS - n])
        n += len(out[-1]) + 1
        if n >= MAX_CHARS:
            break
    return "\n".join(out)[:MAX_CHARS]


@dataclass
class Fingerprint:
    """What copydetect's ``compare_files`` reads of a ``CodeFingerprint``, plus ``at``. Built by
    :func:`fingerprint` with copydetect's filter and its default of keeping every k-gram, but a
    vectorised hash (copydetect hashes each k-gram with Python's ``hash()`` in a loop)."""

    filtered_code: str
    k: int = NOISE_K
    hash_idx: dict = field(default_factory=dict)     # fingerprint -> [positions]
    offsets: np.ndarray = field(default_factory=lambda: np.array([]))
    token_coverage: float = 0.0
    at: list = field(default_factory=list)           # (position, fingerprint), ascending

    @property
    def hashes(self) -> set:
        return set(self.hash_idx)


def _kgram_hashes(text: str) -> np.ndarray:
    """A polynomial hash (mod 2**64) of every k-gram, vectorised; every k-gram is kept, as with
    copydetect's defaults (noise and guarantee thresholds equal: no winnowing window)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) < NOISE_K:
        return np.zeros(0, dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(codes.astype(np.uint64), NOISE_K)
    with np.errstate(over="ignore"):
        h = (windows * _COEF).sum(axis=1, dtype=np.uint64)
    return (h >> np.uint64(11)).astype(np.int64)


def _spaced_matmul(text: str) -> str:
    """``a@b`` written ``a @ b``: pygments reads ``@b`` as a decorator (a name), ``@ b`` as the
    operator; without this, spacing around ``@`` would change the filtered code."""
    return _MATMUL.sub(" @ ", text)


def fingerprint(text: str, boilerplate: frozenset = frozenset()) -> Fingerprint:
    """Filtered (names -> V, F; strings -> S; no comments, no white space) and fingerprinted
    code, without the fingerprints of ``boilerplate``."""
    utils = require()
    filtered, _ = utils.filter_code(_spaced_matmul(text[:MAX_CHARS]), "submission.py", "python")
    hashes = _kgram_hashes(filtered)
    keep = ~np.isin(hashes, np.fromiter(boilerplate, dtype=np.int64, count=len(boilerplate)))
    pos = np.flatnonzero(keep)
    idx: dict = {}
    for p, h in zip(pos.tolist(), hashes[keep].tolist()):
        idx.setdefault(h, []).append(p)
    fp = Fingerprint(filtered, hash_idx=idx, at=list(zip(pos.tolist(), hashes[keep].tolist())))
    fp.token_coverage = float(utils.get_token_coverage(idx, NOISE_K, len(filtered)))
    return fp


def boilerplate_of(text: str) -> frozenset:
    """The fingerprints of the handed-out code (every k-gram, as copydetect does)."""
    return frozenset(fingerprint(text).hash_idx)


@dataclass(frozen=True)
class Pair:
    """Two students and their score (1.0: the same filtered code, or one's within the other's)."""

    a: str
    b: str
    score: float


def _score(f1: Fingerprint, f2: Fingerprint) -> float:
    """copydetect's score of a pair (``compare_files``): the larger of the two shares."""
    from copydetect import compare_files

    _, (s1, s2), _ = compare_files(f1, f2)
    return float(min(1.0, max(s1, s2)))


def _share(f: Fingerprint, other: Fingerprint) -> float:
    """The share of ``f``'s code that ``compare_files`` finds in ``other``, vectorised: the
    characters covered by the k-grams also in ``other`` (runs closer than k merge), over
    ``f.token_coverage``. Equal to copydetect's (tests/test_grader_similarity.py), ~5x faster."""
    if not f.token_coverage:
        return 0.0
    theirs = other.hash_idx
    pos = [p for p, h in f.at if h in theirs]
    if not pos:
        return 0.0
    covered = NOISE_K + sum(min(b - a, NOISE_K) for a, b in zip(pos, pos[1:]))
    return covered / f.token_coverage


def _fast_score(f1: Fingerprint, f2: Fingerprint) -> float:
    return min(1.0, max(_share(f1, f2), _share(f2, f1)))


def _candidates(fps: list, threshold: float) -> list:
    """``(i, j)``, i < j, of fingerprint sets sharing at least ``PREFILTER * threshold**2`` of
    the smaller."""
    from scipy import sparse

    col: dict = {}
    rows, cols = [], []
    for i, fp in enumerate(fps):
        for h in fp.hash_idx:
            rows.append(i)
            cols.append(col.setdefault(h, len(col)))
    if not col:
        return []
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                          shape=(len(fps), len(col)))
    size = np.asarray(x.sum(axis=1)).ravel()
    out = []
    for start in range(0, len(fps), _BLOCK):
        shared = (x[start:start + _BLOCK] @ x.T).toarray()
        need = PREFILTER * threshold ** 2 * np.minimum(size[start:start + _BLOCK, None],
                                                       size[None, :])
        ii, jj = np.nonzero((shared >= need) & (shared > 0))
        ii = ii + start
        keep = ii < jj
        out += list(zip(ii[keep].tolist(), jj[keep].tolist()))
    return out


def similar_pairs(codes: dict, boilerplate: str, threshold: float) -> list[Pair]:
    """Pairs of students (of ``codes``: student -> code text) whose own code, beyond
    ``boilerplate`` (the handed-out code), scores at least ``threshold``; best first.

    Submissions with the same filtered code score 1.0 without comparing; the others are
    compared when they share enough fingerprints (:func:`_candidates`), first with
    :func:`_fast_score`, and the pairs that reach ``threshold`` get copydetect's own score.
    """
    bp = boilerplate_of(boilerplate)
    cache: dict = {}
    groups: dict = {}   # filtered code -> (Fingerprint, [students])
    for student in sorted(codes):
        text = codes[student][:MAX_CHARS]
        if text not in cache:
            cache[text] = fingerprint(text, bp)
        fp = cache[text]
        groups.setdefault(fp.filtered_code, (fp, []))[1].append(student)
    reps = [g for g in groups.values() if g[0].token_coverage >= MIN_OWN]
    pairs = [Pair(a, b, 1.0) for _, members in reps
             for n, a in enumerate(members) for b in members[n + 1:]]
    for i, j in _candidates([fp for fp, _ in reps], threshold):
        (fi, mi), (fj, mj) = reps[i], reps[j]
        if _fast_score(fi, fj) < threshold - 1e-9:
            continue
        score = _score(fi, fj)
        if score >= threshold:
            pairs += [Pair(*sorted((a, b)), round(score, 2)) for a in mi for b in mj]
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def _handout(assignment, root: Path) -> list:
    """The cells of the handed-out exercise notebook (``[]`` when it is missing)."""
    try:
        return load_submission(root / "exercises" / f"{assignment.topic}.ipynb")[0]
    except (NotANotebook, OSError):
        return []


def flag(rows: dict, submissions: Path, assignment, threshold: float | None,
         root: Path | None = None) -> list:
    """Fill every row's ``similar_to`` (:func:`.report.mark_similar`) and return the pairs
    ``(a, b, score)``. ``threshold`` ``None``: identical code only (by the rows' digests)."""
    root = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    handout = _handout(assignment, root)
    if threshold is None:
        pairs = mark_identical(rows, exclude={code_digest(handout)} if handout else ())
    else:
        codes, drop = {}, frozenset(s.strip() for _, k, s in handout if k == "code")
        for e in collect_submissions(submissions):
            if e.refused or e.student not in rows:
                continue
            try:
                codes[e.student] = code_text(load_submission(e.path)[0], drop)
            except NotANotebook:
                continue
        pairs = [(p.a, p.b, p.score)
                 for p in similar_pairs(codes, code_text(handout), threshold)]
    mark_similar(rows, pairs)
    return pairs


def pairs_of(rows) -> list:
    """``(a, b, score)`` of every flagged pair in ``rows`` (Row objects), best first."""
    seen = {}
    for r in rows:
        for s in r.similar_to:
            seen[tuple(sorted((r.student, s["student"])))] = s["score"]
    return sorted(((a, b, v) for (a, b), v in seen.items()), key=lambda p: (-p[2], p[0], p[1]))


#: How the run's output and summary.md introduce the pairs.
EXPLAIN = ("for a human to look at, NOT a verdict: the share of a submission's own code (beyond "
           "the handed-out code; names, comments and spacing ignored) found in the other's, the "
           "larger of the two; 1.00: the same code, or one copy with code added. Honest students "
           "who write short exercises the textbook way write alike (up to 0.6 measured, 1.00 for "
           "one-liners); a copy rewritten by hand or by an LLM is not caught "
           "(docs/INSTRUCTORS.md)")
