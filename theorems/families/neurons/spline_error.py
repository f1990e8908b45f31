"""Interpolation error of the spline limit for a smooth target (note 002; Jin & Montufar 2023, Sec. 3.3).

Note 002 (and the paper, citing Hall & Meyer 1976): in the noiseless model y_j = g0(x_j) with
uniform zeta, ||g* - g0||_inf <= C ||g0''''||_inf h^4, h the largest knot spacing. But g* with
uniform zeta is the *natural* cubic spline (Remark 3: g*'' = 0 at x_1 and x_M), while Hall &
Meyer's h^4 bound is for the complete (clamped) spline. Derived: the natural end condition
imposes g*''(a) = 0 where g0''(a) may not vanish; the spline then carries an end error of order
h^2 |g0''(a)| (decaying geometrically into the interior), so ||g* - g0||_inf = Theta(h^2) unless
g0''(a) = g0''(b) = 0, when the natural conditions are exact and the order is h^4. (For a cubic
g0 with g0'' != 0 at an end the bound's right side is 0 while the error is not.)

``relu-spline-error-h4`` encodes the note's statement (expected to fail on targets with
g0''(a) != 0 or g0''(b) != 0); ``relu-spline-error-corrected`` the correction (order 4 if both end
curvatures vanish, 2 otherwise), checked on both kinds of targets (two-sided).

The check: natural cubic splines (scipy, certified independently by the tridiagonal moment
equations) of g0 at N = 9, 17, 33, 65, 129 equispaced knots on [a, b]; sup error on 20001 points;
the order is the last local slope p_L = log(e_{L-1}/e_L) / log(h_{L-1}/h_L); gap = |p_L - order|;
tolerance = |p_L - p_{L-1}| (the local slopes settle geometrically, so the remaining pre-asymptotic
drift is below their last change) + 0.02 (stated margin for the round-off of the finest level).
The last change is measured on the run, so it is capped at the resolution (0.1): levels are refined
(N -> 2N - 1, up to 2049 knots, evaluated at >= 16 points per interval) while it exceeds 0.05; a
thorough-profile target still changed by 0.11 between 65 and 129 knots (tests/test_order_windows_settle.py).
"""
from __future__ import annotations

import time

import numpy as np
import scipy.interpolate

from solvers.certify.neurons import natural_spline_moments, target_g0

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, Verdict
from ...memo import memo
from ...strategies.neurons import spline_error_instances
from .common import FAMILY, JM, JM_NOTE

MARGIN = 0.02
EVAL_POINTS = 20001
SLOPE_SETTLE = 0.05  # refine while the local slope still changes by more (half the declared resolution 0.1)
MAX_KNOTS = 2049
ROUNDOFF_FLOOR = 1e6 * np.finfo(float).eps  # a finest error below this (relative to max |g0|) is round-off-limited


def end_curvatures(inst):
    """g0''(a), g0''(b) in closed form (the sine series has zero second derivative at both ends)."""
    p = np.asarray(inst["poly"], float)
    d2 = np.polynomial.polynomial.polyder(p, 2) if p.size > 2 else np.zeros(1)
    out = []
    for t in (float(inst["a"]), float(inst["b"])):
        v = float(np.polynomial.polynomial.polyval(t, d2)) + float(inst["exp_amp"]) * float(inst["exp_rate"]) ** 2 * np.exp(
            float(inst["exp_rate"]) * t)
        out.append(v)
    return out


def corrected_order(inst):
    """The correction: 4 if g0''(a) = g0''(b) = 0, else 2."""
    return 4.0 if max(abs(v) for v in end_curvatures(inst)) == 0.0 else 2.0


def notes_order(inst):
    """Note 002: h^4 for every smooth g0 (uniform zeta)."""
    return 4.0


