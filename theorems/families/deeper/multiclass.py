"""Multiclass softmax cross-entropy: W(t)/||W(t)|| -> the Crammer-Singer hard-margin SVM direction,
and the exact invariant sum_k w_k(t) = sum_k w_k(0).

Theorem (Soudry, Hoffer, Nacson, Gunasekar, Srebro 2018, JMLR, the multi-class extension (abstract: "generalizes ... to
multi-class problems"); notes 001
"Multi-class problems with softmax loss -> multiclass SVM solution"): on separable data, GD on the
cross-entropy loss gives W(t) = W_hat log t + O(1), W_hat = argmin sum_k ||w_k||^2 s.t.
(w_{y_n} - w_k)^T x_n >= 1 (k != y_n). The direction is checked on the flow followed in its loss
level to s = 1e6 (models.homogeneous.margin_flow, grouped logistic loss = cross-entropy) against the
certified QP (solvers.multiclass_svm: lifted binary SVM, two routes, vs the matrix-form QP). The model
is linear, so (as for the binary case) the direction gap is O(1/s): mu = 1 in the carry of
common.remaining_motion (premise tested on the run). The invariant (derived in models.multiclass:
every row of P - Y sums to 0) is checked on T = 2000 GD steps, to round-off 16 u sqrt(T) K.
gap = direction gap + invariant residual; tolerance = carry + ODE estimate + reference bound +
invariant round-off. Mutants: one-vs-rest binary SVMs, class centroids, and "sum_k w_k(t) = 0".
"""
from __future__ import annotations

import time

import numpy as np

from models.homogeneous import margin_flow
from models.multiclass import multiclass_model, softmax_gd
from solvers.multiclass_svm import crammer_singer_svm, one_vs_rest_svms

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.deeper import multiclass_instances
from .common import U, remaining_motion, unit_rows

S_END = 1e6
T_GD = 1000


def _K(inst) -> int:
    return int(np.max(inst["labels"])) + 1


@memo
def cs_reference(X, labels, K):
    return crammer_singer_svm(X, labels, K)


def cs_limit(X, labels, K):
    W, a, cert = cs_reference(X, labels, K)
    return W, cert


def ovr_limit(X, labels, K):
    return one_vs_rest_svms(X, labels, K)


def centroid_limit(X, labels, K):
    from solvers.certificate import Certificate

    C = np.array([X[labels == k].mean(axis=0) for k in range(K)])
    return C - C.mean(axis=0), Certificate("closed form (class centroids, centred)", {"none": 0.0}, 0.0)


@memo
def runs(X, labels, K, W0, eta_frac):
    fun, groups = multiclass_model(X, labels, K)
    flow = margin_flow(fun, W0.ravel(), S_END, loss="logistic", groups=groups, n_out=35)
    eta = eta_frac * 2.0 / float(np.linalg.norm(X, 2)) ** 2
    gd = softmax_gd(X, labels, W0, eta, T_GD)
    return flow, gd


def check(inst, stmt) -> Evidence:
    X = np.asarray(inst["X"], float)
    labels = np.asarray(inst["labels"]).astype(int)
    K = _K(inst)
    W0 = np.asarray(inst["W0"], float)
    t0 = time.perf_counter()
    flow, gd = runs(X, labels, K, W0, float(inst["eta_frac"]))
    t1 = time.perf_counter()
    W_pred, cert = stmt["limit"](X, labels, K)
    t2 = time.perf_counter()
    Ud = unit_rows(flow.theta)
    u = W_pred.ravel() / np.linalg.norm(W_pred)
    gaps = np.linalg.norm(Ud - u[None, :], axis=1)
    rm = remaining_motion(flow.s, Ud, 1.0)
    ode = max(1e-9, 10.0 * flow.info["clock_drift"])
    target = W0.sum(axis=0) if stmt["invariant"] == "start" else np.zeros(X.shape[1])
    inv = np.array([float(np.max(np.abs(W.sum(axis=0) - target))) / max(1.0, float(np.linalg.norm(W))) for W in gd.W])
    inv_tol = 16.0 * U * np.sqrt(T_GD) * K
    tol = rm["carry"] + ode + cert.tolerance + inv_tol
    fig = Figure("deeper-direction-gap", "Direction gap along the flow vs s = log(1/L)", "s = log(1/L)", "|| u(s) - u_limit ||",
                 (Series(f"softmax K={K} vs Crammer-Singer", flow.s.tolist(), np.maximum(gaps, 1e-17).tolist()),), "log", "log")
    return Evidence(
        gap=float(gaps[-1] + inv.max()), tolerance=tol,
        tolerance_reason=(f"direction: remaining motion after s = {S_END:.0e} (carry {rm['carry']:.1e}, mu = 1: linear model) + "
                          f"ODE estimate {ode:.1e} + reference bound {cert.tolerance:.1e}; invariant: round-off 16 u sqrt(T) K = "
                          f"{inv_tol:.1e} over T = {T_GD} GD steps"),
        certificates=[cert], converged=rm["premise_ok"],
        convergence_note=f"path-length decay over the last window {rm['decay_per_window']:.3f} vs predicted {rm['predicted_decay']:.3f}",
        timings={"dynamics": t1 - t0, "reference": t2 - t1}, figures=[fig],
        details={"K": K, "direction_gap": float(gaps[-1]), "invariant_residual": float(inv.max()),
                 "gd_direction_gap_T": float(np.linalg.norm(gd.W[-1].ravel() / np.linalg.norm(gd.W[-1]) - u)),
                 "W_hat_class_sum": float(np.linalg.norm(W_pred.sum(axis=0)))},
        reference={"W": W_pred},
        run_budget={"remaining motion (carry)": rm["carry"], "ODE error estimate": ode},
    )


