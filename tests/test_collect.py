"""The resident's journey: notice → form → thanks, and every way it can go wrong."""
from __future__ import annotations


import pytest
from sqlmodel import select

from surveyapp.campaigns.operations import close_campaign
from surveyapp.models import Response

from .conftest import csrf_token
from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle


pytestmark = pytest.mark.usefixtures("app_questionnaires")


@pytest.fixture
def campaign(db):
    circle = make_circle(db)
    return make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")


def good_answers(**overrides):
    answers = {
        "q_community": "东社区", "q_age_band": "a60", "q_business_overall": "4",
        "q_walk_minutes": "12", "q_suggestion": "希望多开早餐店",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def open_form(client, campaign):
    page = client.get(f"/s/{campaign.token}/answer")
    assert page.status_code == 200
    return csrf_token(page.get_data(as_text=True))


def submit(client, campaign, **overrides):
    token = open_form(client, campaign)
    return client.post(f"/s/{campaign.token}/answer", data={"csrf_token": token, **good_answers(**overrides)})


def stored(db, campaign):
    db.expire_all()
    return db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()


def test_notice_page_explains_before_the_first_question(client, campaign):
    page = client.get(f"/s/{campaign.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "匿名" in html and "三年后删除" in html and "开始填写" in html
    assert "sa_device" in page.headers.get("Set-Cookie", "")


def test_form_lists_the_circles_communities(client, campaign):
    html = client.get(f"/s/{campaign.token}/answer").get_data(as_text=True)
    assert "东社区" in html and "西社区" in html
    assert "非常满意" in html and "不清楚" in html


def test_valid_submission_is_stored_whole_with_times_and_hash(client, db, campaign):
    response = submit(client, campaign)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{campaign.token}/thanks")
    [row] = stored(db, campaign)
    assert row.channel == "qr"
    assert row.answers == {
        "community": "东社区", "age_band": "a60", "business_overall": "4",
        "walk_minutes": 12, "suggestion": "希望多开早餐店",
    }
    assert row.questionnaire == "mini" and row.questionnaire_version == "1"
    assert row.questionnaire_hash == campaign.questionnaire_hash and len(row.questionnaire_hash) == 64
    assert row.started_at is not None and row.started_at <= row.finished_at
    assert row.device_hash and len(row.device_hash) == 64
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "提交成功" in thanks


def test_missing_required_answer_shows_chinese_message_and_keeps_the_rest(client, db, campaign):
    response = submit(client, campaign, q_business_overall=None, q_suggestion="我写的建议不能丢")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请回答这一题" in html
    assert "我写的建议不能丢" in html  # the typed text is still there
    assert 'value="a60" checked' in html or 'checked value="a60"' in html or ('value="a60"' in html and "checked" in html)
    assert stored(db, campaign) == []


def test_out_of_range_number_is_refused_with_the_files_message(client, db, campaign):
    html = submit(client, campaign, q_walk_minutes="121").get_data(as_text=True)
    assert "120" in html and "请" in html
    assert stored(db, campaign) == []
    assert submit(client, campaign, q_walk_minutes="120").status_code == 303


def test_unknown_choice_code_is_refused(client, db, campaign):
    response = submit(client, campaign, q_community="不存在的社区")
    assert response.status_code == 422
    assert "请从选项中选择" in response.get_data(as_text=True)
    assert stored(db, campaign) == []


def test_answers_to_hidden_questions_are_dropped_on_the_server(client, db, campaign):
    # why_unhappy only shows when business_overall is 1 or 2; a satisfied resident's
    # browser could still send it (no JavaScript, or a forged request).
    submit(client, campaign, q_business_overall="5", q_why_unhappy="不该保存")
    [row] = stored(db, campaign)
    assert "why_unhappy" not in row.answers


def test_answers_to_shown_follow_up_are_kept(client, db, campaign):
    submit(client, campaign, q_business_overall="1", q_why_unhappy="没有早餐店")
    [row] = stored(db, campaign)
    assert row.answers["why_unhappy"] == "没有早餐店"


def test_missing_csrf_token_is_rejected_and_nothing_stored(client, db, campaign):
    client.get(f"/s/{campaign.token}/answer")
    response = client.post(f"/s/{campaign.token}/answer", data=good_answers(q_suggestion="保留我"))
    assert response.status_code == 400
    assert "保留我" in response.get_data(as_text=True)  # answers kept for a second press
    assert stored(db, campaign) == []


def test_second_answer_from_the_same_device_sees_already_answered(client, db, campaign):
    campaign.answers_per_device = 1  # one answer per phone (the rule before the shared phone)
    db.add(campaign)
    db.commit()
    assert submit(client, campaign).status_code == 303
    again = client.get(f"/s/{campaign.token}")
    assert "已经填写过" in again.get_data(as_text=True)
    form_again = client.get(f"/s/{campaign.token}/answer")
    assert "已经填写过" in form_again.get_data(as_text=True)
    assert len(stored(db, campaign)) == 1


def test_another_device_can_answer(app, client, db, campaign):
    assert submit(client, campaign).status_code == 303
    other = app.test_client()
    assert submit(other, campaign).status_code == 303
    assert len(stored(db, campaign)) == 2


def test_closed_campaign_gets_a_clear_page(client, db, campaign):
    close_campaign(db, campaign)
    page = client.get(f"/s/{campaign.token}/answer")
    assert page.status_code == 200 and "已经结束" in page.get_data(as_text=True)
    assert client.post(f"/s/{campaign.token}/answer", data=good_answers()).status_code == 200
    assert stored(db, campaign) == []


def test_campaign_past_its_closing_date_is_closed(client, db):
    circle = make_circle(db)
    past = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml", opens_in_days=-10, closes_in_days=-1)
    assert "已经结束" in client.get(f"/s/{past.token}").get_data(as_text=True)


def test_not_yet_open_campaign_says_when(client, db):
    circle = make_circle(db)
    later = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml", opens_in_days=3, closes_in_days=30)
    html = client.get(f"/s/{later.token}").get_data(as_text=True)
    assert "还没有开始" in html
    from zoneinfo import ZoneInfo

    opening = later.opens_at.astimezone(ZoneInfo("Asia/Shanghai"))  # shown in China time
    assert opening.strftime("%Y年%m月%d日") in html


def test_unknown_token_is_a_404_page_not_a_stack_trace(client):
    page = client.get("/s/no-such-token")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "找不到这份问卷" in html and "Traceback" not in html


def test_hostile_text_is_stored_as_text_and_escaped(client, db, campaign):
    submit(client, campaign, q_suggestion="<script>alert(1)</script>", q_business_overall=None)
    # re-rendered after the error: the script must come back escaped
    page = submit(client, campaign, q_suggestion="<script>alert(1)</script>", q_business_overall=None)
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


def test_submissions_are_rate_limited_per_address(make_app, db):
    client = make_app(SUBMIT_RATE_LIMIT="2 per minute").test_client()
    circle = make_circle(db)
    campaign = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")
    codes = [client.post(f"/s/{campaign.token}/answer", data={}).status_code for _ in range(3)]
    assert codes[:2] == [400, 400] and codes[2] == 429
    assert "操作太频繁" in client.post(f"/s/{campaign.token}/answer", data={}).get_data(as_text=True)


def test_large_text_switch_works_without_javascript(client, campaign):
    response = client.get(f"/s/{campaign.token}/text-size?size=large")
    assert response.status_code == 302
    html = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    assert 'class="large-text"' in html and "标准字号" in html


def test_page_views_skip_the_limiter_unless_a_limit_could_apply_to_them(make_app, db):
    """Every limit of the app counts posts, so page views skip the limiter; a default limit
    set by an operator (which would count page views) turns the skip off. (The flag is checked
    on the settings: the limiter is one object per process, and an app built here with a
    default limit would keep it for every later test.)"""
    from surveyapp.extensions import only_writes_are_limited

    circle = make_circle(db)
    campaign = make_campaign(db, circle, APP_QUESTIONNAIRES / "mini.yaml")
    app = make_app(SUBMIT_RATE_LIMIT="2 per minute")
    assert app.extensions["surveyapp.limits_writes_only"] is True
    plain = app.test_client()
    assert {plain.get(f"/s/{campaign.token}").status_code for _ in range(5)} == {200}
    assert [plain.post(f"/s/{campaign.token}/answer", data={}).status_code for _ in range(3)][2] == 429
    assert not only_writes_are_limited({"RATELIMIT_DEFAULT": "2 per minute"})
    assert not only_writes_are_limited({"RATELIMIT_APPLICATION": "100 per second"})
    assert only_writes_are_limited({"RATELIMIT_DEFAULT": "", "SUBMIT_RATE_LIMIT": "2 per minute"})
