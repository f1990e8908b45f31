"""U V^T is its symmetric lift; with diagonal A_i it is the diagonal net (entry 4).

Lift (notes 004 "beta = U V^T ... W = [U; V]"; derived): for L(U V^T) = 1/2 sum (<A_i, U V^T> - y_i)^2 the
flow is U' = -A*(r) V, V' = -A*(r)^T U. With W = [U; V] and the symmetric
A~_i = 1/2 [[0, A_i], [A_i^T, 0]], <A~_i, W W^T> = <A_i, U V^T> and the PSD flow W' = -2 A~*(r) W is the
same ODE, so U V^T(t) is the top-right block of W W^T(t) at every t. The notes write the lift without
the 1/2; then <A~_i, W W^T> = 2 <A_i, U V^T>, a different problem (a mutant here).

Diagonal net (Woodworth et al. 2020; entry 4): with A_i = diag(x_i) and diagonal starts, U = diag(u),
V = diag(v) stay diagonal, u' = -g o v, v' = -g o u (g = X^T r), so w+ = (u + v)/2, w- = (u - v)/2 follow
the diagonal net's flow (time scaled by 1/4: entry 4's loss has no 1/2 and a factor 2 from the squares)
and beta = u o v = w+^2 - w-^2 tends to argmin sum gamma q(beta/gamma) - c beta s.t. X beta = y from the
start (w+0, w-0) -- entry 4's reference (solvers.q_alpha.argmin_q_general), certified.
"""
from __future__ import annotations

import time

import numpy as np

from models.matrix_factorization import deep_product_flow, psd_factor_flow, sensing
from solvers.certify.asymmetric_lift import lift_or_diagonal_net
from solvers.min_norm import min_lp_distance_interpolant
from solvers.q_alpha import argmin_q_general

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...resolution import moved
from ...strategies.matrix_sensing import lift_instances
from .common import EPS, FAMILY, RTOL, after, mirror_step

SRC = ("notes 004 (U V^T and its lift W W^T); Woodworth et al. 2020, Kernel and rich regimes, Thm 1 (the diagonal net, "
       "entry 4); derived (catalogue entry 8)")


def is_diagonal(inst) -> bool:
    A, U0, V0 = inst["A"], inst["U0"], inst["V0"]
    if A.shape[1] != A.shape[2] or U0.shape != V0.shape or U0.shape[0] != U0.shape[1] or U0.shape[0] != A.shape[1]:
        return False
    off = ~np.eye(A.shape[1], dtype=bool)
    return not (np.any(A[:, off]) or np.any(U0[off]) or np.any(V0[off]))


@memo
def asymmetric_run(A, y, U0, V0):
    """The U V^T flow to the residual target, or to a stationary point (the lift identity holds at every t;
    the diagonal-net limit needs the residual target)."""
    return deep_product_flow(sensing(A), y, [V0.T, U0], 1e-12 * max(float(np.linalg.norm(y)), 1e-300), rtol=RTOL,
                             stationary_rtol=1e-9, t_max=1e9)


def lifted(A, half=True):
    m, n1, n2 = A.shape
    L = np.zeros((m, n1 + n2, n1 + n2))
    f = 0.5 if half else 1.0
    L[:, :n1, n1:] = f * A
    L[:, n1:, :n1] = f * np.swapaxes(A, 1, 2)
    return L


@memo
def _lift_trajectory(A, y, U0, V0, times, half):
    W0 = np.vstack([U0, V0])
    return psd_factor_flow(sensing(lifted(A, half)), y, W0, 0.0, rtol=RTOL, t_eval=times)


def lift_prediction(inst, times, half=True):
    """The theorem for general A_i: the top-right block of the lifted PSD flow at the same times."""
    A, y, U0, V0 = inst["A"], inst["y"], inst["U0"], inst["V0"]
    n1 = U0.shape[0]
    run = _lift_trajectory(A, y, U0, V0, times, half)
    Xs = run.history_X[:, :n1, n1:]
    M = run.history_X[-1]
    ode = 2.0 * np.sqrt(run.steps + 1.0) * RTOL * run.max_abs ** 2 * M.shape[0]
    ref = {"kind": "lift", "M": M, "X": Xs[-1], "lifted_measurements": np.einsum("kij,ij->k", lifted(A, half), M)}
    return Xs, [], ode, ref


def _diag_start(inst):
    u0, v0 = np.diag(inst["U0"]), np.diag(inst["V0"])
    return (u0 + v0) / 2.0, (u0 - v0) / 2.0


