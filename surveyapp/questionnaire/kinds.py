"""The kinds of survey, and everything that differs between them, in one place.

A questionnaire file says who answers it (``kind: resident`` or ``kind: merchant``); the
campaign keeps that kind. Pages, the QR poster, the respondent's thank-you and
already-answered pages, the reports that can be issued and the official rules all look the
kind up here instead of testing names, so adding a kind means adding one entry below (and,
if it needs its own dashboard, one template): no other page changes.

Pure: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wording:
    """A short page or poster text: a title, a body and a hint line."""

    title: str
    body: str
    hint: str = ""


@dataclass(frozen=True)
class SurveyKind:
    code: str
    #: What the survey is called on staff pages (居民问卷调查).
    label: str
    #: Who answers (居民, 商户).
    respondent: str
    #: Feeds indicators #2/#3 (业态满意, 服务满意) and the 满意度调查报告: the official
    #: sample rule (≥ 3% of the served population) applies only to such surveys.
    feeds_satisfaction: bool
    #: The staff dashboard of a campaign of this kind (a self-contained template).
    dashboard_template: str
    #: Report kinds (surveyapp.reporting) a campaign of this kind can preview or issue.
    reports: tuple[str, ...]
    #: Answers name no person (residents); a merchant's name their shop.
    anonymous: bool
    #: One device may answer for several units (a shop owner with two shops).
    several_per_device: bool
    poster: Wording
    thanks: Wording
    already: Wording
    #: Shown on the already-answered page when ``several_per_device``: the link to answer again.
    another: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


KINDS: dict[str, SurveyKind] = {
    "resident": SurveyKind(
        code="resident", label="居民问卷调查", respondent="居民", feeds_satisfaction=True,
        dashboard_template="results/dashboard.html",
        reports=("campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx"),
        anonymous=True, several_per_device=False,
        poster=Wording("一刻钟便民生活圈 · 居民满意度调查", "扫一扫，用 3 分钟说说\n您家附近的店铺和服务",
                       "匿名填写 · 不问姓名和电话"),
        thanks=Wording("提交成功，谢谢您！", "您的意见会帮助社区把身边的商店和服务办得更好。", "现在可以关闭这个页面了。"),
        already=Wording("您已经填写过这份问卷了", "每部手机只需填写一次。谢谢您的参与！",
                        "如果家里还有其他人想填写，请用他们自己的手机扫码。"),
    ),
    "merchant": SurveyKind(
        code="merchant", label="商户调查", respondent="商户", feeds_satisfaction=False,
        dashboard_template="results/dashboard_merchant.html",
        reports=(),
        anonymous=False, several_per_device=True,
        poster=Wording("一刻钟便民生活圈 · 商户调查 · 请店主或店长填写", "扫一扫，用 4 分钟填写\n贵店的经营和便民服务情况",
                       "每家门店填写一次 · 只填门店名称和地址，不问个人信息"),
        thanks=Wording("提交成功，谢谢贵店的支持！", "贵店的情况已记入本生活圈的网点清单，用于完善便民服务和了解商户的困难。",
                       "如果您还经营另一家门店，可以为那家门店再填一份。"),
        already=Wording("这台手机已经为一家门店填写过了", "同一家门店只需填写一次，谢谢！",
                        "如果您还经营另一家门店，请为那家门店单独填写。"),
        another="为另一家门店填写",
    ),
}

#: The codes a questionnaire file may name in ``kind:``.
SURVEY_KINDS = tuple(KINDS)


def survey_kind(code: str | None) -> SurveyKind:
    """The kind of ``code``; an unknown or missing code is read as a resident survey
    (questionnaire snapshots frozen before kinds existed)."""
    return KINDS.get(code or "resident", KINDS["resident"])


def satisfaction_kinds() -> tuple[str, ...]:
    """Codes of the kinds whose campaigns may feed indicators #2/#3."""
    return tuple(code for code, kind in KINDS.items() if kind.feeds_satisfaction)
