"""Fully connected deep linear nets: the end-to-end direction converges to the l2 max margin.

Theorem (Ji & Telgarsky 2019, ICLR, "Gradient descent aligns the layers of deep linear networks",
the gradient-flow result; notes 000/001 "Deep Linear Networks"; Nacson et al. 2019 (AISTATS), "Convergence
of gradient descent on separable data", for any depth. Theorem numbers are not cited: the stored text
of these papers holds their abstracts only): on linearly separable data with the exp loss, gradient flow on W_N ... W_1 drives
L -> 0, beta(t)/||beta(t)|| -> w_hat/||w_hat|| (the l2 hard-margin SVM) and every layer aligns to
rank one. Checked on the flow followed in s = log(1/L) (models.homogeneous.margin_flow) to
s = 1e12 (L = e^-1e12; depth 4 without spanning support vectors converges like s^-1/4, which
at 1e10 left a thorough instance with a 1.7e-2 allowance, over the 1e-2 resolution), against the certified SVM (solvers.svm, both routes).

How fast (derived; the allowance rests on it). For a balanced start the end-to-end flow is
(Arora et al. 2018, vector output) dbeta/dt = ||beta||^(2-2/N) (g + (N-1) <g, b> b), b = beta/||beta||,
g = -grad L; in s this is dbeta/ds = v / <q, v> with q = Z^T softmax(-Z beta), v = q + (N-1)<q, b> b.
A tangential component e of the direction in span(active support vectors) meets a restoring force
(their margins must differ by O(1)) and settles at O(1/s), as for the linear model. A component
outside that span (the support vectors do not span R^d, or the data leave a null space) meets none:
its absolute size obeys d beta_n/ds = (N-1)<q, b> e_n / <q, v> = (N-1)/(N s) beta_n (1 + o(1)), so it
grows like s^((N-1)/N) while ||beta|| ~ s: the direction gap decays like s^(-1/N) = (log t)^(-1/N),
not 1/log t, unless the support vectors span R^d (then 1/s for every depth). Measured slopes of
log gap vs log s on such instances: -1.000 (spanning, N = 2, 3, 4), -0.500, -0.333, -0.250
(not spanning, N = 2, 3, 4). So mu = 1 if the certified support vectors span R^d, else 1/N, and the
allowance is the carry of :func:`common.remaining_motion` with that mu, whose premise (the last
decade's motion shrinks by 10^-mu) is tested on every run.
"""
from __future__ import annotations

import time

import numpy as np

from models.deep_linear import deep_linear_model, end_to_end, imbalance, layer_alignment
from models.homogeneous import margin_flow

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.deeper import deep_linear_instances
from .common import (A_LABELS, A_SEPARABLE, F_X, F_Y, in_range, l1_max_margin_limit, l2_svm_limit,
                     remaining_motion, svs_span, unit_rows)

S_END = 1e12
SOURCE = ("Ji & Telgarsky 2019 (ICLR), 'Gradient descent aligns the layers of deep linear networks' (gradient flow result); "
          "Nacson et al. 2019 (AISTATS), 'Convergence of gradient descent on separable data' (linear nets of any depth); "
          "notes 000/001 'Deep Linear Networks'")


@memo
def flow_run(X, y, depth, width, theta0):
    return margin_flow(deep_linear_model(X, y, width, depth), theta0, S_END, n_out=37)


