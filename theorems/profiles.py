"""Hypothesis profiles: ``quick`` (default, CI: the whole suite in minutes on 2 cores) and
``thorough`` (more instances; long horizons where a claim reads ``profile`` itself).

Chosen by ``--profile`` (CLI), ``--claims-profile`` (pytest) or the ``CLAIMS_PROFILE`` environment
variable. ``quick`` is derandomized (reports and CI are reproducible); ``thorough`` explores.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

from .contract import Claim

PROFILES = ("quick", "thorough")


class UnknownProfile(ValueError):
    pass


def current_profile(explicit: str | None = None) -> str:
    p = explicit or os.environ.get("CLAIMS_PROFILE", "quick")
    if p not in PROFILES:
        raise UnknownProfile(f"unknown profile {p!r} (choose from {', '.join(PROFILES)})")
    return p


def profile_settings(claim: Claim, profile: str) -> settings:
    profile = current_profile(profile)
    n = int(claim.examples.get(profile, claim.examples.get("quick", 8)))
    return settings(
        max_examples=n,
        derandomize=(profile == "quick"),
        database=None,  # counterexamples are saved by the engine (replayable), not in .hypothesis/
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
