"""Diagonal nets beyond width 1 and the square loss (catalogue entry 10): width-k nets and the notes' init
variance (:mod:`.width`), exp/logistic loss and depth-D classification (:mod:`.exp_loss`), the lazy
regime of a 2-layer net (:mod:`.kernel`). Registered here so the claims sort at the catalogue entry."""
from __future__ import annotations

CATALOGUE_ENTRY = 10  # catalogue entry (the order of families in lists and reports)

from ...registry import register
from . import exp_loss, kernel, width

register(*width.CLAIMS, *exp_loss.CLAIMS, *kernel.CLAIMS)
