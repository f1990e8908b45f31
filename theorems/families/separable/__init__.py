"""Separable data: which max-margin direction an optimizer turns to, and how fast.

* :mod:`.gd` -- GD and heavy ball (exp / logistic loss): the hard-margin SVM direction and the
  margin-gap order, judged on the flow that continues each GD run to log(1/L) = 1e10; the 1/log t
  rates on GD's own path (Soudry et al. 2018, JMLR, Thm 3);
* :mod:`.consistency` -- why that continuation stands for GD: each run at eta and eta/2 against the
  gradient flow from the same start, the deviation shrinking at first order (a broken GD fails it);
* :mod:`.flow` -- the time-changed gradient flow to log(1/L) = 1e10: direction gap C/log(1/L);
* :mod:`.degenerate` -- data not in general position: w(t) = w_hat log t + w_tilde log log t + O(1);
* :mod:`.steepest` -- steepest descent w.r.t. l1 / l_inf: the l_p max margin (Gunasekar et al.
  2018a, Thm 5), and the erratum on its step size;
* :mod:`.common` -- fields, defaults, the normalization of instance files (duplicate signed points
  become weights), assumptions, certified references, the far flow.

Every claim declares its resolution and an independent certificate (:mod:`solvers.certify.svm`).
The claims are registered here, in catalogue order.
"""
from __future__ import annotations

CATALOGUE_ENTRY = 3  # position in the statement catalogue: orders claims in lists and reports

from ...registry import register
from . import degenerate, flow, gd, steepest

register(*gd.CLAIMS, *flow.CLAIMS, *degenerate.CLAIMS, *steepest.CLAIMS)
