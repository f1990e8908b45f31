"""The degenerate-data claims on the data set whose reference was uncertified before the SVM solver
checked its NNLS answers (a thorough-profile INCONCLUSIVE of gd-separable-degenerate-loglog): both
claims pass with every certificate (the solver's and the independent ones) valid."""
from __future__ import annotations

import numpy as np
import pytest

from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.separable.common import normalize

# drawn by the claims' strategy: 1 active support vector, 2 zero-dual margin points in R^2; SciPy's
# NNLS missed the minimizer of the LDP problem here (see tests/test_separable_solvers.py)
INSTANCE = {"X": np.array([[-0.014186449077857143, -0.3469266481343082], [0.8090196046219406, 0.3144245035248998],
                           [-0.36111309721216533, -0.3327401990564511]]), "y": np.array([1.0, -1.0, 1.0]), "w0": 0.0}


@pytest.mark.parametrize("cid", ["gd-separable-degenerate-loglog", "gd-separable-degenerate-direction-rate"])
def test_degenerate_claims_certified_on_the_formerly_inconclusive_data(cid, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))
    inst, _ = normalize(INSTANCE)
    ev = safe_evaluate(registry.get(cid), inst, None)
    assert len(ev.certificates) == 4 and all(c.valid for c in ev.certificates), [c.to_json() for c in ev.certificates]
    assert ev.outcome == "pass", ev.why()