def _labels_ok(inst):
    lab = np.asarray(inst["labels"])
    X = np.asarray(inst["X"])
    if lab.shape != (X.shape[0],):
        return f"labels has shape {list(lab.shape)}, need ({X.shape[0]},)"
    if not np.all(lab == np.round(lab)) or lab.min() < 0:
        return "labels must be integers 0, ..., K-1"
    K = int(lab.max()) + 1
    if K < 2:
        return "need at least two classes"
    empty = [k for k in range(K) if not np.any(lab == k)]
    if empty:
        return f"class {empty[0]} is empty (labels must use every class 0..K-1)"
    W0 = np.asarray(inst["W0"])
    if W0.shape != (K, X.shape[1]):
        return f"W0 has shape {list(W0.shape)}, need (K, d) = ({K}, {X.shape[1]})"
    return None


def _separable(inst):
    if _labels_ok(inst):
        return "labels or shapes invalid"
    W, a, cert = cs_reference(np.asarray(inst["X"], float), np.asarray(inst["labels"]).astype(int), _K(inst))
    return None if np.all(np.isfinite(W)) and cert.valid else "not separable by a multiclass linear classifier (the QP is infeasible or uncertified)"


CLAIM = Claim(
    id="multiclass-softmax-svm-direction",
    title="Softmax cross-entropy converges to the Crammer-Singer multiclass SVM direction (and keeps sum_k w_k)",
    statement=("GD / gradient flow on sum_n -log softmax(W x_n)_(y_n), separable data: W(t)/||W(t)||_F -> W_hat/||W_hat||_F, "
               "W_hat = argmin sum_k ||w_k||^2 s.t. (w_(y_n) - w_k)^T x_n >= 1 (k != y_n); and sum_k w_k(t) = sum_k w_k(0) exactly"),
    source=("Soudry, Hoffer, Nacson, Gunasekar, Srebro 2018 (JMLR), 'The implicit bias of gradient descent on separable data', "
            "multi-class extension; notes 001 'Multi-class problems with softmax loss'; the invariant: derived"),
    assumptions=(Assumption("labels in 0..K-1, every class present, W0 is K x d", _labels_ok),
                 Assumption("separable data (certified Crammer-Singer QP)", _separable),
                 Assumption("0 < eta_frac <= 1 (eta below 2/sigma_max(X)^2)", lambda i: None if 0 < i["eta_frac"] <= 1 else f"eta_frac = {i['eta_frac']}")),
    fields=(Field("X", 2, "data, m x d"), Field("labels", 1, "class of each row, integers 0..K-1", integer=True),
            Field("W0", 2, "start, K x d"), Field("eta_frac", 0, "GD step as a fraction of 2/sigma_max(X)^2", default=0.5)),
    strategy=multiclass_instances,
    check=check,
    params={"limit": cs_limit, "invariant": "start"},
    mutants=(Mutant("one-vs-rest", "row k = the binary SVM of class k against the rest", {"limit": ovr_limit}),
             Mutant("centroids", "row k = the centred class centroid", {"limit": centroid_limit}),
             Mutant("class-sum-zero", "sum_k w_k(t) = 0 (forgets the start)", {"invariant": "zero"})),
    kind="asymptotic", family="deeper", examples={"quick": 3, "thorough": 15}, mutant_instances=3,
    resolution=Resolution(1e-3, "relative perturbation of the predicted W_hat in a fixed random direction", perturb_limit("limit")),
)
