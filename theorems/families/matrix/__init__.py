"""Matrix factorization and sensing: where gradient flow on U U^T, U V^T and W_N ... W_1 lands.

Catalogue entry 8 (Gunasekar et al. 2017; Arora et al. 2019; Razin & Cohen 2020; Li, Luo, Lyu 2021;
notes 000, 001, 004). L(X) = 1/2 sum_i (<A_i, X> - y_i)^2. Claims (ids fixed):

* :mod:`.commuting` -- ``matrix-sensing-commuting-kl-projection`` (commuting A_i: the U U^T flow lands on
  the KL projection of the start in the shared eigenbasis, at every scale, exactly),
  ``matrix-sensing-commuting-nuclear-norm`` (start alpha X0 -> 0: the limit tends to the min nuclear norm
  solution, at order alpha^s, s between the LP's smallest and largest positive reduced cost),
  ``matrix-sensing-deep-commuting`` (depth N >= 3, balanced: the one-sided depth-N map, exactly);
* :mod:`.deep` -- ``deep-matrix-factorization-singular-values`` (Arora et al. 2019, Thm 3: the singular
  value ODE along a balanced trajectory, an identity) and ``matrix-completion-not-nuclear-norm``
  (expected fails: Razin & Cohen's 2 x 2 completion, |w11| >= (1 - e)^2/e certified along the run);
* :mod:`.lift` -- ``matrix-factorization-asymmetric-lift`` (U V^T is its symmetric lift; diagonal A_i
  give the diagonal net of entry 4, checked against that family's certified reference);
* :mod:`.conjecture` -- ``matrix-sensing-nuclear-norm-conjecture`` (open: Gunasekar's conjecture for
  Gaussian sensing, measured, with a commuting near calibration and a rank-deficient far one).

Errata the family encodes: the notes' "GD on U, V -> min ||X||_*" needs its conditions (commuting
measurements, or the RIP setting); the notes' lift [[0, A_i], [A_i^T, 0]] needs a factor 1/2 (a mutant).
"""
from __future__ import annotations

CATALOGUE_ENTRY = 8  # catalogue entry (the order of families in lists and reports)

from ...registry import register  # noqa: E402
from .commuting import _claims as _commuting  # noqa: E402
from .conjecture import _claims as _conjecture  # noqa: E402
from .deep import _claims as _deep  # noqa: E402
from .lift import _claims as _lift  # noqa: E402

register(*_commuting(), *_deep(), *_lift(), *_conjecture())
