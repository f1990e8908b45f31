"""Matrix sensing and completion through factorizations: X = U U^T, X = U V^T, X = W_N ... W_1.

Loss (Gunasekar et al. 2017, eq. (1); notes 000, 001 "Unconstrained matrix completion", 004):

    L(X) = 1/2 sum_i (<A_i, X> - y_i)^2 = 1/2 ||A(X) - y||^2,   r = A(X) - y,   A*(r) = sum_i r_i A_i,

so grad_X L = A*(r). The measurement operator A is dense sensing (A_i given as an m x n1 x n2 array)
or completion (A_i = e_a e_b^T for observed entries (a, b); A(X) = X[rows, cols], never stored densely).

Dynamics (pure numpy/scipy; they know nothing about where the run "should" land):

* :func:`psd_factor_flow` -- X = U U^T with symmetric A_i: grad_U L(U U^T) = 2 A*(r) U, so
  U' = -2 A*(r) U (and X' = -2 (A*(r) X + X A*(r))). Integrated by ``scipy.integrate.solve_ivp``
  (LSODA by default, with the analytic Jacobian J = -4 C^T C - 2 (A*(r) kron I), C_i = vec(A_i U))
  and stopped by a terminal event when ||r|| reaches a target (or the gradient is stationary).
* :func:`deep_product_flow` -- X = W_N ... W_1 (rectangular factors allowed; N = 2 with
  (W_2, W_1) = (U, V^T) is the asymmetric U V^T): W_j' = -(W_N..W_{j+1})^T A*(r) (W_{j-1}..W_1)^T.
  Optionally integrates a functional of the state along the run (an augmented ODE), e.g. the
  right-hand side of a predicted singular-value ODE, with the same integrator.
* :func:`psd_factor_gd`, :func:`deep_product_gd` -- gradient descent with a fixed step.
* :func:`balanced_factors` -- factors W_j with W_{j+1}^T W_{j+1} = W_j W_j^T (balanced) whose
  product is a given W0: W_N = U S^(1/N) Q_{N-1}^T, W_j = Q_j S^(1/N) Q_{j-1}^T, W_1 = Q_1 S^(1/N) V^T
  (W0 = U S V^T thin SVD, Q_j any orthogonal matrices).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Sequence

import numpy as np
import scipy.integrate


# ---- measurement operators ---------------------------------------------------------------------

@dataclass(frozen=True)
class Measurements:
    """A(X) = (<A_i, X>)_i. Dense (``A`` of shape (m, n1, n2)) or completion (``rows``, ``cols``)."""

    shape: tuple[int, int]
    A: np.ndarray | None = None
    rows: np.ndarray | None = None
    cols: np.ndarray | None = None

    @property
    def m(self) -> int:
        return int(self.A.shape[0]) if self.A is not None else int(self.rows.size)

    @property
    def completion(self) -> bool:
        return self.A is None

    def measure(self, X: np.ndarray) -> np.ndarray:
        if self.A is None:
            return X[self.rows, self.cols]
        return self.A.reshape(self.m, -1) @ X.ravel()

    def adjoint(self, r: np.ndarray) -> np.ndarray:
        if self.A is None:
            n1, n2 = self.shape
            return np.bincount(self.rows * n2 + self.cols, weights=r, minlength=n1 * n2).reshape(self.shape)
        return (r @ self.A.reshape(self.m, -1)).reshape(self.shape)

    def matrix(self) -> np.ndarray:
        """The m x (n1 n2) matrix of A (row-major vec)."""
        if self.A is not None:
            return self.A.reshape(self.m, -1)
        M = np.zeros((self.m, self.shape[0] * self.shape[1]))
        M[np.arange(self.m), self.rows * self.shape[1] + self.cols] = 1.0
        return M


def sensing(A: np.ndarray) -> Measurements:
    A = np.asarray(A, float)
    return Measurements((int(A.shape[1]), int(A.shape[2])), A=A)


def completion(rows, cols, shape) -> Measurements:
    return Measurements((int(shape[0]), int(shape[1])), rows=np.asarray(rows, int), cols=np.asarray(cols, int))


# ---- runs ----------------------------------------------------------------------------------------

@dataclass
class Run:
    """A run: final factors, end-to-end X, the stop reason and a subsampled history."""

    factors: list[np.ndarray]
    X: np.ndarray
    t: float  # final time (flow) or number of steps (GD)
    residual: float  # ||A(X) - y||
    converged: bool  # the stop criterion (residual target or stationarity) was met
    stop: str  # 'residual', 'stationary', 'time', 'budget', 'failed'
    steps: int
    history_t: np.ndarray
    history_X: np.ndarray  # (k, n1, n2)
    history_extra: np.ndarray | None = None  # integrated functional along the run (k, p)
    history_factors: list | None = None  # the factors at the history points
    extra: np.ndarray | None = None  # its final value
    max_abs: float = 0.0  # max |entry| of the state along the run (round-off bounds)
    info: dict = field(default_factory=dict)


def product(factors: Sequence[np.ndarray]) -> np.ndarray:
    """W_N ... W_1 for factors listed (W_1, ..., W_N)."""
    W = factors[0]
    for F in factors[1:]:
        W = F @ W
    return W


def _keep(n: int, k: int = 150) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, k)).astype(int))


def _solve(rhs, jac, s0, t_max, rtol, atol, method, events, t_eval, log_time=False, vectorized=False):
    """solve_ivp of the autonomous s' = rhs(s); with ``log_time`` in tau = log(1 + t)
    (ds/dtau = (1 + t) rhs(s)): the same trajectory, on which slow power-law tails are smooth."""
    for k, ev in enumerate(events or ()):
        # a stop condition already met at t = 0 (a start that interpolates): solve_ivp only sees crossings,
        # so it would integrate the nearly still flow to t_max; stop at the start instead
        if getattr(ev, "terminal", False) and ev(0.0, s0) <= 0.0:
            te = [np.zeros(0) for _ in events]
            ye = [np.zeros((0, np.size(s0))) for _ in events]
            te[k], ye[k] = np.zeros(1), np.asarray(s0, float)[None, :]
            return SimpleNamespace(t=np.zeros(1), y=np.asarray(s0, float)[:, None], status=1, t_events=te, y_events=ye,
                                   nfev=0, njev=0, message="a stop condition holds at the start")
    if log_time:
        f, J = rhs, jac
        rhs = lambda tau, s: np.exp(tau) * f(tau, s)  # noqa: E731
        jac = None if J is None else (lambda tau, s: np.exp(tau) * J(tau, s))
        t_max = float(np.log1p(t_max))
        t_eval = None if t_eval is None else np.log1p(t_eval)
    kw = {"jac": jac} if jac is not None and method in ("LSODA", "BDF", "Radau") else {}
    if vectorized and method in ("BDF", "Radau"):
        kw["vectorized"] = True
    sol = scipy.integrate.solve_ivp(rhs, (0.0, t_max), s0, method=method, rtol=rtol, atol=atol,
                                    events=events, t_eval=t_eval, **kw)
    if log_time:
        sol.t = np.expm1(sol.t)
        sol.t_events = [np.expm1(te) for te in sol.t_events] if sol.t_events is not None else None
    return sol


def _finish(sol, unpack, op, y, n_extra, residual_target, t_eval, labels=("residual", "stationary")):
    fired = sol.status == 1 and any(te.size for te in sol.t_events)
    if fired:
        which = next(k for k, te in enumerate(sol.t_events) if te.size)
        sT, tT = sol.y_events[which][-1], float(sol.t_events[which][-1])
        stop = labels[which]
    else:
        sT, tT = sol.y[:, -1], float(sol.t[-1])
        stop = "time" if sol.status == 0 else "failed"
    factors, X = unpack(sT)
    res = float(np.linalg.norm(op.measure(X) - y))
    idx = np.arange(sol.t.size) if t_eval is not None else _keep(sol.t.size)
    hF = [unpack(sol.y[:, k])[0] for k in idx] + ([factors] if t_eval is None else [])
    hX = np.array([unpack(sol.y[:, k])[1] for k in idx] + ([X] if t_eval is None else []))
    ht = np.array([float(sol.t[k]) for k in idx] + ([tT] if t_eval is None else []))
    hext = None
    ext = None
    if n_extra:
        hext = np.array([sol.y[-n_extra:, k] for k in idx] + ([sT[-n_extra:]] if t_eval is None else []))
        ext = sT[-n_extra:].copy()
    converged = stop == "stationary" or (stop == "residual" and res <= 2.0 * residual_target) or (
        t_eval is not None and sol.status == 0)
    return Run(factors=factors, X=X, t=tT, residual=res, converged=bool(converged), stop=stop,
               steps=int(sol.t.size - 1) if t_eval is None else int(sol.nfev), history_t=ht, history_X=hX,
               history_extra=hext, extra=ext, history_factors=hF,
               max_abs=float(np.max(np.abs(sol.y[: sol.y.shape[0] - n_extra]))) if sol.y.size else 0.0,
               info={"nfev": int(sol.nfev), "njev": int(sol.njev), "status": int(sol.status),
                     "message": str(sol.message)})


def _events(residual_fn, gradient_fn, residual_target, stationary_rtol):
    def hit(_t, s):
        return residual_fn(s) - residual_target

    hit.terminal, hit.direction, hit.label = True, -1, "residual"
    evs = [hit]
    if stationary_rtol is not None:
        def still(_t, s):
            g, scale = gradient_fn(s)
            return g - stationary_rtol * scale

        still.terminal, still.direction, still.label = True, -1, "stationary"
        evs.append(still)
    return evs


# ---- X = U U^T -----------------------------------------------------------------------------------

def psd_factor_flow(op: Measurements, y: np.ndarray, U0: np.ndarray, residual_target: float,
                    rtol: float = 1e-11, atol: float | None = None, t_max: float = 1e12, method: str = "LSODA",
                    jacobian: bool = True, stationary_rtol: float | None = None,
                    t_eval: np.ndarray | None = None, log_time: bool = False) -> Run:
    """Gradient flow U' = -2 A*(r) U on L(U U^T) (A_i symmetric), from U0 (n x k).

    Stops when ||r|| <= residual_target, or (``stationary_rtol``) when the gradient norm
    ||2 A*(r) U|| falls below stationary_rtol x ||A*(r)|| ||U|| (a stationary point that need not
    interpolate), or at t_max / the last of ``t_eval``. ``atol`` defaults to rtol x 1e-3 x the
    smallest singular value of U0 (the small directions of U carry the implicit bias)."""
    y = np.asarray(y, float)
    n, k = U0.shape
    M = op.matrix()  # m x n^2 (row-major vec)

    def unpack(s):
        U = s.reshape(n, k)
        return [U], U @ U.T

    def rhs(_t, s):
        U = s.reshape(n, k)
        S = op.adjoint(op.measure(U @ U.T) - y)
        return (-2.0 * S @ U).ravel()

    def jac(_t, s):
        U = s.reshape(n, k)
        S = op.adjoint(op.measure(U @ U.T) - y)
        # dr_i = <A_i, dU U^T + U dU^T> = 2 <A_i U, dU> (A_i symmetric); d(A*(r)) U -> C^T dr
        C = np.einsum("mab,bk->mak", M.reshape(-1, n, n), U).reshape(M.shape[0], n * k)
        return -4.0 * C.T @ C - 2.0 * np.kron(S, np.eye(k))

    def residual(s):
        U = s.reshape(n, k)
        return float(np.linalg.norm(op.measure(U @ U.T) - y))

    def gradient(s):
        U = s.reshape(n, k)
        S = op.adjoint(op.measure(U @ U.T) - y)
        return 2.0 * float(np.linalg.norm(S @ U)), 2.0 * float(np.linalg.norm(S)) * float(np.linalg.norm(U))

    if atol is None:
        atol = rtol * 1e-3 * max(float(np.linalg.svd(U0, compute_uv=False)[-1]), 1e-300)
    evs = _events(residual, gradient, residual_target, stationary_rtol)
    t_end = float(t_eval[-1]) if t_eval is not None else t_max
    sol = _solve(rhs, jac if jacobian else None, np.asarray(U0, float).ravel(), t_end, rtol, atol, method,
                 None if t_eval is not None else evs, t_eval, log_time)
    run = _finish(sol, unpack, op, y, 0, residual_target, t_eval, [e.label for e in evs])
    run.info.update({"rtol": rtol, "atol": atol, "method": method})
    return run


def psd_factor_gd(op: Measurements, y: np.ndarray, U0: np.ndarray, step: float, residual_target: float,
                  max_steps: int = 200_000, stationary_rtol: float | None = None, n_history: int = 150) -> Run:
    """Gradient descent U <- U - step 2 A*(r) U on L(U U^T), same stopping rules as the flow."""
    y = np.asarray(y, float)
    U = np.array(U0, float)
    hist_t, hist_X = [0], [U @ U.T]
    every = max(1, max_steps // n_history)
    stop, k = "budget", 0
    max_abs = float(np.max(np.abs(U)))
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging step is reported as stop = 'failed'
        for k in range(1, max_steps + 1):
            r = op.measure(U @ U.T) - y
            rn = float(np.linalg.norm(r))
            S = op.adjoint(r)
            Gr = 2.0 * S @ U
            if rn <= residual_target:
                stop, k = "residual", k - 1
                break
            if stationary_rtol is not None and np.linalg.norm(Gr) <= stationary_rtol * 2 * np.linalg.norm(S) * np.linalg.norm(U):
                stop, k = "stationary", k - 1
                break
            U = U - step * Gr
            if not np.all(np.isfinite(U)):
                stop = "failed"
                break
            if k % every == 0:
                hist_t.append(k)
                hist_X.append(U @ U.T)
                max_abs = max(max_abs, float(np.max(np.abs(U))))
    with np.errstate(over="ignore", invalid="ignore"):
        X = U @ U.T
        res = float(np.linalg.norm(op.measure(X) - y))
    hist_t.append(k)
    hist_X.append(X)
    return Run(factors=[U], X=X, t=float(k), residual=res, converged=stop in ("residual", "stationary"), stop=stop,
               steps=k, history_t=np.array(hist_t, float), history_X=np.array(hist_X),
               max_abs=max(max_abs, float(np.max(np.abs(U)))), info={"step": step, "method": "GD"})


# ---- X = W_N ... W_1 -----------------------------------------------------------------------------

def _pack(factors):
    return np.concatenate([F.ravel() for F in factors])


def _unpacker(shapes):
    sizes = [a * b for a, b in shapes]
    offs = np.cumsum([0] + sizes)

    def unpack(s):
        return [s[offs[j]:offs[j + 1]].reshape(shapes[j]) for j in range(len(shapes))]

    return unpack, int(offs[-1])


def deep_gradients(factors: Sequence[np.ndarray], G: np.ndarray) -> list[np.ndarray]:
    """grad_{W_j} of L(W_N..W_1) given G = grad_W L: (W_N..W_{j+1})^T G (W_{j-1}..W_1)^T."""
    N = len(factors)
    right = [None] * N  # right[j] = W_{j-1} .. W_1 (None: identity, j = 0)
    acc = None
    for j in range(N):
        right[j] = acc
        acc = factors[j] if acc is None else factors[j] @ acc
    out = [None] * N
    left = None  # W_N .. W_{j+1} (None: identity, j = N - 1)
    for j in range(N - 1, -1, -1):
        g = G if left is None else left.T @ G
        out[j] = g if right[j] is None else g @ right[j].T
        left = factors[j] if left is None else left @ factors[j]
    return out


def deep_product_flow(op: Measurements, y: np.ndarray, factors0: Sequence[np.ndarray], residual_target: float,
                      rtol: float = 1e-11, atol: float | None = None, t_max: float = 1e12, method: str = "LSODA",
                      stationary_rtol: float | None = None, t_eval: np.ndarray | None = None,
                      functional: Callable[[list, np.ndarray, np.ndarray], np.ndarray] | None = None,
                      n_functional: int = 0, log_time: bool = False,
                      stop_when: Callable[[list, np.ndarray], float] | None = None) -> Run:
    """Gradient flow on L(W_N ... W_1) over the factors (listed W_1, ..., W_N).

    ``functional(factors, W, G)`` (returning ``n_functional`` numbers) is integrated along the
    run as extra ODE components (``Run.extra``, ``Run.history_extra``). Stopping as in
    :func:`psd_factor_flow`; the stiff integrators use a finite-difference Jacobian."""
    y = np.asarray(y, float)
    factors0 = [np.asarray(F, float) for F in factors0]
    unpack_f, size = _unpacker([F.shape for F in factors0])

    def unpack(s):
        fs = unpack_f(s[:size])
        return fs, product(fs)

    shapes = [F.shape for F in factors0]
    offs = np.cumsum([0] + [a * b for a, b in shapes])
    Mop = op.matrix()  # m x n1 n2: batched measurements and adjoints by matrix products

    def rhs(_t, s):
        """Vectorized: s is (D,) or (D, K) (K states at once, for finite-difference Jacobians)."""
        S = s if s.ndim == 2 else s[:, None]
        K = S.shape[1]
        fs = [S[offs[j]:offs[j + 1]].T.reshape(K, *shapes[j]) for j in range(len(shapes))]
        right = [None] * len(fs)
        acc = None
        for j, F in enumerate(fs):
            right[j] = acc
            acc = F if acc is None else np.matmul(F, acc)
        W = acc
        r = W.reshape(K, -1) @ Mop.T - y
        G = (r @ Mop).reshape(W.shape)
        out = [None] * len(fs)
        left = None
        for j in range(len(fs) - 1, -1, -1):
            g = G if left is None else np.matmul(np.swapaxes(left, 1, 2), G)
            out[j] = -(g if right[j] is None else np.matmul(g, np.swapaxes(right[j], 1, 2))).reshape(K, -1)
            left = fs[j] if left is None else np.matmul(left, fs[j])
        d = np.concatenate(out, axis=1).T
        if n_functional:
            extra = np.array([np.asarray(functional([F[k] for F in fs], W[k], G[k]), float) for k in range(K)]).T
            d = np.vstack([d, extra])
        return d if s.ndim == 2 else d[:, 0]

    def residual(s):
        return float(np.linalg.norm(op.measure(unpack(s)[1]) - y))

    def gradient(s):
        fs, W = unpack(s)
        G = op.adjoint(op.measure(W) - y)
        g = deep_gradients(fs, G)
        scale = float(np.linalg.norm(G)) * max(float(np.prod([np.linalg.norm(F, 2) for F in fs])) /
                                               max(min(float(np.linalg.norm(F, 2)) for F in fs), 1e-300), 1e-300)
        return float(np.sqrt(sum(float(np.sum(x * x)) for x in g))), scale

    if atol is None:
        smallest = min(float(np.linalg.svd(F, compute_uv=False)[-1]) for F in factors0)
        atol = rtol * 1e-3 * max(smallest, 1e-300)
    s0 = _pack(factors0)
    if n_functional:
        s0 = np.concatenate([s0, np.zeros(n_functional)])
    evs = _events(residual, gradient, residual_target, stationary_rtol)
    t_end = float(t_eval[-1]) if t_eval is not None else t_max
    if stop_when is not None:
        def guard(_t, s):
            return float(stop_when(*unpack(s[:size])))

        guard.terminal, guard.direction, guard.label = True, -1, "guard"
        evs.append(guard)
    sol = _solve(rhs, None, s0, t_end, rtol, atol, method, None if t_eval is not None else evs, t_eval, log_time,
                 vectorized=True)
    run = _finish(sol, unpack, op, y, n_functional, residual_target, t_eval, [e.label for e in evs])
    run.info.update({"rtol": rtol, "atol": atol, "method": method, "depth": len(factors0)})
    return run


def deep_product_gd(op: Measurements, y: np.ndarray, factors0: Sequence[np.ndarray], step: float,
                    residual_target: float, max_steps: int = 200_000, n_history: int = 150) -> Run:
    """Gradient descent W_j <- W_j - step grad_{W_j} L on L(W_N ... W_1)."""
    y = np.asarray(y, float)
    fs = [np.array(F, float) for F in factors0]
    W = product(fs)
    hist_t, hist_X = [0], [W]
    every = max(1, max_steps // n_history)
    stop, k = "budget", 0
    max_abs = max(float(np.max(np.abs(F))) for F in fs)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging step is reported as stop = 'failed'
        for k in range(1, max_steps + 1):
            r = op.measure(W) - y
            if float(np.linalg.norm(r)) <= residual_target:
                stop, k = "residual", k - 1
                break
            grads = deep_gradients(fs, op.adjoint(r))
            fs = [F - step * g for F, g in zip(fs, grads)]
            W = product(fs)
            if not np.all(np.isfinite(W)):
                stop = "failed"
                break
            if k % every == 0:
                hist_t.append(k)
                hist_X.append(W)
                max_abs = max(max_abs, max(float(np.max(np.abs(F))) for F in fs))
    hist_t.append(k)
    hist_X.append(W)
    with np.errstate(over="ignore", invalid="ignore"):
        res = float(np.linalg.norm(op.measure(W) - y))
    return Run(factors=fs, X=W, t=float(k), residual=res, converged=stop == "residual", stop=stop, steps=k,
               history_t=np.array(hist_t, float), history_X=np.array(hist_X), max_abs=max_abs,
               info={"step": step, "method": "GD", "depth": len(fs)})


def balanced_factors(W0: np.ndarray, depth: int, interior: Sequence[np.ndarray] = ()) -> list[np.ndarray]:
    """Balanced factors (W_1, ..., W_N) with product W0 (module docstring). ``interior`` gives the
    N - 1 orthogonal k x k matrices Q_1..Q_{N-1} (k = min(n1, n2)); identity if omitted."""
    U, s, Vt = np.linalg.svd(np.asarray(W0, float), full_matrices=False)
    k = s.size
    Qs = list(interior) or [np.eye(k)] * (depth - 1)
    if len(Qs) != depth - 1:
        raise ValueError(f"need {depth - 1} interior orthogonal matrices, got {len(Qs)}")
    root = s ** (1.0 / depth)
    chain = [Vt.T] + list(Qs) + [U]  # Q_0 = V, Q_N = U
    return [(chain[j + 1] * root) @ chain[j].T for j in range(depth)]


def balancedness_defect(factors: Sequence[np.ndarray]) -> float:
    """max_j ||W_{j+1}^T W_{j+1} - W_j W_j^T||_F (0 for balanced factors; conserved by the flow)."""
    return max((float(np.linalg.norm(factors[j + 1].T @ factors[j + 1] - factors[j] @ factors[j].T))
                for j in range(len(factors) - 1)), default=0.0)
