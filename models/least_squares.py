"""Optimizers for L(w) = sum_i l(<w, x_i> - y_i) on an underdetermined linear model (X is m x d, m < d).

All are plain numpy/scipy and know nothing about where they "should" land; each returns a
:class:`Run` with the final iterate and snapshots on a geometric grid of iterations (for figures).

Row-space methods (their increments are combinations of the gradients X^T l'(r), so w_t - w_0 stays
in row(X); Gunasekar et al. 2018a, Thm 1, notes 002/003): gradient descent, heavy-ball and
Nesterov momentum, minibatch SGD, CG on the normal equations, LSQR, BFGS/L-BFGS started from H0 = I.

Methods whose updates leave row(X) (negative controls; notes 001, "Implicit bias in least squares"):
Adam, AdaGrad (coordinate-wise preconditioning), steepest descent w.r.t. l_inf (sign descent
scaled by ||g||_1), cyclic / greedy coordinate descent.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
import scipy.sparse.linalg

from .losses import SQUARED, Loss


@dataclass
class Run:
    w: np.ndarray
    iterations: int
    history_t: list[int] = field(default_factory=list)
    history_w: list[np.ndarray] = field(default_factory=list)
    max_norm: float = 0.0  # max_t ||w_t||, for round-off bounds
    info: dict = field(default_factory=dict)


class _Log:
    """Snapshots at t = 0, 1, 2, ... then geometrically (ratio 1.15), plus the final iterate."""

    def __init__(self, run: Run):
        self.run, self.next = run, 0

    def __call__(self, t: int, w: np.ndarray) -> None:
        n = float(np.linalg.norm(w))
        if n > self.run.max_norm:
            self.run.max_norm = n
        if t >= self.next:
            self.run.history_t.append(t)
            self.run.history_w.append(w.copy())
            self.next = max(t + 1, int(t * 1.15))

    def close(self, t: int, w: np.ndarray) -> None:
        if not self.run.history_t or self.run.history_t[-1] != t:
            self.run.history_t.append(t)
            self.run.history_w.append(w.copy())
        self.run.w, self.run.iterations = w, t


def _done(X, y, w, rtol) -> bool:
    return float(np.linalg.norm(X @ w - y)) <= rtol * max(float(np.linalg.norm(y)), 1e-300)


def gradient_descent(X, y, w0, eta, loss: Loss = SQUARED, rtol=1e-13, max_iter=200_000, check_every=50) -> Run:
    """w_{t+1} = w_t - eta X^T l'(X w_t - y)."""
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    log = _Log(run)
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and _done(X, y, w, rtol):
            break
        w = w - eta * (X.T @ loss.grad(X @ w - y))
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def heavy_ball(X, y, w0, eta, beta, rtol=1e-13, max_iter=200_000, check_every=50) -> Run:
    """Polyak momentum: w_{t+1} = w_t - eta grad L(w_t) + beta (w_t - w_{t-1})."""
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    prev, log = w.copy(), _Log(run)
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and _done(X, y, w, rtol):
            break
        w, prev = w - eta * (X.T @ (X @ w - y)) + beta * (w - prev), w
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def nesterov(X, y, w0, eta, beta, rtol=1e-13, max_iter=200_000, check_every=50) -> Run:
    """Nesterov: v = w_t + beta (w_t - w_{t-1}); w_{t+1} = v - eta grad L(v)."""
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    prev, log = w.copy(), _Log(run)
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and _done(X, y, w, rtol):
            break
        v = w + beta * (w - prev)
        w, prev = v - eta * (X.T @ (X @ v - y)), w
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def minibatch_sgd(X, y, w0, eta, batch, seed, rtol=1e-13, max_iter=2_000_000, check_every=50) -> Run:
    """Minibatch SGD without replacement (reshuffled each epoch) on 1/2 ||X_B w - y_B||^2.

    Under interpolation (m < d, rank m) the noise vanishes at the solution, so a constant step
    eta < 2 / max_B sigma_max(X_B)^2 converges linearly."""
    rng = np.random.default_rng(seed)
    m = X.shape[0]
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    log, t, perm, pos = _Log(run), 0, rng.permutation(m), 0
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and _done(X, y, w, rtol):
            break
        if pos + batch > m:
            perm, pos = rng.permutation(m), 0
        B = perm[pos : pos + batch]
        pos += batch
        XB = X[B]
        w = w - eta * (XB.T @ (XB @ w - y[B]))
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def cg_normal_equations(X, y, w0, rtol=1e-13, maxiter=None) -> Run:
    """scipy CG on X^T X delta = X^T (y - X w0), started at delta = 0; w = w0 + delta.

    The Krylov space of X^T X applied to X^T r0 lies in row(X), so the iterates never leave
    w0 + row(X) in exact arithmetic. Stopped at the residual tolerance: run far past convergence
    (tol = 0, huge maxiter) CG keeps amplifying round-off and drifts into the null space."""
    r0 = y - X @ w0
    A = scipy.sparse.linalg.LinearOperator((X.shape[1],) * 2, matvec=lambda v: X.T @ (X @ v), dtype=float)
    b = X.T @ r0
    hist_t, hist_w, count = [0], [w0.copy()], [0]

    def cb(xk):
        count[0] += 1
        hist_t.append(count[0])
        hist_w.append(w0 + xk)

    delta, info = scipy.sparse.linalg.cg(A, b, rtol=rtol, atol=0.0, maxiter=maxiter or 20 * X.shape[1], callback=cb)
    w = w0 + delta
    return Run(w, count[0], hist_t, hist_w, max(float(np.linalg.norm(v)) for v in hist_w), {"scipy_info": int(info)})


