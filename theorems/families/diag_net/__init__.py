"""Depth-2 diagonal linear networks: the Q_alpha implicit bias and the quartic R_alpha.

Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro 2020, "Kernel and rich
regimes in overparametrized models", Thm 1 and sec. 4 (Srebro's lecture notes, note 004 "linear
diagonal net", and note 003). beta = w+^2 - w-^2, gradient flow on L = sum_i (<beta, x_i> - y_i)^2
from w+ = w- = alpha 1: beta(inf) = argmin Q_alpha(beta) s.t. X beta = y, Q_alpha = alpha^2 sum
q(beta/alpha^2), q(b) = 2 - sqrt(4 + b^2) + b asinh(b/2).

Claims (ids fixed):

* :mod:`.limits` -- ``diag-net-q-alpha`` (from alpha 1 the flow lands on argmin Q_alpha),
  ``diag-net-general-start`` (from (w+0, w-0): argmin sum gamma q(beta/gamma) - c beta, gamma = |w+0 w-0|,
  c = log|w+0/w-0|) and ``diag-net-invariant`` (w+ o w- is conserved along the flow);
* :mod:`.asymptotics` -- ``diag-net-large-alpha-l2`` (alpha -> inf: the limit tends to the min-l2
  interpolant at order alpha^-4) and ``diag-net-gd-misses-by-eta`` (discrete GD misses argmin Q_alpha by
  Theta(eta));
* :mod:`.parameter_space` -- ``diag-net-tangent-kernel-8`` (the tangent kernel at alpha 1 is 8<x, x'>),
  ``diag-net-tangent-kernel-4`` (expected fails: the notes' 4<x, x'>), ``diag-net-r-alpha-quartic``
  (R_alpha's r(b) is the smallest real root of a quartic), ``diag-net-r-alpha-to-l1`` (R_alpha -> l1 at
  order alpha) and ``diag-net-r-alpha-is-not-q-alpha`` (expected fails: the flow limit is not argmin
  R_alpha, the explicit l2 bias in parameter space).

Limit checks run the flow against a certified reference with a tolerance derived from the run
(:mod:`.limits`); asymptotic claims fit orders by Richardson extrapolation of local slopes
(:mod:`.asymptotics`, :func:`.common.richardson_order`).
"""
from __future__ import annotations

CATALOGUE_ENTRY = 4  # position in the claim catalogue: orders claims in lists and reports

from ...registry import register  # noqa: E402
from .asymptotics import _claims as _asymptotics  # noqa: E402
from .limits import _claims as _limits  # noqa: E402
from .parameter_space import _claims as _parameter_space  # noqa: E402

register(*_limits(), *_asymptotics(), *_parameter_space())
