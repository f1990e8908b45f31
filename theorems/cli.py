"""The ``claims`` command.

    claims list
    claims show ID
    claims check ID [--instance FILE | --published NAME] [--profile P]
    claims published
    claims report [--only ID ...] [--out DIR] [--profile P] [--jobs N] [--dask ADDRESS|local:N]
    claims compare OLD.json NEW.json
    claims replay ID [--file FILE]

Exit codes: 0 all as expected; 1 a claim not in good standing (or a regression for ``compare``);
2 bad input (unknown id, malformed instance, unknown profile, unreadable report), with a
one-line message and no traceback; 130 interrupted (Ctrl-C: workers are stopped at once and any
previous report is kept).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .contract import InstanceError
from .profiles import PROFILES, UnknownProfile, current_profile
from .registry import UnknownClaim


class UsageError(Exception):
    pass


def _err(msg: str) -> int:
    print(f"claims: error: {msg}", file=sys.stderr)
    return 2


def _progress(msg: str) -> None:
    print(f"  … {msg}", file=sys.stderr, flush=True)


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        print(f"claims: warning: {w}", file=sys.stderr)


# ---- commands ----------------------------------------------------------------------------------

def cmd_list(args) -> int:
    from .registry import all_claims

    from .registry import ENTRY_POINT_ERRORS

    claims = all_claims()
    w = max(len(c.id) for c in claims)
    for c in claims:
        print(f"{c.id:<{w}}  {c.expected:<5}  {c.kind:<10}  {c.title}")
    print(f"\n{len(claims)} claims", file=sys.stderr)
    for e in ENTRY_POINT_ERRORS:
        print(f"claims: warning: {e}", file=sys.stderr)
    return 0


def cmd_published(args) -> int:
    from .published import all_published

    pubs = all_published()
    if not pubs:
        print("no published configurations registered")
        return 0
    w = max(len(p.name) for p in pubs)
    for p in pubs:
        only = "" if "quick" in p.profiles else "  [thorough profile only]"
        print(f"{p.name:<{w}}  {p.paper}, {p.where}{only}")
        print(f"{'':<{w}}    the paper reports: {p.reports}")
        print(f"{'':<{w}}    claims: {', '.join(p.claims)}")
        if p.note:
            print(f"{'':<{w}}    note: {p.note}")
    print(f"\n{len(pubs)} published configurations (run one: claims check CLAIM --published NAME)", file=sys.stderr)
    return 0


def cmd_show(args) -> int:
    from .registry import get

    c = get(args.id)
    print(f"{c.id}: {c.title}")
    print(f"  statement:  {c.statement}")
    print(f"  source:     {c.source}")
    from .sources import NOTES, notes_cited

    for n in notes_cited(c.source):
        print(f"              note {n}: {NOTES[n]}")
    print(f"  expected:   {c.expected}  (kind: {c.kind}, family: {c.family})")
    if c.erratum:
        print(f"  corrected:  {c.erratum}")
    print("  assumptions:")
    for a in c.assumptions:
        print(f"    - {a.description}")
    print("  instance fields (for --instance FILE, .npz or .json):")
    for f in c.fields:
        shape = "scalar" if f.ndim == 0 else f"{f.ndim}-d array"
        dflt = "" if f.required else f", default {f.default}"
        print(f"    - {f.name} ({shape}{', integer' if f.integer else ''}{dflt}): {f.description}")
    print({"holds": "  mutants (must be refuted):", "fails": "  controls (must be confirmed):",
           "open": "  calibrations:"}[c.expected])
    for m in c.mutants:
        tag = f" [{'near' if m.must.value == 'confirmed' else 'far'}]" if c.expected == "open" else ""
        print(f"    - {m.id}{tag}: {m.description}")
    if c.resolution is not None:
        print(f"  resolution: {c.resolution.declared:.0e} ({c.resolution.quantity})")
    print(f"  examples per profile: {dict(c.examples)}")
    from .published import all_published

    pubs = [p.name for p in all_published() if c.id in p.claims]
    if pubs:
        print(f"  published configurations: {', '.join(pubs)}")
    return 0


def _print_evidence(ev, indent="  ", measured: bool = False) -> None:
    """``measured``: an open claim's instance is measured against its threshold, never judged."""
    if measured and ev.outcome in ("pass", "fail"):
        side = "within" if ev.outcome == "pass" else "beyond"
        print(f"{indent}measured: gap {ev.gap:.3e}, {side} the threshold {ev.tolerance:.3e} (not a verdict) — {ev.why()}")
    else:
        print(f"{indent}outcome: {ev.outcome} — {ev.why()}")
    for c in ev.certificates:
        res = ", ".join(f"{k}={v:.2e}" for k, v in c.residuals.items())
        print(f"{indent}certificate {c.name}: {res} (tol {c.tolerance:.1e}, {'valid' if c.valid else 'INVALID'})")
    if ev.timings:
        print(f"{indent}timings: " + ", ".join(f"{k} {v:.3f}s" for k, v in ev.timings.items()))
    if ev.details:
        short = {k: v for k, v in ev.details.items() if isinstance(v, (int, float, str, bool))}
        if short:
            print(f"{indent}details: " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in short.items()))


