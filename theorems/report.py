"""Claim-status reports: ``status.md`` (table, errata, per-claim details, figures), ``status.json``
and ``figures/*.png``; and ``compare`` of two ``status.json`` files (regression check).

A report is written into a temporary sibling folder and renamed into place only when complete,
so a failed run never destroys the previous report.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

from .audit import missing_declarations
from .contract import Claim, Figure
from .engine import ClaimResult
from .instances import save_instance

SCHEMA = 2  # 2: resolution, audit, open claims (measured, calibrations), max_ratio


def _fmt(x, digits=2):
    if x is None:
        return "—"
    if isinstance(x, float) and not math.isfinite(x):
        return "—"
    return f"{x:.{digits}e}"


def _num(x):
    return float(x) if x is not None and math.isfinite(float(x)) else None


def _cell(text) -> str:
    """A markdown table cell: ``|`` escaped (norms like ||w|| would split the row), no line breaks."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def claim_entry(claim: Claim, res: ClaimResult) -> dict:
    worst = res.worst
    ev = worst.evidence if worst else None
    gen = res.generated
    return {
        "id": claim.id,
        "title": claim.title,
        "source": claim.source,
        "expected": claim.expected,
        "verdict": res.verdict.value,
        "instances": len([r for r in gen if r.evidence.outcome != "precondition"]),
        "worst_gap": _num(ev.gap) if ev else None,
        "tolerance": _num(ev.tolerance) if ev else None,
        "mutants_caught": res.mutants_caught,
        "mutants_total": len(res.mutants),
        "seconds": round(res.seconds, 3),
        # beyond the required keys
        "family": claim.family,
        "kind": claim.kind,
        "statement": claim.statement,
        "in_good_standing": res.in_good_standing,
        "note": res.note,
        "tolerance_reason": ev.tolerance_reason if ev else "",
        "precondition_misses": len([r for r in gen if r.evidence.outcome == "precondition"]),
        "inconclusive_instances": len([r for r in gen if r.evidence.outcome == "inconclusive"]),
        "certificates": [c.to_json() for c in ev.certificates] if ev else [],
        "worst_details": ev.to_json()["details"] if ev else {},
        "counterexample": res.counterexample_path,
        "erratum": claim.erratum,
        "mutants": [m.to_json() for m in res.mutants],
        "figures": [f"figures/{f.name}.png" for f in res.figures],
        "resolution": res.resolution.to_json() if res.resolution is not None else None,
        "max_ratio": _num(res.max_ratio) if res.max_ratio is not None else None,
        "shrink_note": res.shrink_note,
        "audit": list(res.audit),
        "missing_declarations": missing_declarations(claim),
        "measured": res.gap_summary() if claim.expected == "open" else None,
        "worst_instance": res.worst_path,
        "inconclusive_instance": res.inconclusive_path,
    }


def published_entry(r) -> dict:
    from .published import get_published

    p = get_published(r.name)
    return {"name": r.name, "paper": p.paper, "where": p.where, "reports": p.reports, "claim_id": r.claim_id,
            "ours": r.ours, "outcome": r.outcome, "consistent": r.consistent, "why": r.why,
            "gap": _num(r.gap) if r.gap is not None else None,
            "tolerance": _num(r.tolerance) if r.tolerance is not None else None,
            "seconds": round(r.seconds, 3), "note": p.note, "warnings": list(r.warnings)}


def build_status(claims: list[Claim], results: list[ClaimResult], profile: str, published=()) -> dict:
    return {
        "schema": SCHEMA,
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "profile": profile,
        "claims": [claim_entry(c, r) for c, r in zip(claims, results)],
        "published": [published_entry(r) for r in published],
    }


# ---- figures -----------------------------------------------------------------------------------

def _merge_figures(results: list[ClaimResult]) -> "OrderedDict[str, list[tuple[str, Figure]]]":
    merged: OrderedDict[str, list[tuple[str, Figure]]] = OrderedDict()
    for r in results:
        for f in r.figures:
            merged.setdefault(f.name, []).append((r.claim_id, f))
    return merged


