"""Time and peak memory of the paper import's reading step on the hardening review's files,
each generated here at its real size and read in a fresh process:

- a 52 MB CSV of 380,000 rows;
- an XLSX "zip bomb" of a few MB whose sheet unpacks to about 1.09 GB;
- a 5.7 KB XLSX with one cell at XFD1048576 (the last row and column);
- a CSV with one 50 MB cell (refused by the byte cap; and, with the cap raised to 60 MB, by
  the cell cap with its row and column);
- the largest file accepted under the default caps: 50,000 rows.

    PYTHONPATH=. .venv/bin/python bench/import_caps_bench.py

Prints the first problem (or the rows read), seconds and peak resident memory of the process.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "import-caps"
HEADER = ["serial", "community", "age_band", "years_lived", "business_overall", "service_overall", "suggestion"]
ROW = ["P{}", "东社区", "a60_69", "y10_plus", "4", "5", "多开一家早餐店"]
#: A suggestion long enough that 380,000 rows weigh the review's 52 MB.
LONG_ROW = ROW[:-1] + ["希望附近多开一家早餐店和一家修鞋铺，菜市场早上营业时间再早一些，方便老人买菜"]


def write_csv(path: Path, rows: int, last_cell: str | None = None, row=ROW) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            writer.writerow([row[0].format(index), *row[1:]])
        if last_cell is not None:
            writer.writerow(["P-last", *ROW[1:-1], last_cell])
    return path


def write_xlsx(path: Path, extra=()) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([ROW[0].format(1), *ROW[1:]])
    for coordinate, value in extra:
        sheet[coordinate] = value
    workbook.save(path)
    return path


def write_zip_bomb(path: Path, unpacked: int = 1_090_000_000) -> Path:
    """A valid XLSX whose sheet XML is ``unpacked`` bytes of repeated rows."""
    template = write_xlsx(OUT / "template.xlsx")
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
        head, tail = sheet.split("<sheetData>")[0] + "<sheetData>", "</sheetData>" + sheet.split("</sheetData>")[1]
        head = head.replace('<dimension ref="A1:G2"/>', "").replace('<dimension ref="A1:G2" />', "")
        cell = '<c t="inlineStr"><is><t>' + "多开一家早餐店" * 4 + "</t></is></c>"
        row = "<row>" + cell * 7 + "</row>"
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(head.encode())
            chunk = (row * 1000).encode()
            written = 0
            while written < unpacked:
                out.write(chunk)
                written += len(chunk)
            out.write(tail.encode())
    return path


def measure(path: Path, **limits) -> dict:
    """Read ``path`` in a fresh process; its time, peak memory and outcome."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from surveyapp.responses.importer import ImportFailed, Limits, read_sheet
start = time.perf_counter()
try:
    sheet = read_sheet({str(path)!r}, Limits(**{limits!r}))
    outcome = f"accepted: {{len(sheet.rows)}} rows"
except ImportFailed as failed:
    outcome = str(failed.problems[0])
seconds = time.perf_counter() - start
# VmHWM: this process's own peak (ru_maxrss would include the parent's from before exec).
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"seconds": seconds, "outcome": outcome, "peak_mb": peak / 1024}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    baseline = measure(write_csv(OUT / "one.csv", 1))
    print(f"baseline (interpreter + libraries, a 1-row CSV): {baseline['peak_mb']:.0f} MB peak")
    cases = [
        ("52 MB CSV, 380,000 rows", lambda: write_csv(OUT / "big.csv", 380_000, row=LONG_ROW), {}),
        ("zip bomb XLSX (sheet unpacks to 1.09 GB)", lambda: write_zip_bomb(OUT / "bomb.xlsx"), {}),
        ("XLSX with one cell at XFD1048576", lambda: write_xlsx(OUT / "far.xlsx", [("XFD1048576", "x")]), {}),
        ("CSV with one 50 MB cell", lambda: write_csv(OUT / "cell.csv", 1, "长" * 17_000_000), {}),
        ("  same, byte cap raised to 60 MB", lambda: OUT / "cell.csv", {"max_bytes": 60_000_000}),
        ("largest accepted: 50,000 rows CSV", lambda: write_csv(OUT / "cap.csv", 50_000), {}),
        ("largest accepted: 50,000 rows XLSX", lambda: _xlsx_rows(OUT / "cap.xlsx", 50_000), {}),
    ]
    for label, make, limits in cases:
        path = make()
        size = path.stat().st_size
        figures = measure(path, **limits)
        print(f"{label:42s} {size / 1e6:8.3f} MB file  {figures['seconds']:6.2f} s  "
              f"{figures['peak_mb']:5.0f} MB peak  → {figures['outcome'][:110]}")


def _xlsx_rows(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for index in range(rows):
        sheet.append([ROW[0].format(index), *ROW[1:]])
    workbook.save(path)
    return path


if __name__ == "__main__":
    main()
