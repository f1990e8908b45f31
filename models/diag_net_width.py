"""Width-k diagonal linear net: beta_i = <u_i, v_i>, U, V in R^{d x k} (rows u_i, v_i), f(x) = <beta, x>.

Loss L = sum_n (<beta, x_n> - y_n)^2 (no 1/2, as in models.diag_net), g = dL/dbeta = 2 X^T (X beta - y);
gradient flow u_i' = -g_i v_i, v_i' = -g_i u_i (Woodworth et al. 2020, width section; note 004
"Width and Initialization Scale", where beta = diag(U V^T)). Gaussian start u_ij, v_ij ~ N(0, sigma^2).

Three ways to run it:
* :func:`width_k_flow_direct` -- the 2dk-dimensional ODE as written, LSODA with the analytic Jacobian
  (small d k only: the Jacobian is dense);
* :func:`width_k_flow` -- the same flow, vectorized in k: for a given g(t) the (u_i, v_i) block is a linear
  2 x 2 system with the commuting generator [[0, -g_i], [-g_i, 0]], whose propagator is
  (u, v)(t) = (cosh S_i u0 - sinh S_i v0, cosh S_i v0 - sinh S_i u0), S = int_0^t g; the d-dimensional
  ODE S' = g(beta(S)) is integrated (LSODA, Jacobian -2 X^T X diag(|u_i|^2 + |v_i|^2)) and every
  evaluation forms U, V and beta = rowsum(U o V) from the full (U0, V0) in O(d k): k = 1e4 costs
  milliseconds per evaluation;
* :func:`width_k_gradient_descent` -- plain GD on (U, V), vectorized.
:func:`gaussian_start_log_ab` draws the two row statistics the limit depends on, (|u_i + v_i|^2, |u_i - v_i|^2) / 4,
from their exact law (independent (sigma^2/2) chi^2_k) in O(d) for any width, coupled across widths by normal scores.
Pure numpy/scipy; nothing here knows the predicted limit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.integrate
import scipy.stats


@dataclass
class WidthRun:
    U: np.ndarray
    V: np.ndarray
    t: float
    residual: float  # ||X beta - y||
    converged: bool
    steps: int
    history_t: list = field(default_factory=list)
    history_beta: list = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def beta(self) -> np.ndarray:
        return np.sum(self.U * self.V, axis=1)


def gaussian_start(rng: np.random.Generator, d: int, k: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """U0, V0 with i.i.d. N(0, sigma^2) entries."""
    return sigma * rng.standard_normal((d, k)), sigma * rng.standard_normal((d, k))


def log_chi2_quantile(z: np.ndarray, k: int) -> np.ndarray:
    """log of the chi^2_k quantile at Phi(z) for standard normal scores z (through the upper tail for z > 0, so
    no probability rounds to 1): a chi^2_k draw that is a fixed, increasing function of its score."""
    z = np.asarray(z, float)
    return np.log(np.where(z > 0, scipy.stats.chi2.isf(scipy.stats.norm.sf(z), int(k)),
                           scipy.stats.chi2.ppf(scipy.stats.norm.cdf(z), int(k))))


def gaussian_start_log_ab(z_a: np.ndarray, z_b: np.ndarray, k: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """(log A, log B) of a Gaussian width-k start drawn from their exact law, from standard normal scores.

    A_i = |u_i + v_i|^2 / 4 and B_i = |u_i - v_i|^2 / 4 are all the limit depends on (solvers.q_general); with
    u_ij, v_ij ~ N(0, sigma^2) i.i.d., u_i + v_i and u_i - v_i are independent N(0, 2 sigma^2 I_k), so A_i and B_i
    are independent (sigma^2 / 2) chi^2_k, taken here at the scores' quantiles (:func:`log_chi2_quantile`): the
    same scores at every k give coupled draws (common random numbers), and a width of 10^6 costs O(d), not
    O(d k)."""
    base = np.log(0.5 * float(sigma) ** 2)
    return base + log_chi2_quantile(z_a, k), base + log_chi2_quantile(z_b, k)


def beta_of(U: np.ndarray, V: np.ndarray) -> np.ndarray:
    return np.sum(U * V, axis=1)


def _propagate(S: np.ndarray, U0: np.ndarray, V0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ch, sh = np.cosh(S)[:, None], np.sinh(S)[:, None]
    return ch * U0 - sh * V0, ch * V0 - sh * U0


def _moments_beta(S, uu, vv, uv):
    """rowsum(U o V) and rowsum(U o U + V o V) at S from the start's row moments: the propagated rows are
    (ch u0 - sh v0, ch v0 - sh u0), so <u, v> = (ch^2 + sh^2) <u0, v0> - ch sh (|u0|^2 + |v0|^2) and
    |u|^2 + |v|^2 = (ch^2 + sh^2)(|u0|^2 + |v0|^2) - 4 ch sh <u0, v0> (exact algebra of the bilinear form)."""
    c2, s2 = np.cosh(2.0 * S), np.sinh(2.0 * S)  # ch^2 + sh^2, 2 ch sh
    return c2 * uv - 0.5 * s2 * (uu + vv), c2 * (uu + vv) - 2.0 * s2 * uv


def width_k_flow(X, y, U0, V0, residual_target: float = 1e-12, rtol: float = 1e-12, t_max: float = 1e14,
                 method: str = "LSODA", moments: bool = False) -> WidthRun:
    """Gradient flow from (U0, V0), vectorized in k (module docstring); stops at ||X beta - y|| <= target.

    ``moments=True`` evaluates beta(S) from the start's three row moments (an O(d) identity of the
    bilinear map, after one O(dk) pass) instead of propagating all k columns at every evaluation;
    the final (U, V) is propagated column by column either way."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    U0, V0 = np.asarray(U0, float), np.asarray(V0, float)
    A = 2.0 * X.T @ X
    b = 2.0 * X.T @ y
    mom = (np.sum(U0 * U0, axis=1), np.sum(V0 * V0, axis=1), np.sum(U0 * V0, axis=1))

    def beta_norm(S):
        if moments:
            return _moments_beta(S, *mom)
        U, V = _propagate(S, U0, V0)
        return beta_of(U, V), np.sum(U * U, axis=1) + np.sum(V * V, axis=1)

    def rhs(_t, S):
        return A @ beta_norm(S)[0] - b

    def jac(_t, S):
        return -A * beta_norm(S)[1][None, :]

    def hit(_t, S):
        return float(np.linalg.norm(X @ beta_norm(S)[0] - y)) - residual_target

    hit.terminal, hit.direction = True, -1
    d = X.shape[1]
    sol = scipy.integrate.solve_ivp(rhs, (0.0, t_max), np.zeros(d), method=method, jac=jac, rtol=rtol,
                                    atol=rtol * 1e-3, events=hit)
    fired = sol.status == 1 and sol.t_events[0].size > 0
    S = sol.y_events[0][-1] if fired else sol.y[:, -1]
    U, V = _propagate(S, U0, V0)
    res = float(np.linalg.norm(X @ beta_of(U, V) - y))
    keep = np.unique(np.linspace(0, sol.t.size - 1, min(sol.t.size, 120)).astype(int))
    hist_b = [beta_norm(sol.y[:, j])[0] for j in keep]
    return WidthRun(U, V, float(sol.t_events[0][-1]) if fired else float(sol.t[-1]), res,
                    bool(fired and res <= 2.0 * residual_target), int(sol.t.size - 1),
                    [float(sol.t[j]) for j in keep], hist_b,
                    {"S": S, "nfev": int(sol.nfev), "message": str(sol.message), "rtol": rtol})