def _single(claim, inst, what: str = "the given instance") -> int:
    from .engine import safe_evaluate

    ev = safe_evaluate(claim, inst, None, certify=claim.expected != "fails")
    print(f"{claim.id} on {what} (expected: statement {claim.expected}):")
    _print_evidence(ev, measured=claim.expected == "open")
    if claim.expected == "open":
        return 0 if ev.outcome in ("pass", "fail") else 1
    consistent = (ev.outcome == "pass") if claim.expected == "holds" else (ev.outcome == "fail")
    return 0 if consistent else 1


def cmd_check(args) -> int:
    from .engine import run_claim
    from .instances import load_instance
    from .registry import get

    claim = get(args.id)
    if args.instance and args.published:
        raise UsageError("give --instance FILE or --published NAME, not both")
    if args.instance:
        warnings: list[str] = []
        inst = load_instance(claim, args.instance, warnings)
        _warn(warnings)
        return _single(claim, inst)
    if args.published:
        from .runner import run_published
        from .published import get_published

        pub = get_published(args.published)
        if claim.id not in pub.claims:
            raise UsageError(f"published configuration {pub.name} does not feed {claim.id} "
                             f"(it feeds {', '.join(pub.claims)})")
        r = run_published(pub.name, claim.id)
        _warn(r.warnings)
        print(f"{claim.id} on published configuration {pub.name} ({pub.paper}, {pub.where}):")
        print(f"  the paper reports: {pub.reports}")
        print(f"  we measure:        {r.ours}")
        print(f"  outcome: {r.outcome} — {r.why}")
        if pub.note:
            print(f"  note: {pub.note}")
        return 0 if r.consistent else (2 if r.outcome == "precondition" else 1)
    profile = current_profile(args.profile)
    res = run_claim(claim, profile, progress=_progress)
    _summary_line(res)
    for m in res.mutants:
        kind = "calibration" if m.calibration else "mutant"
        print(f"  {kind} {m.id}: {m.verdict} ({'caught' if m.caught else 'NOT caught'}) — {m.why}")
    r = res.resolution
    if r is not None:
        got = "none on the ladder" if r.measured is None else f"{r.measured:.0e}"
        print(f"  resolution: declared {r.declared:.0e}, measured {got} ({r.quantity})"
              f"{'' if r.met else ' — NOT MET: ' + r.why}")
    if res.max_ratio is not None:
        print(f"  largest gap/tolerance seen by the targeted search: {res.max_ratio:.2e}")
    if res.shrink_note:
        print(f"  {res.shrink_note}")
    for a in res.audit:
        print(f"  AUDIT: {a}")
    if res.worst_path:
        print(f"  worst instance saved: {res.worst_path} (claims replay {claim.id})")
    if res.inconclusive_path:
        print(f"  first inconclusive instance saved: {res.inconclusive_path} "
              f"(claims replay {claim.id} --file {res.inconclusive_path})")
    if res.counterexample_path:
        print(f"  counterexample saved: {res.counterexample_path} (claims replay {claim.id})")
    return 0 if res.in_good_standing and res.mutants_caught == len(res.mutants) else 1


def cmd_replay(args) -> int:
    from .engine import counterexample_dir
    from .instances import coerce_instance, read_instance_file
    from .registry import get

    claim = get(args.id)
    path = Path(args.file) if args.file else counterexample_dir() / f"{claim.id}.npz"
    if not path.exists():
        what = "worst instance" if claim.expected == "open" else "counterexample"
        raise UsageError(f"no saved {what} for {claim.id} at {path} (run `claims check {claim.id}` or pass --file)")
    inst = coerce_instance(claim, read_instance_file(path), origin=str(path))
    print(f"replaying {path}")
    return _single(claim, inst)


def _summary_line(res) -> None:
    mark = "ok " if res.in_good_standing and res.mutants_caught == len(res.mutants) else "!! "
    print(f"{mark}{res.claim_id}: {res.verdict.value} (expected {res.expected}) · "
          f"{len(res.evaluated)} instances · mutants {res.mutants_caught}/{len(res.mutants)} · "
          f"{res.seconds:.1f}s — {res.note}", flush=True)


