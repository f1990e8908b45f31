"""Shared pieces of the matrix factorization family: fields, assumptions, starts, memoized runs."""
from __future__ import annotations

import numpy as np

from models.matrix_factorization import (Measurements, balanced_factors, completion, deep_product_flow,
                                         psd_factor_flow, sensing)
from solvers.commuting_sensing import diagonals, joint_eigenbasis, off_diagonality

from ...contract import Assumption, Field
from ...memo import memo
from ...strategies.matrices import haar_orthonormal

EPS = np.finfo(float).eps
FAMILY = "matrix-factorization"
RTOL = 1e-12  # flows of the exact (limit) claims

# ---- fields -------------------------------------------------------------------------------------

F_A = Field("A", 3, "measurement matrices A_i, an m x n x n array (symmetric, commuting)")
F_Y = Field("y", 1, "measurements y_i = <A_i, X*>, length m")
F_X0 = Field("X0", 2, "start X0 = U0 U0^T, n x n, positive definite, commuting with the A_i")
F_SEED = Field("seed", 0, "seed of the rotation O in U0 = X0^(1/2) O (X(t) depends on X0 only)", integer=True, default=0)
F_W0 = Field("W0", 2, "end-to-end start W0 = W_N ... W_1 (balanced factors are built from it)")
F_DEPTH = Field("depth", 0, "depth N of the product W_N ... W_1", integer=True)
F_ISEED = Field("seed", 0, "seed of the interior rotations Q_1..Q_{N-1} of the balanced factors", integer=True, default=0)


# ---- starts -------------------------------------------------------------------------------------

