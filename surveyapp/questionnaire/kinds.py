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
    #: How many answers one device may give per campaign by default (a campaign setting,
    #: ``Campaign.answers_per_device``): a family sharing one phone, an owner of two shops.
    answers_per_device: int
    poster: Wording
    thanks: Wording
    already: Wording
    #: The button on the thank-you page while the device may answer again, and the sentence
    #: above it (``{left}``: answers this device may still give).
    another: str = ""
    another_prompt: str = ""
    #: The answers-per-device rule as the notice says it (``{n}``: the campaign's number), and
    #: the line on the notice of a device answering again (``{given}``, ``{next}``).
    device_rule: str = ""
    next_answer: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


KINDS: dict[str, SurveyKind] = {
    "resident": SurveyKind(
        code="resident", label="居民问卷调查", respondent="居民", feeds_satisfaction=True,
        dashboard_template="results/dashboard.html",
        reports=("campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx"),
        anonymous=True, answers_per_device=3,
        poster=Wording("一刻钟便民生活圈 · 居民满意度调查", "扫一扫，用 3 分钟说说\n您家附近的店铺和服务",
                       "匿名填写 · 不问姓名和电话"),
        thanks=Wording("提交成功，谢谢您！", "您的意见会帮助社区把身边的商店和服务办得更好。", "现在可以关闭这个页面了。"),
        already=Wording("这部手机已经填写过了", "这部手机已经填写了 {n} 份，是本次调查每部手机最多可以填写的份数。谢谢您和家人的参与！",
                        "如果家里还有其他人想填写，请用他们自己的手机扫码。"),
        another="为家人再填一份",
        another_prompt="家里还有人想填吗？这部手机还可以再填 {left} 份，请家人自己回答。",
        device_rule="一部手机最多可以填写 {n} 份：家里有人不方便用手机的，您填完后可以点“为家人再填一份”，"
                    "请家人自己回答。每人只填一次。",
        next_answer="这部手机已经填写了 {given} 份，这是为家人填写的第 {next} 份。",
    ),
    "merchant": SurveyKind(
        code="merchant", label="商户调查", respondent="商户", feeds_satisfaction=False,
        dashboard_template="results/dashboard_merchant.html",
        reports=(),
        anonymous=False, answers_per_device=5,
        poster=Wording("一刻钟便民生活圈 · 商户调查 · 请店主或店长填写", "扫一扫，用 4 分钟填写\n贵店的经营和便民服务情况",
                       "每家门店填写一次 · 只填门店名称和地址，不问个人信息"),
        thanks=Wording("提交成功，谢谢贵店的支持！", "贵店的情况已记入本生活圈的网点清单，用于完善便民服务和了解商户的困难。",
                       "现在可以关闭这个页面了。"),
        already=Wording("这部手机已经填写过了", "这部手机已经为 {n} 家门店填写过，是本次调查每部手机最多可以填写的份数。同一家门店只需填写一次，谢谢！",
                        "如果还有其他门店要填写，请用那家门店的手机扫码。"),
        another="为另一家门店填写",
        another_prompt="如果您还经营另一家门店，可以为那家门店再填一份（这部手机还可以填 {left} 份）。",
        device_rule="一部手机最多可以为 {n} 家门店填写：您还经营另一家门店的，填完后可以点“为另一家门店填写”。"
                    "每家门店只填一次。",
        next_answer="这部手机已经为 {given} 家门店填写过，这是为另一家门店填写的第 {next} 份。",
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
