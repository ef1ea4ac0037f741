"""Paper import (surveyapp/responses/importer.py) and ``surveyapp responses import|retally``."""
from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook
from sqlmodel import select

from surveyapp.models import AnswerTally, Response
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.importer import ImportFailed, Problem, column_letters, import_file
from surveyapp.responses.quality import OUTSIDE_COMMUNITY

from .helpers import DATA, PROJECT_QUESTIONNAIRES, make_campaign, make_circle

RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"
QUESTIONNAIRE = load_questionnaire(RESIDENT)
#: The required questions of resident.yaml, in file order.
REQUIRED = ["community", "age_band", "years_lived", "business_overall", "service_overall"]
#: A full sheet's header: serial, then every question in file order.
FULL = ["serial", *(q.name for q in QUESTIONNAIRE.answerable_questions())]


@pytest.fixture
def app_config(app_config):
    app_config["QUESTIONNAIRE_DIR"] = str(PROJECT_QUESTIONNAIRES)
    return app_config


@pytest.fixture
def campaign(db):
    return make_campaign(db, make_circle(db), RESIDENT)


def answers(**overrides) -> dict:
    """One paper form with every required question answered."""
    row = {"community": "东社区", "age_band": "a60_69", "years_lived": "y10_plus",
           "business_overall": "4", "service_overall": "5"}
    row.update(overrides)
    return row


def table(rows: list[dict], header: list[str] | None = None) -> list[list]:
    """Header plus rows as lists, each row's cells in header order (absent keys: empty)."""
    header = header or list(dict.fromkeys(key for row in rows for key in row))
    return [header, *([row.get(name, "") for name in header] for row in rows)]


def write_csv(path, cells: list[list], encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(cells)
    return path


def write_xlsx(path, cells: list[list]):
    workbook = Workbook()
    sheet = workbook.active
    for row in cells:
        sheet.append([None if value == "" else value for value in row])
    workbook.save(path)
    return path


def stored(db, campaign) -> list[Response]:
    db.expire_all()
    return db.exec(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)).all()


def tallies(db, campaign) -> set[tuple]:
    db.expire_all()
    rows = db.exec(select(AnswerTally).where(AnswerTally.campaign_id == campaign.id)).all()
    return {(t.question, t.code, t.group_question, t.group_value, t.duration, t.n) for t in rows if t.n}


def run_import(db, campaign, path):
    return import_file(db, campaign, QUESTIONNAIRE, path)


def problems_of(db, campaign, path) -> list[Problem]:
    with pytest.raises(ImportFailed) as failed:
        run_import(db, campaign, path)
    assert stored(db, campaign) == []
    return failed.value.problems


# --- reading good files --------------------------------------------------------------------

def test_utf8_csv_with_bom_stores_typed_answers(db, campaign, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([
        answers(serial=" P001 ", child_under3="yes", sat_childcare="3", digital_services="qr_pay, parcel_locker",
                missing_types="breakfast wet_market", walk_market_minutes="12", suggestion="多开早餐店"),
        answers(serial="P002", community="西社区", business_overall="2", business_problems="too_far，too_dear"),
    ]))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run_import(db, campaign, path)
    assert (result.imported, result.incomplete, result.duplicates, result.skipped_empty) == (2, 0, 0, 0)
    first, second = stored(db, campaign)
    assert first.answers == {
        "community": "东社区", "age_band": "a60_69", "years_lived": "y10_plus", "child_under3": "yes",
        "business_overall": "4", "service_overall": "5", "sat_childcare": "3",
        "digital_services": ["qr_pay", "parcel_locker"], "missing_types": ["wet_market", "breakfast"],
        "walk_market_minutes": 12, "suggestion": "多开早餐店",
    }
    assert isinstance(first.answers["walk_market_minutes"], int)
    assert first.serial == "P001" and first.channel == "paper" and first.complete and first.exclusion is None
    assert first.started_at is None and first.device_hash is None and first.duration_seconds is None
    assert first.finished_at is not None and first.community == "东社区"
    assert first.questionnaire_hash == QUESTIONNAIRE.content_hash
    assert second.answers["business_problems"] == ["too_far", "too_dear"] and second.community == "西社区"