@memo
def _errors(inst_items):
    inst = dict(inst_items)
    a, b = float(inst["a"]), float(inst["b"])
    E = np.linspace(a, b, max(EVAL_POINTS, 16 * (int(np.max(inst["levels"])) - 1) + 1))  # >= 16 points per interval
    g0E = target_g0(inst, E)
    errs, hs, levels = [], [], []
    for N in np.asarray(inst["levels"], int):
        t = np.linspace(a, b, int(N))
        cs = scipy.interpolate.CubicSpline(t, target_g0(inst, t), bc_type="natural")
        errs.append(float(np.max(np.abs(cs(E) - g0E))))
        hs.append((b - a) / (int(N) - 1))
        levels.append({"knots": t, "m2": cs(t, 2)})
    return np.array(hs), np.array(errs), levels


def _settled_errors(inst):
    """Errors on the instance's levels, refined (N -> 2N - 1) while the last two local slopes differ
    by more than SLOPE_SETTLE: the change is a measured term of the tolerance, capped at the
    resolution. Refinement stops at MAX_KNOTS, or where the finest error nears round-off."""
    ns = [int(v) for v in np.asarray(inst["levels"], int)]
    while True:
        hs, errs, levels = _errors(tuple(sorted({**inst, "levels": np.array(ns)}.items())))
        loc = np.diff(np.log(errs)) / np.diff(np.log(hs))
        g_scale = float(np.max(np.abs(target_g0(inst, levels[-1]["knots"]))))
        if (abs(loc[-1] - loc[-2]) <= SLOPE_SETTLE or 2 * ns[-1] - 1 > MAX_KNOTS
                or errs[-1] <= ROUNDOFF_FLOOR * max(g_scale, 1e-300)):
            return hs, errs, levels, loc
        ns.append(2 * ns[-1] - 1)


def check(inst, stmt) -> Evidence:
    t0 = time.perf_counter()
    hs, errs, levels, loc = _settled_errors(inst)
    t1 = time.perf_counter()
    p = float(loc[-1])
    order = float(stmt["order"](inst))
    tol = float(abs(loc[-1] - loc[-2])) + MARGIN
    ga, gb = end_curvatures(inst)
    kind = "g0''(a) = g0''(b) = 0" if corrected_order(inst) == 4.0 else "g0'' != 0 at an end"
    fixed = corrected_order(inst)
    fig = Figure("relu-spline-error-vs-h", "Natural cubic spline (g* for uniform zeta) vs smooth g0: sup error against h",
                 "largest knot spacing h", "sup |g* - g0|",
                 (Series(f"{kind}: measured (last local slope {p:.2f})", hs, errs, "scatter"),
                  Series(f"{kind}: corrected order {fixed:g} through the finest point", hs,
                         errs[-1] * (hs / hs[-1]) ** fixed, "dashed"))
                 + ((Series(f"{kind}: the stated order {order:g} through the finest point", hs,
                            errs[-1] * (hs / hs[-1]) ** order, "dotted"),) if order != fixed else ()),
                 xscale="log", yscale="log")
    return Evidence(
        gap=abs(p - order), tolerance=tol,
        tolerance_reason=f"|last local slope {p:.3f} - order {order:g}|; tolerance = last change of the local slope "
                         f"{abs(loc[-1] - loc[-2]):.1e} + margin {MARGIN} (finest-level round-off)",
        certificates=[], timings={"splines": t1 - t0}, figures=[fig],
        details={"local_slopes": loc.tolist(), "sup_errors": errs.tolist(), "h": hs.tolist(),
                 "g0pp_a": ga, "g0pp_b": gb, "predicted_order": order},
        reference={"levels": levels},
        run_budget={"last change of the local slope": float(abs(loc[-1] - loc[-2]))})


def _levels_ok(inst):
    lv = np.asarray(inst["levels"], int)
    if lv.size < 3 or np.any(np.diff(lv) <= 0) or lv[0] < 4:
        return "levels must be >= 3 increasing knot counts >= 4"
    return None


