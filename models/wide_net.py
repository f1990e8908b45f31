"""Wide two-layer networks in the standard parametrization, trained by full-batch GD, with the
function recorded at chosen steps; activations x_+^k / k! and inputs in R^d (d = 1, 2, ...).

    f(x; theta) = sum_i a_i phi_k(<w_i, x> + b_i) + p(x),    phi_k(z) = max(z, 0)^k / k!,

as in Jin & Montufar 2023 (Thm 1 / Cor 4 / Thm 6 of the JMLR version; note 002's Theorems 5, 9
and 8). ``p`` is a free polynomial part (the null space of the penalty): constants and linear
terms for ReLU (k = 1, the skip connections), polynomials of degree <= k in d = 1 for phi_k.
With ``free="ls"`` it is held at its least-squares optimum after every step (its learning rate
-> infinity: the variational problem leaves it unpenalized); ``free="none"`` drops it.

Loss L = 1/2 sum_j (f(x_j) - y_j)^2 (a sum, with 1/2), GD with step ``eta`` on all of (a, w, b)
(``train="all"``) or on a only (``train="output"``: random features). Starts with f(., theta_0)
= 0: ``"zero"`` (a = 0) or ``"antisymmetric"`` (units in pairs with equal (w, b) and opposite a ~
N(0, 1/n)).

Also here: a homogeneous two-layer net f(x) = sum_j a_j sigma(<w_j, x>) trained by GD or by its
gradient flow (explicit Runge-Kutta), for the per-unit invariant ||w_j||^2 - a_j^2 of Du, Hu &
Lee 2018.

Everything is vectorized over the width: one GD step costs O(M n d) for M data points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.integrate

STARTS = ("zero", "antisymmetric")
FREE = ("ls", "none")
TRAIN = ("all", "output")


def phi(z: np.ndarray, k: int) -> np.ndarray:
    """x_+^k / k! (k = 1: ReLU)."""
    zp = np.maximum(z, 0.0)
    return zp if k == 1 else zp**k / math.factorial(k)


def dphi(z: np.ndarray, k: int) -> np.ndarray:
    """d/dz x_+^k / k! = x_+^(k-1) / (k-1)! (k = 1: the indicator of z > 0)."""
    if k == 1:
        return (z > 0.0).astype(float)
    zp = np.maximum(z, 0.0)
    return zp ** (k - 1) / math.factorial(k - 1)


def as_inputs(x) -> np.ndarray:
    """Data as an (M, d) array (a 1-D vector is M points in R^1)."""
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else np.atleast_2d(x)


def free_basis(X: np.ndarray, k: int) -> np.ndarray:
    """Columns spanning the null space of the penalty evaluated at the rows of X: 1, x, ..., x^k
    for d = 1; 1, x_1, ..., x_d for d > 1 (k = 1 only: the affine functions)."""
    X = as_inputs(X)
    if X.shape[1] == 1:
        return np.vander(X[:, 0], k + 1, increasing=True)
    if k != 1:
        raise ValueError("the free polynomial part for d > 1 is implemented for k = 1 (affine)")
    return np.hstack([np.ones((X.shape[0], 1)), X])


@dataclass
class WideNet:
    a: np.ndarray  # (n,)
    W: np.ndarray  # (n, d)
    b: np.ndarray  # (n,)
    k: int = 1
    beta: np.ndarray | None = None  # coefficients of the free polynomial part (free_basis order)

    @property
    def width(self) -> int:
        return int(self.a.size)

    def hidden(self, X) -> np.ndarray:
        """sum_i a_i phi_k(<w_i, x> + b_i) at the rows of X (chunked to bound memory)."""
        X = as_inputs(X)
        out = np.empty(X.shape[0])
        for s in range(0, X.shape[0], 256):
            out[s:s + 256] = phi(X[s:s + 256] @ self.W.T + self.b, self.k) @ self.a
        return out

    def __call__(self, X) -> np.ndarray:
        X = as_inputs(X)
        h = self.hidden(X)
        if self.beta is not None:
            h = h + free_basis(X, self.k) @ self.beta
        return h

    def copy(self) -> "WideNet":
        return WideNet(self.a.copy(), self.W.copy(), self.b.copy(), self.k,
                       None if self.beta is None else self.beta.copy())


def init_wide(W, b, start: str = "antisymmetric", k: int = 1, rng: np.random.Generator | None = None) -> WideNet:
    """A net with hidden weights (W, b) (n rows) and f(., theta_0) = 0 (see module docstring)."""
    W = as_inputs(W).copy()
    b = np.asarray(b, dtype=float).copy()
    n = b.size
    if start == "zero":
        return WideNet(np.zeros(n), W, b, k)
    if start != "antisymmetric":
        raise ValueError(f"unknown start {start!r} (choose from {STARTS})")
    if n % 2:
        raise ValueError("antisymmetric start needs an even width")
    rng = rng or np.random.default_rng(0)
    W[1::2], b[1::2] = W[0::2], b[0::2]
    a = np.empty(n)
    a[0::2] = rng.standard_normal(n // 2) / np.sqrt(n)
    a[1::2] = -a[0::2]
    return WideNet(a, W, b, k)


def output_kernel(net: WideNet, X, Z=None) -> np.ndarray:
    """sum_i phi(<w_i, x> + b_i) phi(<w_i, z> + b_i): the output-layer part of the tangent kernel
    (the O(n) part in the standard parametrization; divided by n it tends to E[phi phi])."""
    X = as_inputs(X)
    Z = X if Z is None else as_inputs(Z)
    return phi(X @ net.W.T + net.b, net.k) @ phi(Z @ net.W.T + net.b, net.k).T


def tangent_kernel(net: WideNet, X, train: str = "all") -> np.ndarray:
    """Empirical tangent kernel at the data of the trained parameters (output layer, plus the
    hidden layer when ``train="all"``: a_i^2 phi'(.) phi'(.) (<x, z> + 1))."""
    X = as_inputs(X)
    K = output_kernel(net, X)
    if train == "all":
        D = dphi(X @ net.W.T + net.b, net.k) * net.a
        K = K + (D @ D.T) * (X @ X.T + 1.0)
    return K


def _residual_projector(A: np.ndarray | None, M: int) -> np.ndarray:
    if A is None:
        return np.eye(M)
    Q, _ = np.linalg.qr(A)
    return np.eye(M) - Q @ Q.T


def stable_step(net: WideNet, X, free: str = "ls", train: str = "all") -> float:
    """2 / lambda_max of the (free-part-projected) empirical tangent kernel at initialization: the
    GD stability bound of the linearized dynamics."""
    X = as_inputs(X)
    A = free_basis(X, net.k) if free == "ls" else None
    P = _residual_projector(A, X.shape[0])
    return 2.0 / float(np.linalg.eigvalsh(P @ tangent_kernel(net, X, train) @ P)[-1])


@dataclass
class Trajectory:
    """The function at recorded steps: ``values[r]`` on ``eval_points`` after ``steps[r]`` GD
    steps; ``data_values[r]`` at the training inputs."""

    net: WideNet
    steps: list[int] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    data_values: list[np.ndarray] = field(default_factory=list)
    max_residual: list[float] = field(default_factory=list)
    eta: float = 0.0
    iterations: int = 0


def train_recorded(net: WideNet, X, y, eta: float, record_steps, eval_points=None, free: str = "ls",
                   train: str = "all", tol: float = 0.0) -> Trajectory:
    """Full-batch GD on 1/2 sum_j (f(x_j) - y_j)^2 from ``net`` (copied) with step ``eta``, recording
    f on ``eval_points`` (and at the data) after each step count in ``record_steps`` (sorted; 0 =
    the start). Stops after the last recorded step, or earlier once max_j |r_j| <= tol (tol > 0),
    recording that final state."""
    if free not in FREE:
        raise ValueError(f"unknown free part {free!r} (choose from {FREE})")
    if train not in TRAIN:
        raise ValueError(f"unknown training mode {train!r} (choose from {TRAIN})")
    net = net.copy()
    X = as_inputs(X)
    y = np.asarray(y, dtype=float)
    E = None if eval_points is None else as_inputs(eval_points)
    A = free_basis(X, net.k) if free == "ls" else None
    pinvA = None if A is None else np.linalg.pinv(A)
    record = sorted({int(s) for s in record_steps})
    last = record[-1] if record else 0
    traj = Trajectory(net, eta=eta)
    a, W, b, k = net.a, net.W, net.b, net.k
    nxt = 0
    for step in range(last + 1):
        Z = X @ W.T + b
        act = phi(Z, k)
        h = act @ a
        if pinvA is not None:
            net.beta = pinvA @ (y - h)
            r = h + A @ net.beta - y
        else:
            r = h - y
        mr = float(np.max(np.abs(r)))
        done = tol > 0 and mr <= tol
        if (nxt < len(record) and step == record[nxt]) or done or step == last:
            traj.steps.append(step)
            traj.data_values.append(r + y)
            traj.values.append(net(E) if E is not None else np.empty(0))
            traj.max_residual.append(mr)
            while nxt < len(record) and record[nxt] <= step:
                nxt += 1
        if done or step == last or not np.isfinite(mr):
            break
        ga = act.T @ r
        if train == "all":
            G = dphi(Z, k) * r[:, None] * a  # d L / d(pre-activation), per data point and unit
            W -= eta * (G.T @ X)
            b -= eta * G.sum(axis=0)
        a -= eta * ga
    traj.iterations = step
    return traj


# ---- homogeneous two-layer net: GD and gradient flow (balancedness) --------------------------

def homogeneous_act(z: np.ndarray, slope: float) -> tuple[np.ndarray, np.ndarray]:
    """sigma(z) = max(z, slope z) (slope 0: ReLU; 0 < slope < 1: leaky ReLU) and sigma'(z);
    slope < 0 encodes tanh (not homogeneous: the invariant's negative control)."""
    if slope < 0:
        t = np.tanh(z)
        return t, 1.0 - t**2
    return np.where(z > 0, z, slope * z), np.where(z > 0, 1.0, slope)


def _two_layer_grad(a, W, X, y, slope):
    Z = X @ W.T
    s, ds = homogeneous_act(Z, slope)
    r = s @ a - y
    ga = s.T @ r
    gW = ((ds * r[:, None]) * a).T @ X
    return ga, gW, r


def two_layer_gd(a0, W0, X, y, eta: float, steps: int, slope: float = 0.0, record_every: int = 1):
    """GD on 1/2 ||sum_j a_j sigma(W x) - y||^2; returns (a, W, recorded invariants
    ||w_j||^2 - a_j^2 (rows), exact per-step drift sum eta^2 (||g_w||^2 - g_a^2) per unit)."""
    a, W = np.array(a0, dtype=float), np.array(W0, dtype=float)
    X = np.asarray(X, dtype=float)
    inv = [np.sum(W**2, axis=1) - a**2]
    predicted = np.zeros_like(a)
    for t in range(steps):
        ga, gW, _ = _two_layer_grad(a, W, X, y, slope)
        predicted += eta**2 * (np.sum(gW**2, axis=1) - ga**2)
        a = a - eta * ga
        W = W - eta * gW
        if (t + 1) % record_every == 0:
            inv.append(np.sum(W**2, axis=1) - a**2)
    return a, W, np.array(inv), predicted


def two_layer_flow(a0, W0, X, y, T: float, slope: float = 0.0, rtol: float = 1e-12, atol: float = 1e-14,
                   n_eval: int = 50, method: str = "DOP853", steps: int = 2000):
    """The gradient flow of the same loss on [0, T]; returns (times, a(t) rows, W(t) stacked (len, n, d)).

    ``method="DOP853"``: adaptive explicit Runge-Kutta at (rtol, atol), output at ``n_eval`` times;
    ``method="rk4"``: classical RK4 with ``steps`` fixed steps (robust where a pre-activation sits at a
    kink of the activation and an adaptive method would chatter), output at every step. Explicit
    methods only: every stage is a gradient, no implicit solve."""
    a0 = np.asarray(a0, dtype=float)
    W0 = np.asarray(W0, dtype=float)
    n, d = W0.shape
    X = np.asarray(X, dtype=float)

    def rhs(_, z):
        a, W = z[:n], z[n:].reshape(n, d)
        ga, gW, _ = _two_layer_grad(a, W, X, y, slope)
        return -np.concatenate([ga, gW.ravel()])

    z0 = np.concatenate([a0, W0.ravel()])
    if method == "rk4":
        h = T / steps
        Y = np.empty((steps + 1, z0.size))
        Y[0] = z = z0
        for s in range(steps):
            k1 = rhs(0, z)
            k2 = rhs(0, z + 0.5 * h * k1)
            k3 = rhs(0, z + 0.5 * h * k2)
            k4 = rhs(0, z + h * k3)
            z = z + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
            Y[s + 1] = z
        ts = np.linspace(0.0, T, steps + 1)
    elif method == "DOP853":
        sol = scipy.integrate.solve_ivp(rhs, (0.0, T), z0, method="DOP853", t_eval=np.linspace(0.0, T, n_eval),
                                        rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed: {sol.message}")
        ts, Y = sol.t, sol.y.T
    else:
        raise ValueError(f"unknown method {method!r} (DOP853 or rk4)")
    return ts, Y[:, :n], Y[:, n:].reshape(len(ts), n, d)


__all__ = ["WideNet", "Trajectory", "as_inputs", "dphi", "free_basis", "homogeneous_act", "init_wide",
           "output_kernel", "phi", "stable_step", "tangent_kernel", "train_recorded", "two_layer_flow",
           "two_layer_gd"]