def test_gbk_csv_from_excel_is_read(db, campaign, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", table([answers(suggestion="菜市场太远了"), answers(community="西社区")]),
                     encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert run_import(db, campaign, path).imported == 2
    first, second = stored(db, campaign)
    assert first.answers["suggestion"] == "菜市场太远了" and second.community == "西社区"


def test_utf8_csv_without_bom_is_read(db, campaign, tmp_path):
    path = write_csv(tmp_path / "plain.csv", table([answers()]), encoding="utf-8")
    assert run_import(db, campaign, path).imported == 1
    assert stored(db, campaign)[0].community == "东社区"


def test_xlsx_with_numeric_cells(db, campaign, tmp_path):
    path = write_xlsx(tmp_path / "paper.xlsx", table([
        answers(serial=101, business_overall=4, service_overall=5.0, sat_order=0, walk_market_minutes=12.0,
                walk_store_minutes=7, digital_services="qr_pay vending"),
    ]))
    result = run_import(db, campaign, path)
    assert result.imported == 1
    (response,) = stored(db, campaign)
    assert response.serial == "101" and response.channel == "paper"
    assert response.answers["business_overall"] == "4" and response.answers["service_overall"] == "5"
    assert response.answers["sat_order"] == "0"
    assert response.answers["walk_market_minutes"] == 12 and response.answers["walk_store_minutes"] == 7
    assert response.answers["digital_services"] == ["qr_pay", "vending"]


def test_xlsx_reads_the_first_sheet_and_ignores_trailing_empty_rows(db, campaign, tmp_path):
    workbook = Workbook()
    first = workbook.active
    for row in table([answers(), answers()]):
        first.append(row)
    first.cell(row=50, column=1).number_format = "0"  # a formatted, empty row far below
    other = workbook.create_sheet("说明")
    other.append(["这一页不是数据"])
    workbook.active = 1
    workbook.save(tmp_path / "sheets.xlsx")
    result = run_import(db, campaign, tmp_path / "sheets.xlsx")
    assert (result.imported, result.skipped_empty) == (2, 0)


def test_only_required_columns_are_needed_and_headers_are_stripped(db, campaign, tmp_path):
    cells = table([answers()])
    cells[0] = [f" {name} " for name in cells[0]]
    assert run_import(db, campaign, write_csv(tmp_path / "short.csv", cells)).imported == 1


def test_columns_may_come_in_any_order_with_an_empty_unnamed_column(db, campaign, tmp_path):
    header = ["service_overall", "", *REQUIRED[:4][::-1]]
    cells = [header, ["5", "", "4", "y1_3", "a18_29", "西社区"]]
    assert run_import(db, campaign, write_csv(tmp_path / "order.csv", cells)).imported == 1
    assert stored(db, campaign)[0].answers["years_lived"] == "y1_3"


def test_answer_to_a_hidden_question_is_dropped(db, campaign, tmp_path):
    path = write_csv(tmp_path / "hidden.csv", table([answers(business_overall="5", business_problems="too_far",
                                                             child_under3="no", sat_childcare="4")]))
    run_import(db, campaign, path)
    saved = stored(db, campaign)[0].answers
    assert "business_problems" not in saved and "sat_childcare" not in saved


# --- problems ------------------------------------------------------------------------------

def test_problem_reads_like_excel():
    problem = Problem("paper.xlsx", "请从选项中选择", row=3, columns="D", column="business_overall", value="7")
    assert str(problem) == "paper.xlsx 第 3 行 D 列（business_overall）“7”：请从选项中选择"


def test_problem_keeps_long_and_multiline_values_on_one_short_line():
    text = str(Problem("a.csv", "文字太长", row=2, columns="Z", column="suggestion", value="很长\n" * 50))
    assert "\n" not in text and "…" in text and len(text) < 100


@pytest.mark.parametrize("index, letters", [(0, "A"), (3, "D"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"),
                                            (702, "AAA")])
def test_column_letters(index, letters):
    assert column_letters(index) == letters


def test_missing_required_column(db, campaign, tmp_path):
    row = answers()
    del row["years_lived"]
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "paper.csv", table([row])))
    assert (problem.row, problem.column, problem.columns) == (1, "years_lived", None)
    assert str(problem) == "paper.csv 第 1 行（years_lived）：缺少这道必答题的列"


def test_unknown_column_is_named_with_its_letter(db, campaign, tmp_path):
    cells = table([answers(comunity="东社区")])
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "paper.csv", cells))
    assert (problem.row, problem.columns, problem.column) == (1, "F", "comunity")
    assert str(problem) == "paper.csv 第 1 行 F 列（comunity）“comunity”：问卷中没有这一题，请检查列名"


