"""A single neuron on the square loss: where GD lands (note 003 'Single neurons'; Vardi & Shamir 2021).

Theorem (derived; the positive case Vardi & Shamir's negative result leaves open): for sigma
strictly increasing and L(w) = 1/2 ||sigma(Xw) - y||^2 with X (m x d, m < d) of full row rank, if
GD (or the flow) from w0 reaches zero loss, then w_inf = w0 + X^+(sigma^{-1}(y) - X w0) =
argmin ||w - w0|| s.t. sigma(Xw) = y: every gradient X^T(sigma'(Xw) (sigma(Xw) - y)) lies in
row(X), so w - w0 stays in row(X); zero loss with sigma invertible pins Xw = sigma^{-1}(y); the
point of w0 + row(X) with that image is unique. Exact (``single-neuron-strictly-monotone``).

Note 003 states it for any *monotonic* psi and as argmin ||w||^2 (no w0). The w0 is needed even
in the linear case (the mutant "forgets-w0" is refuted). "Monotonic" is not enough: with ReLU a
zero-target point that starts active is driven to x.w = 0+ (or frozen wherever it deactivates),
never to the strictly negative value the projection of w0 onto {relu(Xw) = y} needs, so the limit
is not argmin ||w - w0|| s.t. relu(Xw) = y (``single-neuron-relu-min-norm``, expected to fail;
its control: leaky ReLU on the same data, where the corrected statement holds).

The check (as for least squares): GD with step eta_frac / (sup sigma'^2 ||X||^2) until
||sigma(Xw) - y|| <= 1e-13 ||y||; gap = ||w_T - w_pred|| / ||w_pred||; tolerance = the distance of
w_T to the interpolation set in row-space units, ||X^+(X w_T - sigma^{-1}(y))||, plus the round-off
drift 8 u sqrt(T) max ||w_t||, plus the reference's certificate bound (all relative to
||w_pred||). A run that did not reach zero loss is inconclusive (the theorem's hypothesis).
"""
from __future__ import annotations

import itertools
import time

import numpy as np

from models.single_neuron import neuron_gd
from solvers.certify.neurons import neuron_limit
from solvers.min_norm import min_norm_interpolant

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, Verdict
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.neurons import neuron_instances, relu_neuron_instances
from .common import FAMILY, NYU, VARDI

