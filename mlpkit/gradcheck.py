"""Gradient checking by central finite differences.

``dJ/dtheta_i ~ (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)``, error ``O(eps^2)``.
Compare with the analytic gradient by the relative error
``||g - n|| / max(||g|| + ||n||, tiny)``: about 1e-10 in float64 when right,
1e-3 or worse when a factor or a sign is wrong. Always check in float64:
float32 round-off alone gives errors near 1e-3. The default step ``eps = 1e-5`` is
near the float64 optimum for central differences (about ``machine_eps ** (1/3)``),
balancing truncation error ``O(eps^2)`` against round-off ``O(machine_eps / eps)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradcheck", "gradcheck_model", "GradcheckResult"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central differences of ``f()`` with respect to every entry of ``x``.

    ``x`` is changed in place and restored; ``f`` takes no argument and reads
    ``x`` (a closure), so it works for any parameter of any function.
    """
    if not (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)):
        raise ValueError(f"x: expected a float ndarray to perturb in place, got {type(x).__name__}"
                         + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i].copy()
        x[i] = old + eps
        fp = float(f())
        x[i] = old - eps
        fm = float(f())
        x[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad


def relative_error(g, n) -> float:
    """``||g - n|| / max(||g|| + ||n||, 1e-300)`` (0 when both are zero)."""
    g, n = np.asarray(g, dtype=np.float64), np.asarray(n, dtype=np.float64)
    denom = np.linalg.norm(g) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(g - n) / denom)


@dataclass
class GradcheckResult:
    """Relative error per parameter, and where the worst disagreements are."""

    errors: dict[str, float]
    tol: float
    abs_errors: dict[str, float] = field(default_factory=dict)
    atol: float = 0.0
    worst: dict[str, list[tuple[tuple[int, ...], float, float]]] = field(default_factory=dict)
    numerical: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def ok(self, name: str) -> bool:
        """A parameter passes when its relative error is below ``tol``, or when every
        entry agrees to ``atol`` (gradients so small, e.g. vanishing through many
        sigmoids, that finite differences cannot resolve them relatively)."""
        return self.errors[name] < self.tol or self.abs_errors.get(name, np.inf) <= self.atol

    @property
    def passed(self) -> bool:
        return all(self.ok(name) for name in self.errors)

    @property
    def max_error(self) -> float:
        return max(self.errors.values()) if self.errors else 0.0

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = []
        for name, err in self.errors.items():
            mark = "ok  " if self.ok(name) else "FAIL"
            extra = "" if err < self.tol or not self.ok(name) else \
                f" (all entries agree to {self.abs_errors[name]:.1e}: gradient too small to compare relatively)"
            lines.append(f"{mark} {name:<8s} relative error {err:.2e}{extra}")
            for idx, a, n in self.worst.get(name, []):
                lines.append(f"       {name}[{', '.join(map(str, idx))}]: analytic {a:+.6e}, "
                             f"numerical {n:+.6e}")
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"gradient check {verdict} (tolerance {self.tol:.0e})")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython display
        p.text(str(self))


def gradcheck(f: Callable[[], float], params: Sequence[np.ndarray], grads: Sequence[np.ndarray],
              names: Sequence[str] | None = None, eps: float = 1e-5, tol: float = 1e-7,
              atol: float = 1e-10, n_worst: int = 3) -> GradcheckResult:
    """Compare analytic ``grads`` with central differences of ``f`` for every array in ``params``.

    Parameters
    ----------
    f : callable
        ``f()`` returns the scalar loss using the *current* values of ``params``.
    params, grads : sequences of arrays of equal shapes
        ``params`` are perturbed in place (and restored); ``grads[i]`` is the
        analytic ``dJ/dparams[i]``.
    names : names to print (default ``p0, p1, ...``).
    tol : relative error below which a parameter passes.
    atol : a parameter whose entries all agree to ``atol`` passes too (tiny gradients,
        where round-off of order ``1e-16 / eps`` dominates the relative error).
    n_worst : for a failing parameter, how many of the largest element-wise
        disagreements to report (index, analytic, numerical).
    """
    params, grads = list(params), list(grads)
    names = list(names) if names is not None else [f"p{i}" for i in range(len(params))]
    if not (len(params) == len(grads) == len(names)):
        raise ValueError(f"grads: expected one gradient per parameter ({len(params)}), "
                         f"got {len(grads)} gradients and {len(names)} names")
    errors, abs_errors, worst, numerical = {}, {}, {}, {}
    for name, p, g in zip(names, params, grads):
        g = np.asarray(g)
        if g.shape != p.shape:
            raise ValueError(f"grads: gradient for {name} has shape {g.shape}, expected {p.shape} "
                             "(the shape of the parameter)")
        num = numerical_gradient(f, p, eps)
        numerical[name] = num
        errors[name] = relative_error(g, num)
        abs_errors[name] = float(np.max(np.abs(g - num))) if g.size else 0.0
        if errors[name] >= tol and abs_errors[name] > atol:
            diff = np.abs(g.astype(np.float64) - num).ravel()
            order = np.argsort(diff)[::-1][:n_worst]
            worst[name] = [(tuple(int(i) for i in np.unravel_index(k, p.shape)),
                            float(g.ravel()[k]), float(num.ravel()[k])) for k in order if diff[k] > 0]
    return GradcheckResult(errors, tol, abs_errors, atol, worst, numerical)


def gradcheck_model(model, X, y, eps: float = 1e-5, tol: float = 1e-7,
                    atol: float = 1e-10) -> GradcheckResult:
    """:func:`gradcheck` of ``model.gradients(X, y)`` against ``model.loss(X, y)`` (an ``MLP``)."""
    grads = model.gradients(X, y)
    params, analytic, names = [], [], []
    for l, (layer, (dW, db)) in enumerate(zip(model.layers, grads), start=1):
        params += [layer.W, layer.b]
        analytic += [dW, db]
        names += [f"W{l}", f"b{l}"]
    return gradcheck(lambda: model.loss(X, y), params, analytic, names, eps=eps, tol=tol, atol=atol)