def test_duplicated_column_names_every_copy(db, campaign, tmp_path):
    cells = [[*REQUIRED, "age_band"], ["东社区", "a60_69", "y10_plus", "4", "5", "a60_69"]]
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "paper.csv", cells))
    assert (problem.row, problem.columns, problem.column) == (1, "B、F", "age_band")
    assert "列名重复" in problem.message


def test_note_column_is_a_problem(db, tmp_path):
    minimal = DATA / "questionnaires" / "minimal.yaml"
    campaign = make_campaign(db, make_circle(db), minimal)
    path = write_csv(tmp_path / "paper.csv", [["community", "overall", "info"], ["东社区", "4", "看过了"]])
    with pytest.raises(ImportFailed) as failed:
        import_file(db, campaign, load_questionnaire(minimal), path)
    (problem,) = failed.value.problems
    assert (problem.columns, problem.column) == ("C", "info") and "说明文字" in problem.message


def test_unnamed_column_with_data_is_a_problem(db, campaign, tmp_path):
    cells = [[*REQUIRED, ""], ["东社区", "a60_69", "y10_plus", "4", "5", ""], ["东社区", "a60_69", "y10_plus", "4", "5", "x"]]
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "paper.csv", cells))
    assert (problem.row, problem.columns) == (1, "F") and "没有列名" in problem.message


def test_data_beyond_the_header_is_a_problem(db, campaign, tmp_path):
    cells = [REQUIRED, ["东社区", "a60_69", "y10_plus", "4", "5", "", "多出来的"]]
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "paper.csv", cells))
    assert problem.columns == "G" and "没有列名" in problem.message


BAD_CELLS = [
    ("business_overall", "7", "请从选项中选择"),
    ("community", "南社区", "请从选项中选择"),
    ("walk_market_minutes", "150", "请填写0到120之间的分钟数"),
    ("walk_store_minutes", "十分钟", "请填写一个数字，比如 10"),
    ("age_band", "a60_69 a70_plus", "请只选一项"),
    ("business_overall", "4、5", "请只选一项"),
    ("digital_services", "none qr_pay", "选了“都没用过”，就不要再选其他项"),
    ("missing_types", "breakfast nightclub", "请从选项中选择"),
    ("suggestion", "长" * 501, "写得有点长，请删减到 500 字以内"),
]


@pytest.mark.parametrize("name, value, message", BAD_CELLS)
def test_bad_cell_reported_with_row_and_column(db, campaign, tmp_path, name, value, message):
    rows = [answers(serial="P1"), answers(serial="P2"), answers(serial="P3", **{name: value})]
    cells = table(rows, header=FULL)
    letters = column_letters(FULL.index(name))
    for path in (write_csv(tmp_path / "paper.csv", cells), write_xlsx(tmp_path / "paper.xlsx", cells)):
        (problem,) = problems_of(db, campaign, path)
        assert (problem.file, problem.row, problem.columns, problem.column) == (path.name, 4, letters, name)
        assert problem.value == value and problem.message == message


def test_every_problem_is_reported_in_sheet_order(db, campaign, tmp_path):
    header = [*REQUIRED, "walk_store_minutes", "extra"]
    cells = [
        header,
        ["东社区", "a60_69", "y10_plus", "4", "5", "10", ""],
        ["东社区", "a99", "y10_plus", "9", "5", "-1", ""],
        ["北社区", "a60_69", "y10_plus", "4", "5", "10", ""],
    ]
    problems = problems_of(db, campaign, write_csv(tmp_path / "many.csv", cells))
    assert [(p.row, p.columns) for p in problems] == [(1, "G"), (3, "B"), (3, "D"), (3, "F"), (4, "A")]
    assert [str(p) for p in problems] == [
        "many.csv 第 1 行 G 列（extra）“extra”：问卷中没有这一题，请检查列名",
        "many.csv 第 3 行 B 列（age_band）“a99”：请从选项中选择",
        "many.csv 第 3 行 D 列（business_overall）“9”：请从选项中选择",
        "many.csv 第 3 行 F 列（walk_store_minutes）“-1”：请填写0到120之间的分钟数",
        "many.csv 第 4 行 A 列（community）“北社区”：请从选项中选择",
    ]


