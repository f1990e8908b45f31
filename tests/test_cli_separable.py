"""Instance files and published configurations of the separable family, through the CLI in-process:
a bare X, y file of Soudry et al.'s Fig. 1 (mirrored points included) is confirmed, degenerate data
outside the degenerate claims' scope gets a one-line precondition message (never a crash)."""
import json

import numpy as np
import pytest

from theorems import registry
from theorems.cli import main
from theorems.engine import safe_evaluate
from theorems.instances import prepare_instance
from theorems.published import get_published
from theorems.published.separable import fig1_data


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))


def _file(tmp_path, name, **fields):
    p = tmp_path / name
    p.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in fields.items()}))
    return str(p)


def test_bare_fig1_file_is_confirmed(tmp_path, capsys):
    X, y = fig1_data()
    assert len(np.unique(y[:, None] * X, axis=0)) == len(X) - 2  # the mirrored support vectors
    code = main(["check", "gd-separable-svm-direction", "--instance", _file(tmp_path, "fig1.json", X=X, y=y)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "outcome: pass" in out and "mu=0.25" in out


def test_duplicates_are_merged_into_weights_and_said():
    claim = registry.get("gd-separable-svm-direction")
    X, y = fig1_data()
    warnings = []
    inst = prepare_instance(claim, {"X": X, "y": y}, "fig1", warnings)
    assert inst["X"].shape == (14, 2) and sorted(inst["weight"])[-2:] == [2.0, 2.0]
    assert np.all(inst["w0"] == 0) and inst["eta_frac"] == 0.5 and inst["beta"] == 0.0
    assert any("merged 2 duplicate signed point(s)" in w for w in warnings), warnings


@pytest.mark.parametrize("cid", ["gd-separable-degenerate-loglog", "gd-separable-degenerate-direction-rate"])
def test_collinear_margin_points_get_a_one_line_precondition(tmp_path, capsys, cid):
    X, y = fig1_data(midpoint=True)
    code = main(["check", cid, "--instance", _file(tmp_path, "collinear.json", X=X, y=y)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("claims: error:") and err.count("\n") == 1 and "not degenerate" in err


def test_bad_labels_and_non_separable_data_are_one_line_errors(tmp_path, capsys):
    code = main(["check", "gd-separable-svm-direction", "--instance",
                 _file(tmp_path, "bad.json", X=[[1.0, 0.0], [0.0, 1.0]], y=[1.0, 2.0])])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "labels must be +-1" in err
    code = main(["check", "separable-flow-far-loss", "--instance",
                 _file(tmp_path, "xor.json", X=[[1.0, 0.0], [-1.0, 0.0]], y=[1.0, 1.0])])
    err = capsys.readouterr().err
    assert code == 2 and "not linearly separable" in err


@pytest.mark.parametrize("name,cid", [("soudry-fig1", "gd-separable-svm-direction"), ("soudry-fig1", "separable-flow-far-loss"),
                                      ("soudry-fig1-collinear", "gd-separable-svm-direction"),
                                      ("degenerate-two-point", "gd-separable-degenerate-loglog"),
                                      ("degenerate-two-point", "gd-separable-degenerate-direction-rate")])
def test_published_configurations_pass(name, cid):
    pub = get_published(name)
    assert cid in pub.claims
    claim = registry.get(cid)
    inst = prepare_instance(claim, pub.build(cid), name)
    ev = safe_evaluate(claim, inst, None)
    assert ev.outcome == "pass", ev.why()
    assert all(c.valid for c in ev.certificates)
    said = pub.ours(cid, ev)
    assert isinstance(said, str) and said
    if name == "degenerate-two-point" and cid.endswith("loglog"):
        np.testing.assert_allclose(ev.details["b"], [0.0, 1.0], atol=1e-4)
