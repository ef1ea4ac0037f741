"""Plain words in every printed document: the body says 误差范围, 分组差异检验, 偶然概率, 影响倍数;
the technical names (置信区间, 卡方, χ², p 值, 显著) appear only in the glossary appendix
(附录 术语解释), which gives them beside the plain words. Read back from the rendered PDFs."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from reports.glossary import TERMS
from reports.summary_sheet import city_summary_pdf
from surveyapp.community.export import lists_document, lists_pdf
from surveyapp.models.timeutil import utcnow
from surveyapp.reporting.operations import render

from .helpers import make_circle
from .test_community_queries import app_config, questionnaire_dir, survey  # noqa: F401  (fixtures)
from .test_reports import DATA, pdf_text, squash

#: Technical words a reader should meet only in the glossary (as pdftotext gives them, no spaces).
JARGON = ("置信区间", "卡方", "χ", "p值", "显著", "优势比", "逻辑回归", "z检验")


def glossary_counts() -> dict[str, int]:
    """How often each technical word is printed by the glossary itself (its three columns)."""
    printed = squash("".join(term + technical + text for term, technical, text in TERMS))
    return {word: printed.count(word) for word in JARGON}


@pytest.fixture(scope="module")
def demo_data() -> dict:
    with open(DATA / "demo-evaluation-data.json", encoding="utf-8") as f:
        return json.load(f)


def rendered(kind: str, data: dict) -> bytes:
    return render(kind, data, report_number="PJ-2026-0009", issued_on=date(2026, 12, 3), assessor="评估员甲",
                  data_fingerprint="0" * 64, firm="某某评价咨询有限公司")


@pytest.mark.parametrize("kind", ["evaluation_report", "campaign_report"])
def test_the_reports_body_is_plain_and_the_glossary_holds_the_technical_names(demo_data, kind, tmp_path):
    text = squash(pdf_text(rendered(kind, demo_data), tmp_path))
    # the demo data has breakdowns, drivers and a coverage check: each is described in the body
    assert "分组差异检验" in text and "偶然概率" in text and "影响倍数" in text and "误差范围" in text
    assert "附录二术语解释" in text
    expected = glossary_counts()
    assert {word: text.count(word) for word in JARGON} == expected
    assert expected["置信区间"] == 1 and expected["卡方"] == 1 and expected["p值"] == 1   # the glossary has them


def test_the_summary_sheets_say_error_margin(demo_data, tmp_path):
    sheet = squash(pdf_text(rendered("summary_sheet_pdf", demo_data), tmp_path))
    city = squash(pdf_text(city_summary_pdf([{"summary": demo_data["summary"], "circle": demo_data["circle"],
                                              "report_number": "—"}], title="生活圈汇总表", assessor="评估员甲",
                                            issued_on=date(2026, 12, 3), firm="某某评价咨询有限公司"), tmp_path))
    for text in (sheet, city):
        assert "误差范围" in text and "满意率" in text
        assert [word for word in JARGON if word in text] == []


def test_the_community_lists_say_error_margin_and_chance(app, db, questionnaire_dir, tmp_path):
    circle = make_circle(db, name="需求生活圈", population=5000, communities=(("东社区", 5000),))
    survey(db, circle, questionnaire_dir, [["laundry"] if i < 4 else ["bookstore"] for i in range(40)], days_ago=90)
    survey(db, circle, questionnaire_dir, [["laundry"] if i < 20 else ["bookstore"] for i in range(40)])
    with app.test_request_context():
        document = lists_document(db, circle, utcnow().date())
        text = squash(pdf_text(lists_pdf(document), tmp_path))
    assert "误差范围" in text and "变化明显" in text and "偶然概率" in text      # the comparison with the last round
    assert [word for word in JARGON if word in text] == []


def test_the_officers_pages_say_the_same(app, db, client, questionnaire_dir):
    from surveyapp.auth.users import create_user, grant_circle

    from .test_auth import login

    circle = make_circle(db, name="需求生活圈", population=5000, communities=(("东社区", 5000),))
    survey(db, circle, questionnaire_dir, [["laundry"] if i < 4 else ["bookstore"] for i in range(40)], days_ago=90)
    survey(db, circle, questionnaire_dir, [["laundry"] if i < 20 else ["bookstore"] for i in range(40)])
    officer = create_user(db, "wang", "officer-pass", "officer", "王干事")
    grant_circle(db, officer, circle)
    login(client, "wang", "officer-pass")
    page = squash(client.get(f"/community/circles/{circle.id}").get_data(as_text=True))
    assert "误差范围" in page and "偶然概率" in page
    assert [word for word in ("置信区间", "卡方", "p=", "z检验", "显著") if word in page] == []


def test_the_two_rounds_are_really_compared(app, db, questionnaire_dir):
    """Guard for the two tests above: the earlier survey is the previous round (else no 偶然概率)."""
    circle = make_circle(db, name="需求生活圈", population=5000, communities=(("东社区", 5000),))
    survey(db, circle, questionnaire_dir, [["laundry"]] * 5 + [["bookstore"]] * 35, days_ago=90)
    survey(db, circle, questionnaire_dir, [["laundry"]] * 20 + [["bookstore"]] * 20)
    with app.test_request_context():
        document = lists_document(db, circle, utcnow().date() + timedelta(days=0))
    changes = [row["change"] for row in document["listing"]["items"] if row["change"]]
    laundry = next(row["change"] for row in document["listing"]["items"] if row["code"] == "laundry")
    assert changes and laundry["before_rate"] == pytest.approx(5 / 40) and laundry["after_rate"] == pytest.approx(0.5)
    assert laundry["significant"]
