"""The independent certificates of the mirror-descent family (solvers/certify/bregman.py).

Each must accept the solver's answer and reject the answers a bug would produce: a 1e-6 relative
perturbation, a forgotten start, the projection for the wrong potential (or another p, another b),
the arguments of the divergence swapped, the Euclidean projection; for the LP, a non-optimal vertex,
a dual that is not optimal, a wrong smallest reduced cost; for the mirror-flow path, a wrong start,
a wrong geometry and a wrong clock. The mirror maps are checked against finite differences of the
potentials written out here, and against the model's (they are two implementations).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from models.mirror_descent import (entropic_mirror_flow, half_squared_pnorm, hyperbolic_entropy, negative_entropy,
                                   potential_by_index)
from solvers.bregman import bregman_projection, nonneg_basis_pursuit, swapped_bregman_projection
from solvers.certify import bregman as cb
from solvers.min_norm import min_lp_distance_interpolant, min_norm_interpolant
from theorems.audit import shared_code
from theorems.resolution import moved
from theorems.strategies.matrices import conditioned_matrix
from theorems.strategies.mirror import P_GRID, basis_pursuit_problem

KINDS = cb.POTENTIAL_KINDS
PHI = {  # the potentials' values, for finite differences of the certificate's mirror maps
    "negative-entropy": lambda w, p, b: float(np.sum(w * np.log(w) - w)),
    "half-squared-p-norm": lambda w, p, b: 0.5 * float(np.sum(np.abs(w) ** p)) ** (2.0 / p),
    "hyperbolic-entropy": lambda w, p, b: float(np.sum(w * np.arcsinh(w / b) - np.sqrt(w * w + b * b))),
}


def _raw(k, seed, m=3, d=9, kappa=10.0, p=1.5, b=0.7):
    """An instance of mirror-descent-bregman-projection (the strategy's construction)."""
    rng = np.random.default_rng(seed)
    X = conditioned_matrix(rng, m, d, kappa, 1.0)
    if k == 0:
        y, w0 = X @ np.exp(0.5 * rng.standard_normal(d)), np.exp(0.5 * rng.standard_normal(d))
    else:
        y, w0 = rng.standard_normal(m), rng.standard_normal(d)
    return {"X": X, "y": y, "w0": w0, "potential": k, "p": p, "b": b, "eta_frac": 0.5}


def _solve(raw, k=None, w0=None, p=None, b=None):
    k = raw["potential"] if k is None else k
    pot = potential_by_index(k, raw["p"] if p is None else p, raw["b"] if b is None else b)
    w, cert = bregman_projection(raw["X"], raw["y"], raw["w0"] if w0 is None else w0, pot)
    assert cert.valid, cert
    return w


def _ok(raw, w):
    return cb.mirror_descent_limit(raw, {"w": w}).valid


CASES = [(k, seed, m, d) for k in (0, 1, 2) for seed in (0, 1) for (m, d) in ((1, 2), (3, 9), (5, 15))]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("p,b", [(1.25, 0.1), (1.5, 1.0), (1.75, 10.0)])
def test_mirror_maps_are_gradients_of_the_potentials_and_agree_with_the_model(kind, p, b):
    rng = np.random.default_rng(3)
    w = np.exp(rng.standard_normal(6)) if kind == "negative-entropy" else rng.standard_normal(6)
    g = cb.mirror_map(kind, w, p, b)
    h = 1e-6
    fd = np.array([(PHI[kind](w + h * e, p, b) - PHI[kind](w - h * e, p, b)) / (2 * h) for e in np.eye(6)])
    assert np.allclose(g, fd, rtol=1e-6, atol=1e-7)
    model = potential_by_index(KINDS.index(kind), p, b)
    assert np.allclose(g, model.grad(w), rtol=1e-13, atol=1e-15)


def test_mirror_map_domain_and_edge_cases():
    assert cb.mirror_map("negative-entropy", np.array([1.0, 0.0])) is None
    assert cb.mirror_map("negative-entropy", np.array([1.0, -1e-300])) is None
    assert cb.mirror_map("hyperbolic-entropy", np.array([np.nan, 1.0])) is None
    assert np.array_equal(cb.mirror_map("half-squared-p-norm", np.zeros(3), 1.5), np.zeros(3))
    big = cb.mirror_map("half-squared-p-norm", np.array([1e300, -1e300]), 1.25)  # no overflow in |w|^p
    assert np.all(np.isfinite(big)) and big[0] == -big[1] > 0
    with pytest.raises(ValueError, match="unknown potential"):
        cb.mirror_map("l2", np.ones(2))


@pytest.mark.parametrize("k,seed,m,d", CASES)
def test_the_projection_is_certified(k, seed, m, d):
    raw = _raw(k, seed, m, d)
    cert = cb.mirror_descent_limit(raw, {"w": _solve(raw)})
    assert cert.valid, cert


@pytest.mark.parametrize("k,seed,m,d", CASES)
@pytest.mark.parametrize("salt", ["a", "b", "c"])
def test_a_relative_perturbation_of_1e_6_is_rejected(k, seed, m, d, salt):
    raw = _raw(k, seed, m, d)
    assert not _ok(raw, moved(_solve(raw), 1e-6, salt))


@pytest.mark.parametrize("k,seed,m,d", CASES)
def test_a_forgotten_start_is_rejected(k, seed, m, d):
    """The projection of the potential's natural origin (1 for the entropy, 0 otherwise) instead of w0."""
    raw = _raw(k, seed, m, d)
    origin = np.ones(d) if k == 0 else np.zeros(d)
    assert not _ok(raw, _solve(raw, w0=origin))


@pytest.mark.parametrize("k,seed,m,d", CASES)
def test_the_projection_for_another_potential_is_rejected(k, seed, m, d):
    raw = _raw(k, seed, m, d)
    others = [j for j in (0, 1, 2) if j != k and not (j == 0 and k != 0)]  # entropy needs w0 > 0
    for j in others:
        assert not _ok(raw, _solve(raw, k=j))
    if k == 1:
        assert not _ok(raw, _solve(raw, p=1.25))  # another p
    if k == 2:
        assert not _ok(raw, _solve(raw, b=7.0))  # another scale b
    assert not _ok(raw, min_norm_interpolant(raw["X"], raw["y"], raw["w0"])[0])  # Euclidean (GD's limit)


@pytest.mark.parametrize("k,seed,m,d", [c for c in CASES if c[2] > 1])
def test_swapped_arguments_are_rejected(k, seed, m, d):
    raw = _raw(k, seed, m, d)
    pot = potential_by_index(k, raw["p"], raw["b"])
    ws, cert = swapped_bregman_projection(raw["X"], raw["y"], raw["w0"], pot)
    assert np.linalg.norm(raw["X"] @ ws - raw["y"]) < 1e-8 * (1 + np.linalg.norm(raw["y"]))
    assert not _ok(raw, ws)


def test_an_answer_outside_the_domain_or_malformed_is_rejected():
    raw = _raw(0, 0)
    w = _solve(raw)
    w_bad = w.copy()
    w_bad[0] = -w_bad[0]
    cert = cb.mirror_descent_limit(raw, {"w": w_bad})
    assert not cert.valid and "outside_the_potential_domain" in cert.residuals
    assert not _ok(raw, np.full_like(w, np.nan))


# ---- the KL projection of alpha 1 --------------------------------------------------------------

def _bp(seed, m=3, n_off=4, alpha=0.1):
    rng = np.random.default_rng(seed)
    X, y, u_l1, red = basis_pursuit_problem(rng, m, n_off, 0.5, 0.6)
    return {"X": X, "y": y, "alpha": alpha}, u_l1, red


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("alpha", [0.01, 0.3, 1.0, 30.0])
def test_kl_projection_of_alpha_right_and_wrong(seed, alpha):
    raw, u_l1, _ = _bp(seed, alpha=alpha)
    X, y = raw["X"], raw["y"]
    d = X.shape[1]
    u, cert = bregman_projection(X, y, np.full(d, alpha), negative_entropy())
    assert cert.valid
    ok = lambda v: cb.kl_projection_of_alpha(raw, {"u": v}).valid  # noqa: E731
    assert ok(u)
    assert not ok(moved(u, 1e-6, "kl"))
    assert not ok(bregman_projection(X, y, np.ones(d), negative_entropy())[0]) or alpha == 1.0  # forgot alpha
    assert not ok(bregman_projection(X, y, np.full(d, alpha * (1 + 1e-6)), negative_entropy())[0])  # alpha off by 1e-6
    assert not ok(min_norm_interpolant(X, y, np.full(d, alpha))[0])  # Euclidean projection of alpha 1
    assert not ok(swapped_bregman_projection(X, y, np.full(d, alpha), negative_entropy())[0])
    assert not ok(u_l1)  # the alpha -> 0 limit has zeros: outside the domain


# ---- the non-negative basis-pursuit LP ---------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_basis_pursuit_dual_certificate_right_and_wrong(seed):
    raw, u_true, red = _bp(seed, m=1 + seed % 4, n_off=1 + seed)
    X, y = raw["X"], raw["y"]
    u, cert, s = nonneg_basis_pursuit(X, y)
    nu = np.linalg.lstsq(X[:, u > 0].T, np.ones(int(np.sum(u > 0))), rcond=None)[0]
    s0 = float(np.min(red[u_true == 0]))
    ref = {"u": u, "nu": nu, "s0": s0}
    assert cb.basis_pursuit_limit(raw, ref).valid
    ok = lambda **kw: cb.basis_pursuit_limit(raw, {**ref, **kw}).valid  # noqa: E731
    assert not ok(u=moved(u, 1e-6, "lp"))
    assert not ok(nu=moved(nu, 1e-6, "nu"))
    assert not ok(s0=s0 * (1 + 1e-6))
    assert not ok(u=min_norm_interpolant(X, y, np.zeros(X.shape[1]))[0])  # l2: negative entries or gap
    signed, _ = min_lp_distance_interpolant(X, y, np.zeros(X.shape[1]), 1)  # min-l1 without u >= 0
    if np.min(signed) < -1e-9:
        assert not ok(u=signed)
    # another feasible vertex: move along a null direction of X until a coordinate hits 0
    N = np.linalg.svd(X)[2][X.shape[0]:].T
    v = N[:, 0]
    ts = [-u[j] / v[j] for j in range(len(u)) if v[j] != 0 and -u[j] / v[j] > 1e-12]
    if ts:
        other = u + min(ts) * v
        if np.all(other >= -1e-12) and np.sum(other) > np.sum(u) + 1e-9:
            assert not ok(u=np.maximum(other, 0.0))


def test_basis_pursuit_certificate_without_s0_and_all_on_support():
    X = np.array([[1.0, 2.0]])
    y = np.array([2.0])
    u = np.array([0.0, 1.0])
    nu = np.array([0.5])
    assert cb.nonneg_basis_pursuit_dual(X, y, u, nu).valid
    assert "smallest_reduced_cost_mismatch" not in cb.nonneg_basis_pursuit_dual(X, y, u, nu).residuals
    # every coordinate on the support: no reduced cost off it, s0 = inf is the consistent answer
    full = cb.nonneg_basis_pursuit_dual(np.eye(2), np.ones(2), np.ones(2), np.ones(2), math.inf)
    assert full.valid and full.residuals["smallest_reduced_cost_mismatch"] == 0.0
    assert not cb.nonneg_basis_pursuit_dual(np.eye(2), np.ones(2), np.ones(2), np.ones(2), 0.5).valid


# ---- the entropy mirror flow path --------------------------------------------------------------

def _flow_ref(raw, c=4.0, n=121):
    X, y, alpha = raw["X"], raw["y"], raw["alpha"]
    T = 2.0
    run = entropic_mirror_flow(X, y, np.full(X.shape[1], alpha), 1.0, c * T, dense_output=True, rtol=1e-12)
    t = np.linspace(0.0, T, n)
    return {"t": t, "u_path": run.dense(c * t), "constant": c, "steps": run.steps}


@pytest.mark.parametrize("seed", range(3))
def test_mirror_flow_path_right_and_wrong(seed):
    raw, _, _ = _bp(seed, alpha=0.5)
    X, y = raw["X"], raw["y"]
    ref = _flow_ref(raw)
    geo, clock = cb.entropy_mirror_flow_path(raw, ref)
    assert geo.valid and clock.valid, (geo, clock)
    valid = lambda r: all(c.valid for c in cb.entropy_mirror_flow_path(raw, r))  # noqa: E731
    assert not valid({**ref, "constant": 4.4})  # the clock of another constant (10%)
    assert not valid({**ref, "constant": 2.0})  # note 002's constant
    assert not valid({**ref, "u_path": ref["u_path"] * 1.001})  # another start (alpha 1.001 alpha)
    # another geometry: the Euclidean gradient flow u' = -c X^T r leaves log u - log alpha in row(X)
    from scipy.integrate import solve_ivp

    sol = solve_ivp(lambda t, u: -4.0 * X.T @ (X @ u - y), (0, 2.0), np.full(X.shape[1], 0.5), t_eval=ref["t"],
                    rtol=1e-12, atol=1e-14)
    if np.all(sol.y > 0):
        assert not valid({**ref, "u_path": sol.y.T})
    assert not valid({**ref, "u_path": ref["u_path"][:-1]})  # malformed: an odd number of intervals
    assert not valid({**ref, "u_path": -ref["u_path"]})


# ---- the large-alpha references ----------------------------------------------------------------

def test_large_alpha_references_right_and_wrong():
    rng = np.random.default_rng(5)
    X = conditioned_matrix(rng, 2, 6, 3.0, 1.0)
    y = X @ np.exp(0.5 * rng.standard_normal(6))
    raw = {"X": X, "y": y}
    alphas = [10.0, 100.0]
    l2 = np.linalg.pinv(X) @ y
    unb = [bregman_projection(X, y, np.zeros(6), hyperbolic_entropy(2 * a))[0] for a in alphas]
    bia = [bregman_projection(X, y, np.full(6, a), negative_entropy())[0] for a in alphas]
    good = lambda ref: all(c.valid for c in cb.large_alpha_limits(raw, ref))  # noqa: E731
    assert good({"l2": l2, "alphas": alphas, "limits": unb, "model": "unbiased"})
    assert good({"l2": l2, "alphas": alphas, "limits": bia, "model": "biased"})
    assert not good({"l2": l2, "alphas": alphas, "limits": bia, "model": "unbiased"})
    assert not good({"l2": l2, "alphas": alphas, "limits": unb[::-1], "model": "unbiased"})  # alphas swapped
    assert not good({"l2": moved(l2, 1e-6), "alphas": alphas, "limits": unb, "model": "unbiased"})
    with pytest.raises(ValueError, match="unknown model"):
        cb.large_alpha_limits(raw, {"l2": l2, "alphas": alphas, "limits": unb, "model": "other"})


def test_certificates_share_no_code_with_solvers_or_models():
    for f in (cb.mirror_descent_limit, cb.kl_projection_of_alpha, cb.basis_pursuit_limit, cb.entropy_mirror_flow_path,
              cb.large_alpha_limits):
        assert shared_code(f) == [], f


@pytest.mark.parametrize("p", P_GRID)
def test_p_grid_potentials_certified(p):
    raw = _raw(1, 7, 4, 12, p=p)
    assert _ok(raw, _solve(raw))
    assert half_squared_pnorm(p).params["p"] == p
