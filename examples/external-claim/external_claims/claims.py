"""One claim, registered from outside the suite: GD on least squares lands on w0 + X^+(y - X w0).

Theorem (Gunasekar, Lee, Soudry, Srebro 2018a, Thm 1): for 0 < eta < 2/sigma_max(X)^2, gradient
descent on 1/2 ||Xw - y||^2 from w0 converges to argmin ||w - w0||_2 s.t. Xw = y, because every
step lies in row(X). The check runs GD to a relative residual of 1e-13 and compares with the
pseudo-inverse solution, within a step budget derived from sigma_min/sigma_max (the thorough profile
drew X with cond(X)^2 = 3711, which needed more than the former fixed 200000 steps); the tolerance is the run's distance to the interpolation set plus a
round-off allowance, both measured on the run (so they are capped at the declared resolution).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from theorems.api import (Assumption, Certificate, Claim, Evidence, Field, Mutant, Resolution, memo,
                          perturb_limit, register)

from .certify import min_norm_certificate

U = np.finfo(float).eps / 2


STEP_LIMIT = 1_000_000  # the derived step count this example runs (Python loop: ~5 s)


def steps_needed(X, y, w0, eta_frac):
    """The residual's slowest component contracts by q = 1 - eta sigma_min^2 per step, so
    ||Xw_t - y|| <= q^t ||Xw_0 - y|| reaches 1e-13 ||y|| within log(1e-13 ||y|| / ||r_0||) / log q
    steps; twice that (+100) is the budget."""
    s = np.linalg.svd(X, compute_uv=False)
    eta = eta_frac * 2.0 / s[0] ** 2
    q = 1.0 - eta * s[-1] ** 2
    r0 = float(np.linalg.norm(X @ w0 - y))
    if r0 <= 1e-13 * float(np.linalg.norm(y)):
        return 1
    if not 0.0 <= q < 1.0:
        return np.inf
    return 2 * int(np.ceil(np.log(1e-13 * float(np.linalg.norm(y)) / r0) / np.log(q))) + 100


def _budget_ok(i):
    n = steps_needed(i["X"], i["y"], i["w0"], i["eta_frac"])
    return None if n <= STEP_LIMIT else f"GD needs about {n:.3g} steps (cond(X)^2 too large), more than {STEP_LIMIT}"


@memo
def gradient_descent(X, y, w0, eta_frac, max_steps=200_000):
    """w <- w - eta X^T (Xw - y), eta = eta_frac * 2 / sigma_max(X)^2, until ||Xw - y|| <= 1e-13 ||y||
    or the round-off floor 8 u ||w|| / (eta sigma_min): below it the update of the residual's slowest
    component, eta sigma_min |r_min|, is under half an ulp of w and rounds away (measured: a draw with
    cond(X)^2 = 3711 stalls at 1.5e-13 ||y||)."""
    s = np.linalg.svd(X, compute_uv=False)
    eta = eta_frac * 2.0 / s[0] ** 2
    w = w0.copy()
    ny = float(np.linalg.norm(y))
    for t in range(max_steps):
        r = X @ w - y
        if np.linalg.norm(r) <= max(1e-13 * ny, 8 * U * float(np.linalg.norm(w)) / (eta * s[-1])):
            return w, t
        w = w - eta * (X.T @ r)
    return w, max_steps


def pinv_limit(X, y, w0):
    w = w0 + np.linalg.lstsq(X, y - X @ w0, rcond=None)[0]
    resid = float(np.linalg.norm(X @ w - y)) / max(float(np.linalg.norm(y)), 1e-300)
    return w, Certificate("lstsq residual", {"residual": resid}, 1e-10)


def origin_limit(X, y, w0):
    """Mutant: the min-norm interpolant from the origin (forgets w0)."""
    return pinv_limit(X, y, np.zeros_like(w0))


def check(inst, stmt):
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    budget = int(steps_needed(X, y, w0, inst["eta_frac"]))
    w, steps = gradient_descent(X, y, w0, inst["eta_frac"], budget)
    w_pred, cert = stmt["limit"](X, y, w0)
    scale = float(np.linalg.norm(w_pred))
    to_set = float(np.linalg.norm(np.linalg.lstsq(X, X @ w - y, rcond=None)[0])) / scale
    drift = 8 * U * np.sqrt(steps + 1.0) * float(np.linalg.norm(w)) / scale
    return Evidence(
        gap=float(np.linalg.norm(w - w_pred)) / scale,
        tolerance=to_set + drift + 1e-12,
        tolerance_reason="||X^+(Xw_T - y)|| + 8u sqrt(T+1) ||w_T||, relative, + 1e-12 for the reference",
        certificates=[cert], reference={"w": w_pred},
        run_budget={"distance to the interpolation set": to_set, "round-off drift": drift},
        converged=steps < budget, convergence_note=f"{steps} steps of a derived budget of {budget}",
    )


def instances():
    def build(seed, m, extra):
        rng = np.random.default_rng(seed)
        d = m + extra
        return {"X": rng.standard_normal((m, d)), "y": rng.standard_normal(m), "w0": rng.standard_normal(d),
                "eta_frac": 0.5}
    return st.builds(build, st.integers(0, 2**31 - 1), st.integers(2, 6), st.integers(1, 6))


register(Claim(
    id="external-example-min-norm",
    title="(external package) GD on least squares lands on the min-distance interpolant",
    statement="GD from w0 with eta < 2/sigma_max(X)^2: w_t -> w0 + X^+(y - X w0)",
    source="Gunasekar, Lee, Soudry, Srebro 2018a, Thm 1 (registered by external_claims, an example package)",
    assumptions=(Assumption("m < d", lambda i: None if i["X"].shape[0] < i["X"].shape[1] else "m >= d"),
                 Assumption("0 < eta_frac < 1", lambda i: None if 0 < i["eta_frac"] < 1 else "step out of range"),
                 Assumption("GD reaches the residual target within the example's step limit", _budget_ok)),
    fields=(Field("X", 2, "m x d design, m < d"), Field("y", 1, "targets"), Field("w0", 1, "start"),
            Field("eta_frac", 0, "step as a fraction of 2/sigma_max^2", default=0.5)),
    strategy=instances,
    check=check,
    params={"limit": pinv_limit},
    mutants=(Mutant("forgets-w0", "the limit X^+ y (from the origin)", {"limit": origin_limit}),),
    resolution=Resolution(1e-8, "relative perturbation of the predicted limit in a fixed random direction",
                          perturb_limit("limit")),
    verify=min_norm_certificate,
    kind="limit",
    family="external-example",
    examples={"quick": 6, "thorough": 30},
    mutant_instances=2,
))
