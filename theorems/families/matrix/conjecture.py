"""Gunasekar et al.'s conjecture (general measurements): measured, not judged.

Conjecture 1 of Gunasekar et al. 2017 ("Implicit Regularization in Matrix Factorization"; notes 001
"Conjecture: with stepsize -> 0 and initialization -> 0 ... gradient descent on U converges to the
minimum nuclear norm solution"): for a full-rank start of vanishing scale, gradient flow on
L(U U^T) = 1/2 ||A(U U^T) - y||^2 converges to argmin ||X||_* s.t. A(X) = y, X PSD. Proved for
commuting A_i (``matrix-sensing-commuting-nuclear-norm``); refuted in general by Li, Luo, Lyu 2021
(greedy low-rank learning) and, for deep factorizations, questioned by Arora et al. 2019 and
Razin & Cohen 2020 (``matrix-completion-not-nuclear-norm``). So it is encoded as ``open``: the check
measures, at the smallest start scale, how far the end point X is from being a min nuclear norm
solution -- gap = max(|relative nuclear-norm excess|, relative residual ||A(X) - y|| / ||y||): X is in
argmin ||X||_* s.t. A(X) = y iff both vanish (the minimizer need not be unique: with commuting A_i the
optimal face has free off-diagonal entries, so a Frobenius distance to one SDP solution is reported as a
detail only) -- against a stated threshold of 1e-2. The measurement at the larger start scales is a
detail and a figure.

Calibrations (the measurement discriminates): *near* -- commuting A_i with an isotropic start, where
the theorem gives a distance of order alpha^(min s_j) (reduced-cost margin >= 0.5 by construction),
far below 1% at the start scales drawn; *far* -- a rank-deficient start (rank 1 < rank X_nuc = 2): U(t)
keeps the rank of U0 (U' = -2 A*(r) U is linear in U), so X(t) cannot approach X_nuc and the run ends
at a stationary point (reported: it need not interpolate).

Measured (finding): with m = 3nr measurements (Gunasekar et al.'s setting) the small-start limit is the
min nuclear norm solution to the run's accuracy (gap ~1e-7); with fewer (m = 1.5 n r, n = 7, r = 1) it
often is not: 24 of 60 seeded instances end more than 2% above the minimum, and on the showcase the
excess grows as the start shrinks (0.16, 0.37, 0.45, 0.48 at ||U0||_F = 1e-2 .. 1e-5), towards a
rank-2 interpolant other than the minimizer -- the behaviour Li, Luo, Lyu 2021 predict. It is not
numerical: at rtol 1e-13 and a residual target 1e-11 ||y|| (in place of 1e-10 and 1e-7) the excesses
agree to 4 digits (0.1635, 0.3739, 0.4482, 0.4786; 0.4949 at 1e-6), the limit interpolates (relative
residual 1e-11: a global minimum of the loss, L = 0), and it is rank 2 like X_nuc but with singular
values (6.95, 1.46) against X_nuc's (3.69, 1.99) (the third, 5.6e-9, is the start's remnant); the
ground truth Z Z^T is rank 1 with ||.||_* = 7.19, so neither recovers it (m = 10 < 28 = n(n+1)/2).
The details report both spectra (``singular_values_X``, ``singular_values_X_nuc``) and numerical
ranks (singular values above 1e-6 sigma_1).

Dynamics: the flow (LSODA with the analytic Jacobian) for small n, or gradient descent with a given
step (``step`` > 0: the published configurations, which used GD); depth-N asymmetric products
(``psd`` = 0) start balanced with ||W0||_F = init_scale. References: the SDP of solvers.nuclear_norm
(SCS, Clarabel fallback), certified by solvers.certify.nuclear_norm from the raw measurements.
"""
from __future__ import annotations

import time

import numpy as np

from models.matrix_factorization import (deep_product_flow, deep_product_gd, psd_factor_flow, psd_factor_gd)
from solvers.certify.nuclear_norm import min_nuclear_norm as certify_min_nuclear_norm
from solvers.nuclear_norm import min_nuclear_norm, min_trace_psd

