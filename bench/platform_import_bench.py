"""Time of a 问卷星 export of 2,000 rows (XLSX, 按选项序号, multiple choices as 0/1 columns)
imported into a fresh SQLite campaign the way the browser does it: the upload is read once and
its cells kept (platforms/uploads.py), the mapping is proposed from them, and the import
checks and stores them (the file is not read again).

    PYTHONPATH=. .venv/bin/python bench/platform_import_bench.py [ROWS]

Prints the wall and CPU seconds of each step and in total (the bar: under 5 s for 2,000
rows) and the load average (a shared machine inflates wall time; CPU time much less). The
file is written by openpyxl, which stores every text as an inline string: slower to read than
the shared strings Excel and the platforms write, so the figure errs on the slow side.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(rows: int = 2000, suffix: str = ".xlsx") -> None:
    from sqlmodel import Session

    from surveyapp import create_app
    from surveyapp.db import get_engine
    from surveyapp.demo.synthetic import generate
    from surveyapp.migrations import upgrade_database
    from surveyapp.platforms import uploads
    from surveyapp.platforms.importer import import_export
    from surveyapp.platforms.layout import propose
    from surveyapp.questionnaire import load_questionnaire
    from tests.helpers import make_campaign, make_circle
    from tests.platform_exports import build_export, write

    communities = [("东社区", 12000), ("西社区", 8000)]
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "resident.yaml")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite", "INSTANCE_PATH": folder,
                          "SECRET_KEY": "bench" * 8, "TESTING": True})
        with app.app_context():
            engine = get_engine()
            upgrade_database(engine)
            answers = [(item.answers, 150 + i % 200) for i, item in
                       enumerate(generate(questionnaire, communities, rows, seed=3))]
            header, cells = build_export(questionnaire, ["东社区", "西社区", "不住在以上社区"], answers)
            path = write(Path(folder) / f"wjx{suffix}", header, cells)
            size = path.stat().st_size
            with Session(engine, expire_on_commit=False) as db:
                campaign = make_campaign(db, make_circle(db, communities=communities),
                                         ROOT / "questionnaires" / "resident.yaml")
                content = path.read_bytes()
                start, cpu_start = time.perf_counter(), time.process_time()
                token = uploads.store(folder, campaign.id, path.name, suffix, content)
                read, cpu_read = time.perf_counter(), time.process_time()
                sheet = uploads.find(folder, campaign.id, token).sheet
                mapping = propose(questionnaire, sheet.header, [c for _, c in sheet.rows],
                                  ["东社区", "西社区", "不住在以上社区"])
                proposed, cpu_proposed = time.perf_counter(), time.process_time()
                sheet = uploads.find(folder, campaign.id, token).sheet
                result = import_export(db, campaign, questionnaire, sheet, mapping, file_name=path.name)
                done, cpu_done = time.perf_counter(), time.process_time()
    print(f"{suffix}: rows {rows}, columns {len(header)}, file {size:,} bytes; load average {os.getloadavg()[0]:.1f}")
    print(f"upload: read once, cells kept      {read - start:6.2f} s wall, {cpu_read - cpu_start:.2f} s CPU")
    print(f"mapping page: load, propose        {proposed - read:6.2f} s wall, {cpu_proposed - cpu_read:.2f} s CPU")
    print(f"import: load, check, store         {done - proposed:6.2f} s wall, {cpu_done - cpu_proposed:.2f} s CPU; "
          f"imported {result.imported}")
    print(f"total                              {done - start:6.2f} s wall, {cpu_done - cpu_start:.2f} s CPU of this process")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    main(count, ".xlsx")
    main(count, ".csv")
