"""pytest configuration: the claims profile (``--claims-profile`` or ``CLAIMS_PROFILE``)."""
from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--claims-profile", default=None, choices=("quick", "thorough"),
                     help="Hypothesis profile for the claim checks (default: $CLAIMS_PROFILE or quick)")


def pytest_configure(config):
    p = config.getoption("--claims-profile")
    if p:
        os.environ["CLAIMS_PROFILE"] = p  # inherited by xdist workers started after this


@pytest.fixture(scope="session")
def claims_profile():
    from theorems.profiles import current_profile

    return current_profile()
