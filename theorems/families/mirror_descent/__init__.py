"""Mirror descent lands on the Bregman projection; the square reparametrization u = w∘w.

Theorem (Gunasekar et al. 2018a, Thm 2; note 002 "Theorem 2", "Mirror descent"): mirror descent
grad phi(w_{t+1}) = grad phi(w_t) - eta grad L(w_t) on L(w) = 1/2||Xw - y||^2 with L(w_t) -> 0
converges to w* = argmin D_phi(w, w0) s.t. Xw = y, whatever the (convergent) step size
(:mod:`.projection`).

Square reparametrization (notes 002 "Reparametrization and change of geometry", 003 "diagonal
linear networks"; catalogue entry 2). With L(w) = 1/2 ||X(w∘w) - y||^2, gradient flow
w' = -2 w∘X^T r gives u' = -4 u∘grad_u L(u), u = w∘w: the entropy mirror flow with constant 4
(note 002 writes 2; with L = sum (.)^2 without the 1/2 it would be 8). Checked here: from
u0 = alpha 1 the flow lands on the KL projection of alpha 1 and is the mirror flow with constant 4
(:mod:`.square_reparam`); as alpha -> 0 it tends to the non-negative min-l1 interpolant like
alpha^{s0}, s0 the smallest reduced cost of the basis-pursuit LP, and discrete GD on w misses the
KL projection by Theta(eta) (:mod:`.asymptotics`). Errata (expected fails): note 002's flow
constant 2; note 003's "alpha -> infinity gives l2" for this biased model (true for the unbiased
+/- model, used as the control).

Check power. Exact limits and the flow identity declare a resolution of 1e-8 (a relative error of
the predicted limit or of the constant); the order claims declare their order resolution (0.05 on
the exponent of alpha or eta, 0.2 for the large-alpha order). Every tolerance term measured on the
run goes into the run budget, capped at that resolution. Each reference is certified independently
by :mod:`solvers.certify.bregman` (the mirror maps recomputed from their formulas, the LP by a dual
certificate, the mirror flow by its invariant and its clock). Runs and references are memoized
(:mod:`theorems.memo`), so mutants and the resolution ladder only redo the comparison.

Claims register here (in catalogue order), so the registry attributes them to this package.
"""
from __future__ import annotations

CATALOGUE_ENTRY = 2  # catalogue entry (the order of families in lists and reports)

from ...registry import register
from . import asymptotics, projection, square_reparam

register(*projection.CLAIMS, square_reparam.KL_CLAIM, *asymptotics.CLAIMS[:2], *square_reparam.FLOW_CLAIMS,
         asymptotics.LARGE_ALPHA_CLAIM)
