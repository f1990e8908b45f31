"""The parameter-space views of the depth-2 diagonal net: the tangent kernel at the start and R_alpha.

Tangent kernel (Woodworth et al. 2020, sec. 3; notes 004 "Kernel Regime with NTK"): f(w, x) =
<w+^2 - w-^2, x> has grad_w f = (2 w+ o x, -2 w- o x), so at w0 = alpha 1 K(x, x') = 4 alpha^2 <x, x'> +
4 alpha^2 <x, x'> = 8 alpha^2 <x, x'>; the notes' 4<x, x'> at alpha = 1 counts one of the two halves
(an erratum, an expected-fails claim). The map is quadratic in w, so central differences are exact up
to round-off.

R_alpha (Woodworth et al. 2020, sec. 4; notes 004 "Is implicit bias of GD just l2 in param space?"):
R_alpha(beta) = min{||w - alpha 1||^2 : w+^2 - w-^2 = beta} = alpha^2 sum r(beta/alpha^2), r(b) the
smallest real root of r^4 - 6r^3 + (12-2b^2)r^2 - (8+10b^2)r + b^2 + b^4 (solvers.r_alpha);
R_alpha(beta) = ||beta||_1 - 2 alpha sum sqrt|beta_j| + O(alpha^2) as alpha -> 0. The flow's limit is
argmin Q_alpha, not argmin R_alpha (an expected-fails claim checked by the limit check of
:mod:`.limits`, with argmin Q_alpha as the control).
"""
from __future__ import annotations

import numpy as np

from models.diag_net import tangent_kernel
from solvers.certificate import Certificate
from solvers.certify.diag_net import q_interpolant, quartic_root
from solvers.q_alpha import q
from solvers.r_alpha import (argmin_r_alpha, quartic_largest_root, quartic_smallest_root, r_certificate,
                             r_constrained_min, r_excess, r_param)

from ...contract import Claim, Evidence, Field, Figure, Mutant, Series, Verdict
from ...memo import memo
from ...strategies.diag_net import diag_net_system, r_values
from .common import (A_ALPHA, A_SYS, COMMON, EPS, F_ALPHA, F_SYS, ORDER_MARGIN, RES_KERNEL, RES_LIMIT, RES_ORDER,
                     RES_ROOT, SRC, SRC_R, _start, richardson_order)
from .limits import check_limit, limit_q


# ---- tangent kernel ----------------------------------------------------------------------------

def check_kernel(inst, stmt) -> Evidence:
    X = inst["X"]
    wp, wm = _start(inst)
    a = float(inst["alpha"])
    h = 1e-3
    K = tangent_kernel(X, X, wp, wm, h)
    K_half = tangent_kernel(X, X, wp, wm, h / 2)
    pred = stmt["constant"] * a**2 * (X @ X.T)
    scale_ = float(np.linalg.norm(K))
    gap = float(np.linalg.norm(K - pred)) / scale_
    tol = 10.0 * EPS * X.shape[1] * (a**2 + 1.0) / h
    # the measurement's own certificate: central differences are exact on a quadratic map, so two
    # step sizes must agree to round-off (a truncation error would show up here)
    cert = Certificate("finite-difference Jacobian: h vs h/2 agree", {"step_halving": float(np.linalg.norm(K - K_half)) / scale_},
                       2.0 * tol)
    return Evidence(gap=gap, tolerance=tol, certificates=[cert],
                    tolerance_reason="central differences exact on a quadratic map: round-off 10 u d (alpha^2+1)/h",
                    details={"ratio_K_over_XXt": float(np.sum(K * (X @ X.T)) / np.sum((X @ X.T) ** 2)) / a**2,
                             "miss": gap})


# ---- R_alpha -----------------------------------------------------------------------------------