from ...contract import Assumption, Claim, Evidence, Field, Figure, Series, far, near
from ...memo import memo
from ...strategies.matrices import haar_orthonormal
from ...strategies.matrix_sensing import commuting_instances, gaussian_psd_instances, symmetric_gaussian
from .common import FAMILY, after, balanced_start, op_of

THRESHOLD = 1e-2
SV_SHOWN = 6  # leading singular values of the limit and of X_nuc reported in the details
RANK_RTOL = 1e-6  # numerical rank: singular values above 1e-6 sigma_1 (the SDP is certified to ~1e-9 relative)


def _rank(s):
    return int(np.sum(s > RANK_RTOL * s[0])) if s.size and s[0] > 0 else 0
SRC = ("Gunasekar et al. 2017, Implicit Regularization in Matrix Factorization, Conjecture 1 and sec. 5 (50 x 50, rank 2, "
       "m = 3nr Gaussian); notes 001 'Conjecture'; Li, Luo, Lyu 2021 (counterexamples)")

EMPTY_A = np.zeros((0, 1, 1))
EMPTY_E = np.zeros((0, 2))
NO_TRUTH = np.zeros((0, 0))


def _start(inst, scale):
    op = op_of(inst)
    n1, n2 = op.shape
    rng = np.random.default_rng(int(inst.get("seed", 0)))
    if int(inst.get("psd", 1)):
        k = int(inst.get("start_rank", 0)) or n1
        return [scale / np.sqrt(k) * haar_orthonormal(rng, n1, n1)[:, :k]]
    k = min(n1, n2)
    W0 = scale / np.sqrt(k) * haar_orthonormal(rng, n1, k) @ haar_orthonormal(rng, n2, k).T
    return balanced_start(W0, int(inst.get("depth", 2)), int(inst.get("seed", 0)) + 1)


def _run_at(inst, scale):
    op = op_of(inst)
    y = np.asarray(inst["y"], float)
    target = float(inst.get("residual_rtol", 1e-7)) * max(float(np.linalg.norm(y)), 1e-300)
    step = float(inst.get("step", 0.0))
    psd = bool(int(inst.get("psd", 1)))
    fs = _start(inst, scale)
    if step > 0:
        steps = int(inst.get("max_steps", 200_000))
        if psd:
            return psd_factor_gd(op, y, fs[0], step, target, max_steps=steps, stationary_rtol=1e-8)
        return deep_product_gd(op, y, fs, step, target, max_steps=steps)
    if psd:
        n = op.shape[0]
        return psd_factor_flow(op, y, fs[0], target, rtol=1e-10, stationary_rtol=1e-8, jacobian=n * n <= 900,
                               method="LSODA", log_time=True)
    return deep_product_flow(op, y, fs, target, rtol=1e-10, stationary_rtol=1e-8, log_time=True)


@memo
def _runs(inst_key, inst):
    ladder = int(inst.get("ladder", 2))
    scales = float(inst["init_scale"]) * 10.0 ** np.arange(ladder - 1, -1, -1)
    return scales, [_run_at(inst, float(s)) for s in scales]


@memo
def min_nuclear_norm_reference(inst_key, inst):
    """The conjecture's prediction: argmin ||X||_* s.t. A(X) = y (X PSD when psd = 1), by SDP."""
    op = op_of(inst)
    y = np.asarray(inst["y"], float)
    psd = bool(int(inst.get("psd", 1)))
    kw = {"A": op.A} if op.A is not None else {"rows": op.rows, "cols": op.cols}
    if psd:
        X, lam, cert = min_trace_psd(y=y, n=op.shape[0], **kw)
    else:
        X, lam, cert = min_nuclear_norm(y=y, shape=op.shape, **kw)
    if op.A is None:  # completion: the observed entries set exactly (the SDP's feasibility error removed)
        X = X.copy()
        X[op.rows, op.cols] = y
    return X, lam, cert


def _key(inst):
    from ...memo import key_of

    return key_of(inst)


