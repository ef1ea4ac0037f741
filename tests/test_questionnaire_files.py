"""The shipped questionnaire and catalogue load, and carry what DOMAIN.md asks of them."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from surveyapp.questionnaire import load_catalogue, load_questionnaire, validate_answers, visible_questions
from surveyapp.questionnaire.catalogue import default_catalogue_path
from surveyapp.questionnaire.timing import estimated_minutes

ROOT = Path(__file__).resolve().parents[1]
RESIDENT = ROOT / "questionnaires" / "resident.yaml"
NATIONAL = ROOT / "questionnaires" / "catalogues" / "national.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(NATIONAL)


@pytest.fixture(scope="module")
def resident():
    return load_questionnaire(RESIDENT)


def test_national_catalogue(catalogue):
    assert catalogue.name == "national"
    assert catalogue.version == "2023.11"
    assert catalogue.trial is True
    assert len(catalogue.basic) == 20
    assert len(catalogue.quality) == 13
    assert default_catalogue_path(RESIDENT) == NATIONAL
    assert all(entry.group == "basic" for entry in catalogue.basic)
    assert all(entry.group == "quality" and not entry.required for entry in catalogue.quality)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", entry.code) for entry in catalogue.entries)
    assert all(CJK.search(entry.label) for entry in catalogue.entries)


def test_the_fifteen_required_basic_types(catalogue):
    assert len(catalogue.required) == 15
    labels = {catalogue.label(code) for code in catalogue.required}
    for word in ["便利店", "综合超市", "菜市场", "生鲜超市", "早餐店", "大众餐饮店", "美容美发", "洗衣店", "药店",
                 "照相文印店", "五金杂货店", "维修点", "家政服务点", "物业服务点", "再生资源回收点"]:
        assert any(word in label for label in labels), word
    for code in ["convenience_store", "supermarket", "wet_market", "fresh_grocery", "breakfast", "canteen_dining"]:
        assert code in catalogue.required
    not_required = {catalogue.label(e.code) for e in catalogue.basic if not e.required}
    assert any("社区食堂" in label for label in not_required)


def test_quality_types(catalogue):
    labels = " ".join(entry.label for entry in catalogue.quality)
    for word in ["特色餐饮", "运动健身", "保健养生", "新式书店", "教育培训", "休闲娱乐", "老年康护", "托育",
                 "咖啡", "宠物服务", "文化网点", "社区会客厅", "国潮店"]:
        assert word in labels


def test_resident_header(resident):
    assert resident.name == "resident"
    assert resident.version == "2026.2" and resident.style == "pages"
    assert resident.content_hash == hashlib.sha256(RESIDENT.read_bytes()).hexdigest()
    assert CJK.search(resident.title)
    assert 3 <= estimated_minutes(resident) <= 5  # counted from the items, not typed
    assert resident.estimated_minutes is None and "分钟" not in resident.notice
    notice = resident.notice
    for word in ["匿名", "第三方评价机构", "商务主管部门", "3年", "删除"]:
        assert word in notice, word
    assert resident.catalogue is not None and resident.catalogue.name == "national"


def test_resident_eligibility_and_profile(resident):
    community = resident.question("community")
    assert community.type == "select_one" and community.required and community.dynamic_choices == "communities"
    assert resident.questions[0] is community
    age = resident.question("age_band")
    assert [c.name for c in age.choices][0] == "a18_29"
    assert any("70" in c.label for c in age.choices)
    assert resident.question("years_lived").type == "select_one"


def test_resident_overall_indicators(resident):
    business = resident.question("business_overall")
    service = resident.question("service_overall")
    for question, indicator in ((business, "business_satisfaction"), (service, "service_satisfaction")):
        assert question.type == "likert5" and question.required
        assert question.indicator == indicator
        assert question.satisfied == ("4", "5") and question.dont_know == ("0",)
        assert resident.indicator_questions(indicator) == (question,)
    assert "15分钟" in business.label and "齐" in business.label
    for word in ["秩序", "卫生", "服务", "相处"]:
        assert word in service.label


def test_resident_detail_items(resident):
    business = resident.indicator_questions("business_detail")
    service = resident.indicator_questions("service_detail")
    assert len(business) + len(service) >= 8
    assert all(q.type == "likert5" and not q.required for q in business + service)
    business_labels = " ".join(q.label for q in business)
    for word in ["便利店", "早餐", "菜市场", "小修小补", "养老", "托育", "饭", "药店", "家政", "快递"]:
        assert word in business_labels, word
    service_labels = " ".join(q.label for q in service)
    for word in ["经营秩序", "环境卫生", "服务态度", "价格公道", "诚信", "噪音", "占道", "安全"]:
        assert word in service_labels, word


def test_resident_demand_and_digital(resident, catalogue):
    missing = resident.question("missing_types")
    assert missing.type == "select_multiple" and missing.catalogue == "all" and missing.demand
    assert [c.name for c in missing.choices] == [e.code for e in catalogue.entries]
    assert "缺" in missing.label
    assert resident.demand_questions() == (missing,)
    for name in ("walk_market_minutes", "walk_store_minutes"):
        question = resident.question(name)
        assert (question.type, question.min, question.max) == ("integer", 0, 120)
        assert question.constraint_message
    digital = resident.question("digital_services")
    assert digital.is_multi and any("没用过" in c.label for c in digital.choices)
    suggestion = resident.question("suggestion")
    assert suggestion.type == "text" and not suggestion.required


def test_resident_uses_skip_logic_naturally(resident):
    with_relevance = [q for q in resident.questions if q.relevant is not None]
    assert with_relevance
    shown = {q.name for q in visible_questions(resident, {"child_under3": "no", "business_overall": "5"})}
    assert "sat_childcare" not in shown and "business_problems" not in shown
    shown = {q.name for q in visible_questions(resident, {"child_under3": "yes", "business_overall": "2"})}
    assert {"sat_childcare", "business_problems"} <= shown


def test_resident_is_short_and_in_chinese(resident):
    answerable = resident.answerable_questions()
    assert len(answerable) <= 30
    assert sum(q.required for q in answerable) <= 6
    for question in resident.questions:
        assert CJK.search(question.label), question.name
        if question.constraint_message:
            assert CJK.search(question.constraint_message)
        for choice in question.choices or ():
            assert CJK.search(choice.label) or question.catalogue, (question.name, choice.name)


def test_a_typical_resident_answer_set_validates(resident):
    raw = {
        "community": "幸福里社区", "age_band": "a70_plus", "years_lived": "y10_plus", "child_under3": "no",
        "business_overall": "4", "service_overall": "5", "sat_convenience_store": "5", "sat_breakfast": "4",
        "sat_wet_market": "3", "sat_childcare": "5", "sat_order": "0", "digital_services": ["qr_pay"],
        "missing_types": "community_canteen elderly_care", "walk_market_minutes": "10",
        "walk_store_minutes": "5", "suggestion": "希望多一些老年助餐点",
    }
    clean, errors = validate_answers(resident, raw, ["幸福里社区", "和平社区"])
    assert errors == {}
    assert "sat_childcare" not in clean  # hidden: no child under 3
    assert clean["missing_types"] == ["community_canteen", "elderly_care"]
    assert clean["walk_market_minutes"] == 10
    _, errors = validate_answers(resident, {**raw, "digital_services": "none qr_pay"}, ["幸福里社区"])
    assert list(errors) == ["digital_services"]
