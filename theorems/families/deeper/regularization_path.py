"""GD on a linear model follows an exact margin-constrained regularization path.

Identity (derived; cf. Ji, Dudik, Schapire, Telgarsky 2020, COLT, "Gradient descent follows the
regularization path for general losses", for the asymptotic version): for L(w) = sum_n l(y_n <w, x_n>)
with l = exp or logistic (l' < 0 everywhere), GD or heavy ball (beta >= 0) from w0 gives
    w_t - w0 = sum_n c_n(t) y_n x_n,   c_n(t) = sum_{s<t} (weights >= 0) x (-l'(margin_n(w_s))) > 0,
so w_t satisfies the KKT conditions of P(w0, b) = argmin ||w - w0|| s.t. y_n <w, x_n> >= b_n at
b = the current margins (feasible with equality, stationarity with multipliers c >= 0, all
constraints active); P is strictly convex, so w_t = P(w0, margins(w_t)) at EVERY step, for any step
size. The check runs batched GD (exp/logistic x GD/heavy ball, models.separable.gd_separable_batched),
solves P at every checkpoint (solvers.regularization_path: LDP/NNLS vs the active-set solve) and measures
max_t ||w_t - P|| / ||w_t - w0||. Tolerance: the round-off of the iterates (each step adds errors of
size u ||w|| outside the cone: 8 u sqrt(T) max ||w_t|| / ||w_t - w0||) + the projection's bound.
Mutants: the l1 projection, the projection from the origin (forgets w0), and a common margin level
(min_n margin for every constraint: the max-margin path, not this one).
"""
from __future__ import annotations

import time

import numpy as np

from models.separable import gd_separable_batched
from solvers.regularization_path import l1_margin_projection, margin_projection
from solvers.svm import signed_data

from ...contract import Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.deeper import separable_with_start
from .common import A_LABELS, A_SEPARABLE, F_X, F_Y, U, in_range

VARIANTS = (("exp", 0.0), ("logistic", 0.0), ("exp", 1.0), ("logistic", 1.0))  # (loss, momentum on/off)
N_CP = 12


@memo
def gd_runs(X, y, w0, eta_frac, beta, T):
    Z = signed_data(X, y)
    s2 = float(np.linalg.norm(Z, 2)) ** 2
    L0 = float(np.sum(np.exp(-Z @ w0)))
    etas = np.array([eta_frac * (2.0 / (max(L0, 1e-300) * s2) if l == "exp" else 8.0 / s2) for l, _ in VARIANTS])
    betas = np.array([beta * mom for _, mom in VARIANTS])
    return gd_separable_batched(Z, np.tile(w0, (len(VARIANTS), 1)), etas, int(T), losses=tuple(l for l, _ in VARIANTS),
                                beta=betas, n_checkpoints=N_CP)


@memo(maxsize=4096)
def projection(X, y, w0, b):
    return margin_projection(X, y, w0, b)


def from_origin(X, y, w0, b):
    return margin_projection(X, y, np.zeros_like(w0), b)


def common_level(X, y, w0, b):
    return margin_projection(X, y, w0, np.full_like(b, b.min()))


