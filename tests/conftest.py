"""pytest configuration of this suite.

The claims profile option and fixture come from the package's pytest plugin
(``theorems.pytest_plugin``, entry point ``pytest11``), shared with a research repository's own
pytest run. Here: with ``--cov`` (the README's test command), a per-package summary of branch
coverage of models/, solvers/ and theorems/ after pytest-cov's own table; on a whole-suite run
models/ and solvers/ must keep 90% branch coverage (BRANCH_FLOOR) or the run fails. Tests marked ``thorough`` (long regressions on a thorough-profile instance)
run with the thorough profile (``--claims-profile thorough`` or ``CLAIMS_PROFILE=thorough``) and are
reported as skipped, with that reason, in the quick one.
"""
from __future__ import annotations

import json
import os
import tempfile

import pytest

PACKAGES = ("models", "solvers", "theorems")
# branch-coverage floors (percent) enforced on a whole-suite run with --cov: models and solvers are
# what the claims stand on, and a branch no claim or test exercises can be wrong without any effect
BRANCH_FLOOR = {"models": 90.0, "solvers": 90.0}


def _whole_suite(config) -> bool:
    """No -k / -m selection and no explicit test paths beyond the tests folder itself."""
    if config.getoption("keyword", "") or config.getoption("markexpr", ""):
        return False
    root = os.path.abspath(str(config.rootpath))
    return all(os.path.abspath(a) in (root, os.path.join(root, "tests")) for a in config.args)


def pytest_collection_modifyitems(config, items):
    from theorems.profiles import current_profile

    if current_profile(config.getoption("--claims-profile", None)) == "thorough":
        return
    why = pytest.mark.skip(reason="long regression on a thorough-profile instance: runs with --claims-profile thorough")
    for item in items:
        if "thorough" in item.keywords:
            item.add_marker(why)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    plugin = config.pluginmanager.getplugin("_cov")
    ctl = getattr(plugin, "cov_controller", None)
    cov = getattr(ctl, "cov", None)
    if cov is None or getattr(plugin, "cov_total", None) is None:
        return
    root = str(config.rootpath)
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        cov.json_report(outfile=path)
        with open(path) as fh:
            files = json.load(fh)["files"]
    except Exception as e:  # noqa: BLE001 - a summary problem must not fail the run
        terminalreporter.write_line(f"coverage summary unavailable: {type(e).__name__}: {e}")
        return
    finally:
        if os.path.exists(path):
            os.unlink(path)
    terminalreporter.write_sep("-", "branch coverage by package")
    for pkg in PACKAGES:
        stats = [f["summary"] for name, f in files.items()
                 if os.path.relpath(os.path.abspath(name), root).startswith(pkg + os.sep)]
        if not stats:
            continue
        nb = sum(s.get("num_branches", 0) for s in stats)
        cb = sum(s.get("covered_branches", 0) for s in stats)
        ns = sum(s["num_statements"] for s in stats)
        cs = sum(s["covered_lines"] for s in stats)
        terminalreporter.write_line(f"{pkg + '/':<11} branches {cb}/{nb} = {100.0 * cb / max(nb, 1):5.1f}%   "
                                    f"statements {cs}/{ns} = {100.0 * cs / max(ns, 1):5.1f}%   ({len(stats)} files)")
        # CLAIMS_COV_FLOOR (percent) applies a floor to any run, e.g. to see that a low coverage fails it
        forced = os.environ.get("CLAIMS_COV_FLOOR")
        floor = float(forced) if forced else BRANCH_FLOOR.get(pkg, 0.0)
        if (forced or _whole_suite(config)) and pkg in BRANCH_FLOOR and 100.0 * cb / max(nb, 1) < floor:
            terminalreporter.write_line(f"FAIL: {pkg}/ branch coverage below its floor of {floor:.0f}%", red=True)
            terminalreporter._session.exitstatus = pytest.ExitCode.TESTS_FAILED
