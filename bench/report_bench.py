"""Render time and file size of the reports: the demo evaluation report (评价报告 of the demo
round, ``tests/data/demo-evaluation-data.json``), and the survey report (满意度调查报告) for the
demo summary (622 valid questionnaires) and for the same summary scaled to about 20,000 responses.

The report is built from counts, so its size must not grow with the number of responses: the
scaled run checks that (pages and bytes within a few percent of the demo's).

    .venv/bin/python bench/report_bench.py [--repeat 3] [--out DIR] [--stages]

``demo-evaluation-data.json`` is the report data document (surveyapp.reporting.data) of the demo's
issued round 1 as ``surveyapp demo`` seeds it, with the demo circle's merchant summary and walk
coverage added so that every chapter is rendered.

Prints wall-clock and CPU time (the CPU figure is the fairer one on a shared machine), the load
average, and with --stages where the time of the evaluation report goes: CPU (and wall) seconds
of each stage (context and charts, Jinja, HTML parsing, CSS styles, boxes, layout, drawing and
writing the PDF), median over --repeat renders.
Asserts nothing about time (DESIGN.md: timing is never a test).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
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
    """Page count from poppler's pdfinfo (the PDF's object streams are compressed, so its page
    objects cannot be counted in the bytes); -1 without pdfinfo."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        try:
            info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return -1
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else -1


def load_evaluation_data() -> dict:
    with open(EVALUATION_DATA, encoding="utf-8") as f:
        return json.load(f)


def render_evaluation(data: dict) -> bytes:
    """The demo round's 评价报告, rendered as the app renders it (surveyapp.reporting.operations.render)."""
    from surveyapp.reporting.operations import render

    return render("evaluation_report", data, report_number="PJ-2026-0001", issued_on=date(2026, 12, 28),
                  assessor="某某评价咨询有限公司", data_fingerprint="0" * 64)


def run_evaluation(repeat: int) -> tuple[list[float], list[float], bytes]:
    data = load_evaluation_data()
    walls, cpus, pdf = [], [], b""
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        pdf = render_evaluation(data)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, pdf


#: The stages of one report, in order: (key, label).
STAGES = (("context", "context+charts"), ("jinja", "Jinja"), ("parse", "HTML parse"), ("style", "CSS styles"),
          ("boxes", "boxes"), ("layout", "layout"), ("write", "draw+write PDF"))


class StageClock:
    """CPU and wall seconds per stage of the reports' own path (reports.rendering.render_pdf),
    measured in the same renders as the totals, by wrapping the functions each stage calls."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}

    def add(self, key: str, cpu: float, wall: float) -> None:
        self.cpu[key] = self.cpu.get(key, 0.0) + cpu
        self.wall[key] = self.wall.get(key, 0.0) + wall

    def timed(self, key: str, function):
        def wrapper(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(key, time.process_time() - cpu, time.perf_counter() - wall)
        return wrapper


def stages(repeat: int) -> None:
    """Where the time of the evaluation report goes, per stage, median of ``repeat`` renders."""
    import weasyprint
    import weasyprint.document as document_module

    import reports.rendering as rendering

    clock = StageClock()
    originals = (rendering.render_html, rendering.HTML, document_module.get_all_computed_styles,
                 document_module.build_formatting_structure, document_module.Document.write_pdf)

    class TimedHTML(weasyprint.HTML):
        def __init__(self, *args, **kwargs):
            clock.timed("parse", super().__init__)(*args, **kwargs)

        def render(self, *args, **kwargs):
            return clock.timed("render", super().render)(*args, **kwargs)

    rendering.render_html = clock.timed("jinja", originals[0])
    rendering.HTML = TimedHTML
    document_module.get_all_computed_styles = clock.timed("style", originals[2])
    document_module.build_formatting_structure = clock.timed("boxes", originals[3])
    document_module.Document.write_pdf = clock.timed("write", originals[4])
    data = load_evaluation_data()
    runs = []
    try:
        for _ in range(repeat):
            clock.cpu.clear()
            clock.wall.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            render_evaluation(data)
            clock.add("total", time.process_time() - cpu, time.perf_counter() - wall)
            for measure in (clock.cpu, clock.wall):
                # render() holds styles, boxes and layout; everything before Jinja is context and charts.
                measure["layout"] = measure["render"] - measure["style"] - measure["boxes"]
                measure["context"] = measure["total"] - sum(measure[k] for k in ("jinja", "parse", "render", "write"))
            runs.append((dict(clock.cpu), dict(clock.wall)))
    finally:
        rendering.render_html, rendering.HTML = originals[0], originals[1]
        document_module.get_all_computed_styles, document_module.build_formatting_structure = originals[2:4]
        document_module.Document.write_pdf = originals[4]
    print(f"stages of the evaluation report, median of {repeat} renders, CPU s (wall s):")
    for key, label in STAGES + (("total", "whole"),):
        cpu = statistics.median(r[0][key] for r in runs)
        wall = statistics.median(r[1][key] for r in runs)
        print(f"  {label:<16} {cpu:5.2f} ({wall:5.2f})")


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
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    if args.stages:
        stages(args.repeat)

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