def cmd_report(args) -> int:
    from .registry import all_claims, get
    from .report import write_report
    from .runner import published_tasks, run_claims

    profile = current_profile(args.profile)
    claims = [get(i) for i in args.only] if args.only else all_claims()
    out = Path(args.out)
    jobs = max(1, int(args.jobs or os.cpu_count() or 1))
    pubs = published_tasks(profile, {c.id for c in claims})
    where = f"Dask {args.dask}" if args.dask else f"{jobs} worker(s)"
    print(f"running {len(claims)} claims and {len(pubs)} published configuration runs, profile {profile}, "
          f"{where} -> {out}/", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    done = [0]

    def tick(res):
        done[0] += 1
        _tick(done[0], len(claims), res, t0)

    results, pub_results = run_claims([c.id for c in claims], profile, jobs, args.dask, pubs, tick)
    ordered = [results[c.id] for c in claims]
    status = write_report(claims, ordered, out, profile, pub_results)
    bad = [e for e in status["claims"] if not e["in_good_standing"] or e["mutants_caught"] < e["mutants_total"]]
    bad_pub = [p for p in status.get("published", []) if not p["consistent"]]
    print(f"wrote {out}/status.md, status.json, figures/ in {time.perf_counter() - t0:.1f}s; "
          f"{len(claims) - len(bad)}/{len(claims)} claims in good standing with all mutants caught; "
          f"{len(pub_results) - len(bad_pub)}/{len(pub_results)} published configuration runs as expected", file=sys.stderr)
    for e in bad:
        print(f"  not in good standing: {e['id']}: {e['verdict']} (expected {e['expected']}), mutants {e['mutants_caught']}/{e['mutants_total']}", file=sys.stderr)
    for p in bad_pub:
        print(f"  published {p['name']} on {p['claim_id']}: {p['outcome']} — {p['why']}", file=sys.stderr)
    return 0 if not bad and not bad_pub else 1


def _tick(k, n, res, t0) -> None:
    ok = res.in_good_standing and res.mutants_caught == len(res.mutants)
    print(f"[{k:>{len(str(n))}}/{n}] {'ok' if ok else '!!'} {res.claim_id}: {res.verdict.value} "
          f"(mutants {res.mutants_caught}/{len(res.mutants)}, {res.seconds:.1f}s; elapsed {time.perf_counter() - t0:.0f}s)",
          file=sys.stderr, flush=True)


def cmd_compare(args) -> int:
    from .report import compare, load_status

    old, new = load_status(args.old), load_status(args.new)
    reg, notes = compare(old, new)
    for r in reg:
        print(f"REGRESSION  {r}")
    for n in notes:
        print(f"note        {n}")
    if not reg and not notes:
        print(f"no change: {len(new['claims'])} claims, same verdicts, no gap grew, nothing slower")
    elif not reg:
        print("no status change")
    return 1 if reg else 0


# ---- entry point -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="claims", description="Check implicit-bias theorems on random instances.")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list registered claims")
    s = sub.add_parser("show", help="statement, source, assumptions and instance fields of a claim")
    s.add_argument("id")
    s = sub.add_parser("check", help="run one claim (Hypothesis search + mutants), or one instance file")
    s.add_argument("id")
    s.add_argument("--instance", help=".npz or .json file whose names are the claim's instance fields")
    s.add_argument("--published", metavar="NAME", help="a published configuration (see `claims published`)")
    s.add_argument("--profile", choices=PROFILES, default=None)
    sub.add_parser("published", help="list the published configurations shipped with the package")
    s = sub.add_parser("report", help="run claims and write status.md, status.json, figures/")
    s.add_argument("--only", nargs="+", metavar="ID")
    s.add_argument("--out", default="reports/latest")
    s.add_argument("--profile", choices=PROFILES, default=None)
    s.add_argument("--jobs", type=int, default=None, help="parallel worker processes (default: CPU count)")
    s.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run on a Dask cluster: a scheduler address (tcp://host:8786) or local:N (a LocalCluster "
                        "of N worker processes); the thorough search of each claim is split into seeded chunks")
    s = sub.add_parser("compare", help="compare two status.json files (exit 1 on a status change)")
    s.add_argument("old")
    s.add_argument("new")
    s = sub.add_parser("replay", help="re-run a claim's check on its saved (shrunk) counterexample")
    s.add_argument("id")
    s.add_argument("--file", help="instance file to replay (default: .claims/counterexamples/ID.npz)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse already printed a one-line usage error
        return 2 if e.code else 0
    from .report import ReportError

    from .published import UnknownPublished

    handlers = {"list": cmd_list, "show": cmd_show, "check": cmd_check, "report": cmd_report,
                "compare": cmd_compare, "replay": cmd_replay, "published": cmd_published}
    try:
        return handlers[args.cmd](args)
    except (UnknownClaim, UnknownPublished, InstanceError, UnknownProfile, ReportError, UsageError) as e:
        return _err(str(e))
    except KeyboardInterrupt:
        print("claims: interrupted; previous report kept", file=sys.stderr, flush=True)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
