"""Paper questionnaires in the browser (surveyapp/responses/routes.py, entry_template.py):
the entry template, the upload with its problem list, the confirmation page, all or nothing,
and ``surveyapp responses template`` on the command line."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import AuditEntry, Response
from surveyapp.questionnaire import load_questionnaire

from .conftest import csrf_token
from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"
QUESTIONNAIRE = load_questionnaire(RESIDENT)


pytestmark = pytest.mark.usefixtures("project_questionnaires")


@pytest.fixture
def campaign(db):
    return make_campaign(db, make_circle(db), RESIDENT)


@pytest.fixture
def assessor(app, db, campaign):
    from surveyapp.models import Circle

    user = create_user(db, "li", "li-pass-123", "assessor")
    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    client = app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    assert client.post("/staff/login", data={"csrf_token": token, "username": "li",
                                              "password": "li-pass-123"}).status_code == 302
    return client


def _template(client, campaign):
    response = client.get(f"/staff/campaigns/{campaign.id}/paper/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def _filled(client, campaign, rows: list[dict]) -> bytes:
    """The downloaded template with ``rows`` typed in (as a typist would)."""
    workbook = _template(client, campaign)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(row=number, column=header.index(name) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good(**overrides) -> dict:
    row = {"community": "东社区", "age_band": "a60_69", "years_lived": "y10_plus",
           "business_overall": "4", "service_overall": "5"}
    row.update(overrides)
    return row


def _upload(client, campaign, data: bytes, name="录入.xlsx"):
    page = client.get(f"/staff/campaigns/{campaign.id}/paper").get_data(as_text=True)
    return client.post(f"/staff/campaigns/{campaign.id}/paper",
                       data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _confirm(client, campaign, page: str):
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(f"/staff/campaigns/{campaign.id}/paper/confirm",
                       data={"csrf_token": csrf_token(page), "upload": upload})


def _count(db, campaign) -> int:
    return db.exec(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)).one()


def test_the_template_has_the_question_names_the_codes_and_drop_downs(assessor, campaign):
    workbook = _template(assessor, campaign)
    entry, codes = workbook.worksheets
    assert entry.title == "录入" and codes.title == "选项说明"
    header = [cell.value for cell in entry[1]]
    assert header == ["serial", *(q.name for q in QUESTIONNAIRE.answerable_questions())]
    # The header note says what the question is; the codes sheet lists code and label.
    column = header.index("business_overall") + 1
    assert QUESTIONNAIRE.question("business_overall").label in entry.cell(row=1, column=column).comment.text
    rows = [[cell.value for cell in row] for row in codes.iter_rows(min_row=5)]
    start = next(i for i, row in enumerate(rows) if row[1] == "business_overall")
    assert [r[4:6] for r in rows[start:start + 6]] == [["5", "非常满意"], ["4", "满意"], ["3", "一般"],
                                                      ["2", "不满意"], ["1", "非常不满意"], ["0", "不清楚"]]
    # Its column has a list drop-down pointing at exactly those six codes.
    letter = entry.cell(row=1, column=column).column_letter
    validations = {str(v.sqref): v for v in entry.data_validations.dataValidation}
    drop_down = validations[f"{letter}2:{letter}5001"]
    assert drop_down.type == "list" and drop_down.showErrorMessage
    assert drop_down.formula1 == f"'选项说明'!$E${start + 5}:$E${start + 10}"
    # The community question offers the circle's own communities.
    community = header.index("community") + 1
    start = next(i for i, row in enumerate(rows) if row[1] == "community")
    assert [r[4] for r in rows[start:start + 2]] == ["东社区", "西社区"]
    letter = entry.cell(row=1, column=community).column_letter
    assert validations[f"{letter}2:{letter}5001"].type == "list"


def test_a_bad_row_is_listed_with_row_column_question_and_value_and_nothing_is_stored(assessor, db, campaign):
    data = _filled(assessor, campaign, [good(serial="P1"), good(serial="P2", business_overall="7"), good()])
    response = _upload(assessor, campaign, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    letter = chr(ord("A") + ["serial", *(q.name for q in QUESTIONNAIRE.answerable_questions())]
                 .index("business_overall"))
    row = re.search(r"<tr><td class=\"num\">3</td><td>(\w+)</td><td>business_overall</td>\s*<td><code>7</code></td>"
                    r"<td>([^<]+)</td></tr>", page)
    assert row and row.group(1) == letter, page
    assert "共 1 处问题，未导入任何问卷" in page and "录入.xlsx" in page
    assert _count(db, campaign) == 0
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "responses.import")).all() == []


def test_fixed_file_shows_the_counts_then_stores_all_on_confirmation(assessor, db, campaign):
    rows = [good(serial="P1"), good(serial="P2"), {}, good(serial="P2"), good(serial="P4", service_overall="")]
    response = _upload(assessor, campaign, _filled(assessor, campaign, rows))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    counts = dict(re.findall(r"<tr><th>([^<]+)</th><td class=\"num\">(?:<strong>)?(\d+)", page))
    assert counts == {"将要保存的纸质问卷": "4", "其中计入有效样本前会剔除：未答完必答题": "1",
                      "其中计入有效样本前会剔除：编号重复": "1", "跳过的空行": "1"}
    assert _count(db, campaign) == 0  # nothing before confirmation
    done = _confirm(assessor, campaign, page)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/staff/campaigns/{campaign.id}")
    assert _count(db, campaign) == 4
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "responses.import")).one()
    assert entry.actor == "li" and entry.circle_id == campaign.circle_id
    assert entry.after == {"file": "录入.xlsx", "imported": 4, "incomplete": 1, "duplicates": 1, "skipped_empty": 1}
    dashboard = assessor.get(done.headers["Location"]).get_data(as_text=True)
    assert "已导入 4 份纸质问卷（录入.xlsx）" in dashboard
    # The same confirmation again stores nothing more (the upload is gone).
    again = _confirm(assessor, campaign, page)
    assert again.status_code == 302 and _count(db, campaign) == 4


def test_a_failure_while_storing_leaves_nothing_half_written(assessor, db, campaign, monkeypatch):
    """All or nothing at the moment of storing: a failure while writing rolls back every row
    and the audit entry."""
    page = _upload(assessor, campaign, _filled(assessor, campaign, [good(serial="A"), good(serial="B")]))
    from surveyapp.responses import operations

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(operations.tallies, "apply", broken)
    assert _confirm(assessor, campaign, page.get_data(as_text=True)).status_code == 500
    db.expire_all()
    assert _count(db, campaign) == 0
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "responses.import")).all() == []


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hello", "只能上传 .xlsx 或 .csv 文件"),
    ("broken.xlsx", b"not a zip", "无法读取这个 Excel 文件"),
])
def test_a_wrong_file_gets_a_message(assessor, db, campaign, name, data, message):
    response = _upload(assessor, campaign, data, name=name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(db, campaign) == 0


def test_no_file_gets_a_message_next_to_the_field(assessor, campaign):
    page = assessor.get(f"/staff/campaigns/{campaign.id}/paper").get_data(as_text=True)
    response = assessor.post(f"/staff/campaigns/{campaign.id}/paper", data={"csrf_token": csrf_token(page)},
                             content_type="multipart/form-data")
    assert response.status_code == 422
    assert re.search(r'has-error">\s*<label for="file">.*?<p class="error">请选择要上传的文件</p>',
                     response.get_data(as_text=True), re.S)


def test_the_dashboard_links_to_the_upload(assessor, campaign):
    page = assessor.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/staff/campaigns/{campaign.id}/paper"' in page


def test_cli_writes_the_same_template_and_imports_it(runner, db, campaign, tmp_path, app):
    out = tmp_path / "模板.xlsx"
    result = runner.invoke(args=["responses", "template", "--campaign", str(campaign.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "serial" and "community" in header
    for column, value in good(serial="C1").items():
        sheet.cell(row=2, column=header.index(column) + 1, value=value)
    workbook.save(out)
    result = runner.invoke(args=["responses", "import", "--campaign", str(campaign.id), str(out)])
    assert result.exit_code == 0, result.output
    assert _count(db, campaign) == 1
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "responses.import")).one()
    assert entry.actor.startswith("命令行") and entry.after["imported"] == 1


def test_the_file_is_read_once_and_only_its_cells_wait_for_the_confirmation(app, assessor, db, campaign):
    from pathlib import Path

    page = _upload(assessor, campaign, _filled(assessor, campaign, [good(serial="P1"), good(serial="P2")]))
    page = page.get_data(as_text=True)
    folders = list((Path(app.instance_path) / "paper-uploads").iterdir())
    assert [[p.name for p in folder.iterdir()] for folder in folders] == [["cells.json"]]
    assert _confirm(assessor, campaign, page).status_code == 302
    assert _count(db, campaign) == 2
    assert not folders[0].exists()