def start_direction(X, y):
    """Mutant helper: the data's mean signed point (not the max-margin direction)."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    from solvers.certificate import Certificate

    return Z.mean(axis=0), Certificate("closed form", {"none": 0.0}, 0.0)


def check(inst, stmt) -> Evidence:
    X, y = np.asarray(inst["X"], float), np.asarray(inst["y"], float)
    depth, width = int(inst["depth"]), int(inst["width"])
    d = X.shape[1]
    t0 = time.perf_counter()
    run = flow_run(X, y, depth, width, np.asarray(inst["theta0"], float))
    t1 = time.perf_counter()
    w_pred, cert = stmt["limit"](X, y)
    t2 = time.perf_counter()
    B = np.array([end_to_end(th, d, width, depth) for th in run.theta])
    Ud = unit_rows(B)
    u = w_pred / np.linalg.norm(w_pred)
    gaps = np.linalg.norm(Ud - u[None, :], axis=1)
    spans = svs_span(X, y)
    mu = 1.0 if spans else 1.0 / depth
    rm = remaining_motion(run.s, Ud, mu)
    ode = max(1e-9, 10.0 * run.info["clock_drift"])
    tol = rm["carry"] + ode + cert.tolerance
    al = [layer_alignment(th, d, width, depth) for th in run.theta]
    mis_share = np.array([1.0 - a["rank_one_share"].min() for a in al])
    mis_adj = np.array([1.0 - a["adjacent_alignment"].min() for a in al])
    figs = [
        Figure("deeper-direction-gap", "Direction gap along the flow vs s = log(1/L)", "s = log(1/L)", "|| u(s) - u_limit ||",
               (Series(f"deep linear N={depth}" + (" (SVs span)" if spans else " (SVs do not span)"), run.s.tolist(),
                       np.maximum(gaps, 1e-17).tolist()),), "log", "log"),
        Figure("deeper-layer-alignment", "Deep linear net: layers align to rank one (Ji & Telgarsky 2019)",
               "s = log(1/L)", "misalignment",
               (Series(f"1 - min_l sigma_1^2/||W_l||_F^2 (N={depth})", run.s.tolist(), np.maximum(mis_share, 1e-17).tolist()),
                Series(f"1 - min_l |<v_(l+1), u_l>| (N={depth})", run.s.tolist(), np.maximum(mis_adj, 1e-17).tolist())),
               "log", "log"),
    ]
    return Evidence(
        gap=float(gaps[-1]), tolerance=tol,
        tolerance_reason=(f"remaining motion after s = {S_END:.0e}: carry {rm['carry']:.1e} = r/(1-r) x the last window's "
                          f"path length of the direction, r = 1.5 x 10^-mu (the slowest decay the premise test admits), mu = {mu:.3g} ({'support vectors span R^d: 1/s' if spans else f'support vectors do not span R^d: s^(-1/N), N = {depth}'}; "
                          f"derived in the module doc) + ODE error estimate {ode:.1e} (10 x clock drift) + reference bound {cert.tolerance:.1e}"),
        certificates=[cert],
        converged=rm["premise_ok"],
        convergence_note=(f"decay of the direction's path length over the last window {rm['decay_per_window']:.3f} vs predicted "
                          f"{rm['predicted_decay']:.3f} (allowed x{1.5}): {'ok' if rm['premise_ok'] else 'still in the transient'}"),
        timings={"dynamics": t1 - t0, "reference": t2 - t1},
        figures=figs,
        details={"depth": depth, "width": width, "mu": mu, "svs_span": spans, "s_end": float(run.s[-1]),
                 "rank_one_share_end": al[-1]["rank_one_share"], "adjacent_alignment_end": al[-1]["adjacent_alignment"],
                 "imbalance": imbalance(np.asarray(inst["theta0"], float), d, width, depth),
                 "decay_per_window": rm["decay_per_window"], "nfev": run.info["nfev"]},
        reference={"w": w_pred},
        run_budget={"remaining motion (carry)": rm["carry"], "ODE error estimate": ode},
    )


def _shapes(inst):
    X = np.asarray(inst["X"])
    depth, width = int(inst["depth"]), int(inst["width"])
    need = width * X.shape[1] + width * width * (depth - 2) + width
    n = np.asarray(inst["theta0"]).size
    return None if n == need else (f"theta0 has {n} entries; depth {depth}, width {width} on d = {X.shape[1]} "
                                    f"needs h d + h^2 (N-2) + h = {need}")


CLAIM = Claim(
    id="deep-linear-net-l2-max-margin",
    title="Deep linear nets (any depth): the end-to-end direction converges to the l2 max margin",
    statement=("gradient flow on f(x) = W_N ... W_1 x (N = 2..4, width h) with the exp loss on separable data: "
               "beta(t)/||beta(t)|| -> w_hat/||w_hat||, w_hat = argmin ||w|| s.t. y_n <w, x_n> >= 1; each layer aligns to "
               "rank one (reported). Rate (derived): 1/log t if the support vectors span R^d, else (log t)^(-1/N)"),
    source=SOURCE,
    assumptions=(A_LABELS, A_SEPARABLE, in_range("depth", 2, 6, True), in_range("width", 1, 8, True),
                 Assumption("theta0 fits the layer shapes", _shapes)),
    fields=(F_X, F_Y, Field("depth", 0, "number of layers N (2..6)", integer=True, default=2),
            Field("width", 0, "hidden width h", integer=True, default=2),
            Field("theta0", 1, "start: W_1 (h x d), W_2..W_{N-1} (h x h), W_N (1 x h), row-major, concatenated")),
    strategy=deep_linear_instances,
    check=check,
    params={"limit": l2_svm_limit},
    mutants=(Mutant("l1-max-margin", "limit argmin ||w||_1 s.t. margins >= 1 (the diagonal-net bias)", {"limit": l1_max_margin_limit}),
             Mutant("mean-signed-point", "limit the mean of y_n x_n (a plausible 'average' direction)", {"limit": start_direction})),
    kind="asymptotic",
    family="deeper",
    examples={"quick": 3, "thorough": 12},
    mutant_instances=3,
    resolution=Resolution(1e-2, "relative perturbation of the predicted limit w_hat in a fixed random direction",
                          perturb_limit("limit")),
)
