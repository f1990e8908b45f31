"""A 1-D two-layer ReLU net trained by full-batch GD with weight decay on the weights (not the
biases), the setting of Savarese, Evron, Soudry & Srebro 2019:

    f(x) = sum_i a_i [w_i x + b_i]_+ + c (+ u x),
    J(theta) = 1/2 sum_j (f(x_j) - y_j)^2 + (lam / 2) sum_i (a_i^2 + w_i^2),

b_i, c (and u, the optional free linear part) unregularized. The weights start small (the rich
regime: a_i = 0, w_i = scale * N(0, 1) / sqrt(n), kinks c_i = -b_i / w_i spread over the data
range), so the cost left from the start is negligible. GD with a fixed step; the result reports
the weight cost (1/2) sum (a^2 + w^2), its balanced value sum |a_i w_i| (the cost of the same
function after the optimal per-unit rescaling) and the residuals.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class WDNet:
    a: np.ndarray
    w: np.ndarray
    b: np.ndarray
    c: float = 0.0
    u: float = 0.0

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1)
        out = np.maximum(flat[:, None] * self.w + self.b, 0.0) @ self.a + self.c + self.u * flat
        return out.reshape(x.shape)

    @property
    def cost(self) -> float:
        return 0.5 * float(self.a @ self.a + self.w @ self.w)

    @property
    def balanced_cost(self) -> float:
        return float(np.sum(np.abs(self.a * self.w)))


def init_small(n: int, x, scale: float, rng: np.random.Generator) -> WDNet:
    """a = 0, w = scale N(0, 1)/sqrt(n), kinks uniform on the data range widened by 10%."""
    x = np.asarray(x, dtype=float)
    lo, hi = float(x.min()), float(x.max())
    pad = 0.1 * (hi - lo)
    w = scale * rng.standard_normal(n) / np.sqrt(n)
    kinks = rng.uniform(lo - pad, hi + pad, n)
    return WDNet(np.zeros(n), w, -w * kinks)


@dataclass
class WDResult:
    net: WDNet
    iterations: int
    objective: list[float] = field(default_factory=list)
    max_residual: float = np.inf
    grad_norm: float = np.inf


def train_weight_decay(net: WDNet, x, y, lam: float, eta: float, steps: int, free_linear: bool = False,
                       record_every: int = 1000, gtol: float = 0.0) -> WDResult:
    """GD on J from ``net`` (copied); stops after ``steps`` or once ||grad J|| <= gtol."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    a, w, b = net.a.copy(), net.w.copy(), net.b.copy()
    c, u = float(net.c), float(net.u)
    res = WDResult(net, 0)
    gn = np.inf
    for step in range(steps + 1):
        Z = x[:, None] * w + b
        act = np.maximum(Z, 0.0)
        r = act @ a + c + u * x - y
        mask = Z > 0.0
        ga = act.T @ r + lam * a
        gz = (mask * r[:, None]) * a
        gw = gz.T @ x + lam * w
        gb = gz.sum(axis=0)
        gc = float(r.sum())
        gu = float(r @ x) if free_linear else 0.0
        gn = float(np.sqrt(ga @ ga + gw @ gw + gb @ gb + gc**2 + gu**2))
        if step % record_every == 0:
            res.objective.append(0.5 * float(r @ r) + 0.5 * lam * float(a @ a + w @ w))
        if step == steps or gn <= gtol or not np.isfinite(gn):
            break
        a -= eta * ga
        w -= eta * gw
        b -= eta * gb
        c -= eta * gc
        u -= eta * gu
    res.net = WDNet(a, w, b, c, u)
    res.iterations = step
    res.max_residual = float(np.max(np.abs(r)))
    res.grad_norm = gn
    return res


__all__ = ["WDNet", "WDResult", "init_small", "train_weight_decay"]
