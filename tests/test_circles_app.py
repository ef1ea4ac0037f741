"""Circles in the browser (issue 12, item 1): register, edit, import a city's list; and the
matching ``surveyapp circle`` commands."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import AuditEntry, Circle, CircleAccess, Community, FrozenEvaluation, IssuedReport

from .conftest import get_engine_of
from .helpers import PROJECT_QUESTIONNAIRES, complete_round, make_campaign, make_circle

AGES = ["18–29岁占比（%）", "30–44岁占比（%）", "45–59岁占比（%）", "60–69岁占比（%）", "70岁及以上占比（%）"]
HEADER = ["生活圈名称", "服务人口", "城市等级", "社区及人口", "地址", "备注", *AGES]


def signed_in(app, session, role="assessor", username="firm"):
    user = create_user(session, username, "firm-pass-123", role, "示例评价机构")
    client = app.test_client()
    assert client.post("/staff/login", data={"username": username, "password": "firm-pass-123"}).status_code == 302
    return client, user


def count(session, model):
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


# --- the form ---------------------------------------------------------------------------------

def test_an_assessor_registers_a_circle_and_may_see_it(web, session):
    client, user = signed_in(web, session)
    response = client.post("/staff/circles/new", data={
        "name": " 幸福里生活圈 ", "population": "20,000", "city_tier": "2", "address": "和平区幸福路", "notes": "2025 年统计",
        "communities-0-name": "幸福里社区", "communities-0-population": "12000",
        "communities-1-name": "和平社区", "communities-1-population": "8000",
        "age_a18_29": "17", "age_a30_44": "27", "age_a45_59": "25", "age_a60_69": "17", "age_a70_plus": "14"})
    assert response.status_code == 302
    circle = session.exec(select(Circle)).one()
    assert (circle.name, circle.population, circle.city_tier, circle.address, circle.notes) == \
        ("幸福里生活圈", 20000, 2, "和平区幸福路", "2025 年统计")
    assert circle.age_structure == {"a18_29": 0.17, "a30_44": 0.27, "a45_59": 0.25, "a60_69": 0.17, "a70_plus": 0.14}
    communities = session.exec(select(Community).order_by(Community.id)).all()
    assert [(c.name, c.population) for c in communities] == [("幸福里社区", 12000), ("和平社区", 8000)]
    assert session.get(CircleAccess, (user.id, circle.id)) is not None
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "circle.create")).one()
    assert entry.circle_id == circle.id and entry.after["communities"] == {"幸福里社区": 12000, "和平社区": 8000}
    assert client.get(f"/staff/circles/{circle.id}").status_code == 200


def test_bad_input_comes_back_next_to_the_field_with_what_was_typed(web, session):
    client, _ = signed_in(web, session)
    response = client.post("/staff/circles/new", data={
        "name": "新城", "population": "两万", "city_tier": "3",
        "communities-0-name": "甲社区", "communities-0-population": "-5",
        "communities-1-name": "", "communities-1-population": "300",
        "age_a18_29": "50", "age_a30_44": "", "age_a45_59": "", "age_a60_69": "", "age_a70_plus": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="两万"' in html and "服务人口应为正整数" in html
    assert 'value="-5"' in html and "人口应为非负整数" in html
    assert "请填写社区名称，或清空人口" in html
    assert count(session, Circle) == 0


def test_age_shares_must_add_up_to_100(web, session):
    client, _ = signed_in(web, session)
    response = client.post("/staff/circles/new", data={
        "name": "新城", "population": "9000", "city_tier": "3",
        "age_a18_29": "20", "age_a30_44": "20", "age_a45_59": "20", "age_a60_69": "20", "age_a70_plus": "10"})
    assert response.status_code == 422
    assert "各年龄段合计为 90%，应为 100%" in response.get_data(as_text=True)
    assert count(session, Circle) == 0


def test_duplicate_community_names_are_refused_and_nothing_is_written(web, session):
    client, _ = signed_in(web, session)
    response = client.post("/staff/circles/new", data={
        "name": "新城", "population": "9000", "city_tier": "3",
        "communities-0-name": "甲社区", "communities-0-population": "1",
        "communities-1-name": "甲社区", "communities-1-population": "2"})
    assert response.status_code == 422 and "社区名称重复" in response.get_data(as_text=True)
    assert count(session, Circle) == 0 and count(session, AuditEntry) == 1  # the sign-in only


def test_officers_may_not_register_circles(web, session):
    client, _ = signed_in(web, session, role="officer", username="clerk")
    assert client.get("/staff/circles/new").status_code == 404
    assert client.post("/staff/circles/new", data={"name": "x", "population": "1"}).status_code == 404


def test_editing_renames_changes_and_removes_communities(web, session):
    circle = make_circle(session, name="旧名", population=5000, communities=(("东社区", 3000), ("西社区", 2000)))
    east, west = session.exec(select(Community).order_by(Community.id)).all()
    client, user = signed_in(web, session)
    grant_circle(session, user, circle)
    page = client.get(f"/staff/circles/{circle.id}/edit").get_data(as_text=True)
    assert 'value="旧名"' in page and 'value="东社区"' in page and "已签发" not in page
    response = client.post(f"/staff/circles/{circle.id}/edit", data={
        "name": "新名", "population": "6000", "city_tier": "1",
        "communities-0-id": str(east.id), "communities-0-name": "东城社区", "communities-0-population": "3500",
        "communities-1-id": str(west.id), "communities-1-name": "", "communities-1-population": "",
        "communities-2-name": "北社区", "communities-2-population": "2500"})
    assert response.status_code == 302
    session.expire_all()
    rows = session.exec(select(Community).order_by(Community.id)).all()
    assert [(c.id, c.name, c.population) for c in rows][0] == (east.id, "东城社区", 3500)
    assert [(c.name, c.population) for c in rows] == [("东城社区", 3500), ("北社区", 2500)]
    circle = session.get(Circle, circle.id)
    assert (circle.name, circle.population, circle.city_tier) == ("新名", 6000, 1)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "circle.update")).one()
    assert entry.before["population"] == 5000 and entry.after["population"] == 6000
    assert entry.before["communities"] == {"东社区": 3000, "西社区": 2000}
    assert entry.after["communities"] == {"东城社区": 3500, "北社区": 2500}


def test_an_assessor_cannot_edit_another_firms_circle(web, session):
    circle = make_circle(session, name="别人的")
    client, _ = signed_in(web, session)
    assert client.get(f"/staff/circles/{circle.id}/edit").status_code == 404
    assert client.post(f"/staff/circles/{circle.id}/edit", data={"name": "x", "population": "1"}).status_code == 404


def test_a_name_is_one_circles_even_one_the_assessor_cannot_see(web, session):
    """Two 东湖生活圈 in one installation could not be told apart on the overview or in the
    bureau's 汇总表: a name another firm's circle has is refused too, without saying whose."""
    make_circle(session, name="东湖生活圈")  # another firm's
    client, user = signed_in(web, session)
    typed = {"name": "东湖生活圈", "population": "9000", "city_tier": "3",
             "communities-0-name": "东湖社区", "communities-0-population": "9000"}
    response = client.post("/staff/circles/new", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<div class="field has-error">\s*<label for="name">.*?value="东湖生活圈".*?'
                     r'已有同名的生活圈（可能是其他机构登记的）', html, re.S)
    assert "已用红色标出" in html
    assert count(session, Circle) == 1
    # Renaming one's own circle to that name is refused as well; keeping one's own name is not.
    mine = make_circle(session, name="西岭生活圈", population=9000, communities=(("东湖社区", 9000),))
    grant_circle(session, user, mine)
    assert client.post(f"/staff/circles/{mine.id}/edit", data=typed).status_code == 422
    assert client.post(f"/staff/circles/{mine.id}/edit", data={**typed, "name": "西岭生活圈"}).status_code == 302
    session.expire_all()
    assert [c.name for c in session.exec(select(Circle).order_by(Circle.id))] == ["东湖生活圈", "西岭生活圈"]
    # The city list and the command line say the same.
    listed = upload(client, xlsx([["东湖生活圈", 9000, 3, None, None, None, None, None, None, None, None]]))
    assert listed.status_code == 422 and re.search(r"<tr><td>2</td><td>A</td>.*?已有同名的生活圈", listed.get_data(
        as_text=True), re.S)
    result = web.test_cli_runner().invoke(args=["circle", "create", "--name", "东湖生活圈", "--population", "100"])
    assert result.exit_code != 0 and "已有同名的生活圈" in result.output
    assert count(session, Circle) == 2


def test_editing_the_population_leaves_an_issued_round_as_issued(web, session):
    from surveyapp.evaluation.operations import open_evaluation
    from surveyapp.evaluation.registry import current_rules
    from surveyapp.evaluation.service import evaluation_sheet
    from surveyapp.reporting.operations import issue_evaluation

    circle = make_circle(session, name="已评圈", population=5000, communities=(("东社区", 5000),))
    campaign = make_campaign(session, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    with web.app_context():
        evaluation = open_evaluation(session, circle, current_rules("national"), campaign)
        complete_round(session, evaluation)
        report = issue_evaluation(session, evaluation, user_id=None, issuer_name="测试", issued_on=date(2026, 12, 1))
        sheet_before = evaluation_sheet(session, evaluation)
    frozen_before = json.dumps(session.get(FrozenEvaluation, evaluation.id).document, sort_keys=True)
    content_before = report.content
    assert sheet_before["survey"]["sample"]["population"] == 5000 and sheet_before["survey"]["sample"]["required"] == 150

    client, _ = signed_in(web, session, role="admin", username="root")
    page = client.get(f"/staff/circles/{circle.id}/edit").get_data(as_text=True)
    assert report.report_number in page and "不会改变已签发的报告" in page
    assert client.post(f"/staff/circles/{circle.id}/edit", data={
        "name": "已评圈", "population": "10000", "city_tier": "3",
        "communities-0-name": "东社区", "communities-0-population": "10000"}).status_code == 302

    session.expire_all()
    assert session.get(Circle, circle.id).population == 10000
    assert json.dumps(session.get(FrozenEvaluation, evaluation.id).document, sort_keys=True) == frozen_before
    assert session.get(IssuedReport, report.id).content == content_before
    with web.app_context():
        sheet_after = evaluation_sheet(session, session.get(type(evaluation), evaluation.id))
    assert sheet_after["survey"]["sample"]["population"] == 5000 and sheet_after["survey"]["sample"]["required"] == 150


# --- the city list ------------------------------------------------------------------------------

def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name="城市清单.xlsx"):
    return client.post("/staff/circles/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def confirm(client, html: str):
    import re

    token = re.search(r'name="token" type="hidden" value="([^"]+)"|id="token" name="token" type="hidden" value="([^"]+)"',
                      html)
    token = token.group(1) or token.group(2)
    return client.post("/staff/circles/import/confirm", data={"token": token, "file_name": "城市清单.xlsx"})


GOOD_ROWS = [
    ["幸福里生活圈", 20000, 2, "幸福里社区=12000；和平社区=8000", "和平区", "2025 统计", 17, 27, 25, 17, 14],
    ["新桥生活圈", "15,000", "二线", "新桥社区=15000", None, None, None, None, None, None, None],
    ["河西生活圈", 9000, None, None, None, None, None, None, None, None, None],
]


def test_the_template_has_an_example_row_and_explains_each_column(web, session):
    client, _ = signed_in(web, session)
    response = client.get("/staff/circles/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    first, guide = workbook.worksheets
    assert [c.value for c in first[1]] == HEADER
    assert first["A2"].value == "幸福里生活圈" and first["D2"].value.startswith("幸福里社区=8200")
    assert guide.title == "填写说明"
    assert [guide.cell(row=r, column=2).value for r in range(2, 2 + len(HEADER))] == HEADER
    assert guide["A3"].value == "B" and guide["C2"].value == "必填" and guide["C4"].value == "可不填"


def test_the_filled_template_imports_after_confirmation(web, session):
    client, user = signed_in(web, session)
    page = upload(client, xlsx(GOOD_ROWS))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "检查通过" in html
    assert "<strong>3</strong> 个生活圈" in html and "<strong>3</strong> 个社区" in html and "44,000" in html
    assert count(session, Circle) == 0  # nothing stored before the confirmation
    response = confirm(client, html)
    assert response.status_code == 302 and "/staff/campaigns/new?circle=" in response.headers["Location"]
    circles = session.exec(select(Circle).order_by(Circle.id)).all()
    assert [(c.name, c.population, c.city_tier) for c in circles] == [
        ("幸福里生活圈", 20000, 2), ("新桥生活圈", 15000, 2), ("河西生活圈", 9000, 3)]
    assert circles[0].age_structure == {"a18_29": 0.17, "a30_44": 0.27, "a45_59": 0.25, "a60_69": 0.17, "a70_plus": 0.14}
    assert circles[1].age_structure is None
    assert count(session, Community) == 3
    assert {a.circle_id for a in session.exec(select(CircleAccess).where(CircleAccess.user_id == user.id))} == \
        {c.id for c in circles}
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("circle.create") == 3 and actions.count("circle.import") == 1
    # The same file again: every name is taken, nothing is stored twice.
    again = upload(client, xlsx(GOOD_ROWS))
    assert again.status_code == 422 and again.get_data(as_text=True).count("已有同名的生活圈") == 3


def test_every_problem_is_listed_with_row_and_column_and_nothing_is_stored(web, session):
    client, _ = signed_in(web, session)
    rows = [
        GOOD_ROWS[0],
        ["", "abc", 5, "甲社区8000", None, None, None, None, None, None, None],
        ["幸福里生活圈", 0, 1, "乙=1；乙=2", None, None, 50, None, None, None, None],
        ["东湖生活圈", 3000, 1, None, None, None, 20, 20, 20, 20, 10],
    ]
    response = upload(client, xlsx(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有导入任何生活圈" in html
    import re

    found = re.findall(r"<tr><td>(\d+)</td><td>([A-Z]+)</td>", html)
    assert found == [("3", "A"), ("3", "B"), ("3", "C"), ("3", "D"), ("4", "A"), ("4", "B"), ("4", "D"),
                     ("4", "H"), ("4", "I"), ("4", "J"), ("4", "K"), ("5", "G")]
    assert "与第 2 行重名" in html and "城市等级应为 1、2 或 3" in html and "社区名称重复：乙" in html
    assert "各年龄段占比合计为 90，应为 100" in html
    assert count(session, Circle) == 0 and count(session, Community) == 0


def test_unknown_and_missing_columns_are_reported_on_row_1(web, session):
    client, _ = signed_in(web, session)
    response = upload(client, xlsx([["x", 1]], header=["名称", "服务人口"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "模板中没有这一列" in html and "缺少必填的“生活圈名称”列" in html


def test_a_csv_in_gbk_imports_too(web, session):
    client, _ = signed_in(web, session)
    content = "生活圈名称,服务人口,社区及人口\n南门生活圈,8000,南门社区=8000\n".encode("gb18030")
    html = upload(client, content, "清单.csv").get_data(as_text=True)
    assert "检查通过" in html
    assert confirm(client, html).status_code == 302
    assert session.exec(select(Circle.name)).all() == ["南门生活圈"]


def test_a_wrong_file_type_and_formulas_are_refused(web, session):
    client, _ = signed_in(web, session)
    response = upload(client, b"hello", "清单.txt")
    assert response.status_code == 422 and "只能导入 .xlsx 或 .csv 文件" in response.get_data(as_text=True)
    formula = xlsx([["公式圈", "=1+1", None, None, None, None, None, None, None, None, None]])
    html = upload(client, formula).get_data(as_text=True)
    assert "这一格是公式" in html and "<td>2</td><td>B</td>" in html
    assert count(session, Circle) == 0


def test_a_confirmation_cannot_be_replayed_or_used_by_another_account(web, session):
    client, _ = signed_in(web, session)
    html = upload(client, xlsx(GOOD_ROWS[2:])).get_data(as_text=True)
    other, _ = signed_in(web, session, username="other-firm")
    assert confirm(other, html).status_code == 302
    assert count(session, Circle) == 0
    assert confirm(client, html).status_code == 302
    assert confirm(client, html).status_code == 302  # already imported: nothing more
    assert count(session, Circle) == 1


def test_the_import_follows_the_row_cap(web, make_app, session):
    from surveyapp.migrations import upgrade_database

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, IMPORT_MAX_ROWS=2)
    upgrade_database(get_engine_of(app))
    client, _ = signed_in(app, session)
    html = upload(client, xlsx(GOOD_ROWS)).get_data(as_text=True)
    assert "超过了上限" in html and count(session, Circle) == 0


# --- the commands --------------------------------------------------------------------------------

def test_circle_import_template_and_edit_commands(web, session, tmp_path):
    runner = web.test_cli_runner()
    template = tmp_path / "模板.xlsx"
    assert runner.invoke(args=["circle", "template", "--out", str(template)]).exit_code == 0
    assert [c.value for c in load_workbook(template).worksheets[0][1]] == HEADER
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["甲", "x", None, None, None, None, None, None, None, None, None]]))
    result = runner.invoke(args=["circle", "import", str(bad)])
    assert result.exit_code != 0 and "第 2 行 B 列" in result.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD_ROWS))
    dry = runner.invoke(args=["circle", "import", str(good), "--dry-run", "--json"])
    assert json.loads(dry.output) == {"circles": 3, "communities": 3, "population": 44000, "stored": False, "ids": []}
    assert count(session, Circle) == 0
    create_user(session, "firm", "firm-pass-123", "assessor")
    stored = json.loads(runner.invoke(args=["circle", "import", str(good), "--grant", "firm", "--json"]).output)
    assert stored["stored"] is True and len(stored["ids"]) == 3 and count(session, CircleAccess) == 3
    first = stored["ids"][0]
    edited = runner.invoke(args=["circle", "edit", "--id", str(first), "--population", "21000", "--address", "新地址",
                                 "--json"])
    document = json.loads(edited.output)
    assert document["population"] == 21000 and document["address"] == "新地址"
    assert document["communities"] == [{"name": "幸福里社区", "population": 12000}, {"name": "和平社区", "population": 8000}]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "circle.update")).one()
    assert entry.actor.startswith("命令行") and entry.after == {"population": 21000, "address": "新地址"}


def test_a_failure_while_storing_the_list_leaves_nothing_behind(web, session, monkeypatch):
    """All or nothing even past the checks: the third circle fails to store, none is kept."""
    from surveyapp.circles import operations

    client, _ = signed_in(web, session)
    html = upload(client, xlsx(GOOD_ROWS)).get_data(as_text=True)
    real, calls = operations.add_circle, []

    def failing_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("connection lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(operations, "add_circle", failing_on_the_third)
    web.config["PROPAGATE_EXCEPTIONS"] = False
    assert confirm(client, html).status_code == 500
    assert count(session, Circle) == 0 and count(session, Community) == 0 and count(session, CircleAccess) == 0
    session.expire_all()
    assert session.exec(select(AuditEntry.action)).all() == ["auth.login"]