def check_r_identity(inst, stmt) -> Evidence:
    b = np.asarray(inst["b"], float)
    rp = r_param(b)
    rq = np.array([stmt["root"](float(v)) for v in b])
    rc = np.array([r_constrained_min(float(v))[0] for v in b])
    err = np.maximum(np.abs(rp - rq), np.abs(rp - rc)) / np.maximum(np.abs(rc), 1e-300)
    err[rc == 0] = np.maximum(np.abs(rp - rq), np.abs(rp - rc))[rc == 0]
    tol_each = 256 * EPS * (1.0 + np.sqrt(np.abs(b)))
    ratio = err / tol_each
    k = int(np.argmax(ratio))
    bb = np.sort(np.abs(b[b != 0]))
    fig = Figure("diag-net-q-vs-r", "q(b), r(b) and |b|", "|b|", "value",
                 (Series("r(b) (quartic root)", bb.tolist(), r_param(bb).tolist()),
                  Series("q(b)", bb.tolist(), q(bb).tolist()),
                  Series("|b|", bb.tolist(), bb.tolist())), "log", "log")
    return Evidence(gap=float(err[k]), tolerance=float(tol_each[k]),
                    tolerance_reason="256 u (1 + sqrt|b|): the parametrization loses sqrt|b| ulps as lam -> 1",
                    certificates=[r_certificate(b)], figures=[fig], details={"worst_b": float(b[k]), "max_ratio": float(ratio[k])},
                    reference={"b": b, "r": rq})


R_RATIO = np.sqrt(10.0)


def _r_alphas(beta):
    """alpha = sqrt(min |beta_j|) x 1e-3 ... 1e-1 (ratio sqrt 10): alpha / sqrt|beta_j| <= 0.1, the
    next term is relatively O(alpha)."""
    return float(np.sqrt(np.min(np.abs(beta)))) * 1e-3 * R_RATIO ** np.arange(5)


def check_r_to_l1(inst, stmt) -> Evidence:
    b = np.asarray(inst["b"], float)
    coords = np.flatnonzero(np.abs(b) > 1e-3)[:8]
    beta = b[coords] if coords.size else np.array([1.0, -2.0])  # solvers.certify.diag_net.LADDER_FALLBACK_BETA
    alphas = _r_alphas(beta)
    l1 = float(np.sum(np.abs(beta)))
    # R_alpha(beta) - ||beta||_1 = alpha^2 sum_j (r(beta_j/alpha^2) - |beta_j/alpha^2|), the excess r(b) - |b|
    # evaluated without cancellation (solvers.r_alpha.r_excess)
    d = np.array([abs(a**2 * float(np.sum(r_excess(beta / a**2)))) / l1 for a in alphas])
    order, corr, _, local, slope = richardson_order(alphas, d, R_RATIO, at="start")
    shrinks = bool(np.all(np.diff(d) > 0))
    budget = {"Richardson correction (next-order term)": corr}
    bs = np.concatenate([beta / a**2 for a in alphas])
    return Evidence(gap=abs(order - stmt["order"]) if shrinks else np.inf, tolerance=sum(budget.values()) + ORDER_MARGIN,
                    tolerance_reason=(f"order = Richardson extrapolation of the two smallest local slopes (ratio sqrt 10, next "
                                      f"term relatively O(alpha)); tol = |correction| {corr:.1e} + margin {ORDER_MARGIN}"),
                    certificates=[r_certificate(bs)],
                    details={"extrapolated_order": order, "fitted_order": slope, "local_slopes": local.tolist(),
                             "relative_gaps": d.tolist()},
                    reference={"b": bs, "r": r_param(bs), "coords": coords, "alphas": alphas}, run_budget=budget)


@memo
def _r_alpha(X, y, alpha):
    return argmin_r_alpha(X, y, alpha)


def limit_r(X, y, inst):
    """argmin R_alpha s.t. X beta = y (explicit l2 in parameter space)."""
    beta, cert = _r_alpha(X, y, float(inst["alpha"]))
    return beta, [cert], 1e-8 * float(np.linalg.norm(beta))


# ---- claims ------------------------------------------------------------------------------------

