"""The one XLSX reader of the imports (``responses/xlsxcells.py``), on workbooks written by
hand the way Excel and WPS write them (shared strings, rich text with phonetic runs, a
prefixed namespace, cells and rows without a reference) rather than the way openpyxl does
(inline strings), so the fast reader is held to what real downloads contain."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta

import pytest

from surveyapp.responses.importer import ImportFailed, read_sheet
from surveyapp.responses.xlsxcells import BadSheet, iter_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/></Relationships>"""
# Style 1 is a date-time (format 22), style 2 a duration ([h]:mm:ss, format 46).
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="46" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""
# 0 序号, 1 提交答卷时间, 2 a rich text with a phonetic run (not part of the text), 3 东社区
SHARED = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:sst xmlns:x="{MAIN}" count="4" uniqueCount="4"><x:si><x:t>序号</x:t></x:si><x:si><x:t>提交答卷时间</x:t></x:si>
<x:si><x:r><x:t>非常</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">满意 </x:t></x:r><x:rPh sb="0" eb="2"><x:t>ヒジョウ</x:t></x:rPh></x:si>
<x:si><x:t>东社区</x:t></x:si></x:sst>"""


def sheet_xml(rows: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:worksheet xmlns:x="{MAIN}">'
            f'<x:dimension ref="A1:E4"/><x:sheetData>{rows}</x:sheetData></x:worksheet>')


ROWS = (
    '<x:row r="1" spans="1:5"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
    '<x:c r="C1" t="inlineStr"><x:is><x:t>3、满意吗</x:t></x:is></x:c></x:row>'
    # Excel leaves empty formatted cells (no value) and may omit a cell's reference.
    '<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="B2" s="1"><x:v>45418.430902777778</x:v></x:c>'
    '<x:c t="s"><x:v>2</x:v></x:c><x:c r="D2" s="2"/><x:c r="E2" s="2"><x:v>2.1412037037037038E-3</x:v></x:c></x:row>'
    # a row without its number follows the one before
    '<x:row><x:c r="A3"><x:v>2.5</x:v></x:c><x:c r="B3" t="b"><x:v>1</x:v></x:c><x:c r="C3" t="e"><x:v>#N/A</x:v></x:c>'
    '<x:c r="E3" t="s"><x:v>3</x:v></x:c></x:row>'
)
# A formula whose cached value Excel stored with it.
FORMULA = '<x:row r="4"><x:c r="D4" t="str"><x:f>A3&amp;"x"</x:f><x:v>2.5x</x:v></x:c></x:row>'


def workbook(path, rows: str = ROWS, shared: str = SHARED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", shared)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(rows))
    path.write_bytes(buffer.getvalue())
    return path


def test_an_excel_style_workbook_reads_as_typed(tmp_path):
    sheet = read_sheet(workbook(tmp_path / "wjx.xlsx"))
    assert sheet.header == ["序号", "提交答卷时间", "3、满意吗"]
    assert sheet.rows == [
        # 45418.4309027… is 2024-05-06 10:20:30; 0.0021412… of a day is 185 seconds
        (2, ["1", "2024-05-06 10:20:30", "非常满意 ", "", "0:03:05"]),
        (3, ["2.5", "TRUE", "#N/A", "", "东社区"]),
    ]


def test_the_formula_is_seen_even_with_its_cached_value(tmp_path):
    with pytest.raises(ImportFailed) as failed:
        read_sheet(workbook(tmp_path / "wjx.xlsx", ROWS + FORMULA))
    # refused, never imported as its cached "2.5x"
    assert [(p.row, p.columns, p.value) for p in failed.value.problems] == [(4, "D", '=A3&"x"')]


def test_cells_come_with_column_value_and_formula(tmp_path):
    source = io.BytesIO(sheet_xml(ROWS + FORMULA).encode())
    rows = list(iter_rows(source, ["序号", "提交答卷时间", "非常满意 ", "东社区"], {1}, set(), datetime(1899, 12, 30)))
    assert [number for number, _ in rows] == [1, 2, 3, 4]
    assert rows[1][1] == [(0, 1, None), (1, datetime(2024, 5, 6, 10, 20, 30), None), (2, "非常满意 ", None),
                          (3, None, None), (4, 2.1412037037037038e-3, None)]
    assert rows[2][1] == [(0, 2.5, None), (1, True, None), (2, "#N/A", None), (4, "东社区", None)]
    assert rows[3][1] == [(3, '=A3&"x"', '=A3&"x"')]


def test_a_timedelta_style_reads_as_a_duration():
    source = io.BytesIO(sheet_xml('<x:row r="1"><x:c r="B1" s="2"><x:v>0.5</x:v></x:c></x:row>').encode())
    [(_, cells)] = iter_rows(source, [], {2}, {2}, datetime(1899, 12, 30))
    assert cells == [(1, timedelta(hours=12), None)]


@pytest.mark.parametrize("xml", [
    '<!DOCTYPE x [<!ENTITY a "aaaa">]><x/>',  # entity declarations: the way to an entity bomb
    '<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c',  # cut short
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>',
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="a1"><v>1</v></c></row></sheetData></worksheet>',
])
def test_a_malformed_sheet_is_refused(xml):
    with pytest.raises(BadSheet):
        list(iter_rows(io.BytesIO(xml.encode()), ["one"]))


def test_a_malformed_sheet_in_a_file_is_one_clear_problem(tmp_path):
    path = workbook(tmp_path / "bad.xlsx", rows='<x:row r="1"><x:c r="A1" t="s"><x:v>9</x:v></x:c></x:row>')
    with pytest.raises(ImportFailed) as failed:
        read_sheet(path)
    [problem] = failed.value.problems
    assert "无法读取这个 Excel 文件" in problem.message
