"""Loading scoring rules files, and refusing bad ones with file, line and field.

Bad files are made by changing one line of the shipped rules/national.yaml, and the expected
line is found in the changed text, so each test says exactly which line a person would fix.
"""
from __future__ import annotations

import hashlib
import pickle
from fractions import Fraction
from pathlib import Path

import pytest

from surveyapp.evaluation.rules import (
    INDICATOR_KEYS, SUMMARY_FIELDS, FactField, Rules, RulesError, load_rules, load_rules_text,
)
from surveyapp.evaluation.scoring import score_indicator, score_presence
from surveyapp.questionnaire import QuestionnaireError, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rules" / "national.yaml"
NATIONAL_TEXT = NATIONAL.read_text(encoding="utf-8")
CITY = Path(__file__).parent / "data" / "rules" / "city.yaml"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(NATIONAL)


def line_of(text: str, snippet: str) -> int:
    """1-based line of the one line containing ``snippet`` (the test fails if it is not unique)."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(hits) == 1, (snippet, hits)
    return hits[0]


def changed(old: str, new: str, count: int = 1) -> str:
    assert old in NATIONAL_TEXT, old
    return NATIONAL_TEXT.replace(old, new, count)


def refused(text: str, path: Path = NATIONAL) -> RulesError:
    """Load ``text`` as if it were the national file (so its relative catalogue path resolves)."""
    with pytest.raises(RulesError) as info:
        load_rules_text(text, path)
    error = info.value
    assert error.path == str(path)
    return error


# --- the shipped file -----------------------------------------------------------------------------

def test_national_file_loads_with_identity_and_hash(rules):
    assert rules.name == "national"
    assert rules.version == "2023.11.1"
    assert rules.title == "一刻钟便民生活圈评价规则（全国默认）"
    assert rules.content_hash == hashlib.sha256(NATIONAL.read_bytes()).hexdigest()
    assert rules.path == str(NATIONAL)
    assert rules.catalogue.name == "national"
    assert rules.catalogue.content_hash == load_catalogue(
        ROOT / "questionnaires" / "catalogues" / "national.yaml").content_hash
    identity = rules.identity()
    assert identity["content_hash"] == rules.content_hash and identity["catalogue"]["name"] == "national"


def test_text_loading_hashes_the_utf8_bytes(rules):
    again = load_rules_text(NATIONAL_TEXT, NATIONAL)
    assert again.content_hash == hashlib.sha256(NATIONAL_TEXT.encode("utf-8")).hexdigest() == rules.content_hash
    assert again.presence == rules.presence and again.service == rules.service


def test_required_types_default_to_the_catalogue_list_of_15(rules):
    assert len(rules.required_types) == 15
    assert rules.required_types == rules.catalogue.required
    assert rules.required_types[:3] == ("convenience_store", "supermarket", "wet_market")
    assert [e.label for e in rules.required_entries][:2] == ["便利店", "综合超市"]


def test_presence_numbers_come_from_the_file_as_exact_fractions(rules):
    p = rules.presence
    assert (p.max_points, p.basic_max, p.quality_max) == (100, 60, 40)
    assert [(t.max_missing, t.points) for t in p.basic_tiers] == [(0, 60), (3, 45)]
    assert p.basic_otherwise == 0
    assert p.points_per_quality_type == 5
    assert [(b.min_points, b.label, b.stars, b.stars_label) for b in p.types] == [
        (90, "品质型", 5, "五星"), (80, "提升型", 4, "四星"), (70, "基础型", 3, "三星")]
    assert all(isinstance(b.min_points, Fraction) for b in p.types)


def test_service_indicators_labels_and_points(rules):
    assert rules.indicator_keys == INDICATOR_KEYS
    labels = [i.label for i in rules.service.indicators]
    assert labels == ["问需", "业态满意", "服务满意", "一店一早", "一菜一修", "一老一小", "品质质量", "促消费活动",
                      "智慧服务", "商居和谐"]
    points = [i.max_points for i in rules.service.indicators]
    assert points == [8, 16, 16, 10, 10, 10, 6, 6, 10, 8]
    assert sum(points) == 100 == rules.service.max_points
    # 人民满意 40 + 服务体验 60
    assert sum(i.max_points for i in rules.service.indicators if i.group == "人民满意") == 40
    assert rules.service.sample_rate == Fraction(3, 100)
    assert [(g.min_points, g.label) for g in rules.service.grades] == [
        (90, "优秀"), (80, "良好"), (70, "合格"), (0, "不合格")]
    assert rules.gate_points == 70


def test_decimal_numbers_are_exact(rules):
    market = rules.indicator("market_repair").spec.market
    assert market.services.each_missing == Fraction(3, 5)
    assert market.points - 3 * market.services.each_missing == Fraction("3.2")
    assert [o.label for o in market.services.choices] == ["快速检测", "公平秤", "明码标价"]
    digital = rules.indicator("digital").spec
    assert digital.smart_terminals.each_missing == Fraction(2, 5)
    assert [o.label for o in digital.smart_terminals.choices] == ["智能快件箱", "智能取餐柜", "自助售货机", "自助售水机",
                                                                "24小时自助服务"]
    assert len(digital.smart_terminals.choices) * digital.smart_terminals.each_missing == digital.smart_terminals.points
    assert (digital.listed_share.min_share, digital.resident_usage.min_share) == (Fraction(7, 10), Fraction(1, 2))
    assert [p.points for p in digital.parts()] == [2, 2, 2, 2, 2]
    chain = rules.indicator("chain_share").spec
    assert [(t.city_tier, t.min_share) for t in chain.city_tiers] == [
        (1, Fraction(3, 10)), (2, Fraction(1, 4)), (3, Fraction(1, 5))]
    sat = rules.indicator("business_satisfaction").spec
    assert (sat.full_rate, sat.full_points, sat.partial_rate, sat.partial_points, sat.fail_points) == (
        Fraction(9, 10), 16, Fraction(4, 5), 10, 0)
    assert [(o.label, p) for o, p in rules.indicator("harmony").spec.levels] == [
        ("达到", 8), ("基本达到", 4), ("未达到", 0)]


def test_trial_flags_where_domain_md_says_unconfirmed(rules):
    assert rules.trial is True
    # Presence tiers and quality points per type: unconfirmed.
    assert rules.presence.basic_trial and rules.presence.quality_trial
    assert rules.presence.trial_parts == ("基本保障类业态", "品质提升类业态")
    # The digital point split: unconfirmed.
    assert rules.indicator("digital").trial
    assert rules.indicator("digital").trial_parts == ("智慧服务",)
    # Elder-care and childcare service lists are our defaults.
    ec = rules.indicator("elderly_childcare")
    assert ec.trial and ec.spec.elderly.services.trial and ec.spec.childcare.services.trial
    assert [o.label for o in ec.spec.elderly.services.choices] == ["助餐", "日间照料", "健康服务", "文体活动"]
    assert [o.label for o in ec.spec.childcare.services.choices] == ["全托", "日托", "时托", "计时托", "营养餐"]
    confirmed = {"needs", "business_satisfaction", "service_satisfaction", "store_breakfast", "market_repair",
                 "chain_share", "promotion", "harmony"}
    assert {i.key for i in rules.service.indicators if not i.trial} == confirmed


def test_indicator_fields_are_facts_not_points(rules):
    kinds = {key: [(f.name, f.kind) for f in rules.indicator_fields(key)] for key in INDICATOR_KEYS}
    assert kinds["needs"] == [("lists_exist", "bool"), ("projects_carried_out", "bool")]
    assert kinds["business_satisfaction"] == kinds["service_satisfaction"] == []
    assert kinds["store_breakfast"] == [("addon_services", "int"), ("stores_24h", "int"),
                                        ("breakfast_varieties", "int"), ("breakfast_delivery", "bool"),
                                        ("retail_delivery", "bool")]
    assert kinds["market_repair"] == [("market_present", "bool"), ("market_area_sufficient", "bool"),
                                      ("market_services", "multi"), ("repair_categories", "int")]
    assert kinds["elderly_childcare"] == [
        ("elderly_site_present", "bool"), ("elderly_area_sufficient", "bool"), ("elderly_services", "multi"),
        ("childcare_site_present", "bool"), ("childcare_area_sufficient", "bool"), ("childcare_services", "multi")]
    assert kinds["chain_share"] == [("chain_outlets", "int"), ("total_outlets", "int")]
    assert kinds["promotion"] == [("events", "int")]
    assert kinds["digital"] == [("qr_payment_main_venues", "bool"), ("smart_terminal_types", "multi"),
                                ("listed_share", "share"), ("resident_usage_share", "share"),
                                ("platform_exists", "bool")]
    assert kinds["harmony"] == [("level", "choice")]
    market = {f.name: f for f in rules.indicator_fields("market_repair")}
    assert market["market_services"].choices == (
        ("rapid_testing", "快速检测"), ("fair_scale", "公平秤"), ("price_display", "明码标价"))
    share = {f.name: f for f in rules.indicator_fields("digital")}["listed_share"]
    assert (share.min, share.max) == (0, 1)
    harmony = rules.indicator_fields("harmony")[0]
    assert harmony.choices == (("met", "达到"), ("mostly_met", "基本达到"), ("not_met", "未达到"))
    assert harmony.to_dict()["choices"][1] == {"code": "mostly_met", "label": "基本达到"}
    # Every label is Chinese text; the list is a copy (callers cannot change the rules).
    for key in INDICATOR_KEYS:
        for f in rules.indicator_fields(key):
            assert isinstance(f, FactField) and f.label and not f.label.isascii()
    rules.indicator_fields("promotion").clear()
    assert len(rules.indicator_fields("promotion")) == 1
    assert [f.name for f in SUMMARY_FIELDS] == ["satisfied", "answered", "sample_met"]
    with pytest.raises(ValueError, match="未知的评价指标"):
        rules.indicator_fields("parking")


# --- a city's own file ----------------------------------------------------------------------------

def test_city_file_with_23_basic_types_changes_results_without_code(rules):
    city = load_rules(CITY)
    assert city.name == "testcity" and len(city.catalogue.basic) == 23
    assert city.content_hash == hashlib.sha256(CITY.read_bytes()).hexdigest()
    # The city chose its 15 (required_types overrides the catalogue, which marks none).
    assert city.catalogue.required == ()
    assert len(city.required_types) == 15
    assert "community_canteen" in city.required_types and "photo_print" not in city.required_types
    # A circle with exactly the national 15 required types:
    national_15 = list(rules.required_types)
    # nationally: none missing → 60.
    assert score_presence(rules, national_15).basic_points == 60
    # in the city: express_delivery and community_canteen are missing → 2 ≤ 2 → 45.
    in_city = score_presence(city, national_15)
    assert in_city.missing_required == ("express_delivery", "community_canteen")
    assert in_city.basic_points == 45
    # One more missing (pharmacy): nationally 1 missing → 45; in the city 3 > 2 → 0.
    without_pharmacy = [c for c in national_15 if c != "pharmacy"]
    assert score_presence(rules, without_pharmacy).basic_points == 45
    assert score_presence(city, without_pharmacy).basic_points == 0
    # City tier 1 needs 35% chains there: 300/1000 = 30% → 6 nationally, 0 in the city.
    facts = {"chain_outlets": 300, "total_outlets": 1000}
    assert score_indicator(rules, "chain_share", facts, city_tier=1).points == 6
    assert score_indicator(city, "chain_share", facts, city_tier=1).points == 0
    # A type only the city's catalogue knows.
    with pytest.raises(ValueError, match="clinic"):
        score_presence(rules, ["clinic"])
    assert score_presence(city, ["clinic"]).basic_points == 0


def test_an_explicit_catalogue_replaces_the_file_reference(rules, tmp_path):
    city_catalogue = load_catalogue(CITY.parent / "catalogues" / "city23.yaml")
    # Written somewhere the relative path would not resolve: the given catalogue is used.
    moved = load_rules_text(NATIONAL_TEXT, tmp_path / "r.yaml",
                            catalogue=load_catalogue(ROOT / "questionnaires" / "catalogues" / "national.yaml"))
    assert moved.required_types == rules.required_types
    with pytest.raises(RulesError, match="no required types"):
        load_rules_text(NATIONAL_TEXT, tmp_path / "r.yaml", catalogue=city_catalogue)


# --- refusing bad files ---------------------------------------------------------------------------

BAD = [
    # (id, old text, new text, snippet on the offending line, field, message part)
    ("unknown top key", "title: 一刻钟便民生活圈评价规则（全国默认）\n",
     "title: 一刻钟便民生活圈评价规则（全国默认）\ncolour: red\n", "colour: red", "colour", "unknown key 'colour'"),
    ("unknown nested key", "    points_per_type: 5\n", "    points_per_type: 5\n    bonus: 3\n",
     "bonus: 3", "presence.quality.bonus", "unknown key 'bonus'"),
    ("misspelt part key", "      points_per_event: 1", "      points_per_evnt: 1", "points_per_evnt",
     "service.indicators.promotion.points_per_evnt", "unknown key"),
    ("wrong type", "      points_per_event: 1", "      points_per_event: one", "points_per_event: one",
     "service.indicators.promotion.points_per_event", "must be a number"),
    ("wrong type: text for a count", "        min_categories: 8", "        min_categories: eight",
     "min_categories: eight", "service.indicators.market_repair.repair.min_categories", "whole number"),
    ("wrong type: number for a flag", "        zero_when_none: true                   # no repair",
     "        zero_when_none: 1                   # no repair", "zero_when_none: 1",
     "service.indicators.market_repair.repair.zero_when_none", "true or false"),
    ("negative deduction", "        area_short: 1\n        services:\n          each_missing: 0.6\n          choices:\n"
     "            - {code: rapid_testing", "        area_short: -1\n        services:\n          each_missing: 0.6\n"
     "          choices:\n            - {code: rapid_testing", "area_short: -1",
     "service.indicators.market_repair.market.area_short", "must not be negative"),
    ("share above 1", "min_share: 0.70}", "min_share: 70}", "min_share: 70}",
     "service.indicators.digital.listed_share.min_share", "at most 1"),
    ("type bands not descending", "{min_points: 80, code: improved", "{min_points: 95, code: improved",
     "min_points: 95", "presence.types[1].min_points", "highest min_points down"),
    ("grade bands not descending", "{min_points: 70, code: pass", "{min_points: 85, code: pass",
     "min_points: 85", "service.grades[2].min_points", "highest min_points down"),
    ("last grade not from 0", "{min_points: 0, code: fail", "{min_points: 10, code: fail",
     "min_points: 10", "service.grades[3].min_points", "start at 0"),
    ("basic tier points not descending", "{max_missing: 3, points: 45}", "{max_missing: 3, points: 60}",
     "max_missing: 3, points: 60", "presence.basic.tiers[1].points", "descending"),
    ("basic tier max_missing not ascending", "{max_missing: 3, points: 45}", "{max_missing: 0, points: 45}",
     "max_missing: 0, points: 45", "presence.basic.tiers[1].max_missing", "ascending"),
    ("store tiers not descending", "{min_services: 5, min_stores_24h: 1, points: 2}",
     "{min_services: 9, min_stores_24h: 1, points: 2}", "min_services: 9", "service.indicators.store_breakfast."
     "store.tiers[1].min_services", "highest down"),
    ("breakfast tier points not descending", "{min_varieties: 5, points: 2}", "{min_varieties: 5, points: 4}",
     "min_varieties: 5, points: 4", "service.indicators.store_breakfast.breakfast.tiers[1].points", "descending"),
    ("harmony levels not descending", "{code: mostly_met, label: 基本达到, points: 4}",
     "{code: mostly_met, label: 基本达到, points: 8}", "基本达到, points: 8}", "service.indicators.harmony.levels[1].points",
     "highest points down"),
    ("partial rate above full", "      partial: {min_rate: 0.80, points: 10}",
     "      partial: {min_rate: 0.95, points: 10}", "min_rate: 0.95",
     "service.indicators.business_satisfaction.partial.min_rate", "below full.min_rate"),
    ("indicators not adding up to 100", "      max_points: 6                            # also the cap",
     "      max_points: 7                            # also the cap", None, "service.max_points",
     "add up to 101, not 100"),
    ("indicator parts not adding up", "      breakfast_delivery: {label: 早餐送餐到家, points: 1}",
     "      breakfast_delivery: {label: 早餐送餐到家, points: 2}", None,
     "service.indicators.store_breakfast.max_points", "add up to 11, not 10"),
    ("presence parts not adding up", "    max_points: 40         # also the cap",
     "    max_points: 50         # also the cap", None, "presence.max_points", "= 110, not 100"),
    ("chain points not the maximum", "      points: 6\n      city_tiers:",
     "      points: 5  # all or nothing\n      city_tiers:",
     "points: 5  # all or nothing", "service.indicators.chain_share.points", "must equal max_points 6"),
    ("duplicate city tier", "{city_tier: 2, label: 二线城市", "{city_tier: 1, label: 二线城市", "label: 二线城市",
     "service.indicators.chain_share.city_tiers[1].city_tier", "duplicate city_tier 1"),
    ("unknown indicator", "    harmony:                                   # 10",
     "    parking: {label: 停车, max_points: 0}\n    harmony:                                   # 10",
     "parking:", "service.indicators.parking", "unknown indicator 'parking'"),
    ("required type not in catalogue", "# required_types: [...]",
     "required_types: [convenience_store, parking_lot]", "required_types: [convenience_store",
     "required_types[1]", "'parking_lot' is not a type of the catalogue 'national'"),
    ("required quality type", "# required_types: [...]", "required_types: [coffee_tea]", "required_types: [",
     "required_types[0]", "only basic types can be required"),
    ("trial part in a non-trial file", "trial: true\ncatalogue:", "trial: false\ncatalogue:", "trial: false",
     "trial", "must say 'trial: true'"),
    ("catalogue not found", "catalogue: ../questionnaires/catalogues/national.yaml",
     "catalogue: ../questionnaires/catalogues/nowhere.yaml", "nowhere.yaml", "catalogue", "not found"),
    ("not a plain decimal", "        each_missing: 0.4", "        each_missing: .inf", "each_missing: .inf",
     "service.indicators.digital.smart_terminals.each_missing", "finite"),
    ("gate above the maximum", "  min_service_points: 70", "  min_service_points: 170", "min_service_points: 170",
     "gate.min_service_points", "at most 100"),
    ("duplicate key", "      label: 商居和谐\n", "      label: 商居和谐\n      label: 和谐\n", "label: 和谐",
     "service.indicators.harmony.label", "duplicate key"),
    ("duplicate option code", "{code: fair_scale, label: 公平秤}", "{code: rapid_testing, label: 公平秤}",
     "label: 公平秤", "service.indicators.market_repair.market.services.choices[1].code", "duplicate code"),
]


@pytest.mark.parametrize("old, new, snippet, field, message", [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_files_are_refused_with_line_and_field(old, new, snippet, field, message):
    text = changed(old, new)
    error = refused(text)
    assert error.field == field
    assert message in error.message
    if snippet is None:
        # Totals are reported on the max_points line they contradict.
        key = field.rsplit(".", 1)[-1]
        assert text.splitlines()[error.line - 1].strip().startswith(f"{key}:")
    else:
        assert error.line == line_of(text, snippet)
    assert str(error).startswith(f"{NATIONAL}:{error.line}: {field}: ")


def test_total_errors_point_at_the_contradicted_line():
    text = changed("      max_points: 6                            # also the cap",
                   "      max_points: 7                            # also the cap")
    # service.max_points: 100 is the line that the ten indicators contradict.
    error = refused(text)
    lines = text.splitlines()
    service = lines.index("service:")
    assert error.line == service + 3  # service: / label / max_points
    assert lines[error.line - 1] == "  max_points: 100"


def test_missing_key_names_the_mapping_line():
    sample_line = next(line for line in NATIONAL_TEXT.splitlines(keepends=True) if line.startswith("  sample_rate:"))
    text = changed(sample_line, "")
    error = refused(text)
    assert error.field == "service.sample_rate"
    assert "missing required key 'sample_rate'" in error.message
    # A block mapping starts at its first key, the line after "service:".
    assert error.line == line_of(text, "  label: 服务“好不好”")


def test_missing_indicator_is_refused():
    start = NATIONAL_TEXT.index("    harmony:")
    end = NATIONAL_TEXT.index("  grades:")
    text = NATIONAL_TEXT[:start] + NATIONAL_TEXT[end:]
    error = refused(text)
    assert error.field == "service.indicators.harmony"
    assert error.message == "missing indicator 'harmony'"
    assert error.line == line_of(text, "    needs:")


def test_missing_top_level_section():
    start = NATIONAL_TEXT.index("gate:")
    error = refused(NATIONAL_TEXT[:start])
    assert error.field == "gate" and "missing required key 'gate'" in error.message


def test_yaml_syntax_error_names_the_line():
    text = changed("      points_per_event: 1", "      points_per_event: [1")
    error = refused(text)
    assert "YAML syntax error" in error.message
    assert error.line is not None and error.line >= line_of(text, "points_per_event: [1")


def test_unreadable_and_empty_files(tmp_path):
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nothing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(RulesError, match="empty"):
        load_rules(empty)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: x\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RulesError, match="not UTF-8") as info:
        load_rules(latin)
    assert info.value.line == 2


def test_a_bad_catalogue_is_reported_in_the_catalogue_file(tmp_path):
    (tmp_path / "cat.yaml").write_text("name: c\nversion: '1'\nbasic: []\nquality: []\n", encoding="utf-8")
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(changed("catalogue: ../questionnaires/catalogues/national.yaml", "catalogue: cat.yaml"),
                          encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(rules_path)
    assert info.value.path == str(tmp_path / "cat.yaml")
    assert info.value.line == 3 and info.value.field == "basic"


def test_rules_error_is_a_questionnaire_error_and_pickles():
    error = refused(changed("      points_per_event: 1", "      points_per_event: one"))
    assert isinstance(error, QuestionnaireError)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is RulesError and str(again) == str(error)


def test_a_trial_file_may_have_no_trial_part_but_not_the_reverse():
    # trial: true with every part confirmed is allowed (a whole edition can be provisional) …
    text = NATIONAL_TEXT.replace("trial: true", "trial: false")
    text = text.replace("trial: false\ncatalogue", "trial: true\ncatalogue")
    loaded = load_rules_text(text, NATIONAL)
    assert loaded.trial and not loaded.presence.trial
    assert not any(i.trial for i in loaded.service.indicators)
    # … and with no part trial the top flag may be false.
    text = NATIONAL_TEXT.replace("trial: true", "trial: false")
    assert load_rules_text(text, NATIONAL).trial is False
