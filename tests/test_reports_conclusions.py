"""reports/conclusions.py: the 结论与建议 chapter, checked against hand-built rounds (which
indicators are named, which outlet types, which detail items, which demands and projects)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from reports.conclusions import conclusions, lost_points, lowest_items, presence_gaps, top_demands, verdict_sentence
from reports.glossary import TERMS

DATA = Path(__file__).parent / "data"


def indicator(key, label, points, max_points, steps=(), not_applicable=False, note=""):
    return {"key": key, "label": label, "points": points, "max_points": max_points, "steps": list(steps),
            "not_applicable": not_applicable, "note": note}


def sheet(indicators, *, missing=(), basic=60, quality=40, total=None, final=("提升型", "四星", 4), grade="良好"):
    presence_total = total if total is not None else basic + quality
    return {
        "presence": {"total": presence_total, "max_points": 100, "basic_points": basic, "basic_max": 60,
                     "quality_points": quality, "quality_max": 40,
                     "quality_present": [{"code": f"q{i}", "label": f"品质{i}"} for i in range(int(quality // 5))],
                     "missing_required": [{"code": c, "label": label} for c, label in missing],
                     "initial_type": {"label": final[0]} if final else None},
        "service": {"total": sum(i["points"] for i in indicators), "max_points": 100, "indicators": indicators},
        "outcome": {"final_type": {"label": final[0], "stars_label": final[1], "stars": final[2]} if final else None,
                    "grade": {"label": grade}, "reason": None if final else "服务“好不好”总分低于 70 分"},
    }


def summary(rate_business=0.95, rate_service=0.86, met=True, details=(), demand=None):
    def sat(label, rate):
        return {"label": label, "rate": rate, "assessable": rate is not None, "ci_low": None, "ci_high": None}
    return {"sample": {"met": met, "rate": 0.03, "shortfall": 0 if met else 42},
            "indicators": {"business_satisfaction": sat("业态满意", rate_business),
                           "service_satisfaction": sat("服务满意", rate_service)},
            "details": list(details), "demand": demand or []}


FULL = [indicator("needs", "问需", 8, 8), indicator("business_satisfaction", "业态满意", 16, 16),
        indicator("service_satisfaction", "服务满意", 10, 16), indicator("store_breakfast", "一店一早", 10, 10),
        indicator("market_repair", "一菜一修", 8.8, 10, ["菜市场：有 → 5 分", "菜市场缺少快速检测（1 项 × 0.6） −0.6 分",
                                                         "小修小补维修品类 6 类，比 8 类少 2 类 −1.2 分 → 3.8 分"]),
        indicator("elderly_childcare", "一老一小", 10, 10), indicator("chain_share", "品质质量", 6, 6),
        indicator("promotion", "促消费活动", 0, 6, not_applicable=True, note="本年度无商业活动场地"),
        indicator("digital", "智慧服务", 10, 10), indicator("harmony", "商居和谐", 8, 8)]


def test_only_indicators_below_their_maximum_are_named_with_what_would_raise_them():
    lines = lost_points(sheet(FULL), summary())
    assert len(lines) == 3
    assert lines[0].startswith("第 3 项“服务满意”得 10 / 16 分：满意率 86.0%，达到 90% 可得满分 16 分（还差约 4 个百分点）")
    assert lines[1].startswith("第 5 项“一菜一修”得 8.8 / 10 分：失分在于菜市场缺少快速检测（1 项 × 0.6） −0.6 分；"
                               "小修小补维修品类 6 类，比 8 类少 2 类 −1.2 分 → 3.8 分。改进建议：")
    assert "菜市场：有" not in lines[1]                                  # a step that earned points is not a loss
    assert lines[2] == "第 8 项“促消费活动”得 0 / 6 分：本生活圈标为不适用，按规则计 0 分（理由：本年度无商业活动场地）。"


def test_satisfaction_below_80_and_a_short_sample_say_what_the_rule_needs():
    rows = [indicator("business_satisfaction", "业态满意", 0, 16), indicator("service_satisfaction", "服务满意", 0, 16)]
    low = lost_points(sheet(rows), summary(rate_business=0.7999, rate_service=None))
    assert low[0] == "第 1 项“业态满意”得 0 / 16 分：满意率 79.9%，低于 80% 计 0 分；达到 80% 可得 10 分，达到 90% 可得 16 分。"
    assert "无法计算满意率" in low[1]
    short = lost_points(sheet(rows), summary(met=False))
    assert all("有效问卷未达到服务人口 3% 的要求（还差 42 份），按规则计 0 分" in line for line in short)


def test_every_indicator_at_its_maximum_says_so():
    perfect = [dict(i, points=i["max_points"], not_applicable=False) for i in FULL]
    parts = conclusions(summary(), sheet(perfect))
    assert parts[1] == {"title": "未得满分的指标及提升办法", "items": ["十项服务指标均得满分。"]}


def test_missing_required_types_and_what_completing_them_gives():
    lines = presence_gaps(sheet(FULL, missing=(("laundry", "洗衣店/洗染店"), ("recycling", "再生资源回收点")),
                                basic=45, quality=30))
    assert lines == ["必备的基本保障类业态缺 2 类：洗衣店/洗染店、再生资源回收点。全部补齐后，基本保障类可得满分 60 分，"
                     "业态“有没有”合计可达 90 分。",
                     "品质提升类业态已有 6 类，得 30 / 40 分；增加品质提升类业态可继续加分。"]
    assert presence_gaps(sheet(FULL)) == []


def test_lowest_detail_items_with_their_error_margins():
    details = [{"label": "便利店", "rate": 0.93, "ci_low": 0.9, "ci_high": 0.95},
               {"label": "托育服务", "rate": 0.503, "ci_low": 0.432, "ci_high": 0.572},
               {"label": "早餐", "rate": 0.579, "ci_low": 0.539, "ci_high": 0.617},
               {"label": "养老服务", "rate": None, "assessable": False},
               {"label": "小修小补", "rate": 0.704, "ci_low": 0.664, "ci_high": 0.741},
               {"label": "药店", "rate": 0.85, "ci_low": 0.8, "ci_high": 0.9}]
    assert lowest_items(summary(details=details)) == [
        "托育服务：满意率 50.3%（误差范围 43.2%–57.2%）。",
        "早餐：满意率 57.9%（误差范围 53.9%–61.7%）。",
        "小修小补：满意率 70.4%（误差范围 66.4%–74.1%）。",
        "无法评价（回答全部为“不清楚”）：养老服务。"]


def test_top_demands_say_whether_a_project_answers_them():
    demand = [{"name": "missing_types", "respondents": 600, "items": [
        {"code": "bookstore", "label": "新式书店", "count": 214, "share": 0.3567, "ci_low": 0.32, "ci_high": 0.39},
        {"code": "pharmacy", "label": "药店", "count": 208, "share": 0.3467},
        {"code": "laundry", "label": "洗衣店", "count": 100, "share": 0.1667},
        {"code": "gym", "label": "运动健身", "count": 90, "share": 0.15}]},
        {"name": "other", "respondents": 600, "items": [{"code": "x", "label": "不该出现", "count": 999, "share": 1}]}]
    projects = [{"title": "引进社区书店", "type_code": "bookstore", "demands": ["bookstore"], "status_label": "推进中"},
                {"title": "便民洗衣点", "type_code": "other", "demands": ["laundry"], "status_label": "计划"}]
    lines = top_demands(summary(demand=demand), projects)
    assert lines == ["新式书店：35.7% 的受访居民提及（误差范围 32.0%–39.0%）；已有项目：“引进社区书店”（推进中）。",
                     "药店：34.7% 的受访居民提及；项目清单中还没有对应项目，建议社区研究是否列入。",
                     "洗衣店：16.7% 的受访居民提及；已有项目：“便民洗衣点”（计划）。"]
    # without the project list, nothing is said about projects
    assert top_demands(summary(demand=demand), None)[1] == "药店：34.7% 的受访居民提及。"
    suppressed = [dict(demand[0], suppressed=True)]
    assert top_demands(summary(demand=suppressed), projects) == []


def test_the_verdict_sentence_and_a_survey_report_without_a_round():
    assert verdict_sentence(sheet(FULL, basic=45, quality=30, final=("基础型", "三星", 3), grade="合格")) == (
        "业态“有没有”得 75 分（基础型），服务“好不好”得 86.8 分（合格）。评定为基础型（三星）便民生活圈。")
    none = verdict_sentence(sheet(FULL, final=None, grade="不合格"))
    assert none.endswith("不授予类型：服务“好不好”总分低于 70 分")
    parts = conclusions(summary(rate_business=0.95, rate_service=0.86))
    assert parts[0]["title"] == "满意度指标"
    assert parts[0]["items"] == ["业态满意：满意率 95.0%，达到 90%，得满分 16 分。",
                                 "服务满意：满意率 86.0%，达到 90% 可得满分 16 分（还差约 4 个百分点）。"]


def test_the_demo_round_conclusions():
    with open(DATA / "demo-evaluation-data.json", encoding="utf-8") as f:
        data = json.load(f)
    parts = {p["title"]: p["items"] for p in conclusions(data["summary"], data["evaluation"])}
    lost = parts["未得满分的指标及提升办法"]
    # the demo round loses points on #2, #3, #4, #5, #6, #8, #9, #10 (hand-read from its score sheet)
    assert [line.split("项")[0] for line in lost] == ["第 2 ", "第 3 ", "第 4 ", "第 5 ", "第 6 ", "第 8 ", "第 9 ", "第 10 "]
    assert parts["业态配置"][0].startswith("必备的基本保障类业态缺 2 类：洗衣店/洗染店、再生资源回收点")
    assert len(parts["居民最不满意的细项（建议优先改进）"]) == 3


def test_glossary_explains_every_term_in_one_sentence():
    plain = {term for term, _, _ in TERMS}
    technical = " ".join(t for _, t, _ in TERMS)
    assert {"误差范围", "分组差异检验", "偶然概率", "关键因素分析", "影响倍数"} <= plain
    assert all(name in technical for name in ("置信区间", "卡方检验", "p 值", "逻辑回归", "优势比"))
    assert all(text.count("。") == 1 and text.endswith("。") for _, _, text in TERMS)
    assert copy.deepcopy(TERMS) == TERMS
