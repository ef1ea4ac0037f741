"""The merchant journey end to end in the browser's terms: the QR questionnaire, the staff
outlet pages (summary, duplicates, add, close, merge), and the suggestions in the evaluation
forms — with access scoping, CSRF and Chinese messages."""
from __future__ import annotations

import pytest
from sqlmodel import select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.evaluation.operations import open_evaluation
from surveyapp.evaluation.registry import current_rules
from surveyapp.merchants.queries import outlets_of
from surveyapp.models import IndicatorEntry, InventoryItem, Outlet, Response
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.responses.operations import NewResponse, record_many

from .conftest import csrf_token
from .helpers import answer_in_steps, PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .test_auth import login

MERCHANT = PROJECT_QUESTIONNAIRES / "merchant.yaml"


@pytest.fixture
def circle(db):
    return make_circle(db)


@pytest.fixture
def campaign(db, circle):
    return make_campaign(db, circle, MERCHANT)


@pytest.fixture
def assessor(db, circle):
    user = create_user(db, "assessor", "secret-pass-1", "assessor", "评价员")
    grant_circle(db, user, circle)
    return user


def signed_in(client, assessor):
    login(client, "assessor", "secret-pass-1")
    return client


def seed(db, campaign, *answer_sets):
    questionnaire = load_questionnaire(MERCHANT)
    items = [NewResponse(answers=validate_answers(questionnaire, a)[0], channel="paper") for a in answer_sets]
    return record_many(db, campaign, questionnaire, items)


def answers(name, address, type_code, **more):
    return {"outlet_name": name, "outlet_address": address, "outlet_type": type_code, "is_chain": "no",
            "open_24h": "no", "qr_payment": "yes", **more}


SHOPS = [
    answers("好邻居便利店", "幸福路1号", "convenience_store", is_chain="yes", open_24h="yes",
            addon_services=["parcel", "top_up", "print_copy"], delivery=["instant_retail"], listed_on_platform="yes"),
    answers("美宜佳便利店", "和平街2号", "convenience_store", is_chain="yes", addon_services=["parcel", "hot_food"]),
    answers("张记早餐", "新桥路3号", "breakfast", breakfast_varieties="9", delivery=["home_delivery"]),
    answers("李师傅修鞋", "幸福路4号", "repair", repair_categories=["shoes", "keys", "knives"], qr_payment="no"),
    answers("幸福菜市场", "幸福路5号", "wet_market", market_facilities=["fair_scale", "price_display"],
            listed_on_platform="yes"),
]


def test_merchant_questionnaire_through_the_qr_link(client, db, circle, campaign):
    notice = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    assert "商户调查" in notice and "门店名称和地址" in notice and "不问您个人的姓名" in notice
    url = f"/s/{campaign.token}/answer"
    page = client.get(url).get_data(as_text=True)
    assert "门店名称" in page and "便利店" in page and 'type="text" class="line" name="q_outlet_name"' in page
    data = {"q_outlet_name": "好邻居便利店", "q_outlet_address": "幸福路1号",
            "q_outlet_type": "convenience_store", "q_is_chain": "yes", "q_open_24h": "maybe", "q_qr_payment": "yes"}
    bad, _ = answer_in_steps(client, url, data)
    assert bad.status_code == 422 and "请从选项中选择" in bad.get_data(as_text=True)  # the hours step
    assert db.exec(select(Outlet)).all() == []
    assert "好邻居便利店" in client.get(url + "?step=0").get_data(as_text=True)  # kept as typed
    data["q_open_24h"] = "yes"
    data["q_addon_services"] = ["parcel", "top_up"]
    ok, fields = answer_in_steps(client, url, data)
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/thanks")
    [outlet] = outlets_of(db, circle.id)
    assert outlet.is_24h and outlet.addon_services == ["parcel", "top_up"]
    again = client.post(url, data={**data, **fields})  # a double tap on 提交
    assert again.status_code == 303 and len(outlets_of(db, circle.id)) == 1


def test_merchant_hours_take_a_time_as_typed(client, db, circle, campaign):
    url = f"/s/{campaign.token}/answer"
    data = {"q_outlet_name": "张记早餐", "q_outlet_address": "新桥路3号", "q_outlet_type": "breakfast",
            "q_is_chain": "no", "q_open_24h": "no", "q_opening_hour": "6:30", "q_closing_hour": "下午2点",
            "q_qr_payment": "yes"}
    ok, _ = answer_in_steps(client, url, data)
    assert ok.status_code == 303
    [response] = db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert response.answers["opening_hour"] == "06:30" and response.answers["closing_hour"] == "14:00"
    [outlet] = outlets_of(db, circle.id)
    assert (outlet.opening_hour, outlet.closing_hour) == (6, 14)


