"""The ``claims`` command as a user meets it: bad input gives one line and exit 2; reports are
written atomically; compare and replay work."""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from theorems import cli, report

CID = "gd-least-squares-min-norm"


def run(*args, env=None):
    """``claims ARGS`` in this process (a subprocess costs ~2 s of imports per call): exit code and
    what it printed. An exception escaping ``cli.main`` fails the test, as a traceback would."""
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    if env:
        os.environ.update(env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = cli.main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return SimpleNamespace(returncode=rc, stdout=out.getvalue(), stderr=err.getvalue())


def test_the_installed_command_end_to_end():
    """One real process: the console script's module, exit code 2 and one line on bad input."""
    p = subprocess.run([sys.executable, "-m", "theorems.cli", "show", "no-such-claim"], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert [l for l in p.stderr.splitlines() if l.strip()] == ["claims: error: unknown claim id 'no-such-claim' (see `claims list`)"]


def _good_instance(m=3, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((m, d)), "y": rng.standard_normal(m), "w0": rng.standard_normal(d), "eta_frac": 0.5}


def _one_line_error(p, *words):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_list_and_show():
    p = run("list")
    assert p.returncode == 0 and CID in p.stdout
    p = run("show", CID)
    assert p.returncode == 0 and "eta_frac" in p.stdout and "Gunasekar" in p.stdout


def test_unknown_claim_id():
    _one_line_error(run("show", "no-such-claim"), "unknown claim id")
    _one_line_error(run("check", "no-such-claim"), "unknown claim id")


def test_check_good_instance_npz_and_json(tmp_path):
    inst = _good_instance()
    np.savez(tmp_path / "i.npz", **inst)
    p = run("check", CID, "--instance", str(tmp_path / "i.npz"))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "outcome: pass" in p.stdout
    (tmp_path / "i.json").write_text(json.dumps({k: np.asarray(v).tolist() for k, v in inst.items()}))
    assert run("check", CID, "--instance", str(tmp_path / "i.json")).returncode == 0


@pytest.mark.parametrize("problem,words", [
    ("malformed-json", ["not valid JSON"]),
    ("missing-field", ["missing field", "w0"]),
    ("wrong-shape", ["must be a 2-d array", "X"]),
    ("nan", ["non-finite", "y"]),
    ("overdetermined", ["m < d"]),
    ("rank-deficient", ["rank-deficient"]),
    ("bad-step", ["eta_frac"]),
    ("no-file", ["no such file"]),
    ("bad-suffix", ["unsupported instance format"]),
    ("corrupt-npz", ["not a readable .npz"]),
])
def test_bad_instance_files(tmp_path, problem, words):
    inst = _good_instance()
    path = tmp_path / "i.json"
    if problem == "malformed-json":
        path.write_text("{not json")
    elif problem == "corrupt-npz":
        path = tmp_path / "i.npz"
        path.write_bytes(b"garbage")
    elif problem == "bad-suffix":
        path = tmp_path / "i.txt"
        path.write_text("x")
    elif problem != "no-file":
        if problem == "missing-field":
            del inst["w0"]
        elif problem == "wrong-shape":
            inst["X"] = inst["X"].ravel()
        elif problem == "nan":
            inst["y"][1] = np.nan
        elif problem == "overdetermined":
            inst = _good_instance(m=6, d=4)
        elif problem == "rank-deficient":
            inst["X"][2] = inst["X"][0] + inst["X"][1]
        elif problem == "bad-step":
            inst["eta_frac"] = 1.5
        path.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in inst.items()}).replace("NaN", "NaN"))
    _one_line_error(run("check", CID, "--instance", str(path)), *words)


def test_bad_profile_and_bad_compare_input(tmp_path):
    p = run("report", "--profile", "fast")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    (tmp_path / "bad.json").write_text("[]")
    _one_line_error(run("compare", str(tmp_path / "bad.json"), str(tmp_path / "bad.json")), "not a claim-status file")
    _one_line_error(run("compare", str(tmp_path / "none.json"), str(tmp_path / "none.json")), "no such file")


