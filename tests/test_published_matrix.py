"""Published configurations of the matrix factorization family (theorems/published/matrix.py)."""
from __future__ import annotations

import pytest

from theorems.instances import coerce_instance
from theorems.published import all_published
from theorems.registry import get as get_claim

MATRIX = [p for p in all_published() if any(get_claim(c).family == "matrix-factorization" for c in p.claims)]


def test_matrix_configurations_found():
    assert {p.name for p in MATRIX} >= {"gunasekar2017-sensing", "gunasekar2017-sensing-scaled", "razin-cohen-2x2",
                                         "arora2019-completion", "arora2019-completion-5000"}


@pytest.mark.parametrize("pub", MATRIX, ids=lambda p: p.name)
def test_shipped_configuration_states_every_field(pub):
    """A shipped configuration is a whole instance: no field is filled by a default behind the reader's back, so
    `claims check --published` prints no 'defaults used' warning (status.json published[].warnings stays empty)."""
    for cid in pub.claims:
        claim = get_claim(cid)
        raw = pub.build(cid)
        assert set(raw) == {f.name for f in claim.fields}, (pub.name, cid)
        warnings: list[str] = []
        coerce_instance(claim, raw, origin=f"published {pub.name}", warnings=warnings)
        assert warnings == [], warnings
