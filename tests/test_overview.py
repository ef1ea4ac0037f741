"""The city overview (surveyapp/overview/): rows against hand-computed figures and the
campaign page's own summary, attention first, sorting and filtering from the URL, the
circles a user may see, the XLSX and PDF exports, a fixed number of queries, the CLI."""
from __future__ import annotations

import io
import json
import re
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.evaluation.operations import open_evaluation
from surveyapp.evaluation.registry import current_rules
from surveyapp.models import Channel
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.responses.operations import NewResponse, record_many

from .conftest import csrf_token, get_engine_of
from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"
QUESTIONNAIRE = load_questionnaire(RESIDENT)


pytestmark = pytest.mark.usefixtures("project_questionnaires")


def paper(db, campaign, business: list[str], service: str = "5"):
    """One paper form per code in ``business`` (paper forms have no completion time)."""
    items = []
    for code in business:
        answers, errors = validate_answers(QUESTIONNAIRE, {
            "community": "东社区", "age_band": "a60_69", "years_lived": "y10_plus",
            "business_overall": code, "service_overall": service}, ["东社区", "西社区"])
        assert not errors
        items.append(NewResponse(answers=answers, channel=Channel.paper.value))
    record_many(db, campaign, QUESTIONNAIRE, items)


@pytest.fixture
def city(app, db):
    """三圈: 甲 open and short (10 of 30), 乙 met (20 of 6) with a draft round, 丙 no survey."""
    jia = make_circle(db, name="甲生活圈", population=1000)
    yi = make_circle(db, name="乙生活圈", population=200)
    bing = make_circle(db, name="丙生活圈", population=5000)
    jia_campaign = make_campaign(db, jia, RESIDENT, closes_in_days=12)
    yi_campaign = make_campaign(db, yi, RESIDENT, closes_in_days=3)
    paper(db, jia_campaign, ["4"] * 8 + ["2"] * 2)
    paper(db, yi_campaign, ["5"] * 19 + ["0"], service="3")
    with app.app_context():
        open_evaluation(db, yi, current_rules(app.config["DEFAULT_RULES"]), yi_campaign)
    return {"jia": jia, "yi": yi, "bing": bing, "jia_campaign": jia_campaign, "yi_campaign": yi_campaign}


def sign_in(app, db, role="assessor", circles=()):
    user = create_user(db, f"{role}-1", "pass-word-123", role)
    for circle in circles:
        grant_circle(db, user, circle)
    client = app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={"csrf_token": token, "username": user.username,
                                                 "password": "pass-word-123"})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    return client


def rows_of(app, db, user=None):
    from fractions import Fraction

    from surveyapp.models.timeutil import utcnow
    from surveyapp.overview.queries import city_overview

    class Admin:
        is_admin = True

    with app.test_request_context():
        return city_overview(db, user or Admin(), utcnow(), sample_rate=Fraction(3, 100))


def test_rows_hold_the_hand_computed_figures(app, db, city):
    rows = {row.name: row for row in rows_of(app, db)}
    jia, yi, bing = rows["甲生活圈"], rows["乙生活圈"], rows["丙生活圈"]
    # 甲: required = ⌈3% × 1000⌉ = 30, valid 10 → short by 20; 8 of 10 satisfied = 80 %, but 0
    # points while the sample is short.
    assert (jia.valid, jia.required, jia.met, jia.shortfall) == (10, 30, False, 20)
    assert jia.rates["business_satisfaction"].rate == pytest.approx(0.8)
    assert jia.rates["business_satisfaction"].points == 0
    assert jia.survey_state == "open" and jia.days_left == 12
    assert jia.attention == ["样本还差 20 份，剩 12 天"]
    assert jia.progress == pytest.approx(10 / 30)
    # 乙: required ⌈3% × 200⌉ = 6, valid 20, met; 19 satisfied of 19 answered (不清楚 left
    # out) = 100 % → 16 points; service all 一般 → 0 % → 0 points.
    assert (yi.valid, yi.required, yi.met) == (20, 6, True)
    assert yi.rates["business_satisfaction"].rate == 1.0 and yi.rates["business_satisfaction"].points == 16
    assert yi.rates["service_satisfaction"].rate == 0.0 and yi.rates["service_satisfaction"].points == 0
    assert (yi.round, yi.round_state) == (1, "draft") and yi.attention == ["第 1 轮评价是草稿"]
    assert bing.survey_state == "none" and bing.attention == ["还没有居民满意度调查"]


def test_rows_agree_with_the_campaign_page_summary(app, db, city):
    from surveyapp.results.service import summary_for

    rows = {row.campaign_id: row for row in rows_of(app, db) if row.campaign_id}
    with app.test_request_context():
        for key in ("jia_campaign", "yi_campaign"):
            campaign = city[key]
            summary = summary_for(db, campaign, detail=False)
            row = rows[campaign.id]
            assert (row.valid, row.required, row.met) == (summary["sample"]["valid"], summary["sample"]["required"],
                                                          summary["sample"]["met"])
            for indicator, item in summary["indicators"].items():
                assert (row.rates[indicator].rate, row.rates[indicator].points) == (item["rate"], item["points"])


