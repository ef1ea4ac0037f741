"""The community pages in the browser's shoes: an officer goes from the demand list to a project
and its progress, bad input comes back in Chinese with what was typed, every route refuses
another circle's ids with a 404, and the lists leave the system as PDF and XLSX."""
from __future__ import annotations

import io
import re

import pytest
from flask import render_template_string
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.community.operations import create_project
from surveyapp.models import CommunityProject, DemandDecision, ProjectNote, Response, SuggestionTriage
from surveyapp.models.timeutil import utcnow

from .conftest import csrf_token
from .helpers import make_circle
from .test_auth import login
from .test_community_queries import app_config, questionnaire_dir, survey  # noqa: F401  (fixtures)


@pytest.fixture
def setup(app, db, questionnaire_dir):
    """Circle ``mine`` (granted to the officer) and circle ``theirs`` (not), each with a survey,
    a suggestion and a project."""
    mine = make_circle(db, name="我的生活圈", population=5000, communities=(("东社区", 5000),))
    theirs = make_circle(db, name="别人的生活圈", population=5000, communities=(("东社区", 5000),))
    picks = [["laundry"] if i < 8 else ["bookstore"] for i in range(20)]
    survey(db, mine, questionnaire_dir, picks, suggestions_=["希望有洗衣店", "路灯太暗"])
    survey(db, theirs, questionnaire_dir, picks, suggestions_=["别处的建议"])
    officer = create_user(db, "wang", "officer-pass", "officer", "王干事")
    grant_circle(db, officer, mine)
    with app.app_context():
        today = utcnow().date()
        my_project = create_project(db, mine.id, {"laundry"}, {"title": "我的项目", "type_code": "laundry",
                                                              "responsible": "居委会"}, officer.id, today)
        their_project = create_project(db, theirs.id, {"laundry"}, {"title": "别人的项目", "type_code": "laundry",
                                                                   "responsible": "别的居委会"}, None, today)
    responses = {r.answers.get("suggestion"): r.id for r in db.exec(select(Response)) if r.answers.get("suggestion")}
    return {"mine": mine, "theirs": theirs, "officer": officer, "my_project": my_project,
            "their_project": their_project, "my_suggestion": responses["希望有洗衣店"],
            "their_suggestion": responses["别处的建议"]}


def signed_in(client, username="wang", password="officer-pass"):
    assert login(client, username, password).status_code == 302
    return client


def token(client, circle_id):
    return csrf_token(client.get(f"/community/circles/{circle_id}/projects/new").get_data(as_text=True))