def theorem_prediction(inst, times):
    """Diagonal A_i and starts: entry 4's argmin (a limit); otherwise the lift's trajectory."""
    if not is_diagonal(inst):
        return lift_prediction(inst, times)
    Xmat = np.einsum("kii->ki", inst["A"])
    wp, wm = _diag_start(inst)
    beta, certs, info = argmin_q_general(Xmat, inst["y"], wp, wm)
    return np.diag(beta)[None], certs, info["error_bound"], {"kind": "diag", "X": np.diag(beta)}


def notes_lift(inst, times):
    """Mutant: the notes' lift [[0, A_i], [A_i^T, 0]] (no 1/2), its trajectory at the same times."""
    return lift_prediction(inst, times, half=False)


def diag_l1(inst, times):
    """Mutant (diagonal instances): the min-l1 interpolant (the alpha -> 0 limit, not this start's)."""
    if not is_diagonal(inst):
        return lift_prediction(inst, times)
    Xmat = np.einsum("kii->ki", inst["A"])
    b, cert = min_lp_distance_interpolant(Xmat, inst["y"], np.zeros(Xmat.shape[1]), 1)
    return np.diag(b)[None], [cert], 0.0, {}


def diag_forgets_shift(inst, times):
    """Mutant (diagonal instances): the start taken as w+0 = w-0 = sqrt|w+0 w-0| (the shift c forgotten)."""
    if not is_diagonal(inst):
        return lift_prediction(inst, times)
    Xmat = np.einsum("kii->ki", inst["A"])
    wp, wm = _diag_start(inst)
    g = np.sqrt(np.abs(wp * wm))
    beta, certs, info = argmin_q_general(Xmat, inst["y"], g, g, cross_check=False)
    return np.diag(beta)[None], certs, info["error_bound"], {}


def check_lift(inst, stmt) -> Evidence:
    A, y = inst["A"], inst["y"]
    t0 = time.perf_counter()
    run = asymmetric_run(A, y, inst["U0"], inst["V0"])
    times = np.unique(run.history_t)
    Xrun = np.array([run.history_X[np.searchsorted(run.history_t, t)] for t in times])
    t1 = time.perf_counter()
    Xp, certs, ref_err, reference = stmt["prediction"](inst, times)
    t2 = time.perf_counter()
    diag = is_diagonal(inst)
    ode_run = 2.0 * np.sqrt(run.steps + 1.0) * RTOL * run.max_abs ** 2 * sum(A.shape[1:])
    if Xp.shape[0] == 1:  # a limit: compare the end point
        scale = max(float(np.linalg.norm(Xp[0])), 1e-300)
        gap = float(np.linalg.norm(Xrun[-1] - Xp[0])) / scale
        rem = 0.0
        if diag:
            Xmat = np.einsum("kii->ki", A)
            wp, wm = _diag_start(inst)
            beta = np.diag(run.X)
            curv = np.sqrt(beta ** 2 + 4.0 * (wp * wp) * (wm * wm))  # d beta / d theta on the diagonal-net manifold
            rem = 2.0 * mirror_step(Xmat, curv, Xmat @ beta - y)
        tol = (rem + ode_run + ref_err) / scale
        reason = (f"(2 x manifold step from the final residual {rem:.1e} + ODE budget {ode_run:.1e} + reference bound "
                  f"{ref_err:.1e}) / ||X_pred||")
        budget = {"remaining motion": rem / scale, "ODE error": ode_run / scale}
    else:  # a trajectory: compare at every recorded time
        scale = max(float(np.max(np.linalg.norm(Xp, axis=(1, 2)))), 1e-300)
        gap = float(np.max(np.linalg.norm(Xrun - Xp, axis=(1, 2)))) / scale
        tol = (ode_run + ref_err + 64 * EPS * scale) / scale
        reason = (f"(ODE budgets of the U V^T flow {ode_run:.1e} and of the lifted flow {ref_err:.1e}: 2 sqrt(steps) rtol "
                  f"max|state|^2 dim + 64 ulps) / max_t ||X_pred(t)||; compared at {times.size} times")
        budget = {"ODE error": (ode_run + ref_err) / scale}
    ts = np.maximum(times, 1e-3)
    fig = Figure("matrix-lift-identity", "U V^T flow vs its symmetric lift / the diagonal net", "time t",
                 "||U V^T(t) - X_pred|| / ||X_pred||",
                 (Series("diagonal A_i (vs entry 4's limit)" if diag else f"{A.shape[1]}x{A.shape[2]}, m={A.shape[0]} (vs the lift)",
                         ts.tolist(), np.maximum(np.linalg.norm(Xrun - Xp[-1 if Xp.shape[0] == 1 else slice(None)], axis=(1, 2))
                                                 / scale, 1e-17).tolist()),), "log", "log")
    # a trajectory comparison needs a completed run (any stop but an integration failure); a limit needs
    # the residual target
    converged = run.stop == "residual" if Xp.shape[0] == 1 else run.stop in ("residual", "stationary", "time")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=list(certs), converged=converged,
        convergence_note=f"residual {run.residual:.1e} at t = {run.t:.3g} ({run.stop})",
        timings={"flow": t1 - t0, "reference": t2 - t1}, figures=[fig],
        details={"diagonal": diag, "steps": run.steps, "shape": list(A.shape[1:]), "m": A.shape[0]},
        reference=reference, run_budget=budget,
    )


