"""Depth-2 diagonal linear networks (catalogue entry 4): the claims are in :mod:`.limits`."""
from __future__ import annotations

CATALOGUE_ENTRY = 4  # position in the claim catalogue: orders claims in lists and reports

from ...registry import register  # noqa: E402
from .limits import _claims  # noqa: E402

register(*_claims())
