"""The curvature penalty zeta of a wide shallow ReLU net's initialization (Jin & Montufar 2023,
Thm 6 and Prop 7): closed forms vs quadrature, vs Monte Carlo, and prescribed penalties.

* ``check_zeta_identity`` -- closed forms vs adaptive quadrature of int |W|^3 p(W, -W x) dW, for
  every initialization of Thm 6. Tolerance: 4 x quad's own relative error estimate (the run budget)
  + 100 u; the declared resolution is a closed form scaled by 1 + 1e-8.
* ``check_zeta_monte_carlo`` -- the W^2-weighted histogram of the breakpoints C = -B/W of sampled
  units: per bin and over the whole window (the total catches a scale error with the power of all
  bins together), z = (sample mean of W^2 1[C in I] - int_I zeta) / standard error, held to a
  Bonferroni bound at a false-alarm level of 1e-4 per instance.
* ``check_prop7`` -- Prop 7's zeta = E[W^2] p_C = E[W^2]/(Z rho) vs quadrature of the joint density
  (held to quad's error estimates, the run budget), and the sampler's breakpoints vs it by the same
  Bonferroni z-test (the gap is in relative-error units: max(rel. error, tol x max|z|/threshold)).

Both identity checks hand their quadrature (and Prop 7's normalizer Z) as ``Evidence.reference``; the
claims' ``verify`` (:mod:`solvers.certify.relu_penalty`) recomputes it from the raw instance by
fixed-order Gauss-Legendre, so a verdict never rests on quad's own error estimate alone.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.integrate
import scipy.stats

from solvers.certificate import Certificate
from solvers.curvature_penalty import (PrescribedPenaltyInit, breakpoint_histogram, quadrature_zeta_for, sample_init,
                                       zeta_binary_uniform, zeta_gaussian, zeta_quadrature, zeta_uniform)

from ...contract import Evidence, Figure, Mutant, Series
from ...memo import memo

SOURCE = "Jin & Montufar 2023 (JMLR), Thm 5, Thm 6, Prop 7 (note 002 'Implicit bias of GD in wide ReLU networks')"
KINDS = ("gaussian", "binary-uniform", "uniform")
FALSE_ALARM = 1e-4  # per-instance false-alarm level of the Monte Carlo tests
IDENTITY_RTOL = 1e-8  # the certificate bound on quad's own error estimate; the declared resolution
EPS = np.finfo(float).eps


def _scales(kind, inst):
    return {"gaussian": {"sw": inst["sw"], "sb": inst["sb"]}, "binary-uniform": {"a_b": inst["a_b"]},
            "uniform": {"a_w": inst["a_w"], "a_b": inst["a_b"]}}[kind]


# ---- the closed forms (statement) and their mutants -------------------------------------------

THM6_FORMS = {
    "gaussian": lambda x, sw, sb: zeta_gaussian(x, sw, sb),
    "binary-uniform": lambda x, a_b: zeta_binary_uniform(x, a_b),
    "uniform": lambda x, a_w, a_b: zeta_uniform(x, a_w, a_b),
}


def _with(kind, f):
    d = dict(THM6_FORMS)
    d[kind] = f
    return d


ZETA_MUTANTS = (
    Mutant("two-pi", "Gaussian: 2 sw^3 sb^3 / (2 pi (sb^2 + x^2 sw^2)^2) (pi -> 2 pi)",
           {"forms": _with("gaussian", lambda x, sw, sb: zeta_gaussian(x, sw, sb) / 2.0)}),
    Mutant("exponent-1", "Gaussian: 2 sw^3 sb^3 / (pi (sb^2 + x^2 sw^2)) (exponent 2 -> 1)",
           {"forms": _with("gaussian", lambda x, sw, sb: zeta_gaussian(x, sw, sb) * (sb**2 + np.asarray(x) ** 2 * sw**2))}),
    Mutant("sw-sb-swapped", "Gaussian: 2 sw^3 sb^3 / (pi (sw^2 + x^2 sb^2)^2) (sw and sb swapped)",
           {"forms": _with("gaussian", lambda x, sw, sb: zeta_gaussian(x, sb, sw))}),
    Mutant("binary-1-over-ab", "binary-uniform: 1/a_b (forgets P(W = +-1) = 1/2)",
           {"forms": _with("binary-uniform", lambda x, a_b: 2.0 * zeta_binary_uniform(x, a_b))}),
    Mutant("uniform-quarter", "uniform: a_w^3/(4 a_b) on |x| <= a_b/a_w (factor 2)",
           {"forms": _with("uniform", lambda x, a_w, a_b: 2.0 * zeta_uniform(x, a_w, a_b))}),
)


def scaled_forms(stmt, r):
    """Resolution mutant: every closed form scaled by 1 + r."""
    return {"forms": {k: (lambda f: (lambda *a, **kw: (1.0 + r) * f(*a, **kw)))(f) for k, f in stmt["forms"].items()}}


def check_zeta_identity(inst, stmt) -> Evidence:
    x = np.asarray(inst["x"], dtype=float)
    certs, gaps, t_q, t_c, quad_err = [], {}, 0.0, 0.0, 0.0
    curves, ref = [], {}
    for kind in KINDS:
        sc = _scales(kind, inst)
        t0 = time.perf_counter()
        q, cert = quadrature_zeta_for(kind, x, **sc)
        t1 = time.perf_counter()
        c = stmt["forms"][kind](x, **sc)
        t_c += time.perf_counter() - t1
        t_q += t1 - t0
        certs.append(cert)
        ref[kind] = q
        quad_err = max(quad_err, float(cert.residuals.get("quad_error", 0.0)))
        gaps[kind] = float(np.max(np.abs(c - q) / np.maximum(np.abs(q), 1e-12 * np.max(np.abs(q)))))
        lim = {"gaussian": 3 * inst["sb"] / inst["sw"], "binary-uniform": 1.5 * inst["a_b"],
               "uniform": 1.5 * inst["a_b"] / inst["a_w"]}[kind]
        grid = np.linspace(-lim, lim, 121)
        curves.append(Series(f"{kind} closed form", grid, stmt["forms"][kind](grid, **sc)))
        xs = np.sort(x[np.abs(x) <= lim])
        if xs.size:
            curves.append(Series(f"{kind} quadrature", xs, quadrature_zeta_for(kind, xs, **sc)[0], "scatter"))
    fig = Figure("relu-zeta-curves", "Curvature penalty zeta: closed forms (lines) vs quadrature (points)",
                 "x", "zeta(x)", tuple(curves))
    budget = {"quadrature error estimate (x4)": 4.0 * quad_err}
    return Evidence(
        gap=max(gaps.values()), tolerance=budget["quadrature error estimate (x4)"] + 100.0 * EPS,
        tolerance_reason=f"4 x quad's relative error estimate {quad_err:.1e} (quad at rtol 1e-11) + 100 u",
        certificates=certs, timings={"quadrature": t_q, "closed_form": t_c}, figures=[fig],
        details={"relative_error_" + k: v for k, v in gaps.items()}, run_budget=budget,
        reference={"x": x, "zeta": ref})


def _bin_integral(f, edges, breaks):
    """int_bin f for each bin by scipy quad, and a certificate: quad's error estimate relative to
    the largest bin integral (the test needs it far below the Monte Carlo standard errors)."""
    out, err = np.empty(edges.size - 1), np.empty(edges.size - 1)
    for k, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        pts = [p for p in breaks if a < p < b]
        out[k], err[k] = scipy.integrate.quad(lambda t: float(f(np.array(t))), a, b, points=pts or None, epsrel=1e-10, limit=200)
    rel = float(np.max(err) / max(float(np.max(np.abs(out))), 1e-300))
    return out, Certificate("bin integrals of zeta by quad (relative error estimate)", {"quad_error": rel}, 1e-8)


def _z_scores(mean, se, expected, w2_max, n):
    se = np.maximum(se, w2_max / n)  # a bin with no sample still has the resolution of one sample
    return np.abs(mean - expected) / se


def _bonferroni(k):
    return float(scipy.stats.norm.isf(FALSE_ALARM / (2 * k)))


def _histograms(w, b, edges):
    """The K bins' and the whole window's (mean, standard error) of W^2 1[C in I], and max W^2."""
    mean, se = breakpoint_histogram(w, b, edges)
    tmean, tse = breakpoint_histogram(w, b, edges[[0, -1]])
    return mean, se, tmean, tse, float(np.max(w**2))


def _binned_z(hist, expected_bins, n):
    """z-scores of the K bins and of the whole window [edges[0], edges[-1]] (one more test)."""
    mean, se, tmean, tse, w2 = hist
    z = _z_scores(mean, se, expected_bins, w2, n)
    zt = _z_scores(tmean, tse, np.array([expected_bins.sum()]), w2, n)
    return np.concatenate([z, zt])


MC_BINS = 16


def _mc_edges(kind, inst):
    edge = {"gaussian": 3 * inst["sb"] / inst["sw"], "binary-uniform": 1.25 * inst["a_b"],
            "uniform": 1.5 * inst["a_b"] / inst["a_w"]}[kind]
    return np.linspace(-edge, edge, MC_BINS + 1)


@memo
def _mc_histograms(inst):
    """The sampled units' histograms per initialization (statement-independent: mutants and the
    resolution ladder reuse them)."""
    n = int(inst["samples"])
    rng = np.random.default_rng(int(inst["seed"]))
    out = {}
    for kind in KINDS:
        w, b = sample_init(kind, n, rng, **_scales(kind, inst))
        out[kind] = _histograms(w, b, _mc_edges(kind, inst))
    return out


def check_zeta_monte_carlo(inst, stmt) -> Evidence:
    n = int(inst["samples"])
    K = MC_BINS
    zs, series, details, certs = [], [], {}, []
    t0 = time.perf_counter()
    hists = _mc_histograms(inst)
    for kind in KINDS:
        sc = _scales(kind, inst)
        edges = _mc_edges(kind, inst)
        edge = edges[-1]
        breaks = {"gaussian": (), "binary-uniform": (-inst["a_b"], inst["a_b"]),
                  "uniform": (-inst["a_b"] / inst["a_w"], inst["a_b"] / inst["a_w"])}[kind]
        pred, cert = _bin_integral(lambda t: stmt["forms"][kind](t, **sc), edges, breaks)
        certs.append(cert)
        z = _binned_z(hists[kind], pred, n)
        mean = hists[kind][0]
        zs.append(z)
        details[f"max_z_{kind}"] = float(np.max(z[:-1]))
        details[f"z_total_{kind}"] = float(z[-1])
        mid, width = 0.5 * (edges[1:] + edges[:-1]), np.diff(edges)
        fine = np.linspace(-edge, edge, 201)
        series += [Series(f"{kind}: W^2-weighted breakpoint histogram", mid, mean / width, "step"),
                   Series(f"{kind}: statement (closed form)", fine, stmt["forms"][kind](fine, **sc))]
    tests = (K + 1) * len(KINDS)
    thr = _bonferroni(tests)
    fig = Figure("relu-zeta-histogram", "zeta vs Monte Carlo W^2-weighted breakpoint density (n = %d per init)" % n,
                 "breakpoint c = -B/W", "zeta", tuple(series))
    return Evidence(
        gap=float(max(np.max(z) for z in zs)), tolerance=thr,
        tolerance_reason=f"Bonferroni bound on max |z| over {tests} tests ({K} bins + the whole window, per initialization) "
                         f"at false-alarm {FALSE_ALARM:g} (z = (mean of W^2 1[C in I] - int_I zeta) / standard error, n = {n})",
        certificates=certs, timings={"sampling_and_test": time.perf_counter() - t0}, figures=[fig], details=details)


# ---- Prop 7 ------------------------------------------------------------------------------------

def _rho(inst):
    fam, ell, m, kap = int(inst["rho_family"]), float(inst["ell"]), float(inst["shift"]), float(inst["kappa"])
    if fam == 0:  # Gaussian-shaped breakpoint density, shifted: rho = kappa exp((x - m)^2 / (2 ell^2))
        return (lambda x: kap * np.exp((np.asarray(x) - m) ** 2 / (2 * ell**2))), (m - 9 * ell, m + 9 * ell)
    if fam == 1:  # hyperbolic secant density: rho = kappa cosh((x - m) / ell)
        return (lambda x: kap * np.cosh((np.asarray(x) - m) / ell)), (m - 25 * ell, m + 25 * ell)
    # two bumps: 1/rho = exp(-(x - m)^2/(2 ell^2)) + kappa exp(-(x + m)^2/(2 ell^2))
    return (lambda x: 1.0 / (np.exp(-(np.asarray(x) - m) ** 2 / (2 * ell**2)) + kap * np.exp(-(np.asarray(x) + m) ** 2 / (2 * ell**2)))), \
        (-m - 9 * ell, m + 9 * ell)


def prop7_zeta(init: PrescribedPenaltyInit, x):
    """The statement: zeta = E[W^2] p_C = s^2 / (Z rho)."""
    return init.s**2 * init.p_C(x)


def scaled_prop7(stmt, r):
    """Resolution mutant: Prop 7's zeta scaled by 1 + r."""
    f = stmt["prop7"]
    return {"prop7": lambda init, x: (1.0 + r) * f(init, x)}