def check(inst, stmt) -> Evidence:
    X, y, w0 = np.asarray(inst["X"], float), np.asarray(inst["y"], float), np.asarray(inst["w0"], float)
    t0 = time.perf_counter()
    run = gd_runs(X, y, w0, float(inst["eta_frac"]), float(inst["beta"]), int(inst["T"]))
    t1 = time.perf_counter()
    Z = signed_data(X, y)
    gaps, tols, certs, Wp, Bs = [], [], [], [], []
    worst_drift = 0.0
    for v in range(len(VARIANTS)):
        wmax = float(np.max(np.linalg.norm(run.w[:, v], axis=1)))
        for k, t in enumerate(run.t):
            w = run.w[k, v]
            b = Z @ w
            wp, lam, cert = stmt["projection"](X, y, w0, b)
            scale = max(float(np.linalg.norm(w - w0)), 1e-300)
            gaps.append(float(np.linalg.norm(w - wp)) / scale)
            drift = 8.0 * U * np.sqrt(t + 1.0) * wmax / scale
            worst_drift = max(worst_drift, drift)
            tols.append(drift + cert.tolerance)
            certs.append(cert)
            Wp.append(wp)
            Bs.append(b)
    gaps, tols = np.array(gaps), np.array(tols)
    i = int(np.argmax(gaps / tols))
    bad = [c for c in certs if not c.valid]
    fig = Figure("deeper-regularization-path", "GD iterates vs the margin projection P(w0, margins(w_t))", "step t",
                 "||w_t - P|| / ||w_t - w0||", tuple(Series(f"{l}{' + heavy ball' if mom else ''}", run.t.tolist(),
                                                            np.maximum(gaps[v * len(run.t):(v + 1) * len(run.t)], 1e-17).tolist())
                                                     for v, (l, mom) in enumerate(VARIANTS)), "log", "log")
    return Evidence(
        gap=float(gaps[i]), tolerance=float(tols[i]),
        tolerance_reason=(f"worst checkpoint (of {len(gaps)}: 4 variants x {len(run.t)} steps): iterate round-off 8u sqrt(t+1) "
                          f"max||w|| / ||w_t - w0|| + the projection's bound {certs[i].tolerance:.1e}"),
        certificates=bad[:1] if bad else [certs[i]],
        timings={"dynamics": t1 - t0, "reference": time.perf_counter() - t1}, figures=[fig],
        details={"T": int(inst["T"]), "checkpoints": len(gaps), "iterate_roundoff": worst_drift},
        reference={"w": np.array(Wp), "b": np.array(Bs)},
        run_budget={"iterate round-off": worst_drift},
    )


CLAIM = Claim(
    id="gd-separable-regularization-path",
    title="GD on a linear model: every iterate is the min-distance point with its own margins (exact)",
    statement=("GD / heavy ball (beta in [0, 1)) on sum_n l(y_n <w, x_n>), l = exp or logistic, any step: for every t, "
               "w_t = argmin ||w - w0||_2 s.t. y_n <w, x_n> >= y_n <w_t, x_n> for all n (all constraints active, "
               "multipliers > 0)"),
    source=("derived (the increments lie in the cone of the y_n x_n); cf. Ji, Dudik, Schapire, Telgarsky 2020 (COLT), "
            "'Gradient descent follows the regularization path for general losses'; notes 002 Theorem 1's argument"),
    assumptions=(A_LABELS, A_SEPARABLE, in_range("eta_frac", 1e-3, 1.0), in_range("beta", 0.0, 0.99),
                 in_range("T", 1, 100000, True)),
    fields=(F_X, F_Y, Field("w0", 1, "start, length d"),
            Field("eta_frac", 0, "step as a fraction of 2/(beta_l sigma_max^2)", default=0.5),
            Field("beta", 0, "heavy-ball momentum of the momentum variants", default=0.5),
            Field("T", 0, "number of steps", integer=True, default=200)),
    strategy=lambda: separable_with_start(("eta_frac", "beta", "T")),
    check=check,
    params={"projection": projection},
    mutants=(Mutant("l1-projection", "w_t = argmin ||w - w0||_1 s.t. the same margins", {"projection": l1_margin_projection}),
             Mutant("forgets-w0", "w_t = argmin ||w|| s.t. the same margins (from the origin)", {"projection": from_origin}),
             Mutant("common-margin", "w_t = argmin ||w - w0|| s.t. every margin >= min_n margin_n(w_t)",
                    {"projection": common_level})),
    kind="identity", family="deeper", examples={"quick": 4, "thorough": 40}, mutant_instances=3,
    resolution=Resolution(1e-8, "relative perturbation of the projection in a fixed random direction",
                          perturb_limit("projection")),
)