FIELDS = (Field("a", 0, "left end of [a, b]"), Field("b", 0, "right end"),
          Field("poly", 1, "polynomial part of g0, increasing powers"),
          Field("sines", 1, "amplitudes of sin(m pi (t - a)/(b - a)), m = 1, 2, ...", default=np.zeros(1)),
          Field("exp_amp", 0, "amplitude of exp(exp_rate t)", default=0.0),
          Field("exp_rate", 0, "rate of the exponential term", default=1.0),
          Field("levels", 1, "knot counts N (equispaced knots, h = (b - a)/(N - 1))", integer=True,
                default=np.array([9, 17, 33, 65, 129])))
ASSUMPTIONS = (Assumption("a < b", lambda i: None if float(i["b"]) > float(i["a"]) else "need a < b"),
               Assumption("a refinement sequence", _levels_ok))
RESOLUTION = Resolution(0.1, "the order exponent (h^order) off by r", lambda stmt, r: {
    "order": lambda inst, f=stmt["order"]: f(inst) + r})
def _showcase(zero_ends: bool):
    """exp(t) on [0, 1] (g0'' = 1, e at the ends: slope 2) or sin(pi t) + 0.2 + 0.5 t (zero end curvature: slope 4)."""
    def build():
        if zero_ends:
            return {"a": 0.0, "b": 1.0, "poly": np.array([0.2, 0.5]), "sines": np.array([1.0]), "exp_amp": 0.0,
                    "exp_rate": 1.0, "levels": np.array([9, 17, 33, 65, 129])}
        return {"a": 0.0, "b": 1.0, "poly": np.array([0.0]), "sines": np.array([0.0]), "exp_amp": 1.0, "exp_rate": 1.0,
                "levels": np.array([9, 17, 33, 65, 129])}
    return build


ERRATUM = ("uniform zeta (g* the natural cubic spline): ||g* - g0||_inf = O(h^4) only if g0''(a) = g0''(b) = 0 (or for a "
           "sup over the interior away from the ends); otherwise Theta(h^2) (Hall & Meyer's h^4 is for the clamped spline)")

CLAIMS = (
    Claim(
        id="relu-spline-error-h4",
        title="Note 002's spline error bound ||g* - g0||_inf <= C ||g0''''|| h^4 (uniform zeta): wrong when g0'' != 0 at an end",
        statement="noiseless y_j = g0(x_j), uniform zeta: ||g* - g0||_inf <= C ||g0^(4)||_inf h^4",
        source=f"{JM_NOTE}; {JM}, Sec. 3.3 (citing Hall & Meyer 1976)",
        assumptions=ASSUMPTIONS, fields=FIELDS, strategy=spline_error_instances, check=check,
        params={"order": notes_order},
        mutants=(Mutant("corrected", "order 4 if g0''(a) = g0''(b) = 0, else 2: must be confirmed", {"order": corrected_order},
                        must=Verdict.CONFIRMED),),
        expected="fails", kind="rate", family=FAMILY, erratum=ERRATUM, resolution=RESOLUTION, showcase=_showcase(False),
        verify=natural_spline_moments, examples={"quick": 4, "thorough": 30}, mutant_instances=4),
    Claim(
        id="relu-spline-error-corrected",
        title="Spline error, corrected: h^4 when g0''(a) = g0''(b) = 0, h^2 otherwise (natural cubic spline)",
        statement="noiseless, uniform zeta: ||g* - g0||_inf = Theta(h^4) if g0''(a) = g0''(b) = 0, Theta(h^2) otherwise",
        source=f"{JM_NOTE}; {JM}, Remark 3 (g* natural) and Sec. 3.3; derived",
        assumptions=ASSUMPTIONS, fields=FIELDS, strategy=spline_error_instances, check=check,
        params={"order": corrected_order},
        mutants=(Mutant("always-h4", "order 4 for every smooth g0 (the note)", {"order": notes_order}),
                 Mutant("always-h2", "order 2 for every smooth g0", {"order": lambda inst: 2.0}),
                 Mutant("h3", "order 3", {"order": lambda inst: 3.0})),
        kind="rate", family=FAMILY, resolution=RESOLUTION, verify=natural_spline_moments, showcase=_showcase(True),
        examples={"quick": 6, "thorough": 40}, mutant_instances=6),
)