def test_the_number_of_queries_does_not_grow_with_the_circles(app, db, city):
    engine = get_engine_of(app)
    counted = []

    def count(*args):
        counted.append(1)

    rows_of(app, db)  # the questionnaire text is read once and cached
    event.listen(engine, "before_cursor_execute", count)
    try:
        rows_of(app, db)
        three = len(counted)
        for number in range(4):
            circle = make_circle(db, name=f"加{number}", population=300)
            paper(db, make_campaign(db, circle, RESIDENT), ["4", "5"])
        counted.clear()
        rows_of(app, db)
        seven = len(counted)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert seven == three <= 8, (three, seven)


def test_the_assessor_home_shows_only_their_circles_attention_first(app, db, city):
    client = sign_in(app, db, circles=[city["jia"], city["yi"]])
    page = client.get("/staff/").get_data(as_text=True)
    assert "丙生活圈" not in page and "账户管理" not in page and "操作记录" not in page
    names = re.findall(r'<td><a href="/staff/circles/\d+">([^<]+)</a>', page)
    assert names == ["甲生活圈", "乙生活圈"]  # 12 days left to find 20 answers before a draft round
    attention = page[page.index('id="attention"'):page.index("</section>", page.index('id="attention"'))]
    assert attention.index("甲生活圈") < attention.index("乙生活圈")
    assert '<progress class="short" max="1" value="0.333">' in page


def test_sorting_and_filtering_work_from_the_url(app, db, city):
    client = sign_in(app, db, role="admin")
    def names(query):
        page = client.get(f"/staff/?{query}").get_data(as_text=True)
        return re.findall(r'<td><a href="/staff/circles/\d+">([^<]+)</a>', page)

    assert names("sort=population&order=desc") == ["丙生活圈", "甲生活圈", "乙生活圈"]
    assert names("sort=population&order=asc") == ["乙生活圈", "甲生活圈", "丙生活圈"]
    assert names("sort=business&order=desc") == ["乙生活圈", "甲生活圈", "丙生活圈"]
    assert names("survey=none") == ["丙生活圈"]
    assert names("round=draft") == ["乙生活圈"]
    assert names("q=甲") == ["甲生活圈"]
    assert names("sort=nonsense&survey=bogus") == ["甲生活圈", "乙生活圈", "丙生活圈"]  # ignored, attention order


def test_an_admin_home_links_to_accounts_and_the_audit_log(app, db, city):
    page = sign_in(app, db, role="admin").get("/staff/").get_data(as_text=True)
    assert 'href="/staff/accounts"' in page and 'href="/staff/audit"' in page
    assert "最近的操作" in page and "登录" in page


def test_xlsx_export_neutralises_cells(app, db, city):
    city["bing"].name = "=HYPERLINK(\"http://x\")"
    db.add(city["bing"])
    db.commit()
    client = sign_in(app, db, role="admin")
    response = client.get("/staff/overview.xlsx?sort=name")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["生活圈", "服务人口", "城市等级"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["甲生活圈"][6:9] == [10, 30, "否"] and by_name["甲生活圈"][9] == pytest.approx(0.8)
    formula = next(row for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith("="))[0]
    assert formula.data_type == "s" and formula.quotePrefix


def test_pdf_has_one_summary_sheet_page_per_circle_with_a_survey(app, db, city, tmp_path):
    client = sign_in(app, db, role="admin")
    response = client.get("/staff/overview.pdf")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    path = tmp_path / "city.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+2\n", info)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    assert "甲生活圈" in pages[0] and "乙生活圈" in pages[1]


def test_cli_overview_json(runner, app, db, city):
    result = runner.invoke(args=["overview", "--json"])
    assert result.exit_code == 0, result.output
    circles = {c["name"]: c for c in json.loads(result.output)["circles"]}
    assert circles["甲生活圈"]["valid"] == 10 and circles["甲生活圈"]["attention"] == ["样本还差 20 份，剩 12 天"]


def test_the_survey_list_shows_each_samples_figures_in_a_fixed_number_of_queries(app, db, city):
    """The 问卷调查 page lists every survey with valid / required: the same figures as the
    dashboard, read for all surveys at once (it used to compute a summary per survey)."""
    client = sign_in(app, db, role="admin")
    engine = get_engine_of(app)
    counted = []

    def count(*args):
        counted.append(1)

    page = client.get("/staff/campaigns").get_data(as_text=True)
    # 甲: 10 valid of ⌈3% × 1000⌉ = 30 → 差 20 份; 乙: 20 of ⌈3% × 200⌉ = 6 → 已达标.
    assert re.search(r"10 / 30<br><small[^>]*>差 20 份", page)
    assert re.search(r"20 / 6<br><small[^>]*>已达标", page)
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/staff/campaigns")
        two = len(counted)
        for number in range(4):
            circle = make_circle(db, name=f"加{number}", population=300)
            paper(db, make_campaign(db, circle, RESIDENT), ["4", "5"])
        client.get("/staff/campaigns")  # the new questionnaire snapshots are read once
        counted.clear()
        page = client.get("/staff/campaigns").get_data(as_text=True)
        six = len(counted)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert six == two, (two, six)
    assert len(re.findall(r"2 / 9<br><small[^>]*>差 7 份", page)) == 4  # ⌈3% × 300⌉ = 9