def test_report_compare_and_atomic_rewrite(tmp_path, monkeypatch):
    out = tmp_path / "rep"
    p = run("report", "--only", CID, "cg-least-squares-min-norm", "--out", str(out), "--jobs", "1")
    assert p.returncode == 0, p.stderr
    status = json.loads((out / "status.json").read_text())
    assert set(status) >= {"generated", "profile", "claims"}
    e = status["claims"][0]
    for k in ("id", "title", "source", "expected", "verdict", "instances", "worst_gap", "tolerance",
              "mutants_caught", "mutants_total", "seconds"):
        assert k in e
    assert e["verdict"] == "confirmed" and e["worst_gap"] <= 1e-9
    assert (out / "figures" / "least-squares-distance-to-min-norm.png").stat().st_size > 1000
    assert "| claim | source |" in (out / "status.md").read_text()
    c = run("compare", str(out / "status.json"), str(out / "status.json"))
    assert c.returncode == 0 and "no change" in c.stdout
    changed = dict(status, claims=[dict(e, verdict="refuted")] + status["claims"][1:])
    (tmp_path / "new.json").write_text(json.dumps(changed))
    c = run("compare", str(out / "status.json"), str(tmp_path / "new.json"))
    assert c.returncode == 1 and "status changed" in c.stdout

    # a run that fails while writing must leave the previous report intact
    before = (out / "status.json").read_text()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "draw_figures", boom)
    with pytest.raises(RuntimeError):
        cli.main(["report", "--only", CID, "--out", str(out), "--jobs", "1"])
    assert (out / "status.json").read_text() == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_replay_saved_counterexample(tmp_path):
    env = {"CLAIMS_HOME": str(tmp_path)}
    cid = "adam-least-squares-not-min-norm"
    p = run("check", cid, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (tmp_path / "counterexamples" / f"{cid}.npz").exists()
    r = run("replay", cid, env=env)
    assert r.returncode == 0 and "outcome: fail" in r.stdout
    _one_line_error(run("replay", CID, env=env), "no saved counterexample")


def test_non_separable_data_for_a_margin_claim(tmp_path):
    X = [[1.0, 0.0], [2.0, 0.0], [-1.0, 0.5]]  # x_2 = 2 x_1 with the opposite label: not separable
    inst = {"X": X, "y": [1.0, -1.0, 1.0], "w0": [0.0, 0.0], "eta_frac": 0.5, "beta": 0.0}
    (tmp_path / "i.json").write_text(json.dumps(inst))
    _one_line_error(run("check", "gd-separable-svm-direction", "--instance", str(tmp_path / "i.json")),
                    "not linearly separable")


def test_degenerate_data_claim_rejects_general_position_and_near_degenerate_data(tmp_path):
    cid = "gd-separable-degenerate-loglog"
    (tmp_path / "gp.json").write_text(json.dumps({"X": [[1.0, 0.0], [2.0, 1.0]], "y": [1, 1], "w0": [0, 0]}))
    _one_line_error(run("check", cid, "--instance", str(tmp_path / "gp.json")), "general position")
    (tmp_path / "near.json").write_text(json.dumps({"X": [[1.0, 0.0], [1.000000001, 1.0]], "y": [1, 1], "w0": [0, 0]}))
    _one_line_error(run("check", cid, "--instance", str(tmp_path / "near.json")), "near-degenerate")
    (tmp_path / "toy.json").write_text(json.dumps({"X": [[1.0, 0.0], [1.0, 1.0]], "y": [1, 1], "w0": [0, 0]}))
    p = run("check", cid, "--instance", str(tmp_path / "toy.json"))
    assert p.returncode == 0 and "outcome: pass" in p.stdout, p.stdout + p.stderr


def test_compare_flags_lost_good_standing_and_a_dropped_resolution():
    """Same verdict, but out of good standing (an audit problem) or no longer declaring its
    resolution: both are regressions, not silent."""
    e = {"id": "x", "expected": "holds", "verdict": "confirmed", "in_good_standing": True, "note": "",
         "mutants_caught": 1, "mutants_total": 1, "worst_gap": 1e-13, "tolerance": 1e-12, "seconds": 1.0,
         "resolution": {"declared": 1e-8, "measured": 1e-12, "met": True}}
    old = {"profile": "quick", "claims": [e]}
    lost = {"profile": "quick", "claims": [dict(e, in_good_standing=False, note="audit: verify shares code")]}
    reg, _ = report.compare(old, lost)
    assert any(r.startswith("good standing lost: x") and "verify shares code" in r for r in reg), reg
    dropped = {"profile": "quick", "claims": [dict(e, resolution=None)]}
    reg, _ = report.compare(old, dropped)
    assert any(r.startswith("resolution: x") and "none now" in r for r in reg), reg
    assert report.compare(old, old) == ([], [])


def test_markdown_cells_escape_norm_bars():
    """Statements and sources with ||w|| must not split a table row into extra cells."""
    assert report._cell("argmin ||w||_1 s.t. |f''|") == "argmin \\|\\|w\\|\\|_1 s.t. \\|f''\\|"
    assert "\n" not in report._cell("two\nlines")
