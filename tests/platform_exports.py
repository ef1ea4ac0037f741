"""Hand-built 问卷星 / 腾讯问卷 exports (no copied files), written the way their download pages
describe them: the platforms' own leading columns, one column per question headed "N、text"
(问卷星) or "N.text" (腾讯问卷), a multiple choice as one 0/1 column per option "N(option)",
cells as option numbers (按选项序号) or option text (按选项文本), skipped questions "(跳过)".
"""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from surveyapp.questionnaire.answers import visible_questions

LEADING = {
    "wjx": ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"],
    "tencent": ["编号", "开始答题时间", "结束答题时间", "答题时长", "来源渠道", "IP", "地理位置"],
}


def _leading(platform: str, number: int, seconds: int) -> list:
    minute, second = divmod(seconds, 60)
    if platform == "wjx":
        return [str(number), f"2026/11/{1 + number % 28} 10:{minute % 60:02d}:{second:02d}", f"{seconds}秒", "手机提交",
                "https://example.invalid/s/abc?from=qrcode", f"10.0.{number % 250}.{number % 200}(北京-北京)"]
    return [str(number), f"2026-11-{1 + number % 28:02d} 09:00:00", f"2026-11-{1 + number % 28:02d} 09:{minute:02d}:{second:02d}",
            f"{minute}分{second}秒", "微信", f"10.1.{number % 250}.9", "北京市"]


def build_export(questionnaire, communities, rows, platform="wjx", by="number", multi_in_one_column=False,
                 overrides=None):
    """(header, data rows). ``rows``: (answers, seconds). ``overrides``: {(row index, question): cell}
    for the hand-made oddities (an "其他〖…〗", a text that matches no option)."""
    overrides = overrides or {}
    sep = "、" if platform == "wjx" else "."
    header = list(LEADING[platform])
    questions = [q for q in questionnaire.questions if not q.is_note]
    for number, q in enumerate(questions, start=1):
        if q.is_multi and not multi_in_one_column:
            header.extend(f"{number}({c.label})" for c in q.choices_for(communities))
        else:
            header.append(f"{number}{sep}{q.label}")
    out = []
    for index, (answers, seconds) in enumerate(rows):
        shown = {q.name for q in visible_questions(questionnaire, answers)}
        cells = _leading(platform, index + 1, seconds)
        for q in questions:
            choices = q.choices_for(communities)
            value = answers.get(q.name)
            if (index, q.name) in overrides:
                cell = overrides[(index, q.name)]
                cells.extend(cell if isinstance(cell, list) else [cell])
                continue
            if q.is_multi and not multi_in_one_column:
                if q.name not in shown:
                    cells.extend(["(跳过)"] * len(choices))
                else:
                    cells.extend(["1" if c.name in (value or []) else "0" for c in choices])
                continue
            if q.name not in shown:
                cells.append("(跳过)")
            elif value in (None, "", []):
                cells.append("(空)" if platform == "wjx" else "")
            elif q.is_multi:
                cells.append("┋".join(c.label if by == "text" else str(i) for i, c in enumerate(choices, 1)
                                      if c.name in value))
            elif q.is_select:
                position = [c.name for c in choices].index(value) + 1
                cells.append(choices[position - 1].label if by == "text" else str(position))
            else:
                cells.append(str(value))
        out.append(cells)
    return header, out


def write(path: Path, header, rows) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    else:
        # The platforms' XLSX holds numbers (option numbers, 0/1, minutes) as number cells.
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        for row in rows:
            sheet.append([int(cell) if isinstance(cell, str) and cell.isdigit() and len(cell) < 10 else cell
                          for cell in row])
        workbook.save(path)
    return path
