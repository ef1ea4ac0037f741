"""The merchant chapter of the report: rendered from the merchant summary, absent without one."""
from __future__ import annotations

from types import SimpleNamespace

from reports import campaign_report
from reports.campaign import report_context
from reports.rendering import render_html
from surveyapp.merchants.derive import merchant_summary

from .test_reports import OPTIONS, load_summary, pdf_text


def summary():
    outlets = [SimpleNamespace(id=i, type_code="convenience_store" if i < 3 else "breakfast", status="open",
                               possible_duplicate_of=None, chain=i < 2, qr_payment=True, accepts_cash=True,
                               listed_on_platform=i == 0, home_delivery=False, instant_retail=i == 1, response_ids=[i],
                               difficulties=["rent"] if i % 2 else ["staff", "rent"], support_wanted=["training"])
               for i in range(6)]
    return merchant_summary(outlets, {"convenience_store": "便利店", "breakfast": "早餐店"},
                            {"rent": "房租高", "staff": "招工难、用工成本高"}, {"training": "经营和数字化培训"})


def test_report_without_merchants_has_no_merchant_chapter():
    html = render_html("campaign.html", report_context(load_summary(), **OPTIONS))
    assert "商户调查结果" not in html


def test_report_with_merchants_has_the_ranked_chapter(tmp_path):
    html = render_html("campaign.html", report_context(load_summary(), **OPTIONS, merchants=summary()))
    assert "商户调查结果" in html and "连锁化率 33.3%" in html
    assert html.index("房租高") < html.index("招工难、用工成本高")  # ranked: 6 outlets before 3
    pdf = campaign_report(load_summary(), **OPTIONS, merchants=summary())
    text = pdf_text(pdf, tmp_path)
    assert "商户调查结果" in text and "经营和数字化培训" in text