def check_conjecture(inst, stmt) -> Evidence:
    k = _key(inst)
    t0 = time.perf_counter()
    scales, runs = _runs(k, inst)
    t1 = time.perf_counter()
    X_ref, lam, cert = stmt["reference"](k, inst)
    t2 = time.perf_counter()
    psd = bool(int(inst.get("psd", 1)))
    scale = max(float(np.linalg.norm(X_ref)), 1e-300)
    nuc = lambda X: float(np.sum(np.linalg.svd(X, compute_uv=False)))  # noqa: E731
    ref_nuc = max(nuc(X_ref), 1e-300)
    dist = [float(np.linalg.norm(r.X - X_ref)) / scale for r in runs]
    excess = [(nuc(r.X) - ref_nuc) / ref_nuc for r in runs]
    last = runs[-1]
    y = np.asarray(inst["y"], float)
    rel_res = last.residual / max(float(np.linalg.norm(y)), 1e-300)
    # the limit and the reference side by side (Li, Luo, Lyu 2021 predict a limit of another rank)
    sv_ref, sv_run = np.linalg.svd(X_ref, compute_uv=False), np.linalg.svd(last.X, compute_uv=False)
    truth = np.asarray(inst.get("truth", NO_TRUTH), float)
    recovery = {}
    if truth.size:  # what the papers plot: relative Frobenius error against the ground truth (a detail, not the gap)
        tn = max(float(np.linalg.norm(truth)), 1e-300)
        recovery = {"recovery_error": float(np.linalg.norm(last.X - truth)) / tn,
                    "recovery_error_X_nuc": float(np.linalg.norm(X_ref - truth)) / tn}
    gap = max(abs(excess[-1]), rel_res)
    kind = ("completion" if op_of(inst).completion else "sensing") + (" PSD" if psd else f", depth {int(inst.get('depth', 2))}")
    label = f"{kind}, n={op_of(inst).shape[0]}, m={op_of(inst).m}" + (
        f", start rank {int(inst['start_rank'])}" if int(inst.get("start_rank", 0)) else "")
    fig = Figure("matrix-nuclear-norm-excess", "Nuclear-norm excess of the flow's limit vs the start scale",
                 "start scale alpha (X0 = alpha X0dir)", "(||X_alpha||_* - min ||X||_*) / min ||X||_*",
                 (Series(label + " (start ||U0||_F^2)", (scales ** 2).tolist(), np.maximum(np.abs(excess), 1e-17).tolist(), "line"),),
                 "log", "log")
    return Evidence(
        gap=gap, tolerance=THRESHOLD,
        tolerance_reason=("stated threshold 1e-2 on max(|relative nuclear-norm excess|, relative residual): it separates "
                          "landing on a min-nuclear-norm solution from landing elsewhere (the commuting calibration, where "
                          "the theorem holds, measures far below it; the runs stop at relative residual <= residual_rtol)"),
        certificates=[cert], converged=all(r.converged for r in runs),
        convergence_note=f"smallest scale: stopped by {last.stop} at {last.t:.3g}, relative residual {rel_res:.1e}",
        timings={"dynamics": t1 - t0, "reference": t2 - t1}, figures=[fig],
        details={"start_scales": scales.tolist(), "frobenius_distance": dist, "nuclear_norm_excess": excess,
                 "relative_residual": rel_res, "stop": last.stop, "rank_X_nuc": _rank(sv_ref), "rank_X": _rank(sv_run),
                 "singular_values_X_nuc": sv_ref[:SV_SHOWN].tolist(), "singular_values_X": sv_run[:SV_SHOWN].tolist(),
                 "method": last.info.get("method", ""), "steps": last.steps, **recovery},
        reference={"X": X_ref, "lam": lam, "psd": psd},
    )


# ---- assumptions ----------------------------------------------------------------------------------