def rotations(seed: int, k: int, count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(int(seed))
    return [haar_orthonormal(rng, k, k) for _ in range(count)]


def psd_root(X0: np.ndarray, seed: int) -> np.ndarray:
    """U0 = X0^(1/2) O with O a seeded rotation, so U0 U0^T = X0 but U0 is not symmetric."""
    w, V = np.linalg.eigh(0.5 * (X0 + X0.T))
    return ((V * np.sqrt(np.maximum(w, 0.0))) @ V.T) @ rotations(seed, X0.shape[0], 1)[0]


def balanced_start(W0: np.ndarray, depth: int, seed: int) -> list[np.ndarray]:
    k = min(W0.shape)
    return balanced_factors(W0, depth, rotations(seed, k, depth - 1))


def op_of(inst) -> Measurements:
    A = np.asarray(inst.get("A", np.zeros((0, 0, 0))), float)
    if A.ndim == 3 and A.shape[0] > 0:
        return sensing(A)
    E = np.asarray(inst["entries"]).astype(int)
    return completion(E[:, 0], E[:, 1], tuple(int(v) for v in np.asarray(inst["shape"]).ravel()[:2]))


def residual_target(y: np.ndarray) -> float:
    return 1e-12 * max(float(np.linalg.norm(y)), 1e-300)


@memo
def psd_run(A, y, X0, seed, rtol=RTOL, target=None):
    return psd_factor_flow(sensing(A), y, psd_root(X0, seed), residual_target(y) if target is None else target, rtol=rtol)


@memo
def deep_run(A, y, W0, depth, seed, rtol=RTOL):
    return deep_product_flow(sensing(A), y, balanced_start(W0, depth, seed), residual_target(y), rtol=rtol)


# ---- the commuting structure (theorem side: tolerances, not predictions) ---------------------------

def commuting_system(A, X0):
    """(Q, a, x0): the joint eigenbasis of the A_i and X0, a_i = diag(Q^T A_i Q), x0 = diag(Q^T X0 Q)."""
    Q = joint_eigenbasis(np.concatenate([A, X0[None]], axis=0))
    return Q, diagonals(A, Q), diagonals(X0[None], Q)[0]


def mirror_step(a, curvature, residual) -> float:
    """||H a^T (a H a^T)^(-1) r||: the move along the mirror manifold that cancels the residual r
    (H = diag(curvature) = dx / d(a^T nu)); x2 covers the second-order term."""
    Ha = a * curvature
    return float(np.linalg.norm(Ha.T @ np.linalg.lstsq(Ha @ a.T, residual, rcond=None)[0]))


# ---- assumptions --------------------------------------------------------------------------------

def _shapes(start_key):
    def test(inst):
        A, y, S = np.asarray(inst["A"]), np.asarray(inst["y"]), np.asarray(inst[start_key])
        if A.ndim != 3 or A.shape[1] != A.shape[2] or A.shape[0] < 1:
            return f"A has shape {list(A.shape)}, need m x n x n"
        if y.shape != (A.shape[0],):
            return f"y has shape {list(y.shape)}, need ({A.shape[0]},)"
        if S.shape != A.shape[1:]:
            return f"{start_key} has shape {list(S.shape)}, need {list(A.shape[1:])}"
        return None
    return test


def _symmetric(inst):
    A = np.asarray(inst["A"], float)
    asym = float(np.max(np.abs(A - np.swapaxes(A, 1, 2)))) / max(float(np.max(np.abs(A))), 1e-300)
    return None if asym <= 1e-12 else f"A_i not symmetric (max |A_i - A_i^T| / max |A| = {asym:.1e})"


def _commuting(start_key):
    def test(inst):
        A, S = np.asarray(inst["A"], float), np.asarray(inst[start_key], float)
        mats = np.concatenate([A, S[None]], axis=0)
        Q = joint_eigenbasis(mats)
        off = off_diagonality(mats, Q)
        return None if off <= 1e-9 else f"the A_i and {start_key} do not commute (off-diagonal part {off:.1e} in a joint eigenbasis)"
    return test


def _positive_definite(start_key):
    def test(inst):
        S = np.asarray(inst[start_key], float)
        if float(np.max(np.abs(S - S.T))) > 1e-12 * max(float(np.max(np.abs(S))), 1e-300):
            return f"{start_key} is not symmetric"
        w = np.linalg.eigvalsh(0.5 * (S + S.T))
        return None if w[0] > 1e-14 * max(w[-1], 1e-300) and w[0] > 0 else f"{start_key} is not positive definite (lambda_min = {w[0]:.1e})"
    return test


def _reachable(start_key):
    """y = A(X) for some PD X commuting with the A_i: the LP max t s.t. a x = y, x >= t 1 has t > 0."""
    def test(inst):
        import scipy.optimize

        A, S, y = np.asarray(inst["A"], float), np.asarray(inst[start_key], float), np.asarray(inst["y"], float)
        Q = joint_eigenbasis(np.concatenate([A, S[None]], axis=0))
        a = diagonals(A, Q)
        m, n = a.shape
        if m >= n:
            return f"m = {m} measurements of an n = {n} joint spectrum: need m < n (underdetermined)"
        s = np.linalg.svd(a, compute_uv=False)
        if s[-1] <= 1e-10 * s[0]:
            return "the measurements are linearly dependent (a = diag(Q^T A_i Q) is rank-deficient)"
        c = np.zeros(n + 1)
        c[-1] = -1.0
        res = scipy.optimize.linprog(c, A_eq=np.hstack([a, np.zeros((m, 1))]), b_eq=y,
                                     A_ub=np.hstack([-np.eye(n), np.ones((n, 1))]), b_ub=np.zeros(n),
                                     bounds=[(None, None)] * n + [(None, 1.0)], method="highs")
        if res.status != 0 or -res.fun <= 1e-9:
            return "y is not reachable: no positive definite X commuting with the A_i has A(X) = y"
        return None
    return test


def after(first, test):
    """``test``, evaluated only when ``first`` holds (a shape problem is reported once, by ``first``)."""
    return lambda inst: None if first(inst) else test(inst)


def commuting_assumptions(start_key: str) -> tuple[Assumption, ...]:
    shapes = _shapes(start_key)
    return (
        Assumption(f"shapes: A is m x n x n, y has m entries, {start_key} is n x n", shapes),
        Assumption("the A_i are symmetric", after(shapes, _symmetric)),
        Assumption(f"the A_i and {start_key} commute (jointly diagonalizable)", after(shapes, _commuting(start_key))),
        Assumption(f"{start_key} is symmetric positive definite (a full-rank start)", after(shapes, _positive_definite(start_key))),
        Assumption("y is reachable: A(X) = y for a positive definite X commuting with the A_i (m < n, independent)",
                   after(shapes, _reachable(start_key))),
    )
