"""Every page, poster and message follows the survey's kind (surveyapp/questionnaire/kinds.py):
the merchant campaign's own dashboard, poster wording, thank-you and already-answered pages,
and a second shop answered from the same phone."""
from __future__ import annotations

import subprocess

import pytest

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.collect.operations import device_hash
from surveyapp.models import Channel
from surveyapp.questionnaire import load_questionnaire
from surveyapp.questionnaire.kinds import KINDS, SURVEY_KINDS, survey_kind
from surveyapp.responses.operations import NewResponse, record_many

from .conftest import TEST_SECRET
from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .test_auth import login

MERCHANT = PROJECT_QUESTIONNAIRES / "merchant.yaml"
RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"


@pytest.fixture
def circle(db):
    return make_circle(db, name="商户生活圈", population=20000, communities=(("东社区", 20000),))


@pytest.fixture
def assessor(db, client, circle):
    user = create_user(db, "kinds-assessor", "long-password", "assessor")
    grant_circle(db, user, circle)
    login(client, "kinds-assessor", "long-password")
    return client


def pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, check=True, capture_output=True)
    return "".join(out.stdout.decode("utf-8").split())


def test_every_kind_a_file_may_name_has_its_wording_and_dashboard():
    assert set(SURVEY_KINDS) == set(KINDS) == {"resident", "merchant"}
    for kind in KINDS.values():
        assert kind.label and kind.poster.title and kind.thanks.title and kind.already.title
        assert kind.dashboard_template.startswith("results/")
    assert survey_kind(None).code == "resident" and survey_kind("unknown").code == "resident"
    assert [k for k, v in KINDS.items() if v.feeds_satisfaction] == ["resident"]


def test_the_merchant_dashboard_has_no_sample_rule_nor_satisfaction(app, db, circle, assessor):
    campaign = make_campaign(db, circle, MERCHANT)
    html = assessor.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "商户生活圈 · 商户调查" in html and "生成的网点" in html and "待确认的重复" in html
    assert "要求" not in html.replace("没有服务人口 3% 的样本量要求", "") and "满意度指标（" not in html
    assert "居民问卷调查" not in html
    resident = make_campaign(db, circle, RESIDENT)
    page = assessor.get(f"/staff/campaigns/{resident.id}").get_data(as_text=True)
    assert "商户生活圈 · 居民问卷调查" in page and "满意度指标" in page
    listing = assessor.get("/staff/campaigns").get_data(as_text=True)
    assert "无样本量要求" in listing and "商户调查" in listing


def test_merchant_reports_are_refused_on_the_pages(app, db, circle, assessor):
    campaign = make_campaign(db, circle, MERCHANT)
    assert assessor.get(f"/staff/campaigns/{campaign.id}/preview/campaign_report").status_code == 404
    assert assessor.get(f"/staff/campaigns/{campaign.id}/issue/campaign_report").status_code == 404
    page = assessor.get(f"/staff/campaigns/{campaign.id}")
    from .conftest import csrf_token
    response = assessor.post(f"/staff/campaigns/{campaign.id}/reports",
                             data={"kind": "campaign_report", "csrf_token": csrf_token(page.get_data(as_text=True))},
                             follow_redirects=True)
    assert "没有满意度调查报告" in response.get_data(as_text=True)


def test_the_poster_speaks_to_its_respondents(app, db, circle, assessor):
    merchant = make_campaign(db, circle, MERCHANT)
    resident = make_campaign(db, circle, RESIDENT)
    shop = pdf_text(assessor.get(f"/staff/campaigns/{merchant.id}/poster.pdf").data)
    home = pdf_text(assessor.get(f"/staff/campaigns/{resident.id}/poster.pdf").data)
    assert "商户调查·请店主或店长填写" in shop and "匿名填写" not in shop and "您家附近" not in shop
    assert "居民满意度调查" in home and "匿名填写" in home and "店主" not in home


def _answers_from_this_phone(db, client, campaign, path, count):
    """Store ``count`` answers as given by the phone behind ``client`` (slots 1, 2, ...)."""
    client.get(f"/s/{campaign.token}")
    device = client.get_cookie("sa_device").value
    record_many(db, campaign, load_questionnaire(path), [NewResponse(
        answers={}, channel=Channel.qr.value, device_hash=device_hash(TEST_SECRET, campaign, device),
        device_slot=slot) for slot in range(1, count + 1)])


def test_a_merchant_answers_for_a_second_shop_from_the_same_phone(app, db, circle, client):
    campaign = make_campaign(db, circle, MERCHANT)
    assert campaign.answers_per_device == KINDS["merchant"].answers_per_device == 5
    _answers_from_this_phone(db, client, campaign, MERCHANT, 1)
    thanks = client.get(f"/s/{campaign.token}/thanks").get_data(as_text=True)
    assert "谢谢贵店" in thanks and "为另一家门店填写" in thanks and "还可以填 4 份" in thanks
    assert "家人" not in thanks
    again = client.get(f"/s/{campaign.token}/another", follow_redirects=True).get_data(as_text=True)
    assert "这是为另一家门店填写的第 2 份" in again and "开始填写" in again  # the notice again, for the second shop
    assert "家人" not in again and "为另一家门店填写" in again


def test_a_merchant_phone_that_used_every_answer_is_told_so_in_shop_words(app, db, circle, client):
    campaign = make_campaign(db, circle, MERCHANT)
    _answers_from_this_phone(db, client, campaign, MERCHANT, 5)
    already = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    assert "这部手机已经填写过了" in already and "门店" in already and "为 5 家门店填写过" in already
    assert "家里还有其他人" not in already


def test_a_resident_phone_with_one_answer_allowed_cannot_answer_twice(app, db, circle, client):
    campaign = make_campaign(db, circle, RESIDENT)
    from surveyapp.campaigns.operations import set_answers_per_device

    with app.test_request_context():
        set_answers_per_device(db, campaign, 1)
    _answers_from_this_phone(db, client, campaign, RESIDENT, 1)
    client.get(f"/s/{campaign.token}/another")
    already = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    assert "每部手机只需填写一次" in already and "门店" not in already
    thanks = client.get(f"/s/{campaign.token}/thanks").get_data(as_text=True)
    assert "提交成功，谢谢您！" in thanks and "门店" not in thanks and "为家人再填一份" not in thanks