def _operator_ok(inst):
    A = np.asarray(inst.get("A", EMPTY_A))
    E = np.asarray(inst.get("entries", EMPTY_E))
    y = np.asarray(inst["y"])
    if A.ndim == 3 and A.shape[0] > 0:
        if y.shape != (A.shape[0],):
            return f"y has shape {list(y.shape)}, need ({A.shape[0]},)"
        M = A.reshape(A.shape[0], -1)
        if M.shape[0] >= M.shape[1]:
            return "need fewer measurements than entries (underdetermined)"
        s = np.linalg.svd(M, compute_uv=False)
        return None if s[-1] > 1e-10 * s[0] else "the measurements are linearly dependent"
    if E.ndim != 2 or E.shape[0] < 1 or E.shape[1] != 2:
        return "give either A (m x n1 x n2) or entries (k x 2 observed indices) with shape (n1, n2)"
    sh = np.asarray(inst.get("shape", [0, 0])).ravel()
    if sh.size != 2 or np.any(E < 0) or np.any(E[:, 0] >= sh[0]) or np.any(E[:, 1] >= sh[1]):
        return "entries out of range of shape"
    if len({(int(a), int(b)) for a, b in E}) != E.shape[0]:
        return "repeated observed entries"
    return None if y.shape == (E.shape[0],) else f"y has shape {list(y.shape)}, need ({E.shape[0]},)"


def _truth_ok(inst):
    T = np.asarray(inst.get("truth", NO_TRUTH))
    shape = tuple(op_of(inst).shape)
    return None if T.size == 0 or T.shape == shape else f"truth has shape {list(T.shape)}, need {list(shape)} (or empty)"


def _psd_ok(inst):
    if not int(inst.get("psd", 1)):
        return None
    op = op_of(inst)
    if op.shape[0] != op.shape[1]:
        return "psd = 1 needs square measurements"
    if op.A is not None and float(np.max(np.abs(op.A - np.swapaxes(op.A, 1, 2)))) > 1e-12 * float(np.max(np.abs(op.A))):
        return "psd = 1 (X = U U^T) needs symmetric A_i"
    if int(inst.get("depth", 2)) != 2:
        return "psd = 1 is the depth-2 factorization U U^T"
    return None


def _reachable(inst):
    """y = A(X) for some PSD X (psd = 1): the SDP is feasible (its certificate is valid)."""
    X, lam, cert = min_nuclear_norm_reference(_key(inst), inst)
    return None if cert.valid else f"y is not reachable by a {'PSD ' if int(inst.get('psd', 1)) else ''}X (SDP: {cert.name.split(':')[1][:60]})"


def _knobs(inst):
    if not float(inst["init_scale"]) > 0:
        return f"init_scale = {inst['init_scale']}"
    if float(inst.get("step", 0.0)) < 0:
        return "step must be >= 0 (0: gradient flow)"
    if not 1 <= int(inst.get("ladder", 2)) <= 6:
        return "ladder in 1..6"
    if not 0 < float(inst.get("residual_rtol", 1e-7)) <= 1e-3:
        return "residual_rtol in (0, 1e-3]"
    return None


def _showcase():
    """A counterexample the thorough search met (n = 7, rank-1 X*, m = 10 = 1.5 n r Gaussian measurements, seeded):
    the limit's nuclear-norm excess grows as the start shrinks (0.16, 0.37, 0.45, 0.48 at ||U0||_F = 1e-2..1e-5),
    towards a rank-2 interpolant other than the min nuclear norm one (Li, Luo, Lyu 2021's phenomenon)."""
    rng = np.random.default_rng(21)
    A = symmetric_gaussian(rng, 10, 7)
    Z = rng.standard_normal((7, 1))
    return {"A": A, "y": np.einsum("kij,ij->k", A, Z @ Z.T), "truth": Z @ Z.T, "init_scale": 1e-5, "seed": 0, "ladder": 4,
            "entries": EMPTY_E, "shape": np.array([0, 0]), "psd": 1, "depth": 2, "start_rank": 0, "step": 0.0,
            "max_steps": 200_000, "residual_rtol": 1e-7}