def test_one_bad_row_far_down_stores_nothing(db, campaign, tmp_path):
    rows = [answers(serial=f"P{i}") for i in range(2, 41)]
    rows[-1]["service_overall"] = "6"
    path = write_xlsx(tmp_path / "paper.xlsx", table(rows))
    (problem,) = problems_of(db, campaign, path)
    assert problem.row == 40
    assert stored(db, campaign) == [] and tallies(db, campaign) == set()


def test_serial_longer_than_64_characters(db, campaign, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([answers(serial="P" * 65)]))
    (problem,) = problems_of(db, campaign, path)
    assert (problem.row, problem.columns, problem.column) == (2, "F", "serial") and "64" in problem.message


@pytest.mark.parametrize("name, content, message", [
    ("paper.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx"),
    ("paper.csv", "community\n东社区\n".encode("utf-16"), "编码"),
    ("paper.csv", b"community,age_band\n\x80\xff\xfe\x81\n", "编码"),
    ("paper.xlsx", b"not a zip file", "无法读取"),
    ("paper.csv", b"", "文件是空的"),
    ("paper.csv", b"\n\n,,\n", "文件是空的"),
])
def test_unreadable_file_is_one_clear_problem(db, campaign, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    (problem,) = problems_of(db, campaign, path)
    assert problem.file == name and message in problem.message
    assert str(problem).startswith(f"{name}") and "\n" not in str(problem)


def test_missing_file_is_a_problem(db, campaign, tmp_path):
    (problem,) = problems_of(db, campaign, tmp_path / "gone.csv")
    assert "找不到" in problem.message


def test_header_without_rows_is_a_problem(db, campaign, tmp_path):
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "paper.csv", [REQUIRED, [], ["", " "]]))
    assert "没有问卷数据" in problem.message


# --- what gets stored and how it counts ----------------------------------------------------

def test_empty_required_cell_is_stored_as_incomplete(db, campaign, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([answers(), answers(service_overall="  ")]))
    result = run_import(db, campaign, path)
    assert (result.imported, result.incomplete) == (2, 1)
    good, partial = stored(db, campaign)
    assert good.complete and good.exclusion is None
    assert not partial.complete and partial.exclusion == "incomplete" and "service_overall" not in partial.answers


def test_same_serial_twice_in_a_file_is_a_duplicate(db, campaign, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([answers(serial="P7"), answers(serial="P8"),
                                                    answers(serial=" P7", business_overall="1")]))
    result = run_import(db, campaign, path)
    assert (result.imported, result.duplicates) == (3, 1)
    first, _, again = stored(db, campaign)
    assert again.duplicate_of == first.id and again.exclusion == "duplicate"
    assert first.duplicate_of is None and first.exclusion is None


def test_serial_imported_before_is_a_duplicate(db, campaign, tmp_path):
    run_import(db, campaign, write_csv(tmp_path / "day1.csv", table([answers(serial="P1"), answers(serial="")])))
    result = run_import(db, campaign, write_csv(tmp_path / "day2.csv", table([answers(serial="P1"), answers()])))
    assert (result.imported, result.duplicates) == (2, 1)
    first, no_serial, again, other = stored(db, campaign)
    assert no_serial.serial is None and other.serial is None and other.duplicate_of is None
    assert again.duplicate_of == first.id and again.exclusion == "duplicate"


def test_respondent_outside_the_circle_is_excluded(db, campaign, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([answers(community=OUTSIDE_COMMUNITY)]))
    assert run_import(db, campaign, path).imported == 1
    (response,) = stored(db, campaign)
    assert response.exclusion == "outside" and response.community == OUTSIDE_COMMUNITY


def test_empty_rows_are_skipped_and_row_numbers_stay_right(db, campaign, tmp_path):
    cells = table([answers(), {}, answers(), {}, {}, answers(age_band="old")], header=REQUIRED)
    cells.append([""] * len(REQUIRED))  # trailing: not counted
    (problem,) = problems_of(db, campaign, write_csv(tmp_path / "gaps.csv", cells))
    assert (problem.row, problem.columns) == (7, "B")
    cells[-2][1] = "a70_plus"
    result = run_import(db, campaign, write_csv(tmp_path / "gaps.csv", cells))
    assert (result.imported, result.skipped_empty) == (3, 3)