def lsqr_from(X, y, w0, rtol=1e-14) -> Run:
    """scipy LSQR on X delta = y - X w0 from delta = 0 (Golub-Kahan: iterates in row(X))."""
    r0 = y - X @ w0
    out = scipy.sparse.linalg.lsqr(X, r0, atol=rtol, btol=rtol, iter_lim=50 * X.shape[1])
    delta, istop, itn = out[0], out[1], out[2]
    w = w0 + delta
    return Run(w, int(itn), [0, int(itn)], [w0.copy(), w.copy()],
               max(float(np.linalg.norm(w0)), float(np.linalg.norm(w))), {"istop": int(istop)})


def quasi_newton(X, y, w0, method="BFGS", gtol=1e-14, maxiter=20_000) -> Run:
    """scipy BFGS / L-BFGS-B on 1/2 ||Xw - y||^2 from w0 (initial inverse Hessian a multiple of I,
    so every search direction is a combination of gradients and steps: row(X))."""
    hist_t, hist_w = [0], [w0.copy()]

    def f(w):
        r = X @ w - y
        return 0.5 * float(r @ r), X.T @ r

    def cb(*args):
        xk = args[0] if args and isinstance(args[0], np.ndarray) else args[0].x
        hist_t.append(len(hist_t))
        hist_w.append(np.array(xk, dtype=float))

    opts = {"gtol": gtol, "maxiter": maxiter}
    if method == "L-BFGS-B":
        opts.update({"ftol": 0.0, "maxcor": 20})
    res = scipy.optimize.minimize(f, w0.astype(float), jac=True, method=method, options=opts, callback=cb)
    w = np.asarray(res.x, dtype=float)
    if not np.array_equal(hist_w[-1], w):
        hist_t.append(len(hist_t))
        hist_w.append(w.copy())
    return Run(w, int(res.nit), hist_t, hist_w, max(float(np.linalg.norm(v)) for v in hist_w),
               {"message": str(res.message), "success": bool(res.success)})


def adam(X, y, w0, eta, beta1=0.9, beta2=0.999, eps=1e-3, rtol=1e-13, max_iter=400_000, check_every=50, min_iter=0) -> Run:
    """Adam (Kingma & Ba) with bias correction. Once |g| << eps it behaves like GD with step
    eta/eps plus momentum, so it converges to an interpolant; the early adaptive (sign-like)
    phase has already moved w off w0 + row(X).

    The adaptive methods here stop at the first check with relative residual <= rtol after
    ``min_iter`` updates: a caller that needs the iterate to have stopped moving too (its limit is
    not on a known affine set) asks for more updates past the residual criterion."""
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    mom, v, log = np.zeros_like(w), np.zeros_like(w), _Log(run)
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and t >= min_iter and _done(X, y, w, rtol):
            break
        g = X.T @ (X @ w - y)
        mom = beta1 * mom + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mh, vh = mom / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
        w = w - eta * mh / (np.sqrt(vh) + eps)
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def adagrad(X, y, w0, eta, eps=1e-10, rtol=1e-13, max_iter=400_000, check_every=50, min_iter=0) -> Run:
    """Diagonal AdaGrad: G += g^2; w -= eta g / sqrt(G + eps)."""
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    G, log = np.zeros_like(w), _Log(run)
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and t >= min_iter and _done(X, y, w, rtol):
            break
        g = X.T @ (X @ w - y)
        G += g * g
        w = w - eta * g / np.sqrt(G + eps)
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def linf_steepest_descent(X, y, w0, eta=None, rtol=1e-13, max_iter=400_000, check_every=50, min_iter=0) -> Run:
    """Steepest descent w.r.t. ||.||_inf: w -= eta ||g||_1 sign(g) (Gunasekar et al. 2018a, sec. 3).

    eta = 1 / L_inf with L_inf = max_{||v||_inf <= 1} ||X^T X v||_1 <= sum_ij |X^T X|_ij, the
    smoothness of L w.r.t. l_inf; then L decreases by ||g||_1^2 / (2 L_inf) per step."""
    if eta is None:
        eta = 1.0 / float(np.abs(X.T @ X).sum())
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    log = _Log(run)
    for t in range(max_iter):
        log(t, w)
        if t % check_every == 0 and t >= min_iter and _done(X, y, w, rtol):
            break
        g = X.T @ (X @ w - y)
        w = w - eta * np.abs(g).sum() * np.sign(g)
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run


def coordinate_descent(X, y, w0, rule="cyclic", rtol=1e-13, max_iter=2_000_000, check_every=500, min_iter=0) -> Run:
    """Exact coordinate minimization of 1/2 ||Xw - y||^2 (steepest descent w.r.t. l1 with exact
    line search): w_j -= g_j / ||X_:j||^2, with j cycling or j = argmax |g_j| / ||X_:j|| (greedy)."""
    if rule not in ("cyclic", "greedy"):
        raise ValueError(f"unknown coordinate rule {rule!r}")
    d = X.shape[1]
    col2 = np.einsum("ij,ij->j", X, X)
    run, w = Run(w0.copy(), 0), w0.astype(float).copy()
    r, log = X @ w - y, _Log(run)
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    for t in range(max_iter):
        if t % d == 0:
            log(t, w)
        if t % check_every == 0:
            r = X @ w - y  # refresh the incrementally updated residual
            if t >= min_iter and float(np.linalg.norm(r)) <= rtol * ynorm:
                break
        if rule == "cyclic":
            j = t % d
            gj = float(X[:, j] @ r)
        else:
            g = X.T @ r
            j = int(np.argmax(np.abs(g) / np.sqrt(col2)))
            gj = float(g[j])
        step = gj / col2[j]
        w[j] -= step
        r -= step * X[:, j]
    else:  # budget exhausted: max_iter updates were made
        t = max_iter
    log.close(t, w)
    return run