def _near_strategy():
    return commuting_instances(alpha_lo=1.0, alpha_hi=1.0, s_lo=0.5, s_hi=1.2).map(
        lambda i: {"A": i["A"], "y": i["y"], "init_scale": 1e-4, "seed": i["seed"]})


def _claims():
    return (Claim(
        id="matrix-sensing-nuclear-norm-conjecture",
        title="Gunasekar's conjecture, Gaussian sensing: how far the small-start flow's limit is from a min nuclear norm solution",
        statement=("(open) for a full-rank start U0 of vanishing scale, gradient flow on 1/2 ||A(U U^T) - y||^2 lands on "
                   "argmin ||X||_* s.t. A(X) = y, X PSD; measured at the smallest start scale: max(|(||X||_* - min ||X||_*) / "
                   "min ||X||_*|, ||A(X) - y|| / ||y||)"),
        source=SRC,
        assumptions=(Assumption("measurements: A (m x n1 x n2, independent, m < n1 n2) or distinct completion entries", _operator_ok),
                     Assumption("psd = 1 needs square symmetric A_i and depth 2", after(_operator_ok, _psd_ok)),
                     Assumption("truth is empty or has the measured matrix's shape", after(_operator_ok, _truth_ok)),
                     Assumption("init_scale > 0, step >= 0, 1 <= ladder <= 6, 0 < residual_rtol <= 1e-3", _knobs),
                     Assumption("y is reachable (the min nuclear norm SDP is feasible and certified)",
                                after(lambda i: _operator_ok(i) or _psd_ok(i) or _knobs(i), _reachable))),
        fields=(Field("A", 3, "sensing matrices A_i, m x n1 x n2 (symmetric for psd = 1); omit for completion", default=EMPTY_A),
                Field("entries", 2, "completion: observed (row, column) indices, k x 2; omit for sensing", integer=True,
                      default=EMPTY_E),
                Field("shape", 1, "completion: (n1, n2)", integer=True, default=np.array([0, 0])),
                Field("y", 1, "measurements"),
                Field("init_scale", 0, "smallest start scale: ||U0||_F (psd = 1) or ||W0||_F of the balanced product"),
                Field("psd", 0, "1: X = U U^T (U square); 0: X = W_N ... W_1", integer=True, default=1),
                Field("depth", 0, "depth N of the product (psd = 0)", integer=True, default=2),
                Field("seed", 0, "seed of the start's rotations", integer=True, default=0),
                Field("start_rank", 0, "rank of U0 (0: full rank)", integer=True, default=0),
                Field("step", 0, "0: gradient flow; > 0: gradient descent with this step", default=0.0),
                Field("max_steps", 0, "gradient descent budget", integer=True, default=200_000),
                Field("residual_rtol", 0, "the run stops at ||A(X) - y|| <= residual_rtol ||y|| (or at a stationary point): "
                      "the distance then moves by O(residual), far below the 1% threshold", default=1e-7),
                Field("ladder", 0, "number of start scales (decades above init_scale) measured", integer=True, default=2),
                Field("truth", 2, "ground truth X* with A(X*) = y, optional: only for the reported recovery error "
                      "||X - X*||_F / ||X*||_F of the limit and of X_nuc (what the papers plot)", default=NO_TRUTH)),
        strategy=lambda: gaussian_psd_instances(),
        showcase=_showcase,
        check=check_conjecture,
        params={"reference": min_nuclear_norm_reference},
        mutants=(near("commuting", "commuting A_i, isotropic start of scale 1e-4 (Gunasekar et al. 2017, Thm 1 holds): "
                      "measured below 1% on every instance", strategy=_near_strategy),
                 far("rank-one-start", "rank-1 start, X_nuc of rank 2: X(t) keeps rank 1, measured above 1% on every instance",
                     strategy=lambda: gaussian_psd_instances(ranks=(2,), start_rank=1))),
        expected="open", kind="limit", family=FAMILY, examples={"quick": 5, "thorough": 25}, mutant_instances=3,
        verify=certify_min_nuclear_norm,
    ),)