U = np.finfo(float).eps / 2
NAMES = ("leaky-relu", "tanh", "sigmoid", "relu")
SLOPE_MAX = {"leaky-relu": 1.0, "tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}


def _name(inst):
    return NAMES[int(inst["activation"])]


def sigma_inverse(name, alpha, y):
    y = np.asarray(y, dtype=float)
    if name == "leaky-relu":
        return np.where(y > 0, y, y / alpha)
    if name == "tanh":
        return np.arctanh(y)
    if name == "sigmoid":
        return np.log(y / (1.0 - y))
    raise ValueError(f"{name} is not invertible")


# ---- predicted limits --------------------------------------------------------------------------

def preimage_projection(inst):
    """The theorem: w0 + X^+(sigma^{-1}(y) - X w0) (certified by the min-norm solver)."""
    X, w0 = inst["X"], inst["w0"]
    z = sigma_inverse(_name(inst), float(inst["alpha"]), inst["y"])
    return min_norm_interpolant(X, z, w0)


def forgets_w0(inst):
    """Mutant (note 003 as written): argmin ||w|| s.t. sigma(Xw) = y = X^+ sigma^{-1}(y)."""
    z = sigma_inverse(_name(inst), float(inst["alpha"]), inst["y"])
    return min_norm_interpolant(inst["X"], z, np.zeros_like(inst["w0"]))


def linear_reading(inst):
    """Mutant: the linear-regression limit w0 + X^+(y - X w0) (sigma^{-1} forgotten)."""
    return min_norm_interpolant(inst["X"], inst["y"], inst["w0"])


def relu_projection(inst):
    """The notes' statement for ReLU, granting w0: argmin ||w - w0|| s.t. relu(Xw) = y, i.e. x_i w = y_i
    where y_i > 0 and x_i w <= 0 where y_i = 0 (smallest distance over the active sets of the
    zero-target rows, each an equality-constrained projection)."""
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    pos = np.flatnonzero(y > 0)
    zero = np.flatnonzero(y <= 0)
    if zero.size > 10:
        raise ValueError("too many zero targets for the active-set enumeration")
    best = None
    for r in range(zero.size + 1):
        for act in itertools.combinations(zero, r):
            rows = np.concatenate([pos, np.array(act, dtype=int)])
            w, cert = min_norm_interpolant(X[rows], y[rows], w0)
            if np.all(X[zero] @ w <= 1e-12 * max(1.0, float(np.linalg.norm(w)))):
                dist = float(np.linalg.norm(w - w0))
                if best is None or dist < best[0]:
                    best = (dist, w, cert)
    return best[1], best[2]


@memo
def _run(inst_key_fields):
    inst = dict(inst_key_fields)
    name = _name(inst)
    X = inst["X"]
    eta = float(inst["eta_frac"]) / (SLOPE_MAX[name] ** 2 * float(np.linalg.norm(X, 2)) ** 2)
    return neuron_gd(X, inst["y"], inst["w0"], eta, name, float(inst["alpha"]), tol=1e-13, max_steps=400_000)


def check(inst, stmt) -> Evidence:
    inst = dict(inst)
    if "activation_override" in stmt:
        inst["activation"] = stmt["activation_override"]
    name = _name(inst)
    X, y = inst["X"], inst["y"]
    t0 = time.perf_counter()
    run = _run(tuple(sorted(inst.items())))
    t1 = time.perf_counter()
    w_pred, cert = stmt["limit"](inst)
    t2 = time.perf_counter()
    scale = max(float(np.linalg.norm(w_pred)), 1e-300)
    gap = float(np.linalg.norm(run.w - w_pred)) / scale
    if name == "relu":
        active = X @ run.w > 0
        z_star = np.where(active, y, X @ run.w)  # the run's own pre-image: no inverse for relu
    else:
        z_star = sigma_inverse(name, float(inst["alpha"]), y)
    to_set = float(np.linalg.norm(np.linalg.lstsq(X, X @ run.w - z_star, rcond=None)[0])) / scale
    drift = 8.0 * U * np.sqrt(run.iterations + 1.0) * run.max_norm / scale
    tol = to_set + drift + cert.tolerance
    converged = run.residual <= 1e-11 * max(float(np.linalg.norm(y)), 1e-300)
    dist = [float(np.linalg.norm(v - w_pred)) / scale for v in run.history_w]
    fig = Figure("single-neuron-distance", "Single neuron: relative distance to the predicted limit",
                 "GD step (+1)", "||w_t - w_pred|| / ||w_pred||",
                 (Series(f"{name} ({stmt['label']})", [t + 1 for t in run.history_t], [max(v, 1e-17) for v in dist]),),
                 xscale="log", yscale="log")
    return Evidence(
        gap=gap, tolerance=tol,
        tolerance_reason=f"||X^+(X w_T - sigma^-1(y))|| / ||w_pred|| = {to_set:.1e} + round-off drift 8u sqrt(T) max||w_t|| "
                         f"= {drift:.1e} + reference bound {cert.tolerance:.1e}; T = {run.iterations}",
        certificates=[cert], converged=bool(converged),
        convergence_note=f"||sigma(Xw_T) - y|| = {run.residual:.1e} after {run.iterations} steps (need zero loss: <= 1e-11 ||y||)",
        timings={"dynamics": t1 - t0, "reference": t2 - t1}, figures=[fig],
        details={"activation": name, "iterations": run.iterations, "residual": run.residual,
                 "distance_to_w0_corrected_preimage": gap, "x_dot_w_final": (X @ run.w).tolist()},
        reference={"w": w_pred, "activation": name, "alpha": float(inst["alpha"])},
        run_budget={"distance to the interpolation set": to_set, "round-off drift": drift})


# ---- assumptions -------------------------------------------------------------------------------

def _shapes(inst):
    X = np.asarray(inst["X"])
    if X.ndim != 2:
        return "X must be a matrix"
    m, d = X.shape
    if np.asarray(inst["y"]).shape != (m,) or np.asarray(inst["w0"]).shape != (d,):
        return f"y must have {m} entries and w0 {d}"
    if m >= d:
        return f"X is {m}x{d}, need m < d (underdetermined)"
    s = np.linalg.svd(X, compute_uv=False)
    return None if s[-1] > s[0] * 1e-10 else "X must have full row rank"


def _activation_index(inst):
    a = int(inst["activation"])
    return None if a in range(len(NAMES)) else f"activation must be 0..{len(NAMES) - 1} ({', '.join(NAMES)})"


def _strictly_increasing(inst):
    name = NAMES[int(inst["activation"])] if int(inst["activation"]) in range(len(NAMES)) else "?"
    if name == "relu":
        return "activation relu is monotone but not strictly increasing (sigma' = 0 on z < 0): use leaky-relu, tanh or sigmoid"
    if name == "leaky-relu" and not 0.0 < float(inst["alpha"]) < 1.0:
        return f"leaky slope alpha = {inst['alpha']} must be in (0, 1) for a strictly increasing activation"
    return None


def _in_range(inst):
    name = NAMES[int(inst["activation"])] if int(inst["activation"]) in range(len(NAMES)) else "?"
    y = np.asarray(inst["y"], dtype=float)
    if name == "tanh" and not np.all(np.abs(y) < 1.0):
        return "y outside the range of tanh: need |y_i| < 1"
    if name == "sigmoid" and not np.all((y > 0.0) & (y < 1.0)):
        return "y outside the range of the sigmoid: need 0 < y_i < 1"
    if name == "relu" and np.any(y < 0.0):
        return "y outside the range of relu: need y_i >= 0"
    return None


FIELDS = (Field("X", 2, "data matrix, m x d with m < d"), Field("y", 1, "targets (inside sigma's range)"),
          Field("w0", 1, "initialization"),
          Field("activation", 0, "0 leaky-relu, 1 tanh, 2 sigmoid, 3 relu", integer=True, default=0),
          Field("alpha", 0, "leaky-ReLU slope on z < 0", default=0.1),
          Field("eta_frac", 0, "GD step as a fraction of 1/(sup sigma'^2 ||X||^2)", default=0.5))
BASE = (Assumption("shapes, m < d, full row rank", _shapes), Assumption("activation index", _activation_index),
        Assumption("targets inside the activation's range", _in_range),
        Assumption("admissible step 0 < eta_frac <= 1", lambda i: None if 0 < float(i["eta_frac"]) <= 1 else "eta_frac must be in (0, 1]"))
RESOLUTION = Resolution(1e-8, "relative perturbation of the predicted limit in a fixed random direction", perturb_limit("limit"))
STATEMENT = "strictly increasing sigma, GD from w0 reaching zero loss: w_inf = w0 + X^+(sigma^-1(y) - X w0) = argmin ||w - w0|| s.t. sigma(Xw) = y"

CLAIMS = (
    Claim(
        id="single-neuron-strictly-monotone",
        title="Single neuron, strictly increasing activation: GD lands on w0 + X^+(sigma^-1(y) - X w0)",
        statement=STATEMENT, source=f"{NYU}; {VARDI} (the positive case); derived",
        assumptions=BASE + (Assumption("sigma strictly increasing", _strictly_increasing),),
        fields=FIELDS, strategy=neuron_instances, check=check,
        params={"limit": preimage_projection, "label": "vs w0 + X^+(sigma^-1(y) - X w0)"},
        mutants=(Mutant("forgets-w0", "note 003 as written: argmin ||w||^2 s.t. sigma(Xw) = y (no w0)", {"limit": forgets_w0}),
                 Mutant("linear-reading", "w0 + X^+(y - X w0) (the pre-image sigma^-1 forgotten)", {"limit": linear_reading})),
        kind="limit", family=FAMILY, resolution=RESOLUTION, verify=neuron_limit,
        examples={"quick": 6, "thorough": 40}, mutant_instances=4),
    Claim(
        id="single-neuron-relu-min-norm",
        title="Note 003's 'monotonic -> min l2' with ReLU: GD does NOT land on argmin ||w - w0|| s.t. relu(Xw) = y",
        statement="(note 003) psi monotonic, GF reaching zero loss -> argmin ||w||^2 s.t. y = psi(Xw); here psi = ReLU, "
                  "granting the start: argmin ||w - w0|| s.t. relu(Xw) = y",
        source=f"{NYU}; {VARDI}",
        assumptions=BASE, fields=FIELDS, strategy=relu_neuron_instances, check=check,
        params={"limit": relu_projection, "label": "relu vs argmin ||w - w0|| s.t. relu(Xw) = y"},
        mutants=(Mutant("leaky-relu-control", "leaky ReLU (strictly increasing) on the same data, limit "
                        "w0 + X^+(sigma^-1(y) - X w0): must be confirmed",
                        {"activation_override": 0, "limit": lambda i: preimage_projection({**i, "activation": 0}),
                         "label": "leaky control"}, must=Verdict.CONFIRMED),),
        expected="fails", kind="limit", family=FAMILY, resolution=RESOLUTION, verify=neuron_limit,
        erratum="strictly increasing sigma (leaky ReLU, tanh with |y| < 1, sigmoid with 0 < y < 1), and the start kept: "
                "w_inf = w0 + X^+(sigma^-1(y) - X w0) = argmin ||w - w0|| s.t. sigma(Xw) = y; ReLU (monotone, not strictly) "
                "drives an initially active zero-target point to x.w = 0+, not to the projection",
        examples={"quick": 2, "thorough": 10}, mutant_instances=2),
)
