"""The assessor's campaign dashboard and the exclude/restore review."""
from __future__ import annotations

import pytest

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.operations import NewResponse, record_many

from .conftest import csrf_token
from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle
from .test_auth import login

MINI = APP_QUESTIONNAIRES / "mini.yaml"


pytestmark = pytest.mark.usefixtures("app_questionnaires")


@pytest.fixture
def setup(db, client):
    questionnaire = load_questionnaire(MINI)
    circle = make_circle(db, name="测评生活圈", population=1000, communities=(("东社区", 600), ("西社区", 400)))
    campaign = make_campaign(db, circle, MINI)
    # 27 of 30 satisfied: exactly 90%, interval contains 0.90 → borderline; 西社区 has 3 (suppressed)
    items = [NewResponse(answers={"community": "东社区" if i < 27 else "西社区", "age_band": "a60",
                                  "business_overall": "5" if i < 27 else "2"}, channel="paper") for i in range(30)]
    responses = record_many(db, campaign, questionnaire, items)
    user = create_user(db, "assessor1", "long-password", "assessor", "评估员甲")
    grant_circle(db, user, circle)
    login(client, "assessor1", "long-password")
    return campaign, responses


def test_dashboard_shows_sample_indicators_and_plain_borderline_warning(client, setup):
    campaign, _ = setup
    html = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "有效问卷 <strong>30</strong> 份" in html and "已达到要求" in html
    assert "90.0%" in html and "得分 <strong>16</strong> / 16" in html
    assert "临界" in html and "90% 的分档线" in html
    assert "少于5人，不显示" in html
    assert "<svg" in html and "<script" not in html.split("</nav>")[1]


def test_dashboard_of_another_circle_is_404(client, db, setup):
    other = make_campaign(db, make_circle(db, name="别的生活圈"), MINI)
    assert client.get(f"/staff/campaigns/{other.id}").status_code == 404


def test_exclude_then_restore_from_the_dashboard(client, setup):
    campaign, responses = setup
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    target = responses[0]
    response = client.post(f"/staff/responses/{target.id}/exclude",
                           data={"csrf_token": csrf_token(page), "reason": "manual", "note": "字迹无法辨认"})
    assert response.status_code == 302
    html = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "有效问卷 <strong>29</strong> 份" in html and "还差 1 份" in html
    assert "评价机构剔除" in html and "字迹无法辨认" in html
    client.post(f"/staff/responses/{target.id}/restore", data={"csrf_token": csrf_token(html), "note": "核实"})
    html = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "有效问卷 <strong>30</strong> 份" in html


def test_review_needs_csrf_and_is_scoped(client, db, setup):
    campaign, responses = setup
    assert client.post(f"/staff/responses/{responses[0].id}/exclude", data={"reason": "manual"}).status_code == 400
    other_campaign = make_campaign(db, make_circle(db, name="别的生活圈"), MINI)
    [foreign] = record_many(db, other_campaign, load_questionnaire(MINI), [NewResponse(
        answers={"community": "东社区", "age_band": "a60", "business_overall": "5"}, channel="paper")])
    page = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(f"/staff/responses/{foreign.id}/exclude",
                           data={"csrf_token": csrf_token(page), "reason": "manual"})
    assert response.status_code == 404


def test_campaign_list_shows_valid_against_required(client, setup):
    html = client.get("/staff/campaigns").get_data(as_text=True)
    assert "30 / 30" in html and "已达标" in html
