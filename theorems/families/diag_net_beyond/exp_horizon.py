"""How far the exp/logistic-loss l1 check (:mod:`.exp_loss`) follows the flow: its own remaining motion, and the
loss level it needs for that motion to fall within the claim's resolution.

* Remaining motion (statement-independent, from the run alone): over the tail s in [s_end/30, s_end] the steps of
  the l1-normalized direction between consecutive output levels (ratio rho in s) decay at a fitted local order
  p_m; the motion still ahead is sum_{k>0} step_end rho^(-p_m k) = step_end / (rho^p_m - 1).
* Its decay with s: the direction's distance to its limit is a positive mixture M(s) = sum_j c_j x^-e_j + O(1/s),
  x = s/alpha^2, e_j = 1 - |(Z^T lambda)_j| over the off-support j (lambda the l1 dual; :mod:`.exp_loss`), up to
  the support feedback (<= 0.1 by the check's premise). Each term shrinks by at least k^-e_min when s grows by
  k >= 1 (the 1/s terms by k^-1 <= k^-e_min, as e_min <= 1), so M(k s) <= k^-e_min M(s): the horizon
      H_hi = s_end (3 M / cap)^(1 / e_min)
  is enough for 3 M <= cap (the run budget the engine caps at the resolution). The local order of such a mixture
  is a weighted mean of the e_j whose weights shift to the smaller e_j as s grows, so it only decreases: from s_end
  on M decays no faster than x^-p_m, and
      H_lo = s_end (3 M / cap)^(1 / p_m)
  is a horizon no run can beat. The check follows the flow to H_hi rounded up to a decade (at least one decade
  further) while 3 M > cap, as long as H_lo is within the budget S_MAX; beyond it the instance stays inconclusive,
  with both horizons in the note.
* Budget: the dual-coordinate flow (models.diag_net_exp.exp_loss_flow_dual) keeps margins O(s) whose O(1)
  differences set the weights, to absolute precision ~ s eps: at s = 1e9 ~2e-7, with its loss-level clock drift
  ~1e-8 and the direction unchanged to ~1e-10 between rtol 1e-11 and 1e-12, in ~0.5 s; at s = 1e10 the rounding
  noise makes LSODA take ~50 000 steps (8 s) and the drift reaches ~2e-7. Hence S_MAX = 1e9.
"""
from __future__ import annotations

import numpy as np

from ...fitting import loglog_slope

S_END = 1e6  # first horizon: loss 10^-434294
S_MAX = 1e9  # budget (module doc)
PER_DECADE = 47 / 5  # output levels per decade in s (48 levels on [10, 1e6])
TAIL = 30.0  # the fitted tail: s in [s_end / TAIL, s_end]


def levels(s_end: float, extra=()) -> np.ndarray:
    """Output loss levels on [10, s_end], PER_DECADE per decade, with the ``extra`` levels merged in."""
    n = 1 + int(round(PER_DECADE * np.log10(s_end / 10.0)))
    return np.unique(np.r_[np.geomspace(10.0, s_end, n), np.asarray(extra, float)])


def remaining_motion(s: np.ndarray, B: np.ndarray) -> tuple[float, float]:
    """(M, p_m): the motion of the directions B (rows, at levels s) still ahead after s[-1], and the fitted local
    order of its steps over the tail (module doc); M = inf when the steps do not decay."""
    ti = np.flatnonzero(s >= s[-1] / TAIL)
    steps = np.sum(np.abs(np.diff(B[ti], axis=0)), axis=1)
    if steps.size < 3:
        return np.inf, 0.0
    rho = float(s[ti[-1]] / s[ti[-2]])
    p_m = -loglog_slope(s[ti[1:]], np.maximum(steps, 1e-300)).slope
    return (float(steps[-1]) / (rho**p_m - 1.0) if p_m > 0 else np.inf), float(p_m)


def horizons(s_end: float, motion: float, p_m: float, e_min: float, cap: float) -> tuple[float, float]:
    """(H_lo, H_hi): the loss levels between which 3 x the remaining motion falls to ``cap`` (module doc)."""
    ratio = 3.0 * motion / cap
    if ratio <= 1.0:
        return s_end, s_end
    if not (np.isfinite(ratio) and p_m > 0 and e_min > 0):
        return np.inf, np.inf
    return s_end * ratio ** (1.0 / min(p_m, 1.0)), s_end * ratio ** (1.0 / e_min)


def next_horizon(s_end: float, motion: float, p_m: float, e_min: float, cap: float) -> float | None:
    """The next s_end to follow the flow to, or None: settled (3 M <= cap), or out of budget (H_lo > S_MAX, or
    s_end already at S_MAX)."""
    h_lo, h_hi = horizons(s_end, motion, p_m, e_min, cap)
    if h_hi <= s_end or h_lo > S_MAX or s_end >= S_MAX:
        return None
    return float(min(S_MAX, max(10.0 * s_end, 10.0 ** np.ceil(np.log10(h_hi) - 1e-9))))
