"""Matrix factorization and sensing: where gradient flow on U U^T, U V^T and W_N ... W_1 lands.

Catalogue entry 8. Claims (ids fixed):
* ``matrix-sensing-commuting-kl-projection``, ``matrix-sensing-commuting-nuclear-norm``,
  ``matrix-sensing-deep-commuting`` (:mod:`.commuting`);
"""
from __future__ import annotations

CATALOGUE_ENTRY = 8  # position in ../shared/CLAIMS.md: orders claims in lists and reports

from ...registry import register  # noqa: E402
from .commuting import _claims as _commuting  # noqa: E402
from .deep import _claims as _deep  # noqa: E402
from .conjecture import _claims as _conjecture  # noqa: E402
from .lift import _claims as _lift  # noqa: E402

register(*_commuting(), *_deep(), *_lift(), *_conjecture())
