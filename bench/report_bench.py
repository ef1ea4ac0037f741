"""Render time and file size of the reports: the demo evaluation report (评价报告 of the demo
round, ``tests/data/demo-evaluation-data.json``), and the survey report (满意度调查报告) for the
demo summary (622 valid questionnaires) and for the same summary scaled to about 20,000 responses.

The report is built from counts, so its size must not grow with the number of responses: the
scaled run checks that (pages and bytes within a few percent of the demo's).

    .venv/bin/python bench/report_bench.py [--repeat 3] [--out DIR] [--stages]

``demo-evaluation-data.json`` is the report data document (surveyapp.reporting.data) of the demo's
issued round 1 as ``surveyapp demo`` seeds it, with the demo circle's merchant summary and walk
coverage added so that every chapter is rendered.

Prints wall-clock and CPU time (the CPU figure is the fairer one on a shared machine) and, with
--stages, where the time of the evaluation report goes (Jinja, WeasyPrint layout, PDF writing).
Asserts nothing about time (DESIGN.md: timing is never a test).
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports import campaign_report  # noqa: E402

SUMMARY = ROOT / "tests" / "data" / "demo-summary.json"
EVALUATION_DATA = ROOT / "tests" / "data" / "demo-evaluation-data.json"
#: Keys whose values are numbers of people (or questionnaires): scaled with the sample.
COUNT_KEYS = {"population", "required", "valid", "shortfall", "answered", "satisfied", "dont_know", "respondents",
              "observed", "expected", "count", "within_15_minutes", "n", "events", "dropped", "rows",
              "effective_size", "flagged_straightlining"}
#: Mappings whose values are all counts.
COUNT_MAPS = {"excluded", "counts", "channels"}


def scale_counts(node, factor: float, key: str | None = None):
    """A copy of ``node`` with every count multiplied by ``factor`` (rates and intervals unchanged)."""
    if isinstance(node, dict):
        if key in COUNT_MAPS:
            return {k: round(v * factor) if isinstance(v, (int, float)) else v for k, v in node.items()}
        return {k: scale_counts(v, factor, k) for k, v in node.items()}
    if isinstance(node, list):
        return [scale_counts(v, factor, key) for v in node]
    if key in COUNT_KEYS and isinstance(node, (int, float)) and not isinstance(node, bool):
        return round(node * factor) if isinstance(node, int) else node * factor
    return node


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf)) or -1


def run_evaluation(repeat: int) -> tuple[list[float], list[float], bytes]:
    """The demo round's 评价报告, rendered as the app renders it (surveyapp.reporting.operations.render)."""
    from surveyapp.reporting.operations import render

    with open(EVALUATION_DATA, encoding="utf-8") as f:
        data = json.load(f)
    walls, cpus, pdf = [], [], b""
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        pdf = render("evaluation_report", data, report_number="PJ-2026-0001", issued_on=date(2026, 12, 28),
                     assessor="某某评价咨询有限公司", data_fingerprint="0" * 64)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, pdf


def stages() -> None:
    """CPU seconds per stage of one evaluation report: context and Jinja, WeasyPrint parsing,
    styling and layout, then drawing and writing the PDF."""
    import reports.rendering as rendering
    from weasyprint import HTML

    from surveyapp.reporting.operations import render

    captured = {}
    original = rendering.render_html

    def capture(template, context):
        start = time.process_time()
        captured["html"] = original(template, context)
        captured["jinja"] = time.process_time() - start
        return captured["html"]

    with open(EVALUATION_DATA, encoding="utf-8") as f:
        data = json.load(f)
    rendering.render_html = capture
    try:
        start = time.process_time()
        render("evaluation_report", data, report_number="PJ-2026-0001", issued_on=date(2026, 12, 28),
               assessor="某某评价咨询有限公司", data_fingerprint="0" * 64)
        total = time.process_time() - start
    finally:
        rendering.render_html = original
    start = time.process_time()
    document = HTML(string=captured["html"], base_url=rendering.STATIC_DIR.as_uri() + "/",
                    url_fetcher=rendering.ReportURLFetcher()).render()
    layout = time.process_time() - start
    start = time.process_time()
    document.write_pdf()
    write = time.process_time() - start
    print(f"stages (CPU s): whole {total:.2f} = context+charts+Jinja {total - layout - write:.2f} "
          f"(Jinja alone {captured['jinja']:.2f}) + parse/style/layout {layout:.2f} + draw/write PDF {write:.2f}; "
          f"{len(document.pages)} pages, {len(captured['html']) // 1024} KiB of HTML")


def run(summary: dict, repeat: int) -> tuple[list[float], bytes]:
    options = dict(circle={"name": summary["campaign"].get("circle_name", "示例生活圈"),
                           "population": summary["sample"]["population"]},
                   assessor="某某评价咨询有限公司", report_number="PJ-2026-0001", issued_on=date(2026, 12, 28),
                   fingerprint="0" * 64, questionnaire_title="一刻钟便民生活圈居民满意度调查")
    times, pdf = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        pdf = campaign_report(summary, **options)
        times.append(time.perf_counter() - start)
    return times, pdf


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--factor", type=float, default=32.2,
                        help="scale factor of the large run (622 × 32.2 ≈ 20,000)")
    parser.add_argument("--out", type=Path, help="write the PDFs here")
    parser.add_argument("--stages", action="store_true", help="where the evaluation report's time goes")
    args = parser.parse_args()

    walls, cpus, pdf = run_evaluation(args.repeat)
    print(f"evaluation report (demo round): wall median {statistics.median(walls):.2f} s, "
          f"CPU median {statistics.median(cpus):.2f} s (n={len(walls)})  {pages(pdf)} pages, "
          f"size {len(pdf) / 1024:.0f} KiB; target median < 3 s -> "
          f"{'ok' if statistics.median(walls) < 3 else 'MISSED (wall)'} / "
          f"{'ok' if statistics.median(cpus) < 3 else 'MISSED (CPU)'}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "report-evaluation.pdf").write_bytes(pdf)
    if args.stages:
        stages()

    with open(SUMMARY, encoding="utf-8") as f:
        demo = json.load(f)
    large = scale_counts(copy.deepcopy(demo), args.factor)
    results = {}
    for name, summary in (("demo", demo), ("scaled", large)):
        times, pdf = run(summary, args.repeat)
        results[name] = (times, pdf)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"report-{name}.pdf").write_bytes(pdf)
        print(f"{name:>7}: valid={summary['sample']['valid']:>6}  render min {min(times):.2f} s, "
              f"median {statistics.median(times):.2f} s (n={len(times)})  size {len(pdf) / 1024:.0f} KiB")
    demo_size, large_size = len(results["demo"][1]), len(results["scaled"][1])
    growth = large_size / demo_size - 1
    print(f"size growth 600 → 20,000 responses: {growth:+.1%}")
    print(f"targets for 600: < 5 s -> {'ok' if min(results['demo'][0]) < 5 else 'MISSED'}; "
          f"< 2 MB -> {'ok' if demo_size < 2 * 1024 * 1024 else 'MISSED'}; "
          f"size independent of responses -> {'ok' if abs(growth) < 0.05 else 'CHECK'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
