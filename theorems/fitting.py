"""Order-of-convergence fits shared by asymptotic claims.

An asymptotic claim ("gap = Theta(alpha^p)", "error = O(n^-1/2)") is checked by fitting
log gap = p log x + c over a sequence and comparing p with the predicted order, holding the
difference to a tolerance built from the fit's standard error (and, where a claim says so, a
stated pre-asymptotic margin). The fit is ordinary least squares (scipy.stats.linregress).

:func:`slope_of_means` fits the line through per-abscissa estimates M_w of E log y, each the sum
of sample means of independent components (e.g. a control variate's mean plus the mean of the
correction, drawn independently): slope = sum_w c_w M_w with c_w = (lx_w - mean lx)/Sxx, so
Var = sum_w c_w^2 sum_k s_wk^2/n_wk, every group's variance estimated on its own (no equal-variance
assumption across abscissae or components), and the Welch-Satterthwaite degrees of freedom
V^2 / sum_wk (c_w^2 s_wk^2/n_wk)^2/(n_wk - 1) (Satterthwaite 1946, Biometrics Bull. 2:110): when
one group carries the variance, dof falls to its n_wk - 1 and the t quantile says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.stats


@dataclass(frozen=True)
class LogLogFit:
    slope: float
    intercept: float
    se: float  # standard error of the slope
    dof: int  # residual degrees of freedom (points - 2)


def loglog_slope(x, y, logged: bool = False) -> LogLogFit:
    """Fit log y = slope log x + intercept (``logged=True``: x and y are already logarithms)."""
    lx, ly = (np.asarray(x, float), np.asarray(y, float)) if logged else (np.log(x), np.log(y))
    if lx.size < 3:
        raise ValueError(f"an order fit needs at least 3 points, got {lx.size}")
    r = scipy.stats.linregress(lx, ly)
    return LogLogFit(float(r.slope), float(r.intercept), float(r.stderr), int(lx.size - 2))


def slope_of_means(lx, components) -> LogLogFit:
    """Slope through per-abscissa means (module docstring). ``lx``: the m distinct abscissae
    (already logarithms); ``components``: a list of components, each a list of m 1-D arrays of
    log values (at least 2 per array: each group's variance is estimated)."""
    lx = np.asarray(lx, float)
    if lx.size < 3:
        raise ValueError(f"an order fit needs at least 3 abscissae, got {lx.size}")
    groups = [[np.asarray(g, float) for g in comp] for comp in components]
    if any(len(comp) != lx.size or any(g.size < 2 for g in comp) for comp in groups):
        raise ValueError("every component needs >= 2 samples at every abscissa")
    means = np.array([sum(comp[w].mean() for comp in groups) for w in range(lx.size)])
    dx = lx - lx.mean()
    c = dx / float(dx @ dx)
    terms = np.array([[c[w] ** 2 * comp[w].var(ddof=1) / comp[w].size for comp in groups] for w in range(lx.size)])
    dofs = np.array([[comp[w].size - 1 for comp in groups] for w in range(lx.size)])
    var = float(terms.sum())
    slope = float(c @ means)
    denom = float(np.sum(terms**2 / dofs))
    dof = int(var**2 / denom) if denom > 0 else int(dofs.sum())
    return LogLogFit(slope, float(means.mean() - slope * lx.mean()), float(np.sqrt(var)), max(1, dof))


@dataclass(frozen=True)
class OrderTest:
    """A fitted order against a predicted interval [lo, hi] (:func:`order_interval_test`)."""
    miss: float  # distance of the observed order from [lo, hi] (0 inside)
    endpoint_slope: float  # log(d_last / d_first) / log(x_last / x_first): the fit-free order
    resolvable: bool  # a miss beyond tolerance, or lo > tolerance (a pass that a plateau could not also earn)


def order_interval_test(lo: float, hi: float, fit: LogLogFit, lx, ly, tolerance: float) -> OrderTest:
    """Whether a distance decays at an order in [lo, hi] over the fitted window (logs lx, ly).

    The observed order is the least-squares slope and, for the lower end, also the end-point slope
    (ly[-1] - ly[0]) / (lx[-1] - lx[0]): the distance must have shrunk over the window by at least
    the factor the predicted order allows, (x_last / x_first)^(lo - tolerance); so a distance that
    levels off inside the window (a wrong limit) misses the lower end even where the fit through its
    still-decaying start does not. miss = max(0, lo - min(slope, end-point slope), slope - hi).
    This replaces a fixed "shrank 10x over the window" test, which is not derived: an instance whose
    smallest order is lo = 0.30 shrinks by 10^(-1.2) over four decades asymptotically, and by 9.84x
    pre-asymptotically (a false refutation on the thorough profile).

    When lo <= tolerance a pass cannot tell order lo from no decay at all (a plateau would pass too):
    such a pass is not resolvable and must be inconclusive; a miss beyond tolerance still refutes."""
    lx, ly = np.asarray(lx, float), np.asarray(ly, float)
    end = float((ly[-1] - ly[0]) / (lx[-1] - lx[0]))
    miss = max(0.0, lo - min(fit.slope, end), fit.slope - hi)
    return OrderTest(float(miss), end, bool(lo > tolerance or miss > tolerance))