def test_outlet_pages_require_access(client, db, circle, campaign, assessor):
    other = make_circle(db, name="别处生活圈")
    assert client.get(f"/staff/circles/{circle.id}/outlets").status_code == 302  # sign in first
    signed_in(client, assessor)
    assert client.get(f"/staff/circles/{circle.id}/outlets").status_code == 200
    assert f"/staff/circles/{circle.id}/outlets" in client.get(f"/staff/circles/{circle.id}").get_data(as_text=True)
    assert client.get(f"/staff/circles/{other.id}/outlets").status_code == 404
    assert client.get(f"/staff/circles/{other.id}/outlets/new").status_code == 404
    [response] = seed(db, make_campaign(db, other, MERCHANT), SHOPS[0])
    theirs = outlets_of(db, other.id)[0]
    page = client.get(f"/staff/circles/{circle.id}/outlets").get_data(as_text=True)
    # An outlet of another circle is not reachable through a circle the user may see either.
    assert client.post(f"/staff/circles/{circle.id}/outlets/{theirs.id}/status",
                       data={"csrf_token": csrf_token(page), "value": "closed"}).status_code == 404


def test_summary_duplicates_merge_and_close_in_the_browser(client, db, circle, campaign, assessor):
    seed(db, campaign, *SHOPS, answers("张记早餐", "新桥路３號", "breakfast", breakfast_varieties="10",
                                        difficulties=["rent", "staff"], support_wanted=["rent_support"]))
    signed_in(client, assessor)
    html = client.get(f"/staff/circles/{circle.id}/outlets").get_data(as_text=True)
    assert "商户调查结果" in html and "连锁化率" in html and "40.0%" in html  # 2 of 5 counted outlets
    assert "疑似重复（1）" in html and "房租高" not in html  # the duplicate's answers wait for the merge
    duplicate = max(outlets_of(db, circle.id), key=lambda o: o.id)
    token = csrf_token(html)
    assert client.post(f"/staff/circles/{circle.id}/outlets/{duplicate.id}/merge",
                       data={"value": "newer"}).status_code == 400  # no CSRF token
    merged = client.post(f"/staff/circles/{circle.id}/outlets/{duplicate.id}/merge",
                         data={"csrf_token": token, "value": "newer"}, follow_redirects=True)
    assert "已合并" in merged.get_data(as_text=True) and "疑似重复（0）" in merged.get_data(as_text=True)
    assert "房租高" in merged.get_data(as_text=True)
    db.expire_all()
    breakfast = next(o for o in outlets_of(db, circle.id) if o.type_code == "breakfast")
    assert breakfast.breakfast_varieties == 10 and len(breakfast.response_ids) == 2
    closed = client.post(f"/staff/circles/{circle.id}/outlets/{breakfast.id}/status",
                         data={"csrf_token": token, "value": "closed"}, follow_redirects=True)
    assert "已关闭" in closed.get_data(as_text=True)
    db.expire_all()
    assert db.get(Outlet, breakfast.id).status == "closed"