def draw_figures(results: list[ClaimResult], folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, items in _merge_figures(results).items():
        first = items[0][1]
        n_series = sum(len(f.series) for _, f in items)
        fig, ax = plt.subplots(figsize=(9.5 if n_series > 4 else 7.5, 4.8))
        labels = [s.label for _, f in items for s in f.series]
        clashing = {l for l in labels if labels.count(l) > 1}
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        k = 0
        for cid, f in items:
            for s in f.series:
                label = f"{cid}: {s.label}" if s.label in clashing and len(items) > 1 else s.label
                # past 10 series colours repeat: vary the dash pattern so every curve stays distinct
                kw = {"color": colors[k % len(colors)], "label": label}
                dash = ["-", "--", ":", "-."][(k // len(colors)) % 4]
                k += 1
                if s.style == "scatter":
                    ax.scatter(s.x, s.y, s=14, **kw)
                elif s.style == "step":
                    ax.step(s.x, s.y, where="mid", linestyle=dash, **kw)
                elif s.style == "dashed":
                    ax.plot(s.x, s.y, "--", **kw)
                elif s.style == "dotted":
                    ax.plot(s.x, s.y, ":", **kw)
                else:
                    ax.plot(s.x, s.y, linestyle=dash, **kw)
        ax.set_xscale(first.xscale)
        ax.set_yscale(first.yscale)
        ax.set_xlabel(first.xlabel)
        ax.set_ylabel(first.ylabel)
        ax.set_title(first.title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        if len(labels) > 4:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
        elif len(labels) > 1:
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(folder / f"{name}.png", dpi=110)
        plt.close(fig)
        written.append(name)
    return written


# ---- markdown ----------------------------------------------------------------------------------

_WANT = {"holds": "confirmed", "fails": "refuted", "open": "measured"}


def _status_cell(e: dict) -> str:
    v = e["verdict"]
    if e["in_good_standing"]:
        return f"{v} (as expected)" if e["expected"] == "fails" else v
    if v == _WANT[e["expected"]]:
        why = "audit" if e.get("audit") else "resolution not met" if _res(e) and not _res(e)["met"] else "calibration"
        return f"**{v}, {why}**"
    return f"**{v}** (expected {_WANT[e['expected']]})"


def _res(e: dict) -> dict | None:
    return e.get("resolution")


def _res_cell(e: dict) -> str:
    r = _res(e)
    if r is None:
        return "calibrated" if e["expected"] == "open" else "—"
    m = "none" if r["measured"] is None else f"{r['measured']:.0e}"
    return f"{r['declared']:.0e} / {m}" + ("" if r["met"] else " ✗")


def render_markdown(status: dict, figure_names: list[str]) -> str:
    claims = status["claims"]
    good = sum(e["in_good_standing"] for e in claims)
    muts = sum(e["mutants_caught"] for e in claims), sum(e["mutants_total"] for e in claims)
    L = [
        "# Claim status",
        "",
        f"Generated {status['generated']} · profile `{status['profile']}` · {len(claims)} claims · "
        f"{good} in good standing · mutants caught {muts[0]}/{muts[1]} · "
        f"{sum(e['seconds'] for e in claims):.1f} s of checks",
        "",
        "A claim expected to hold is in good standing when `confirmed`; a claim expected to fail "
        "(an erratum of the notes or a negative control) when `refuted`; an open statement (a conjecture "
        "or an approximate statement) is `measured`, never judged, and is in good standing when its "
        "calibration controls behave. *Worst gap* is the instance with the largest gap/tolerance ratio "
        "(the counterexample, for a refuted claim). For claims expected to hold, *mutants* are wrong "
        "statements the check must refute; for claims expected to fail they are controls (the corrected "
        "statement) the check must confirm. *Resolution* is the size of the smallest wrong statement the "
        "check must refute (declared) and the finest size it refuted on this run (measured), in the "
        "claim's own quantity (see each claim's details); a judged claim is in good standing only if "
        "measured <= declared.",
        "",
        "| claim | source | expected | verdict | instances | worst gap | tolerance | resolution (declared / measured) "
        "| mutants caught | seconds |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for e in claims:
        L.append(
            f"| [`{e['id']}`](#{e['id']}) | {_cell(e['source'])} | {e['expected']} | {_status_cell(e)} | {e['instances']} | "
            f"{_fmt(e['worst_gap'])} | {_fmt(e['tolerance'])} | {_res_cell(e)} | "
            f"{e['mutants_caught']}/{e['mutants_total']} | {e['seconds']:.1f} |"
        )
    errata = [e for e in claims if e["expected"] == "fails" and e["erratum"]]
    if errata:
        L += ["", "## Errata: where the notes are wrong", "",
              "Each row is a statement of the notes encoded as a claim expected to fail; the suite refutes it "
              "and confirms the corrected statement with the same check.", "",
              "| claim | the notes say | corrected statement | measured miss | verdict | correction confirmed |",
              "|---|---|---|---|---|---|"]
        for e in errata:
            miss = e["worst_details"].get("miss")
            miss_s = (_fmt(miss) if isinstance(miss, (int, float)) else str(miss)) if miss is not None else \
                f"gap {_fmt(e['worst_gap'])} vs tol {_fmt(e['tolerance'])}"
            ctrl = "yes" if e["mutants_total"] and e["mutants_caught"] == e["mutants_total"] else "**no**"
            L.append(f"| `{e['id']}` | {_cell(e['statement'])} | {_cell(e['erratum'])} | {_cell(miss_s)} | {e['verdict']} | {ctrl} |")
    from .sources import NOTES

    L += ["", "## The notes cited", "",
          "Sources cite lecture notes as *note 000* ... *note 004*:", ""]
    L += [f"- note {k}: {v}" for k, v in NOTES.items()]
    opens = [e for e in claims if e["expected"] == "open"]
    if opens:
        L += ["", "## Open statements: what was measured", "",
              "Conjectures and approximate statements are measured, never confirmed or refuted. Each is shown "
              "with its calibration: a known-true case that must measure within the claim's threshold and a "
              "known-false case that must measure beyond it on every instance, so the measurement is shown "
              "to discriminate.", "",
              "| claim | statement | instances | gap min | gap median | gap max | threshold | calibrations | worst instance |",
              "|---|---|---:|---:|---:|---:|---:|---|---|"]
        for e in opens:
            m = e.get("measured") or {}
            cal = "; ".join(f"{c['id']} ({'near' if c['must'] == 'confirmed' else 'far'}): {c['verdict']}"
                            f"{' ✓' if c['caught'] else ' ✗'}" for c in e["mutants"])
            L.append(f"| `{e['id']}` | {_cell(e['statement'])} | {m.get('n', 0)} | {_fmt(m.get('min'))} | "
                     f"{_fmt(m.get('median'))} | {_fmt(m.get('max'))} | {_fmt(e['tolerance'])} | {_cell(cal)} | "
                     f"{'`' + e['worst_instance'] + '`' if e.get('worst_instance') else '—'} |")
    pubs = status.get("published") or []
    if pubs:
        ok = sum(p["consistent"] for p in pubs)
        L += ["", "## Published configurations", "",
              f"The papers' own configurations, run through the claims they feed ({ok}/{len(pubs)} as the claim "
              "expects). *The paper reports* is what the paper gives (a number or a picture); *we measure* is the "
              "same quantity on our run. Where our setting differs from the paper's, the note says how.", "",
              "| configuration | paper | where | claim | the paper reports | we measure | outcome | s |",
              "|---|---|---|---|---|---|---|---:|"]
        for p in pubs:
            mark = "" if p["consistent"] else " ✗"
            note = f" ({p['note']})" if p.get("note") else ""
            L.append(f"| `{p['name']}` | {_cell(p['paper'])} | {_cell(p['where'])} | `{p['claim_id']}` | {_cell(p['reports'] + note)} | "
                     f"{_cell(p['ours'])} | {_cell(p['outcome'])}{mark} | {p['seconds']:.1f} |")
    if figure_names:
        L += ["", "## Figures", ""]
        for n in figure_names:
            L.append(f"![{n}](figures/{n}.png)")
            L.append("")
    L += ["", "## Details", ""]
    for e in claims:
        L += [f"### {e['id']}", "", f"**{e['title']}** — {e['kind']} claim, family `{e['family']}`.", "",
              f"- Statement: {e['statement']}", f"- Source: {e['source']}",
              f"- Verdict: {e['verdict']} ({'good standing' if e['in_good_standing'] else 'NOT in good standing'}) — {e['note']}",
              f"- Instances: {e['instances']} evaluated, {e['precondition_misses']} precondition misses, "
              f"{e['inconclusive_instances']} inconclusive",
              f"- Worst gap {_fmt(e['worst_gap'], 3)} vs tolerance {_fmt(e['tolerance'], 3)}: {e['tolerance_reason']}"]
        r = _res(e)
        if r is not None:
            lad = ", ".join(f"{x:.0e} {'refuted' if ok else 'survived'}" for x, ok in r["ladder"])
            L.append(f"- Resolution: declared {r['declared']:.0e}, measured "
                     f"{'none on the ladder' if r['measured'] is None else format(r['measured'], '.0e')} "
                     f"({r['quantity']}){'' if r['met'] else ' — NOT MET'}; ladder: {lad}. {r['why']}")
        if e.get("max_ratio") is not None:
            L.append(f"- Largest gap/tolerance seen by the targeted search: {e['max_ratio']:.2e}")
        if e.get("shrink_note"):
            L.append(f"- {e['shrink_note']}")
        for a in e.get("audit", []):
            L.append(f"- AUDIT: {a}")
        for a in e.get("missing_declarations", []):
            L.append(f"- Missing declaration: {a}")
        if e.get("worst_instance"):
            L.append(f"- Worst instance saved: `{e['worst_instance']}` — replay with `claims replay {e['id']}`")
        if e.get("inconclusive_instance"):
            L.append(f"- First inconclusive instance saved: `{e['inconclusive_instance']}` — replay with "
                     f"`claims replay {e['id']} --file {e['inconclusive_instance']}`")
        for c in e["certificates"]:
            res = ", ".join(f"{k} {_fmt(v)}" for k, v in c["residuals"].items())
            L.append(f"- Certificate `{c['name']}`: {res} (tolerance {_fmt(c['tolerance'])}, {'valid' if c['valid'] else 'INVALID'})")
        if e["counterexample"]:
            L.append(f"- Counterexample (shrunk): `{e['counterexample']}` — replay with `claims replay {e['id']}`")
        for m in e["mutants"]:
            want = "refute" if m["must"] == "refuted" else "confirm"
            kind = "Calibration" if m.get("calibration") else "Mutant"
            L.append(f"- {kind} `{m['id']}` (must {want}): {m['description']} → {m['verdict']} on {m['instances']} instance(s)"
                     f"{' ✓' if m['caught'] else ' ✗ NOT CAUGHT'} — {m['why']}")
        if e["figures"]:
            L.append("- Figures: " + ", ".join(f"[{Path(p).stem}]({p})" for p in e["figures"]))
        L.append("")
    return "\n".join(L) + "\n"


# ---- writing -----------------------------------------------------------------------------------

def write_report(claims: list[Claim], results: list[ClaimResult], out: Path, profile: str, published=()) -> dict:
    """Write the whole report to a temporary folder next to ``out``, then swap it in."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        status = build_status(claims, results, profile, published)
        for e, r in zip(status["claims"], results):
            if r.counterexample is not None:
                p = save_instance(r.counterexample.instance, tmp / "counterexamples" / f"{r.claim_id}.npz")
                e["counterexample"] = str(p.relative_to(tmp))
            if r.first_inconclusive is not None:
                p = save_instance(r.first_inconclusive.instance, tmp / "inconclusive" / f"{r.claim_id}.npz")
                e["inconclusive_instance"] = str(p.relative_to(tmp))
            if r.counterexample is None and r.expected == "open" and r.worst is not None:
                p = save_instance(r.worst.instance, tmp / "worst" / f"{r.claim_id}.npz")
                e["worst_instance"] = str(p.relative_to(tmp))
        names = draw_figures(results, tmp / "figures")
        (tmp / "status.json").write_text(json.dumps(status, indent=1) + "\n")
        (tmp / "status.md").write_text(render_markdown(status, names))
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return status
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# ---- compare -----------------------------------------------------------------------------------

class ReportError(ValueError):
    pass


def load_status(path: str | Path) -> dict:
    p = Path(path)
    if not p.exists():
        raise ReportError(f"{p}: no such file")
    try:
        data = json.loads(p.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ReportError(f"{p}: not valid JSON ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise ReportError(f"{p}: not a claim-status file (no 'claims' list)")
    for e in data["claims"]:
        if not isinstance(e, dict) or "id" not in e or "verdict" not in e:
            raise ReportError(f"{p}: a claim entry lacks 'id' or 'verdict'")
    return data


def compare(old: dict, new: dict, gap_factor: float = 2.0, slow_factor: float = 2.0) -> tuple[list[str], list[str]]:
    """Return (regressions, notes). Regressions: status changes, good standing lost (an audit
    problem, a missing declaration), mutants or calibrations no longer caught, a declared resolution
    no longer met or dropped, claims removed. Notes: claims added, worst gap
    grown by more than ``gap_factor`` (relative to its tolerance), a measured resolution 10x coarser,
    an open claim's median gap moved by more than ``gap_factor`` either way, checks slower by more
    than ``slow_factor`` (and > 1 s)."""
    o = {e["id"]: e for e in old["claims"]}
    n = {e["id"]: e for e in new["claims"]}
    reg, notes = [], []
    if old.get("profile") != new.get("profile"):
        notes.append(f"profiles differ: {old.get('profile')} vs {new.get('profile')} (instances differ)")
    for cid in o.keys() - n.keys():
        reg.append(f"removed: {cid} (was {o[cid]['verdict']})")
    for cid in sorted(n.keys() - o.keys()):
        notes.append(f"added: {cid} ({n[cid]['verdict']})")
    for cid in [c for c in n if c in o]:
        a, b = o[cid], n[cid]
        if a["verdict"] != b["verdict"]:
            reg.append(f"status changed: {cid}: {a['verdict']} -> {b['verdict']}")
        elif a.get("in_good_standing", True) and not b.get("in_good_standing", True):
            reg.append(f"good standing lost: {cid}: {b['verdict']} but {b.get('note', 'out of good standing')}")
        if b.get("mutants_caught", 0) < a.get("mutants_caught", 0):
            reg.append(f"mutants: {cid}: caught {a['mutants_caught']}/{a['mutants_total']} -> {b['mutants_caught']}/{b['mutants_total']}")
        ga, gb = a.get("worst_gap"), b.get("worst_gap")
        ta, tb = a.get("tolerance"), b.get("tolerance")
        if ga and gb and ta and tb and a["verdict"] == b["verdict"] == "confirmed":
            ra, rb = ga / ta, gb / tb
            if rb > gap_factor * ra:
                notes.append(f"gap grew: {cid}: worst gap/tolerance {ra:.2e} -> {rb:.2e} (gap {ga:.2e} -> {gb:.2e})")
        if b.get("expected") == "open":
            for m in b.get("mutants", []):
                if not m.get("caught"):
                    reg.append(f"calibration failed: {cid}: {m['id']} ({m['description']}) was {m['verdict']}, must be {m['must']}")
            ma, mb = (a.get("measured") or {}).get("median"), (b.get("measured") or {}).get("median")
            if ma and mb and (mb > gap_factor * ma or ma > gap_factor * mb):
                notes.append(f"median gap moved: {cid}: {ma:.2e} -> {mb:.2e}")
        rsa, rsb = a.get("resolution") or {}, b.get("resolution") or {}
        if rsa and not rsb and b.get("expected") != "open":
            reg.append(f"resolution: {cid}: declared {rsa.get('declared'):.0e} before, none now")
        elif rsb and not rsb.get("met") and rsa.get("met", True):
            reg.append(f"resolution: {cid}: declared {rsb.get('declared'):.0e} no longer met (measured {rsb.get('measured')})")
        elif rsa.get("measured") and rsb.get("measured") and rsb["measured"] >= 10 * rsa["measured"]:
            notes.append(f"resolution coarser: {cid}: {rsa['measured']:.0e} -> {rsb['measured']:.0e}")
        sa, sb = a.get("seconds"), b.get("seconds")
        if sa is not None and sb is not None and sb > slow_factor * sa and sb - sa > 1.0:
            notes.append(f"slower: {cid}: {sa:.1f} s -> {sb:.1f} s")
    po = {(p["name"], p["claim_id"]): p for p in old.get("published") or []}
    for p in new.get("published") or []:
        q = po.get((p["name"], p["claim_id"]))
        if q is not None and q.get("consistent") and not p.get("consistent"):
            reg.append(f"published {p['name']} on {p['claim_id']}: {q['outcome']} -> {p['outcome']} ({p['why']})")
        elif q is None:
            notes.append(f"published added: {p['name']} on {p['claim_id']} ({p['outcome']})")
    return reg, notes