def _claims():
    return (
        Claim("diag-net-tangent-kernel-8", "Tangent kernel at alpha 1 is 8<x, x'>",
              "K(x, x') = <grad_w f(w0, x), grad_w f(w0, x')> = 8 alpha^2 <x, x'> at w0 = alpha 1 (8<x,x'> at alpha = 1)",
              SRC, A_SYS, F_SYS + (F_ALPHA,), lambda: diag_net_system(fixed_alpha=1.0), check_kernel, {"constant": 8.0},
              (Mutant("notes-4", "the notes' 4<x,x'>", {"constant": 4.0}),),
              kind="identity", examples={"quick": 4, "thorough": 20}, mutant_instances=2, resolution=RES_KERNEL, **COMMON),
        Claim("diag-net-tangent-kernel-4", "Notes 004: tangent kernel 4<x, x'> (erratum)",
              "K_0(x, x') = 4<x, x'> at w0 = 1 (notes 004, 'Kernel Regime with NTK')",
              "notes 004 p. 'linear diagonal net', kernel regime", A_SYS, F_SYS + (F_ALPHA,),
              lambda: diag_net_system(fixed_alpha=1.0), check_kernel, {"constant": 4.0},
              (Mutant("corrected-8", "the corrected constant 8", {"constant": 8.0}, must=Verdict.CONFIRMED),),
              expected="fails", kind="identity",
              erratum="K_0(x, x') = 8<x, x'>: both w+ and w- contribute 4<x, x'> (grad = (2 x, -2 x) at w = 1)",
              examples={"quick": 3, "thorough": 10}, mutant_instances=2, resolution=RES_KERNEL, **COMMON),
        Claim("diag-net-r-alpha-quartic", "r(b) = smallest real root of the quartic = constrained minimum",
              "R_alpha(beta) = min{||w - alpha 1||^2 : w+^2 - w-^2 = beta} = alpha^2 sum r(beta/alpha^2), r(b) the smallest "
              "real root of r^4 - 6r^3 + (12-2b^2)r^2 - (8+10b^2)r + b^2 + b^4", SRC_R,
              (A_ALPHA,), (Field("b", 1, "values of b"), F_ALPHA), lambda: r_values(), check_r_identity,
              {"root": quartic_smallest_root},
              (Mutant("largest-root", "the largest real root of the quartic", {"root": quartic_largest_root}),),
              kind="identity", examples={"quick": 6, "thorough": 50}, mutant_instances=3,
              resolution=RES_ROOT, verify=quartic_root, **COMMON),
        Claim("diag-net-r-alpha-to-l1", "R_alpha(beta) -> ||beta||_1 as alpha -> 0, at order alpha",
              "R_alpha(beta) = ||beta||_1 - 2 alpha sum sqrt|beta_j| + O(alpha^2)", SRC_R,
              (A_ALPHA,), (Field("b", 1, "beta"), F_ALPHA), lambda: r_values(), check_r_to_l1, {"order": 1.0},
              (Mutant("order-2", "order alpha^2", {"order": 2.0}),),
              kind="asymptotic", examples={"quick": 4, "thorough": 20}, mutant_instances=2,
              resolution=RES_ORDER, verify=quartic_root, **COMMON),
        Claim("diag-net-r-alpha-is-not-q-alpha", "Implicit bias is not explicit l2 in parameter space",
              "gradient flow limit from alpha 1 = argmin R_alpha(beta) s.t. X beta = y (false: it is argmin Q_alpha)", SRC_R,
              A_SYS + (A_ALPHA,), F_SYS + (F_ALPHA,), lambda: diag_net_system(alpha_lo=0.1, alpha_hi=3.0), check_limit,
              {"limit": limit_r},
              (Mutant("q-alpha-control", "argmin Q_alpha (the theorem)", {"limit": limit_q}, must=Verdict.CONFIRMED),),
              expected="fails", kind="limit",
              erratum="the flow limit is argmin Q_alpha, not argmin R_alpha",
              examples={"quick": 3, "thorough": 20}, mutant_instances=2,
              resolution=RES_LIMIT, verify=q_interpolant, **COMMON),
    )