def width_k_flow_direct(X, y, U0, V0, residual_target: float = 1e-12, rtol: float = 1e-12, t_max: float = 1e14,
                        method: str = "LSODA") -> WidthRun:
    """The 2dk-dimensional ODE u' = -g o v, v' = -g o u as written (dense analytic Jacobian)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    U0, V0 = np.asarray(U0, float), np.asarray(V0, float)
    d, k = U0.shape
    n = d * k
    A = 2.0 * X.T @ X
    b = 2.0 * X.T @ y
    Ablk = np.kron(A, np.ones((k, k)))
    row = np.repeat(np.arange(d), k)

    def split(w):
        return w[:n].reshape(d, k), w[n:].reshape(d, k)

    def rhs(_t, w):
        U, V = split(w)
        g = A @ beta_of(U, V) - b
        return np.concatenate([(-g[:, None] * V).ravel(), (-g[:, None] * U).ravel()])

    def jac(_t, w):
        U, V = split(w)
        g = A @ beta_of(U, V) - b
        u, v = U.ravel(), V.ravel()
        J = np.empty((2 * n, 2 * n))
        J[:n, :n] = -v[:, None] * Ablk * v[None, :]
        J[:n, n:] = -v[:, None] * Ablk * u[None, :]
        J[n:, :n] = -u[:, None] * Ablk * v[None, :]
        J[n:, n:] = -u[:, None] * Ablk * u[None, :]
        idx = np.arange(n)
        J[idx, n + idx] -= g[row]
        J[n + idx, idx] -= g[row]
        return J

    def hit(_t, w):
        return float(np.linalg.norm(X @ beta_of(*split(w)) - y)) - residual_target

    hit.terminal, hit.direction = True, -1
    w0 = np.concatenate([U0.ravel(), V0.ravel()])
    atol = rtol * 1e-3 * max(float(np.min(np.abs(w0[w0 != 0]))) if np.any(w0 != 0) else 1.0, 1e-300)
    sol = scipy.integrate.solve_ivp(rhs, (0.0, t_max), w0, method=method, jac=jac, rtol=rtol, atol=atol, events=hit)
    fired = sol.status == 1 and sol.t_events[0].size > 0
    w = sol.y_events[0][-1] if fired else sol.y[:, -1]
    U, V = split(w)
    res = float(np.linalg.norm(X @ beta_of(U, V) - y))
    return WidthRun(U.copy(), V.copy(), float(sol.t_events[0][-1]) if fired else float(sol.t[-1]), res,
                    bool(fired and res <= 2.0 * residual_target), int(sol.t.size - 1),
                    info={"nfev": int(sol.nfev), "message": str(sol.message), "rtol": rtol,
                          "max_weight_sq": float(np.max(sol.y ** 2))})


def width_k_gradient_descent(X, y, U0, V0, eta: float, loss_target: float = 1e-24,
                             max_steps: int = 1_000_000) -> WidthRun:
    """GD (U, V) <- (U, V) - eta grad L, vectorized over k, until L <= loss_target."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    U, V = np.array(U0, float), np.array(V0, float)
    L, k = np.inf, 0
    for k in range(max_steps + 1):
        r = X @ beta_of(U, V) - y
        L = float(r @ r)
        if L <= loss_target or not np.isfinite(L):
            break
        g = (2.0 * eta) * (X.T @ r)
        U, V = U - g[:, None] * V, V - g[:, None] * U
    return WidthRun(U, V, float(k), float(np.sqrt(L)), bool(L <= loss_target), k, info={"eta": eta, "loss": L})


def gd_step_bound(X, U0, V0) -> float:
    """1 / (Gauss-Newton smoothness at the start): 2 ||J||^2 with ||J||^2 <= max_i(|u_i|^2 + |v_i|^2) ||X||^2."""
    return 1.0 / (2.0 * float(np.max(np.sum(U0**2 + V0**2, axis=1))) * float(np.linalg.norm(X, 2)) ** 2)


__all__ = ["WidthRun", "beta_of", "gaussian_start", "gaussian_start_log_ab", "gd_step_bound", "log_chi2_quantile", "width_k_flow", "width_k_flow_direct",
           "width_k_gradient_descent"]
