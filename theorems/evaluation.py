"""Evaluate one claim on one instance, safely: a crash of the dynamics or of a solver becomes an
inconclusive outcome that names the error (never a pass). Shared by the search and the mutants."""
from __future__ import annotations

import math
import zlib

from .contract import Claim, Evidence, Instance


def ratio(e: Evidence) -> float | None:
    if not (math.isfinite(e.gap) and math.isfinite(e.tolerance)) or e.tolerance <= 0:
        return None
    return e.gap / e.tolerance


def stable_seed(text: str) -> int:
    return zlib.crc32(text.encode())


def safe_evaluate(claim: Claim, instance: Instance, statement: dict | None, certify: bool | None = None) -> Evidence:
    """``claim.evaluate``, with a crash of the dynamics or the solver turned into an inconclusive
    outcome that names the error (never a pass, and the claim cannot be confirmed)."""
    try:
        return claim.evaluate(instance, statement, certify=certify)
    except Exception as e:  # noqa: BLE001 - reported, not swallowed
        msg = str(e).splitlines()[0] if str(e) else ""
        return Evidence(gap=math.nan, tolerance=math.nan, tolerance_reason="check raised",
                        converged=False, convergence_note=f"check raised {type(e).__name__}: {msg}"[:300])
