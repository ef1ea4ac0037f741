"""What the paper import refuses before doing much work (issue 10, items 5 and 7): formula
cells, files past the byte, row, column or cell caps, XLSX files that unpack to far more
than they weigh, and sheets whose declared or real extent is absurd. Every refusal names the
row and column where there is one. Files are generated here, kept small by small caps; the
sizes of the hardening review (52 MB CSV, a 1 GB zip bomb, a 50 MB cell) are measured by
``bench/import_caps_bench.py``."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from surveyapp.responses.importer import ImportFailed, Limits, column_letters, import_file, read_sheet

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .test_responses_import import QUESTIONNAIRE, RESIDENT, app_config, campaign  # noqa: F401  (fixtures)

HEADER = ["serial", "community", "age_band", "years_lived", "business_overall", "service_overall", "suggestion"]
ROW = ["P1", "东社区", "a60_69", "y10_plus", "4", "5", "多开早餐店"]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path, rows, extra_cells=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate, value in extra_cells:
        sheet[coordinate] = value
    workbook.save(path)
    return path


def rewrite_dimension(path, ref: str | None):
    """Rewrite (or drop) the sheet's declared dimension, as other tools write it wrongly."""
    source = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    replacement = f'<dimension ref="{ref}"/>' if ref else ""
    source = re.sub(r"<dimension ref=\"[^\"]*\"\s*/>", replacement, source)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, source if info.filename == "xl/worksheets/sheet1.xml" else old.read(info))
    path.write_bytes(out.getvalue())
    return path


def problems_of(path, limits=Limits()):
    with pytest.raises(ImportFailed) as failed:
        read_sheet(path, limits)
    return failed.value.problems


# --- item 5: formulas ---------------------------------------------------------------------------

def test_a_formula_cell_is_refused_with_row_column_and_formula(db, campaign, tmp_path):
    path = write_xlsx(tmp_path / "paper.xlsx", [HEADER, ROW, ["P2", "东社区", "a60_69", "y10_plus", "=2+2", "5", ""]])
    with pytest.raises(ImportFailed) as failed:
        import_file(db, campaign, QUESTIONNAIRE, path)
    [problem] = failed.value.problems
    assert (problem.row, problem.columns, problem.value) == (3, "E", "=2+2")
    assert "公式" in problem.message
    assert "第 3 行 E 列" in str(problem) and "=2+2" in str(problem)


def test_a_formula_in_a_text_answer_is_refused_too(tmp_path):
    path = write_xlsx(tmp_path / "paper.xlsx", [HEADER, ROW[:-1] + ['=HYPERLINK("http://x","y")']])
    [problem] = problems_of(path)
    assert (problem.row, problem.columns) == (2, "G") and problem.value.startswith("=HYPERLINK")


def test_text_that_merely_starts_with_equals_in_csv_is_text(tmp_path):
    """CSV has no formulas: "=2+2" typed there is the text the typist entered (validated later)."""
    sheet = read_sheet(write_csv(tmp_path / "paper.csv", [HEADER, ROW[:-1] + ["=2+2"]]))
    assert sheet.rows[0][1][-1] == "=2+2"


# --- item 7: bytes ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_past_the_byte_cap_is_refused_from_its_size(tmp_path, suffix):
    path = tmp_path / f"big{suffix}"
    path.write_bytes(b"x" * 5001)  # not even a valid file: the size is checked before reading
    [problem] = problems_of(path, Limits(max_bytes=5000))
    assert problem.message.startswith("文件有 0.0 MB，超过了上限 0.0 MB") or "超过了上限" in problem.message
    assert problem.row is None


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking(tmp_path):
    """An XLSX of a few KB whose sheet unpacks to megabytes (the review's 6.4 MB → 1.09 GB, scaled)."""
    path = write_xlsx(tmp_path / "bomb.xlsx", [HEADER, ROW])
    source = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    padded = source.replace("<sheetData>", "<sheetData>" + " " * 3_000_000)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, padded if info.filename == "xl/worksheets/sheet1.xml" else old.read(info))
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 20_000
    [problem] = problems_of(path, Limits(max_bytes=100_000))
    assert "解压后有 3.0 MB" in problem.message and "上限 0.8 MB" in problem.message


# --- item 7: rows and columns -------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_past_the_cap_are_refused_naming_the_first_row_too_many(tmp_path, suffix):
    rows = [HEADER, *([f"P{i}", *ROW[1:]] for i in range(11))]
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"many{suffix}", rows)
    [problem] = problems_of(path, Limits(max_rows=10))
    if suffix == ".csv":
        assert problem.row == 12 and "上限 10 份" in problem.message
    else:  # refused from the sheet's declared dimension, before reading a row
        assert "G12" in problem.message and "10 行问卷" in problem.message
    assert len(read_sheet(path, Limits(max_rows=11)).rows) == 11


