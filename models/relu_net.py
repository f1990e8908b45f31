"""Univariate two-layer ReLU network with a linear (skip) part, trained by full-batch GD.

    f(x; theta) = sum_i a_i [w_i x + b_i]_+ + u x + c,     theta = (a, w, b, u, c),

in the *standard* parametrization (no 1/sqrt(n) in front; the output weights carry the scale),
as in Jin & Montufar 2023, Thm 5 (note 002, "Implicit bias of GD in wide ReLU networks").
The hidden weights (w_i, b_i) are i.i.d. draws of the initialization (W, B). Starts:

* ``"zero"``: a = 0 (zero-output start, f_0 == 0);
* ``"antisymmetric"``: units come in pairs with equal (w, b) and opposite a ~ N(0, 1/n)
  (the antisymmetric initialization of the paper), so f_0 == 0 but every layer moves from step 1;
* ``"random"``: a ~ N(0, 1/n) i.i.d. (the standard initialization): f_0 is a non-zero random
  function of order 1, and Theorem 5's g* is measured from it (g'' - f_0'').

Loss L = 1/2 sum_j (f(x_j) - y_j)^2, full-batch GD on all of (a, w, b). The linear part (u, c) is
treated in one of two ways (the distinction Theorem 5 turns on):

* ``linear="same"``: (u, c) take GD steps with the same step size as everything else. In the
  standard parametrization the hidden layer's tangent kernel is O(n) while the linear part's is
  O(1), so the linear part is effectively penalized and the net tends to the tangent-kernel
  interpolant g_K;
* ``linear="unpenalized"``: (u, c) are at their least-squares optimum after every step (the limit
  of an infinitely faster learning rate for the linear part): affine functions are free, as in
  the variational problem of Theorem 5.

Everything is vectorized over the width; cost per step is O(M n) for M data points.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LINEAR_MODES = ("same", "unpenalized")
STARTS = ("zero", "antisymmetric", "random")


@dataclass
class ReluNet:
    a: np.ndarray
    w: np.ndarray
    b: np.ndarray
    u: float = 0.0
    c: float = 0.0

    @property
    def width(self) -> int:
        return int(self.a.size)

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1)
        out = np.empty(flat.size)
        for s in range(0, flat.size, 256):  # chunk to keep (points x width) arrays small
            xs = flat[s:s + 256]
            out[s:s + 256] = np.maximum(xs[:, None] * self.w + self.b, 0.0) @ self.a + self.u * xs + self.c
        return out.reshape(x.shape)

    def copy(self) -> "ReluNet":
        return ReluNet(self.a.copy(), self.w.copy(), self.b.copy(), float(self.u), float(self.c))


def init_net(w: np.ndarray, b: np.ndarray, start: str = "antisymmetric", rng: np.random.Generator | None = None) -> ReluNet:
    """A net with hidden weights (w, b).

    ``antisymmetric``: the n given units are used in pairs, unit 2k+1 copying (w, b) of unit 2k
    with the opposite output weight a ~ N(0, 1/n); n must be even (f_0 == 0). ``zero``: a = 0
    (f_0 == 0). ``random``: a ~ N(0, 1/n) i.i.d. (f_0 != 0).
    """
    w = np.asarray(w, dtype=float).copy()
    b = np.asarray(b, dtype=float).copy()
    n = w.size
    if start == "zero":
        return ReluNet(np.zeros(n), w, b)
    if start == "random":
        rng = rng or np.random.default_rng(0)
        return ReluNet(rng.standard_normal(n) / np.sqrt(n), w, b)
    if start != "antisymmetric":
        raise ValueError(f"unknown start {start!r} (choose from {STARTS})")
    if n % 2:
        raise ValueError("antisymmetric start needs an even width")
    rng = rng or np.random.default_rng(0)
    w[1::2], b[1::2] = w[0::2], b[0::2]
    a = np.empty(n)
    a[0::2] = rng.standard_normal(n // 2) / np.sqrt(n)
    a[1::2] = -a[0::2]
    return ReluNet(a, w, b)


def tangent_kernel(net: ReluNet, x: np.ndarray, z: np.ndarray | None = None, linear: bool = True) -> np.ndarray:
    """Empirical tangent kernel Theta(x, z) = <grad_theta f(x), grad_theta f(z)> of the net.

    Hidden part: sum_i phi_i(x) phi_i(z) + a_i^2 1_i(x) 1_i(z) (x z + 1), phi_i = [w_i x + b_i]_+;
    linear part (if ``linear``): x z + 1.
    """
    z = x if z is None else z
    Zx = x[:, None] * net.w + net.b
    Zz = z[:, None] * net.w + net.b
    Px, Pz = np.maximum(Zx, 0.0), np.maximum(Zz, 0.0)
    Ix, Iz = (Zx > 0) * net.a, (Zz > 0) * net.a
    K = Px @ Pz.T + (Ix @ Iz.T) * (np.outer(x, z) + 1.0)
    if linear:
        K = K + np.outer(x, z) + 1.0
    return K


@dataclass
class TrainResult:
    net: ReluNet
    iterations: int
    max_residual: float
    eta: float
    losses: list[float] = field(default_factory=list)
    loss_steps: list[int] = field(default_factory=list)


def _affine_projector(x: np.ndarray) -> np.ndarray:
    """Orthogonal projector onto span{1, x} in R^M (the data values of affine functions)."""
    A = np.stack([np.ones_like(x), x], axis=1)
    Q, _ = np.linalg.qr(A)
    return Q @ Q.T


def train_gd(
    net: ReluNet,
    x: np.ndarray,
    y: np.ndarray,
    linear: str = "unpenalized",
    eta_frac: float = 0.5,
    tol: float = 1e-9,
    max_steps: int = 200_000,
    record_every: int = 50,
) -> TrainResult:
    """Full-batch GD on 1/2 sum_j (f(x_j) - y_j)^2 from ``net`` (copied) until max_j |r_j| <= tol.

    Step size eta = eta_frac * 2 / lambda_max(Theta(X, X)) at initialization (the GD stability bound
    of the linearized dynamics; the net stays in the lazy regime for large n).
    """
    if linear not in LINEAR_MODES:
        raise ValueError(f"unknown linear mode {linear!r} (choose from {LINEAR_MODES})")
    net = net.copy()
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    K = tangent_kernel(net, x, linear=(linear == "same"))
    if linear == "unpenalized":
        P = np.eye(x.size) - _affine_projector(x)
        K = P @ K @ P
    eta = eta_frac * 2.0 / float(np.linalg.eigvalsh(K)[-1])
    A = np.stack([x, np.ones_like(x)], axis=1)
    xw = x[:, None]
    res = TrainResult(net, 0, np.inf, eta)
    a, w, b = net.a, net.w, net.b
    for step in range(max_steps + 1):
        Z = xw * w + b
        act = np.maximum(Z, 0.0)
        h = act @ a
        if linear == "unpenalized":
            net.u, net.c = np.linalg.lstsq(A, y - h, rcond=None)[0]
        r = h + net.u * x + net.c - y
        mr = float(np.max(np.abs(r)))
        if step % record_every == 0:
            res.losses.append(0.5 * float(r @ r))
            res.loss_steps.append(step)
        if mr <= tol or not np.isfinite(mr) or step == max_steps:
            break
        mask = Z > 0.0
        ga = act.T @ r
        gmr = (mask.T @ np.stack([r * x, r], axis=1))  # (n, 2): sum_j r_j x_j 1_ij, sum_j r_j 1_ij
        ea = eta * a  # gradients w.r.t. w, b use the current a (simultaneous GD update)
        w -= ea * gmr[:, 0]
        b -= ea * gmr[:, 1]
        a -= eta * ga
        if linear == "same":
            net.u -= eta * float(r @ x)
            net.c -= eta * float(r.sum())
    res.net = net
    res.iterations = step
    res.max_residual = mr
    return res


def lazy_limit(net: ReluNet, x: np.ndarray, y: np.ndarray, grid: np.ndarray,
               linear: str = "same") -> tuple[np.ndarray, np.ndarray]:
    """Values on ``grid`` of the limit of GD on the net *linearized at* ``net`` (the lazy limit), and
    of ``net`` itself (the start f0).

    GD on the linearization f0 + J (theta - theta0) moves the data values by -eta Theta r, so the
    function moves by Theta(., X) times the summed residuals alpha, and stops when the residual is
    zero (Jacot et al. 2018; Lee et al. 2019, "Wide neural networks of any depth evolve as linear
    models under gradient descent", eq. (9)):

    * ``linear="same"``: f = f0 + Theta(., X) alpha, Theta(X, X) alpha = y - f0(X), Theta the full
      tangent kernel (hidden layer and linear part);
    * ``linear="unpenalized"``: the residuals are projected orthogonally to the affine data values
      every step (the linear part at its least-squares optimum), so A^T alpha = 0 (A = [x, 1]) and
      f = f0 + Theta_h(., X) alpha + u x + c with Theta_h(X, X) alpha + A (u, c) = y - f0(X), Theta_h
      the hidden layer's kernel (the semiparametric interpolant).

    Theta_h(z, X) alpha = sum_i phi_i(z) (phi_i(X) . alpha) + a_i 1_i(z) (z (a_i 1_i(X) . alpha x)
    + a_i 1_i(X) . alpha), phi_i = [w_i z + b_i]_+: one pass over the (grid x width) features, no
    step taken. For a wide net the trained net differs from this by the motion of the features
    (relative O(n^-1) in the standard parametrization), so it serves as a control variate of the
    trained net on the same draw.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    g = np.asarray(grid, float)
    if linear not in LINEAR_MODES:
        raise ValueError(f"unknown linear mode {linear!r} (choose from {LINEAR_MODES})")
    same = linear == "same"
    Zx = x[:, None] * net.w + net.b
    Px, Ix = np.maximum(Zx, 0.0), (Zx > 0) * net.a
    T = Px @ Px.T + (Ix @ Ix.T) * (np.outer(x, x) + 1.0)
    d = y - (Px @ net.a + net.u * x + net.c)
    A = np.stack([x, np.ones_like(x)], axis=1)
    if same:
        alpha = np.linalg.solve(T + A @ A.T, d)
        aff = A.T @ alpha  # the linear part's own tangent directions (x, 1)
    else:
        M = x.size
        sol = np.linalg.solve(np.block([[T, A], [A.T, np.zeros((2, 2))]]), np.concatenate([d, np.zeros(2)]))
        alpha, aff = sol[:M], sol[M:]
    V = np.stack([net.a, Px.T @ alpha], axis=1)  # f0's hidden part, the a-gradient part
    V1 = np.stack([net.a * (Ix.T @ (alpha * x)), net.a * (Ix.T @ alpha)], axis=1)  # the (w, b)-gradient part
    out, wb = np.zeros((g.size, 2)), np.zeros((g.size, 2))
    for s in range(0, net.width, 256):  # column blocks keep the (grid x block) temporaries in cache (8x faster)
        Z = np.multiply.outer(g, net.w[s:s + 256])
        Z += net.b[s:s + 256]
        out += np.maximum(Z, 0.0) @ V[s:s + 256]
        np.greater(Z, 0.0, out=Z)  # the indicators 1_i(z), as 1.0/0.0
        wb += Z @ V1[s:s + 256]
    f0 = out[:, 0] + net.u * g + net.c
    return f0 + out[:, 1] + g * wb[:, 0] + wb[:, 1] + aff[0] * g + aff[1], f0