def perturb_prediction(stmt, r):
    f = stmt["prediction"]

    def moved_prediction(inst, times):
        Xp, certs, err, ref = f(inst, times)
        return np.array([moved(X, r, "lift") for X in Xp]), certs, err, ref

    return {"prediction": moved_prediction}


def _shapes(inst):
    A, y, U0, V0 = (np.asarray(inst[k]) for k in ("A", "y", "U0", "V0"))
    if A.ndim != 3 or A.shape[0] < 1 or y.shape != (A.shape[0],):
        return f"A {list(A.shape)}, y {list(y.shape)}: need m x n1 x n2 and m"
    if U0.ndim != 2 or V0.ndim != 2 or U0.shape[0] != A.shape[1] or V0.shape[0] != A.shape[2] or U0.shape[1] != V0.shape[1]:
        return f"U0 {list(U0.shape)}, V0 {list(V0.shape)}: need n1 x k and n2 x k"
    return None


def _reachable(inst):
    A = np.asarray(inst["A"], float)
    M = A.reshape(A.shape[0], -1)
    s = np.linalg.svd(M, compute_uv=False)
    if M.shape[0] >= M.shape[1] or s[-1] <= 1e-10 * s[0]:
        return "the measurements must be independent and fewer than n1 n2 (A(X) = y solvable, underdetermined)"
    if is_diagonal(inst):
        u0, v0 = np.diag(inst["U0"]), np.diag(inst["V0"])
        if np.any(np.abs(np.abs(u0) - np.abs(v0)) <= 1e-12 * np.maximum(np.abs(u0), 1e-300)):
            return "diagonal starts need |u0_k| != |v0_k| (w+0 and w-0 both non-zero)"
    return None


def _claims():
    return (Claim(
        id="matrix-factorization-asymmetric-lift",
        title="U V^T flow equals its symmetric lift; with diagonal A_i it is the diagonal net of entry 4",
        statement=("U' = -A*(r) V, V' = -A*(r)^T U on 1/2 sum (<A_i, U V^T> - y_i)^2: U V^T(t) = top-right block of W W^T(t), "
                   "W = [U; V] following the PSD flow for A~_i = 1/2 [[0, A_i], [A_i^T, 0]]; for A_i = diag(x_i) and diagonal "
                   "starts, U V^T(inf) = diag(argmin sum gamma q(beta/gamma) - c beta s.t. X beta = y), the diagonal net's limit "
                   "from w+0 = (u0 + v0)/2, w-0 = (u0 - v0)/2"),
        source=SRC,
        assumptions=(Assumption("shapes: A is m x n1 x n2, y has m entries, U0 is n1 x k, V0 is n2 x k", _shapes),
                     Assumption("A(X) = y is solvable and underdetermined; diagonal starts have |u0| != |v0|",
                                after(_shapes, _reachable))),
        fields=(Field("A", 3, "measurement matrices A_i, m x n1 x n2 (diagonal n x n for the diagonal net)"),
                Field("y", 1, "measurements, length m"), Field("U0", 2, "start of U, n1 x k"), Field("V0", 2, "start of V, n2 x k")),
        strategy=lambda: lift_instances(),
        check=check_lift,
        params={"prediction": theorem_prediction},
        mutants=(Mutant("notes-lift", "the lift [[0, A_i], [A_i^T, 0]] without the 1/2 (notes 004)", {"prediction": notes_lift}),
                 Mutant("diagonal-l1", "diagonal A_i: the min-l1 interpolant", {"prediction": diag_l1}),
                 Mutant("diagonal-forgets-shift", "diagonal A_i: the start's shift c forgotten (w+0 = w-0)",
                        {"prediction": diag_forgets_shift})),
        kind="limit", family=FAMILY, examples={"quick": 6, "thorough": 30}, mutant_instances=4,
        resolution=Resolution(1e-8, "relative perturbation of the predicted U V^T (trajectory or limit) in a fixed direction",
                              perturb_prediction),
        verify=lift_or_diagonal_net,
    ),)