def test_empty_rows_past_the_cap_are_ignored_but_a_filled_one_is_refused(tmp_path):
    rows = [HEADER, ROW, ROW, [], [], []]
    assert len(read_sheet(write_csv(tmp_path / "trailing.csv", rows), Limits(max_rows=2)).rows) == 2
    [problem] = problems_of(write_csv(tmp_path / "gaps.csv", [HEADER, ROW, [], [], ROW]), Limits(max_rows=2))
    assert problem.row == 5


def test_one_cell_at_the_last_row_and_column_is_refused_from_the_declared_dimension(tmp_path):
    """The review's 5.7 KB XLSX that took 7 s and 190 MB before its refusal."""
    path = write_xlsx(tmp_path / "far.xlsx", [HEADER, ROW], extra_cells=[("XFD1048576", "x")])
    [problem] = problems_of(path)
    assert "XFD1048576" in problem.message


@pytest.mark.parametrize("ref", [None, "A1:G2"])
def test_a_far_cell_behind_a_missing_or_wrong_dimension_is_met_as_one_cell(tmp_path, ref):
    path = rewrite_dimension(write_xlsx(tmp_path / "far.xlsx", [HEADER, ROW], extra_cells=[("XFD1048576", "x")]), ref)
    [problem] = problems_of(path)
    assert problem.row == 1048576 or problem.columns == "XFD"
    far_rows = rewrite_dimension(write_xlsx(tmp_path / "down.xlsx", [HEADER, ROW], extra_cells=[("B1048576", "x")]), ref)
    [problem] = problems_of(far_rows, Limits(max_rows=100))
    assert problem.row == 1048576 and "上限 100 份" in problem.message


def test_columns_past_the_cap_are_refused_with_row_and_column(tmp_path):
    path = write_csv(tmp_path / "wide.csv", [HEADER, ROW + [""] * 10 + ["x"]])
    [problem] = problems_of(path, Limits(max_columns=12))
    assert (problem.row, problem.columns) == (2, column_letters(17))


# --- item 7: one cell ---------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_oversized_cell_is_named_by_row_and_column(tmp_path, suffix):
    """The review's one 50 MB cell answered "CSV 文件格式有误" with no row or column."""
    rows = [HEADER, ROW, ROW[:-1] + ["长" * 5001]]
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"cell{suffix}", rows)
    [problem] = problems_of(path)
    assert (problem.row, problem.columns) == (3, "G")
    assert "5001 个字" in problem.message and "上限 5000 个字" in problem.message


def test_a_cell_larger_than_the_csv_modules_default_field_limit_is_still_located(tmp_path):
    rows = [HEADER, ROW[:-1] + ["x" * 200_000]]
    [problem] = problems_of(write_csv(tmp_path / "cell.csv", rows), Limits(max_cell_chars=100_000))
    assert (problem.row, problem.columns) == (2, "G")
    assert csv.field_size_limit() == 131072  # the process-wide setting is left as it was


# --- the text rule in imported files ------------------------------------------------------------

def test_control_characters_in_a_cell_are_removed_and_line_ends_normalised(db, campaign, tmp_path):
    path = write_csv(tmp_path / "nul.csv", [HEADER, ROW[:-1] + ["第一行\r\n第二\x00行\x07"]])
    result = import_file(db, campaign, QUESTIONNAIRE, path)
    assert result.imported == 1
    from sqlmodel import select

    from surveyapp.models import Response

    stored = db.exec(select(Response)).one()
    assert stored.answers["suggestion"] == "第一行\n第二行"


def test_the_cli_reads_the_caps_from_the_settings(make_app, db, tmp_path):
    from surveyapp.migrations import upgrade_database

    from .conftest import get_engine_of

    app = make_app(IMPORT_MAX_ROWS=1, QUESTIONNAIRE_DIR=str(PROJECT_QUESTIONNAIRES))
    upgrade_database(get_engine_of(app))
    campaign = make_campaign(db, make_circle(db), RESIDENT)
    path = write_csv(tmp_path / "two.csv", [HEADER, ROW, ["P2", *ROW[1:]]])
    result = app.test_cli_runner().invoke(args=["responses", "import", "--campaign", str(campaign.id), str(path)])
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "上限 1 份" in result.output