def test_tallies_are_kept_by_the_import(db, campaign, tmp_path):
    run_import(db, campaign, write_csv(tmp_path / "paper.csv", table([
        answers(), answers(business_overall="5"), answers(service_overall=""), answers(community=OUTSIDE_COMMUNITY),
    ])))
    counted = {(q, c, gq): n for q, c, gq, _, _, n in tallies(db, campaign) if not gq}
    assert counted[("__response__", "", "")] == 2
    assert counted[("business_overall", "4", "")] == 1 and counted[("business_overall", "5", "")] == 1
    assert counted[("__excluded__", "incomplete", "")] == 1 and counted[("__excluded__", "outside", "")] == 1


# --- command line --------------------------------------------------------------------------

def test_cli_import_prints_counts(runner, db, campaign, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([answers(serial="1"), {}, answers(serial="1"),
                                                    answers(community="")]))
    result = runner.invoke(args=["responses", "import", "--campaign", str(campaign.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入 3 份纸质问卷" in result.stdout
    assert "不完整 1 份" in result.stdout and "编号重复 1 份" in result.stdout and "跳过空行 1 行" in result.stdout
    assert result.stderr == ""
    assert len(stored(db, campaign)) == 3


def test_cli_import_json(runner, db, campaign, tmp_path):
    path = write_xlsx(tmp_path / "paper.xlsx", table([answers(serial="A1"), answers(serial="A1"), {},
                                                      answers(business_overall="")]))
    result = runner.invoke(args=["responses", "import", "--campaign", str(campaign.id), str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"campaign": campaign.id, "imported": 3, "incomplete": 1, "duplicates": 1,
                                         "skipped_empty": 1}


def test_cli_import_problems_go_to_stderr_with_exit_1(runner, db, campaign, tmp_path):
    rows = [answers(), answers(business_overall="7"), answers(walk_store_minutes="500")]
    path = write_csv(tmp_path / "paper.csv", table(rows, header=[*REQUIRED, "walk_store_minutes"]))
    result = runner.invoke(args=["responses", "import", "--campaign", str(campaign.id), str(path), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "paper.csv 第 3 行 D 列（business_overall）“7”：请从选项中选择",
        "paper.csv 第 4 行 F 列（walk_store_minutes）“500”：请填写0到120之间的分钟数",
        "共 2 处问题，未导入任何问卷",
    ]
    assert stored(db, campaign) == []


def test_cli_import_unknown_campaign(runner, tmp_path):
    path = write_csv(tmp_path / "paper.csv", table([answers()]))
    result = runner.invoke(args=["responses", "import", "--campaign", "99", str(path)])
    assert result.exit_code != 0 and "问卷调查 99 不存在" in result.stderr


def test_cli_import_unreadable_file(runner, campaign, tmp_path):
    result = runner.invoke(args=["responses", "import", "--campaign", str(campaign.id), str(tmp_path / "x.ods")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "x.ods：不支持这种文件，请在 Excel 中另存为 .xlsx 或 .csv（UTF-8）后再导入",
        "共 1 处问题，未导入任何问卷",
    ]


def test_cli_retally_rebuilds_the_same_tallies(runner, db, campaign, tmp_path):
    rows = [answers(serial=str(i % 7), business_overall=str(i % 6), service_overall=str((i * 2) % 6),
                    community=("东社区", "西社区", OUTSIDE_COMMUNITY)[i % 3], sat_order=str(i % 5),
                    digital_services=("qr_pay", "vending parcel_locker", "")[i % 3],
                    walk_store_minutes=str(i), age_band=("a30_44", "")[i % 4 == 0])
            for i in range(30)]
    runner.invoke(args=["responses", "import", "--campaign", str(campaign.id),
                        str(write_csv(tmp_path / "paper.csv", table(rows)))])
    before = tallies(db, campaign)
    assert len(stored(db, campaign)) == 30 and len(before) > 20
    for tally in db.exec(select(AnswerTally).where(AnswerTally.campaign_id == campaign.id)).all():
        db.delete(tally)
    db.commit()
    assert tallies(db, campaign) == set()
    result = runner.invoke(args=["responses", "retally", "--campaign", str(campaign.id)])
    assert result.exit_code == 0, result.output
    assert "30 份" in result.stdout
    assert tallies(db, campaign) == before


def test_cli_retally_unknown_campaign(runner):
    result = runner.invoke(args=["responses", "retally", "--campaign", "5"])
    assert result.exit_code != 0 and "问卷调查 5 不存在" in result.stderr