def test_pages_need_sign_in(client, setup):
    for path in ("/community/", f"/community/circles/{setup['mine'].id}", f"/community/circles/{setup['mine'].id}/lists.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_officer_goes_from_the_demand_list_to_a_project_and_its_progress(client, db, setup):
    signed_in(client)
    mine = setup["mine"].id
    index = client.get("/community/")
    assert index.status_code == 302 and index.headers["Location"].endswith(f"/community/circles/{mine}")
    page = client.get(f"/community/circles/{mine}").get_data(as_text=True)
    assert "需求清单" in page and "洗衣店/洗染店" in page and "40.0%" in page  # 8 of 20
    assert f"/community/circles/{mine}/projects/new?type=laundry" in page
    assert "别人的项目" not in page and "别人的生活圈" not in page

    form = client.get(f"/community/circles/{mine}/projects/new?type=laundry").get_data(as_text=True)
    assert 'value="补齐洗衣店/洗染店"' in form and re.search(r'<option selected value="laundry">', form)
    response = client.post(f"/community/circles/{mine}/projects/new", data={
        "csrf_token": csrf_token(form), "title": "引进洗衣店", "type_code": "laundry", "demands": ["laundry", "bookstore"],
        "action": "沿街商铺引进一家", "responsible": "东社区居委会", "planned_on": "2027-03-31", "status": "planned"})
    assert response.status_code == 302
    project = db.exec(select(CommunityProject).where(CommunityProject.title == "引进洗衣店")).one()
    assert response.headers["Location"].endswith(f"/community/circles/{mine}/projects/{project.id}")

    detail = client.get(f"/community/circles/{mine}/projects/{project.id}").get_data(as_text=True)
    assert "东社区居委会" in detail and "2027-03-31" in detail and "新式书店" in detail
    response = client.post(f"/community/circles/{mine}/projects/{project.id}/notes", data={
        "csrf_token": csrf_token(detail), "noted_on": "2026-12-01", "text": "洗衣店开业", "status": "done"})
    assert response.status_code == 302
    db.refresh(project)
    assert project.status == "done" and project.completed_on.isoformat() == "2026-12-01"
    assert db.exec(select(ProjectNote).where(ProjectNote.project_id == project.id)).one().user_id == setup["officer"].id
    detail = client.get(f"/community/circles/{mine}/projects/{project.id}").get_data(as_text=True)
    assert "洗衣店开业" in detail and "已完成" in detail

    demand = client.get(f"/community/circles/{mine}/demands/bookstore").get_data(as_text=True)
    assert "引进洗衣店" in demand, "a demand shows the projects that answer it"
    projects = client.get(f"/community/circles/{mine}/projects").get_data(as_text=True)
    assert "引进洗衣店" in projects and "问需（指标 1）" in projects


def test_bad_project_input_comes_back_in_chinese_with_the_typed_values(client, db, setup):
    signed_in(client)
    mine = setup["mine"].id
    response = client.post(f"/community/circles/{mine}/projects/new", data={
        "csrf_token": token(client, mine), "title": "", "type_code": "laundry", "responsible": "东社区居委会",
        "planned_on": "2027-02-30", "status": "planned", "action": "先调研"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写项目名称" in page and "没有这一天，请核对日期" in page
    assert 'value="东社区居委会"' in page and 'value="2027-02-30"' in page and "先调研" in page
    response = client.post(f"/community/circles/{mine}/projects/new", data={
        "csrf_token": token(client, mine), "title": "x", "type_code": "no-such-type", "responsible": "y",
        "planned_on": "明年", "status": "whatever"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请选择业态类型" in page and "日期格式应为 2026-12-31" in page and "请选择项目状态" in page
    assert 'value="明年"' in page
    assert db.exec(select(CommunityProject).where(CommunityProject.circle_id == mine)).all() == [setup["my_project"]]


def test_empty_progress_note_is_refused_next_to_the_field(client, setup):
    signed_in(client)
    mine, project = setup["mine"].id, setup["my_project"].id
    page = client.get(f"/community/circles/{mine}/projects/{project}").get_data(as_text=True)
    response = client.post(f"/community/circles/{mine}/projects/{project}/notes", data={
        "csrf_token": csrf_token(page), "noted_on": "2026-12-01", "text": "  ", "status": ""})
    assert response.status_code == 422 and "请填写进展情况" in response.get_data(as_text=True)


def test_editing_a_project_keeps_it_in_the_circle(client, db, setup):
    signed_in(client)
    mine, project = setup["mine"].id, setup["my_project"]
    page = client.get(f"/community/circles/{mine}/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="我的项目"' in page
    response = client.post(f"/community/circles/{mine}/projects/{project.id}/edit", data={
        "csrf_token": csrf_token(page), "title": "我的项目（改）", "type_code": "laundry", "responsible": "居委会",
        "planned_on": "", "status": "in_progress"})
    assert response.status_code == 302
    db.refresh(project)
    assert project.title == "我的项目（改）" and project.status == "in_progress"


def test_declining_a_demand_needs_a_reason(client, db, setup):
    signed_in(client)
    mine = setup["mine"].id
    page = client.get(f"/community/circles/{mine}/demands/bookstore").get_data(as_text=True)
    response = client.post(f"/community/circles/{mine}/demands/bookstore", data={
        "csrf_token": csrf_token(page), "reason": "", "action": "decline"})
    assert response.status_code == 422 and "请填写不予实施的理由" in response.get_data(as_text=True)
    response = client.post(f"/community/circles/{mine}/demands/bookstore", data={
        "csrf_token": csrf_token(page), "reason": "区图书馆分馆在步行范围内", "action": "decline"})
    assert response.status_code == 302
    decision = db.get(DemandDecision, (mine, "bookstore"))
    assert decision.reason == "区图书馆分馆在步行范围内" and decision.decided_by == setup["officer"].id
    assert "不予实施：区图书馆分馆在步行范围内" in client.get(f"/community/circles/{mine}").get_data(as_text=True)
    client.post(f"/community/circles/{mine}/demands/bookstore", data={"csrf_token": csrf_token(page), "action": "withdraw"})
    db.expire_all()
    assert db.get(DemandDecision, (mine, "bookstore")) is None
    assert client.get(f"/community/circles/{mine}/demands/no-such-type").status_code == 404


def test_suggestions_can_be_grouped_and_hidden(client, db, setup):
    signed_in(client)
    mine, rid = setup["mine"].id, setup["my_suggestion"]
    page = client.get(f"/community/circles/{mine}/suggestions").get_data(as_text=True)
    assert "希望有洗衣店" in page and "路灯太暗" in page and "别处的建议" not in page
    field = re.search(rf'id="s{rid}-csrf_token" name="s{rid}-csrf_token" type="hidden" value="([^"]+)"', page)
    assert field, "each suggestion's form carries its own CSRF token"
    response = client.post(f"/community/circles/{mine}/suggestions/{rid}", data={
        f"s{rid}-csrf_token": field.group(1), f"s{rid}-type_code": "laundry", "action": "group"})
    assert response.status_code == 302
    assert db.get(SuggestionTriage, rid).type_code == "laundry"
    assert "希望有洗衣店" in client.get(f"/community/circles/{mine}/demands/laundry").get_data(as_text=True)
    client.post(f"/community/circles/{mine}/suggestions/{rid}", data={
        f"s{rid}-csrf_token": field.group(1), "action": "hide"})
    db.expire_all()
    triage = db.get(SuggestionTriage, rid)
    assert triage.hidden and triage.hidden_by == setup["officer"].id and triage.hidden_at is not None
    assert "希望有洗衣店" not in client.get(f"/community/circles/{mine}/suggestions").get_data(as_text=True)
    hidden = client.get(f"/community/circles/{mine}/suggestions?view=hidden").get_data(as_text=True)
    assert "希望有洗衣店" in hidden and "王干事" in hidden
    assert db.get(Response, rid).answers["suggestion"] == "希望有洗衣店"


def test_forms_without_the_csrf_token_are_refused(client, db, setup):
    signed_in(client)
    mine = setup["mine"].id
    response = client.post(f"/community/circles/{mine}/projects/new", data={
        "title": "t", "type_code": "laundry", "responsible": "r", "status": "planned"})
    assert response.status_code == 400
    assert len(db.exec(select(CommunityProject).where(CommunityProject.circle_id == mine)).all()) == 1


def officer_routes(circle, project, suggestion):
    """Every route of the blueprint that names a circle (method, path)."""
    c = f"/community/circles/{circle}"
    return [
        ("GET", c), ("GET", f"{c}/demands/laundry"), ("POST", f"{c}/demands/laundry"),
        ("GET", f"{c}/suggestions"), ("POST", f"{c}/suggestions/{suggestion}"),
        ("GET", f"{c}/projects"), ("GET", f"{c}/projects/new"), ("POST", f"{c}/projects/new"),
        ("GET", f"{c}/projects/{project}"), ("GET", f"{c}/projects/{project}/edit"),
        ("POST", f"{c}/projects/{project}/edit"), ("POST", f"{c}/projects/{project}/notes"),
        ("GET", f"{c}/lists.pdf"), ("GET", f"{c}/lists.xlsx"),
    ]


def test_every_route_refuses_another_circles_ids(client, db, setup):
    signed_in(client)
    mine, theirs = setup["mine"].id, setup["theirs"].id
    csrf = token(client, mine)
    payload = {"csrf_token": csrf, "title": "越界", "type_code": "laundry", "responsible": "x", "status": "done",
               "noted_on": "2026-12-01", "text": "越界", "reason": "越界", "action": "hide",
               f"s{setup['their_suggestion']}-csrf_token": csrf}
    attempts = [
        # another circle with its own project and suggestion
        *officer_routes(theirs, setup["their_project"].id, setup["their_suggestion"]),
        # my circle, but another circle's project and suggestion
        *[r for r in officer_routes(mine, setup["their_project"].id, setup["their_suggestion"])
          if "/projects/" in r[1] and not r[1].endswith("/new") or "/suggestions/" in r[1]],
        # a circle that does not exist
        *officer_routes(99999, setup["my_project"].id, setup["my_suggestion"]),
    ]
    for method, path in attempts:
        response = client.get(path) if method == "GET" else client.post(path, data=payload)
        assert response.status_code == 404, (method, path, response.status_code)
    assert len(attempts) == 14 * 2 + 5
    db.expire_all()
    assert db.exec(select(CommunityProject).where(CommunityProject.title == "越界")).all() == []
    assert db.exec(select(ProjectNote)).all() == []
    assert db.exec(select(DemandDecision)).all() == []
    assert db.get(SuggestionTriage, setup["their_suggestion"]) is None
    their_project = db.get(CommunityProject, setup["their_project"].id)
    assert their_project.status == "planned" and their_project.title == "别人的项目"


def test_my_own_routes_all_answer(client, setup):
    """The same list of routes, on my own circle, is reachable (so the 404s above mean scoping)."""
    signed_in(client)
    for method, path in officer_routes(setup["mine"].id, setup["my_project"].id, setup["my_suggestion"]):
        if method == "GET":
            assert client.get(path).status_code == 200, path


def test_admin_sees_every_circle_and_assessor_only_granted_ones(client, db, setup):
    create_user(db, "admin", "admin-pass", "admin", "管理员")
    assessor = create_user(db, "li", "assessor-pass", "assessor", "李评估")
    grant_circle(db, assessor, setup["theirs"])
    signed_in(client, "admin", "admin-pass")
    listing = client.get("/community/").get_data(as_text=True)
    assert "我的生活圈" in listing and "别人的生活圈" in listing
    assert client.get(f"/community/circles/{setup['theirs'].id}").status_code == 200
    other = client.application.test_client()
    signed_in(other, "li", "assessor-pass")
    assert other.get(f"/community/circles/{setup['theirs'].id}/projects").status_code == 200
    assert other.get(f"/community/circles/{setup['mine'].id}/projects").status_code == 404


def test_small_groups_show_no_figures_on_the_page(client, db, app, questionnaire_dir):
    tiny = make_circle(db, name="小生活圈", population=500, communities=(("东社区", 500),))
    survey(db, tiny, questionnaire_dir, [["laundry"]] * 4, suggestions_=["只有四个人"])
    officer = create_user(db, "wang", "officer-pass", "officer", "王干事")
    grant_circle(db, officer, tiny)
    signed_in(client)
    page = client.get(f"/community/circles/{tiny.id}").get_data(as_text=True)
    assert "不足 5 人" in page and "100.0%" not in page and "立项" not in page
    suggestions = client.get(f"/community/circles/{tiny.id}/suggestions").get_data(as_text=True)
    assert "只有四个人" not in suggestions and "暂不显示建议原文" in suggestions


def test_exports_print_both_lists_and_show_formula_text_as_typed(client, db, app, setup):
    signed_in(client)
    mine = setup["mine"].id
    with app.app_context():
        create_project(db, mine, {"laundry"}, {"title": "=HYPERLINK(\"http://evil\")", "type_code": "laundry",
                                               "responsible": "@某人", "action": "-1+1"}, None, utcnow().date())
    response = client.get(f"/community/circles/{mine}/lists.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["需求清单", "步行时间", "项目清单", "项目进展"]
    projects = workbook["项目清单"]
    rows = [[cell.value for cell in row] for row in projects.iter_rows(min_row=2)]
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    # The text typed, no visible apostrophe: string cells are never evaluated.
    assert evil[1] == "=HYPERLINK(\"http://evil\")" and evil[5] == "@某人" and evil[4] == "-1+1"
    assert all(cell.data_type != "f" for row in projects.iter_rows() for cell in row)
    from .test_reports import xlsx_formulas

    assert xlsx_formulas(response.data) == []
    demands = workbook["需求清单"]
    assert demands["B2"].value == "新式书店" and demands["F2"].value == pytest.approx(0.6)  # 12 of 20
    pdf = client.get(f"/community/circles/{mine}/lists.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_pdf_is_rendered_from_the_reports_template(app, db, setup):
    from surveyapp.community import export
    from reports.rendering import render_html

    with app.test_request_context():
        document = export.lists_document(db, setup["mine"], utcnow().date())
        html = render_html("community_lists.html", export._pdf_context(document))
    assert "我的生活圈" in html and "需求清单" in html and "项目清单" in html and "我的项目" in html
    assert "新式书店" in html and "60.0%" in html


def test_the_indicator_block_renders_only_with_its_context(app):
    with app.test_request_context():
        template = '{% include "community/_needs_suggestion.html" ignore missing %}'
        assert render_template_string(template).strip() == ""
        html = render_template_string(template, needs_suggestion={
            "lists_exist": True, "projects_carried_out": False, "reasons": ["项目清单：共 1 个项目。"]})
    assert "有（建议 4 分）" in html and "未达到（建议 0 分）" in html and "项目清单：共 1 个项目。" in html


def test_demo_officer_reaches_the_demo_circle(app, db, client):
    from surveyapp.demo.seed import seed_demo
    from surveyapp.questionnaire import load_questionnaire

    from .helpers import PROJECT_QUESTIONNAIRES

    with app.app_context():
        result = seed_demo(db, load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml"), responses=60,
                           incomplete=2)
    signed_in(client, "officer", "demo-officer")
    page = client.get(f"/community/circles/{result.circle.id}").get_data(as_text=True)
    assert "引进社区洗衣店" in page and "已完成" in page and "与上一轮比" in page
    projects = client.get(f"/community/circles/{result.circle.id}/projects").get_data(as_text=True)
    assert "设置再生资源回收点" in projects and "社区书房" in projects and "宠物服务" in projects
