"""Order-of-convergence fits shared by asymptotic claims.

An asymptotic claim ("gap = Theta(alpha^p)", "error = O(n^-1/2)") is checked by fitting
log gap = p log x + c over a sequence and comparing p with the predicted order, holding the
difference to a tolerance built from the fit's standard error (and, where a claim says so, a
stated pre-asymptotic margin). The fit is ordinary least squares (scipy.stats.linregress).
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