def check_prop7(inst, stmt) -> Evidence:
    with np.errstate(over="ignore", divide="ignore"):  # rho -> inf far out: 1/rho = 0 there, as it should
        return _check_prop7(inst, stmt)


@memo
def _prop7_setup(inst):
    """The prescribed initialization, the quadrature of zeta from its joint density at 7 points, and
    the sampled units' histograms (statement-independent: mutants and the resolution ladder reuse them)."""
    rho, support = _rho(inst)
    init = PrescribedPenaltyInit(rho, float(inst["s"]), support)
    lo, hi = support
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    x = mid + half * np.linspace(-0.3, 0.3, 7)
    q, qcert = zeta_quadrature(init.density(), x)
    edges = mid + half * np.linspace(-0.3, 0.3, MC_BINS + 1)
    w, b = init.sample(int(inst["samples"]), np.random.default_rng(int(inst["seed"])))
    return init, x, q, qcert, edges, _histograms(w, b, edges)


def _check_prop7(inst, stmt) -> Evidence:
    t0 = time.perf_counter()
    init, x, q, qcert, edges, hist = _prop7_setup(inst)
    pred = stmt["prop7"](init, x)
    rel = float(np.max(np.abs(pred - q) / np.abs(q)))
    t1 = time.perf_counter()
    n = int(inst["samples"])
    K = MC_BINS
    expected, bcert = _bin_integral(lambda t: stmt["prop7"](init, t), edges, ())
    z = _binned_z(hist, expected, n)
    mean = hist[0]
    thr = _bonferroni(K + 1)
    t2 = time.perf_counter()
    budget = {"quadrature error estimate (x4)": 4.0 * float(qcert.residuals["quad_error"])}
    tol = budget["quadrature error estimate (x4)"] + 100.0 * EPS
    zmax = float(np.max(z))
    c = 0.5 * (edges[1:] + edges[:-1])
    fig = Figure("relu-prop7", "Prop 7: prescribed penalty rho vs realized 1/zeta (quadrature and Monte Carlo)", "x",
                 "1/zeta(x)", (Series("target rho * Z / s^2", c, 1.0 / prop7_zeta(init, c)),
                               Series("1/zeta by quadrature", x, 1.0 / q, "scatter"),
                               Series("1/zeta Monte Carlo", c, np.diff(edges) / np.maximum(mean, 1e-300), "step")))
    return Evidence(
        gap=max(rel, tol * zmax / thr), tolerance=tol,
        tolerance_reason=f"relative error of the statement vs quadrature of the joint density, held to 4 x quad's error "
                         f"estimate + 100 u = {tol:.1e}; and the sampler: max |z| / {thr:.2f} (Bonferroni over {K} bins + the "
                         f"window at false-alarm {FALSE_ALARM:g}, n = {n}) in the same units",
        certificates=[qcert, init.certificate(), bcert], timings={"quadrature": t1 - t0, "monte_carlo": t2 - t1},
        figures=[fig], details={"relative_error": rel, "max_z": zmax, "z_threshold": thr, "Z": init.Z},
        run_budget=budget, reference={"x": x, "zeta": q, "Z": init.Z})