def test_assessor_adds_an_outlet_and_bad_input_is_kept(client, db, circle, assessor):
    signed_in(client, assessor)
    page = client.get(f"/staff/circles/{circle.id}/outlets/new").get_data(as_text=True)
    bad = client.post(f"/staff/circles/{circle.id}/outlets/new", data={
        "csrf_token": csrf_token(page), "name": "王记五金", "address": "建设路8号", "type_code": "",
        "breakfast_varieties": "很多"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请选择业态类型" in html and "请填写整数" in html
    assert 'value="王记五金"' in html and 'value="很多"' in html
    ok = client.post(f"/staff/circles/{circle.id}/outlets/new", data={
        "csrf_token": csrf_token(page), "name": "王记五金", "address": "建设路8号", "type_code": "hardware",
        "repair_categories": ["keys", "locks"], "qr_payment": "yes"}, follow_redirects=True)
    assert "已添加“王记五金”" in ok.get_data(as_text=True)
    [outlet] = outlets_of(db, circle.id)
    assert outlet.source == "assessor" and outlet.repair_categories == ["keys", "locks"] and outlet.qr_payment is True


def test_evaluation_forms_show_suggestions_and_keep_both(app, client, db, circle, campaign, assessor):
    seed(db, campaign, *SHOPS)
    with app.app_context():
        evaluation = open_evaluation(db, circle, current_rules("national"))
    signed_in(client, assessor)

    inventory = client.get(f"/staff/evaluations/{evaluation.id}/inventory").get_data(as_text=True)
    assert "网点清单" in inventory and "2 家" in inventory
    assert 'name="outlets_convenience_store" size="4" type="text" value="2"' in inventory  # prefilled once
    form = {"csrf_token": csrf_token(inventory), "present_convenience_store": "y", "outlets_convenience_store": "2",
            "present_breakfast": "y", "outlets_breakfast": "3", "present_repair": "y", "outlets_repair": "1"}
    assert client.post(f"/staff/evaluations/{evaluation.id}/inventory", data=form).status_code == 302
    items = {i.type_code: i for i in db.exec(select(InventoryItem).where(InventoryItem.evaluation_id == evaluation.id))}
    assert items["convenience_store"].source == "merchant" and items["breakfast"].source == "assessor"
    assert items["breakfast"].outlets == 3  # the assessor's count stands

    page = client.get(f"/staff/evaluations/{evaluation.id}/indicators/store_breakfast").get_data(as_text=True)
    assert "建议值" in page and "网点清单：2 家便利店中 1 家24小时营业" in page
    assert 'name="fact_addon_services" size="8" type="text" value="4"' in page  # parcel, top_up, print_copy, hot_food
    saved = client.post(f"/staff/evaluations/{evaluation.id}/indicators/store_breakfast", data={
        "csrf_token": csrf_token(page), "fact_addon_services": "7", "fact_stores_24h": "1",
        "fact_breakfast_varieties": "9", "fact_breakfast_delivery": "yes", "fact_retail_delivery": "yes",
        "self_points": "", "note": ""})
    assert saved.status_code == 302
    db.expire_all()
    entry = db.get(IndicatorEntry, (evaluation.id, "store_breakfast"))
    assert entry.facts["addon_services"] == 7  # overridden by the assessor
    assert entry.suggested["addon_services"]["value"] == 4 and "4 项便民服务" in entry.suggested["addon_services"]["source"]
    assert entry.suggested["stores_24h"] == {"value": 1, "source": "网点清单：2 家便利店中 1 家24小时营业"}
    again = client.get(f"/staff/evaluations/{evaluation.id}/indicators/store_breakfast").get_data(as_text=True)
    assert 'value="7"' in again and "已采用" in again  # saved values stand; accepted ones are marked

    market = client.get(f"/staff/evaluations/{evaluation.id}/indicators/market_repair").get_data(as_text=True)
    assert "3 类维修服务" in market and "公平秤、明码标价" in market
    chain = client.get(f"/staff/evaluations/{evaluation.id}/indicators/chain_share").get_data(as_text=True)
    assert "5 家网点中 2 家连锁" in chain
    digital = client.get(f"/staff/evaluations/{evaluation.id}/indicators/digital").get_data(as_text=True)
    assert "40.0%" in digital and "主要场所 3 家中 3 家可扫码" in digital


def test_evaluation_forms_without_outlets_are_unchanged(app, client, db, circle, assessor):
    with app.app_context():
        evaluation = open_evaluation(db, circle, current_rules("national"))
    signed_in(client, assessor)
    page = client.get(f"/staff/evaluations/{evaluation.id}/indicators/store_breakfast").get_data(as_text=True)
    assert "建议值：" not in page


def test_merchant_campaign_dashboard_and_poster_work(client, db, circle, campaign, assessor):
    seed(db, campaign, *SHOPS)
    signed_in(client, assessor)
    assert client.get(f"/staff/campaigns/{campaign.id}").status_code == 200
    poster = client.get(f"/staff/campaigns/{campaign.id}/poster.pdf")
    assert poster.status_code == 200 and poster.data.startswith(b"%PDF")


def test_merchant_pages_do_not_promise_anonymity(app, db):
    """A merchant's answers name the shop, so the public pages say what is (not) asked instead."""
    from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

    campaign = make_campaign(db, make_circle(db, name="商户测试圈"), PROJECT_QUESTIONNAIRES / "merchant.yaml")
    client = app.test_client()
    notice = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    form = client.get(f"/s/{campaign.token}/answer").get_data(as_text=True)
    assert "匿名填写" not in notice and "不问姓名和电话" in notice
    assert "您的回答是匿名的" not in form and "只问店铺信息" in form
