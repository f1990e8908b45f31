"""One claim, registered from outside the suite: GD on least squares lands on w0 + X^+(y - X w0).

Theorem (Gunasekar, Lee, Soudry, Srebro 2018a, Thm 1): for 0 < eta < 2/sigma_max(X)^2, gradient
descent on 1/2 ||Xw - y||^2 from w0 converges to argmin ||w - w0||_2 s.t. Xw = y, because every
step lies in row(X). The check runs GD to a relative residual of 1e-13 and compares with the
pseudo-inverse solution; the tolerance is the run's distance to the interpolation set plus a
round-off allowance, both measured on the run (so they are capped at the declared resolution).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from theorems.api import (Assumption, Certificate, Claim, Evidence, Field, Mutant, Resolution, memo,
                          perturb_limit, register)

from .certify import min_norm_certificate

U = np.finfo(float).eps / 2


@memo
def gradient_descent(X, y, w0, eta_frac, max_steps=200_000):
    """w <- w - eta X^T (Xw - y), eta = eta_frac * 2 / sigma_max(X)^2, until ||Xw - y|| <= 1e-13 ||y||."""
    eta = eta_frac * 2.0 / np.linalg.norm(X, 2) ** 2
    w = w0.copy()
    for t in range(max_steps):
        r = X @ w - y
        if np.linalg.norm(r) <= 1e-13 * np.linalg.norm(y):
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
    w, steps = gradient_descent(X, y, w0, inst["eta_frac"])
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
        converged=steps < 200_000, convergence_note=f"{steps} steps",
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
                 Assumption("0 < eta_frac < 1", lambda i: None if 0 < i["eta_frac"] < 1 else "step out of range")),
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
