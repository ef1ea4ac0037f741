"""A city's list of circles in one spreadsheet: the template, and checking a filled one.

An assessor hired by a city receives the bureau's list of 20–60 circles and types (or pastes)
it into the template. The file is checked as a whole: every problem is reported with the row
number and column letter the assessor sees in Excel, and a file with any problem stores
nothing, so fixing it and importing again never duplicates the rows that were fine.

Reading (caps on bytes, rows and cell length; formulas refused; CSV encodings) is the paper
questionnaires' reader, :func:`surveyapp.responses.importer.read_sheet`: one reader, one set
of caps. The communities of a circle sit in one cell, ``幸福社区=8000；和平社区=6000``, the
form ``surveyapp circle create --community`` already takes, so a circle stays one row.

Pure: no Flask, no database. The age bands come from the resident questionnaire (the caller
passes them), so the template's columns follow the file.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..models import CircleCreate, CommunityCreate
from ..responses.importer import ImportFailed, Limits, Problem, column_letters, read_sheet

#: Largest age-structure total (in percent) accepted as 100 (rounded census tables).
AGE_TOTAL_TOLERANCE = 1.0
TIER_WORDS = {"1": 1, "2": 2, "3": 3, "一线": 1, "一线城市": 1, "二线": 2, "二线城市": 2, "其他": 3, "其他城市": 3,
              "三线及以下": 3}
COMMUNITY_SEPARATORS = re.compile(r"[；;\n，,、]+")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    explanation: str
    example: str


def columns(age_bands: list[tuple[str, str]]) -> list[Column]:
    """The template's columns, in order; ``age_bands``: (code, label) of the questionnaire's age question."""
    fixed = [
        Column("name", "生活圈名称", True, "生活圈的名称，最多 100 个字；同一文件中、与已有生活圈都不能重名", "幸福里生活圈"),
        Column("population", "服务人口", True, "生活圈服务的常住人口，正整数；样本量要求按它的 3% 计算", "20000"),
        Column("city_tier", "城市等级", False,
               "1（一线城市）、2（二线城市）或 3（其他城市），决定连锁化率门槛；不填按 3", "2"),
        Column("communities", "社区及人口", False,
               "生活圈包括的社区，每个写成“社区名=人口”，多个用中文分号“；”隔开；各社区人口之和可以与服务人口不同",
               "幸福里社区=8200；和平社区=6900；新桥社区=4900"),
        Column("address", "地址", False, "所在区、街道或主要道路，最多 200 个字", "示例市和平区幸福路一带"),
        Column("notes", "备注", False, "任何说明，例如人口数据的来源和年份，最多 2000 个字", "人口为 2025 年街道统计"),
    ]
    example_shares = _example_shares(len(age_bands))
    ages = [Column(f"age:{code}", f"{label}占比（%）", False,
                   f"{label}人口占常住人口的百分比；各年龄段要么都填、要么都不填，合计应为 100；"
                   "填了就按它对居民答卷加权", example_shares[index])
            for index, (code, label) in enumerate(age_bands)]
    return fixed + ages


def _example_shares(count: int) -> list[str]:
    if count == 5:
        return ["17", "27", "25", "17", "14"]
    if count == 0:
        return []
    base = 100 // count
    return [str(base)] * (count - 1) + [str(100 - base * (count - 1))]


@dataclass
class CityList:
    """A checked list: the circles to register, in file order, with their row numbers."""

    circles: list[CircleCreate] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    @property
    def communities(self) -> int:
        return sum(len(c.communities) for c in self.circles)

    @property
    def population(self) -> int:
        return sum(c.population for c in self.circles)


def template_xlsx(age_bands: list[tuple[str, str]]) -> bytes:
    """The template workbook: the columns with one example row, and a second sheet explaining
    each column (delete the example row before importing, or overwrite it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from reports.spreadsheet import append_row

    cols = columns(age_bands)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "生活圈清单"
    append_row(sheet, [c.header for c in cols])
    append_row(sheet, [c.example for c in cols])
    for index, column in enumerate(cols):
        sheet.column_dimensions[column_letters(index)].width = 34 if column.key == "communities" else 16
        sheet.cell(row=1, column=index + 1).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("填写说明")
    append_row(guide, ["列", "列名", "必填", "怎么填", "示例"])
    for index, column in enumerate(cols):
        append_row(guide, [column_letters(index), column.header, "必填" if column.required else "可不填",
                           column.explanation, column.example])
    append_row(guide, [])
    append_row(guide, ["", "说明", "", "第 1 行是列名，请不要修改；从第 2 行起每行一个生活圈（示例行请改成您的数据或删除）。"
                                   "文件有任何问题都不会导入任何一行，页面会列出每个问题所在的行和列。", ""])
    for letter, width in zip("ABCDE", (6, 20, 8, 70, 40)):
        guide.column_dimensions[letter].width = width
    for cell in guide[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check_city_list(path: Path, age_bands: list[tuple[str, str]], taken_names: set[str],
                    limits: Limits = Limits(), file_name: str | None = None) -> CityList:
    """Read and check a filled template; raises :class:`ImportFailed` listing every problem.

    ``taken_names``: names of all circles already registered, whoever may see them (a second
    import of the same list is refused, not duplicated; a name is one circle's). ``file_name``: the name shown in problems (an upload's own name)."""
    shown = file_name or Path(path).name
    sheet = read_sheet(Path(path), limits, file_name=shown)
    cols = columns(age_bands)
    by_header = {c.header: c for c in cols}
    problems: list[Problem] = []
    position: dict[str, int] = {}
    for index, header in enumerate(sheet.header):
        if not header:
            if any(index < len(cells) and cells[index].strip() for _, cells in sheet.rows):
                problems.append(Problem(shown, "这一列有内容但没有列名，请在第 1 行填写模板中的列名", row=1,
                                        columns=column_letters(index)))
            continue
        column = by_header.get(header)
        if column is None:
            problems.append(Problem(shown, "模板中没有这一列，请检查列名（可重新下载模板对照）", row=1,
                                    columns=column_letters(index), value=header))
        elif column.key in position:
            problems.append(Problem(shown, "列名重复，每一项只能有一列", row=1,
                                    columns=f"{column_letters(position[column.key])}、{column_letters(index)}",
                                    value=header))
        else:
            position[column.key] = index
    for column in cols:
        if column.required and column.key not in position:
            problems.append(Problem(shown, f"缺少必填的“{column.header}”列", row=1, value=column.header))
    if problems:
        raise ImportFailed(problems)
    by_header_key = {c.key: c for c in cols}
    result = CityList()
    first_row_of: dict[str, int] = {}
    for number, cells in sheet.rows:
        if not any(cell.strip() for cell in cells):
            continue
        values = {key: (cells[index].strip() if index < len(cells) else "") for key, index in position.items()}

        def problem(key: str, message: str, value: str | None = None) -> None:
            index = position.get(key)
            problems.append(Problem(shown, message, row=number,
                                    columns=column_letters(index) if index is not None else None,
                                    column=by_header_key[key].header, value=values.get(key) if value is None else value))

        before = len(problems)
        name = values.get("name", "")
        if not name:
            problem("name", "请填写生活圈名称")
        elif len(name) > 100:
            problem("name", "名称太长，最多 100 个字")
        elif name in first_row_of:
            problem("name", f"与第 {first_row_of[name]} 行重名")
        elif name in taken_names:
            problem("name", "已有同名的生活圈（重复导入？也可能是其他机构登记的），请改名或删除这一行")
        if name and name not in first_row_of:
            first_row_of[name] = number
        population = _integer(values.get("population", ""))
        if population is None or population <= 0:
            problem("population", "服务人口应为正整数，例如 20000")
        tier_text = values.get("city_tier", "")
        tier = TIER_WORDS.get(tier_text.replace(" ", ""), None) if tier_text else 3
        if tier is None:
            problem("city_tier", "城市等级应为 1、2 或 3")
        communities, community_message = _communities(values.get("communities", ""))
        if community_message:
            problem("communities", community_message)
        address, notes = values.get("address", ""), values.get("notes", "")
        if len(address) > 200:
            problem("address", "地址太长，最多 200 个字")
        if len(notes) > 2000:
            problem("notes", "备注太长，最多 2000 个字")
        age_structure = _ages(values, age_bands, problem)
        if len(problems) > before:
            continue
        try:
            data = CircleCreate(name=name, population=population, city_tier=tier, communities=communities,
                                age_structure=age_structure, address=address, notes=notes)
        except ValidationError as exc:  # pragma: no cover - every field was checked above
            problem("name", "; ".join(e["msg"] for e in exc.errors()))
            continue
        result.circles.append(data)
        result.rows.append(number)
    if problems:
        raise ImportFailed(problems)
    if not result.circles:
        raise ImportFailed([Problem(shown, "文件中没有生活圈：从第 2 行起每行填一个生活圈", row=2)])
    return result


def _integer(text: str) -> int | None:
    text = text.replace(",", "").replace("，", "").strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    return None


def _communities(text: str) -> tuple[list[CommunityCreate], str | None]:
    """``幸福社区=8000；和平社区=6000`` → communities, or the message saying what is wrong."""
    communities: list[CommunityCreate] = []
    if not text:
        return communities, None
    for part in COMMUNITY_SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        name, sep, population = part.replace("＝", "=").rpartition("=")
        name = name.strip()
        number = _integer(population)
        if not sep or not name:
            return [], f"“{part}”应写成 社区名=人口，例如 幸福社区=8000"
        if number is None:
            return [], f"“{part}”的人口应为非负整数"
        if len(name) > 100:
            return [], f"社区名称“{name[:20]}…”太长，最多 100 个字"
        communities.append(CommunityCreate(name=name, population=number))
    names = [c.name for c in communities]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        return [], f"社区名称重复：{'、'.join(duplicated)}"
    return communities, None


def _ages(values: dict, age_bands: list[tuple[str, str]], problem) -> dict[str, float] | None:
    """The age structure as shares (0–1), or None when every age column is empty."""
    keys = [f"age:{code}" for code, _ in age_bands]
    given = {key: values.get(key, "") for key in keys}
    if not any(given.values()):
        return None
    shares: dict[str, float] = {}
    bad = False
    for (code, label), key in zip(age_bands, keys):
        text = given[key].rstrip("%％").strip()
        if not text:
            problem(key, "各年龄段要么都填、要么都不填：这一格空着", "")
            bad = True
            continue
        try:
            share = float(text)
        except ValueError:
            problem(key, "应为 0 到 100 之间的数字（百分比）")
            bad = True
            continue
        if not 0 <= share <= 100:
            problem(key, "应为 0 到 100 之间的数字（百分比）")
            bad = True
            continue
        shares[code] = share
    if bad:
        return None
    total = sum(shares.values())
    if abs(total - 100) > AGE_TOTAL_TOLERANCE:
        problem(keys[0], f"各年龄段占比合计为 {total:g}，应为 100", given[keys[0]])
        return None
    return {code: round(share / total, 6) for code, share in shares.items()}
