"""Scoring rules files: the numbers of both official tables, as versioned YAML per jurisdiction.

The points, tiers, deductions, bands and labels of 业态“有没有” and 服务“好不好” decide
subsidies, differ between cities and are partly unconfirmed (DOMAIN.md). So none of them is a
constant in code: a city ships its own ``rules/<name>.yaml`` (and catalogue) and the engine in
:mod:`surveyapp.evaluation.scoring` reads everything from the :class:`Rules` loaded here.

Numbers are kept as :class:`fractions.Fraction` parsed from their decimal *text*, so that
``0.6`` is exactly 3/5 and 5 − 3 × 0.6 is exactly 3.2: a total of exactly 70 must never
become 69.99999 and lose a circle its type.

The file format is described for survey people in docs/rules-format.md. A bad file is refused
with :class:`RulesError` naming the file, the line and the field, reusing the line-aware YAML
readers of the questionnaire loader.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from surveyapp.analysis.indicators import PointRule
from surveyapp.questionnaire import Catalogue, CatalogueEntry, QuestionnaireError, load_catalogue
from surveyapp.questionnaire.catalogue import decode, read_bytes
from surveyapp.questionnaire.yamlnodes import Context, MapReader, compose

#: The ten indicators of 服务“好不好”, in the order of the official table (#1 … #10).
#: Keys are identifiers the code dispatches on; their labels and points live in the file.
INDICATOR_KEYS = (
    "needs",
    "business_satisfaction",
    "service_satisfaction",
    "store_breakfast",
    "market_repair",
    "elderly_childcare",
    "chain_share",
    "promotion",
    "digital",
    "harmony",
)

#: Indicators whose input is the campaign summary, not facts entered by the assessor.
SATISFACTION_KEYS = ("business_satisfaction", "service_satisfaction")

FACT_KINDS = ("int", "bool", "share", "choice", "multi")


class RulesError(QuestionnaireError):
    """A rules file that cannot be used; ``path``, ``line`` (1-based) and ``field`` say where.

    A subclass of :class:`QuestionnaireError` because it is raised by the same line-aware
    readers and has the same shape; callers that only care about "a bad file" catch either.
    """


# --- what the assessor enters -------------------------------------------------------------------

@dataclass(frozen=True)
class FactField:
    """One fact an assessor enters during the field inspection (never points: the software scores).

    ``kind`` is ``int`` (a count), ``bool``, ``share`` (a fraction 0–1), ``choice`` (one code
    of ``choices``) or ``multi`` (any codes of ``choices``). ``choices`` are ``(code, label)``.
    """

    name: str
    kind: str
    label: str
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    min: int | None = None
    max: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "label": self.label, "hint": self.hint,
            "choices": [{"code": code, "label": label} for code, label in self.choices],
            "min": self.min, "max": self.max,
        }


#: The inputs of #2/#3, taken from the campaign summary (see scoring.satisfaction_facts).
SUMMARY_FIELDS = (
    FactField("satisfied", "int", "满意人数", "整体满意度题中选择“非常满意”或“满意”的有效问卷数", min=0),
    FactField("answered", "int", "有效回答人数", "整体满意度题的有效回答数（不含“不清楚”）", min=0),
    FactField("sample_met", "bool", "样本量达到要求", "有效问卷数不少于服务人口的规定比例"),
)


# --- the parts of the rules ----------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    """A named item of a list the rules define (a market service, a terminal type, a level)."""

    code: str
    label: str


@dataclass(frozen=True)
class Band:
    """A score band: the first band (from the top) whose ``min_points`` the total reaches wins."""

    min_points: Fraction
    code: str
    label: str
    stars: int | None = None
    stars_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"code": self.code, "label": self.label, "min_points": float(self.min_points)}
        if self.stars is not None:
            data["stars"] = self.stars
            data["stars_label"] = self.stars_label
        return data


@dataclass(frozen=True)
class BasicTier:
    """Basic-type points when at most ``max_missing`` required types are missing."""

    max_missing: int
    points: Fraction


@dataclass(frozen=True)
class PresenceRules:
    """业态“有没有”: basic points by missing required types, quality points per type (capped)."""

    label: str
    max_points: Fraction
    basic_label: str
    basic_max: Fraction
    basic_tiers: tuple[BasicTier, ...]
    basic_otherwise: Fraction
    basic_trial: bool
    quality_label: str
    quality_max: Fraction
    points_per_quality_type: Fraction
    quality_trial: bool
    types: tuple[Band, ...]
    types_trial: bool = False

    @property
    def trial(self) -> bool:
        return self.basic_trial or self.quality_trial or self.types_trial

    @property
    def trial_parts(self) -> tuple[str, ...]:
        parts = [(self.basic_trial, self.basic_label), (self.quality_trial, self.quality_label),
                 (self.types_trial, "类型分档")]
        return tuple(label for flag, label in parts if flag)


@dataclass(frozen=True)
class BoolPart:
    """Points for one yes/no fact."""

    label: str
    points: Fraction
    trial: bool = False


@dataclass(frozen=True)
class SharePart:
    """Points when a share reaches ``min_share`` (inclusive)."""

    label: str
    points: Fraction
    min_share: Fraction
    trial: bool = False


@dataclass(frozen=True)
class ServiceList:
    """Services a site must offer; each one missing deducts ``each_missing``."""

    choices: tuple[Option, ...]
    each_missing: Fraction
    trial: bool = False


@dataclass(frozen=True)
class SitePart:
    """A site up to standard (wet market, elder-care or childcare site): full points minus
    ``area_short`` when the area is not enough and ``services.each_missing`` per missing service."""

    label: str
    points: Fraction
    area_short: Fraction
    services: ServiceList
    trial: bool = False

    @property
    def any_trial(self) -> bool:
        return self.trial or self.services.trial


@dataclass(frozen=True)
class RepairPart:
    """Repairs: full points at ``min_categories`` categories, ``each_missing`` off per category short."""

    label: str
    points: Fraction
    min_categories: int
    each_missing: Fraction
    zero_when_none: bool
    trial: bool = False


@dataclass(frozen=True)
class TerminalPart:
    """Smart terminals: full points with every type, ``each_missing`` off per type short."""

    label: str
    points: Fraction
    each_missing: Fraction
    zero_when_none: bool
    choices: tuple[Option, ...]
    trial: bool = False


@dataclass(frozen=True)
class StoreTier:
    min_services: int
    min_stores_24h: int
    points: Fraction


@dataclass(frozen=True)
class VarietyTier:
    min_varieties: int
    points: Fraction


@dataclass(frozen=True)
class TierPart:
    """A part scored by the first tier it reaches (convenience stores, breakfast)."""

    label: str
    tiers: tuple
    trial: bool = False

    @property
    def points(self) -> Fraction:
        return self.tiers[0].points


@dataclass(frozen=True)
class CityTier:
    city_tier: int
    label: str
    min_share: Fraction


# Indicator specs: one shape per indicator key (the code knows how to score each shape).

@dataclass(frozen=True)
class NeedsRules:
    lists_exist: BoolPart
    projects_carried_out: BoolPart

    def parts(self):
        return (self.lists_exist, self.projects_carried_out)


@dataclass(frozen=True)
class SatisfactionRules:
    full_rate: Fraction
    full_points: Fraction
    partial_rate: Fraction
    partial_points: Fraction
    fail_points: Fraction

    def parts(self):
        return ()

    def point_rule(self) -> PointRule:
        """The analysis layer's rule, fed with exact fractions so exactly 90 % scores full points."""
        return PointRule(full_threshold=self.full_rate, full_points=self.full_points,
                         partial_threshold=self.partial_rate, partial_points=self.partial_points,
                         fail_points=self.fail_points)


@dataclass(frozen=True)
class StoreBreakfastRules:
    store: TierPart
    breakfast: TierPart
    breakfast_delivery: BoolPart
    retail_delivery: BoolPart

    def parts(self):
        return (self.store, self.breakfast, self.breakfast_delivery, self.retail_delivery)


@dataclass(frozen=True)
class MarketRepairRules:
    market: SitePart
    repair: RepairPart

    def parts(self):
        return (self.market, self.repair)


@dataclass(frozen=True)
class ElderlyChildcareRules:
    elderly: SitePart
    childcare: SitePart

    def parts(self):
        return (self.elderly, self.childcare)


@dataclass(frozen=True)
class ChainShareRules:
    points: Fraction
    city_tiers: tuple[CityTier, ...]

    def parts(self):
        return ()

    def tier(self, city_tier: int) -> CityTier:
        for tier in self.city_tiers:
            if tier.city_tier == city_tier:
                return tier
        known = "、".join(str(t.city_tier) for t in self.city_tiers)
        raise ValueError(f"城市等级 {city_tier!r} 不在评价规则中（可选：{known}）")


@dataclass(frozen=True)
class PromotionRules:
    points_per_event: Fraction

    def parts(self):
        return ()


@dataclass(frozen=True)
class DigitalRules:
    qr_payment: BoolPart
    smart_terminals: TerminalPart
    listed_share: SharePart
    resident_usage: SharePart
    platform: BoolPart

    def parts(self):
        return (self.qr_payment, self.smart_terminals, self.listed_share, self.resident_usage, self.platform)


@dataclass(frozen=True)
class HarmonyRules:
    levels: tuple[tuple[Option, Fraction], ...]

    def parts(self):
        return ()

    def points(self, code: str) -> Fraction:
        return dict((option.code, points) for option, points in self.levels)[code]


@dataclass(frozen=True)
class IndicatorRules:
    """One indicator of 服务“好不好”: its label, maximum, trial flag and scoring spec."""

    key: str
    label: str
    group: str | None
    max_points: Fraction
    trial: bool
    spec: Any
    line: int
    trial_parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceRules:
    label: str
    max_points: Fraction
    sample_rate: Fraction
    indicators: tuple[IndicatorRules, ...]
    grades: tuple[Band, ...]

    def indicator(self, key: str) -> IndicatorRules:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(key)


@dataclass(frozen=True)
class CoverageRules:
    """How 15-minute walking coverage is estimated (the ``coverage`` section; all 试行 while the
    official method is unpublished). Coverage is information beside the inventory; it changes
    points only through ``presence_min_share``: when set, a required type whose share of
    covered communities is below it is not *suggested* as present in the 有没有 inventory."""

    label: str
    trial: bool
    walking_speed_m_per_min: Fraction
    detour_factor: Fraction
    max_minutes: Fraction
    presence_min_share: Fraction | None = None

    def walk(self):
        from ..geo import StraightLineWalk

        return StraightLineWalk(self.detour_factor, self.walking_speed_m_per_min, trial=self.trial)


@dataclass(frozen=True)
class Rules:
    """A loaded, checked rules file with its catalogue. Everything the scoring engine needs."""

    name: str
    version: str
    title: str | None
    trial: bool
    content_hash: str
    path: str
    catalogue: Catalogue
    required_types: tuple[str, ...]
    presence: PresenceRules
    service: ServiceRules
    gate_points: Fraction
    #: The ``coverage`` section (None in files written before it existed).
    coverage: CoverageRules | None = None
    _fields: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def indicator_keys(self) -> tuple[str, ...]:
        return tuple(indicator.key for indicator in self.service.indicators)

    def indicator(self, key: str) -> IndicatorRules:
        try:
            return self.service.indicator(key)
        except KeyError:
            raise ValueError(f"未知的评价指标“{key}”") from None

    @property
    def required_entries(self) -> tuple[CatalogueEntry, ...]:
        return tuple(self.catalogue.entry(code) for code in self.required_types)

    def indicator_fields(self, key: str) -> list[FactField]:
        """The facts an assessor enters for indicator ``key`` ([] for #2/#3: they come from the survey)."""
        if key not in self._fields:
            self._fields[key] = _fact_fields(self.indicator(key))
        return list(self._fields[key])

    def identity(self) -> dict[str, Any]:
        """What a stored evaluation records so that its numbers can be reproduced later."""
        return {
            "name": self.name, "version": self.version, "title": self.title, "trial": self.trial,
            "content_hash": self.content_hash,
            "catalogue": {"name": self.catalogue.name, "version": self.catalogue.version,
                          "content_hash": self.catalogue.content_hash},
        }


# --- facts per indicator ------------------------------------------------------------------------

def _options(options) -> tuple[tuple[str, str], ...]:
    return tuple((option.code, option.label) for option in options)


def _site_fields(prefix_present: str, prefix: str, part: SitePart, what: str) -> list[FactField]:
    return [
        FactField(prefix_present, "bool", f"有{what}", f"生活圈内有达到标准的{part.label}"),
        FactField(f"{prefix}_area_sufficient", "bool", f"{part.label}面积达标", f"{part.label}面积满足标准要求"),
        FactField(f"{prefix}_services", "multi", f"{part.label}提供的服务", "勾选实际提供的服务",
                  choices=_options(part.services.choices)),
    ]


def _fact_fields(indicator: IndicatorRules) -> tuple[FactField, ...]:
    """The facts of each indicator. Names are a contract with the inspection form and stored data;
    labels are the questions the assessor answers, so they are written as questions of fact."""
    spec = indicator.spec
    key = indicator.key
    if key == "needs":
        return (
            FactField("lists_exist", "bool", "已建立居民需求清单和项目清单",
                      "社区已收集居民需求并形成需求清单、项目清单"),
            FactField("projects_carried_out", "bool", "清单项目正在推进实施",
                      "项目清单中的项目已落实或正在实施"),
        )
    if key in SATISFACTION_KEYS:
        return ()
    if key == "store_breakfast":
        return (
            FactField("addon_services", "int", "便利店提供的便民服务项数",
                      "生活圈内便利店提供的附加便民服务种类数（如代收代缴、打印复印、充值缴费）", min=0),
            FactField("stores_24h", "int", "24小时营业的便利店数", "生活圈内 24 小时营业的便利店家数", min=0),
            FactField("breakfast_varieties", "int", "早餐主食和汤粥品种数", "早餐网点供应的主食、汤粥品种合计", min=0),
            FactField("breakfast_delivery", "bool", "早餐可送餐到家", "有早餐网点提供送餐到家服务"),
            FactField("retail_delivery", "bool", "便利店商品可送货到家", "有便利店提供即时零售送货到家服务"),
        )
    if key == "market_repair":
        return (*_site_fields("market_present", "market", spec.market, "标准化菜市场"),
                FactField("repair_categories", "int", "维修服务品类数",
                          "生活圈内维修点提供的小修小补品类数（如修鞋、配钥匙、修家电、改衣）", min=0))
    if key == "elderly_childcare":
        return (*_site_fields("elderly_site_present", "elderly", spec.elderly, "养老服务站点"),
                *_site_fields("childcare_site_present", "childcare", spec.childcare, "托育服务站点"))
    if key == "chain_share":
        return (
            FactField("chain_outlets", "int", "连锁品牌网点数", "生活圈内属于连锁品牌的商业网点数", min=0),
            FactField("total_outlets", "int", "商业网点总数", "生活圈内商业网点总数", min=0),
        )
    if key == "promotion":
        return (FactField("events", "int", "年度促消费活动场次", "本年度社区组织开展的促消费活动场次", min=0),)
    if key == "digital":
        return (
            FactField("qr_payment_main_venues", "bool", "主要场所可扫码支付", "菜市场、超市、便利店等主要场所支持扫码支付"),
            FactField("smart_terminal_types", "multi", "已布设的智能终端类型", "勾选生活圈内已布设的智能终端",
                      choices=_options(spec.smart_terminals.choices)),
            FactField("listed_share", "share", "上线生活圈地图/平台的商户比例", "0–1 之间的小数，如 0.75 表示 75%",
                      min=0, max=1),
            FactField("resident_usage_share", "share", "使用数字化服务的居民比例", "0–1 之间的小数，如 0.5 表示 50%",
                      min=0, max=1),
            FactField("platform_exists", "bool", "建有生活圈数字化平台或地图", "生活圈有线上地图、小程序或服务平台"),
        )
    if key == "harmony":
        return (FactField("level", "choice", "商居和谐程度", "按现场检查结果选择",
                          choices=tuple((option.code, option.label) for option, _ in spec.levels)),)
    raise ValueError(f"未知的评价指标“{key}”")  # pragma: no cover - keys are checked at load


# --- loading -------------------------------------------------------------------------------------

TOP_KEYS = {"name", "version", "title", "trial", "catalogue", "required_types", "presence", "service", "gate",
            "coverage"}


def load_rules(path, *, catalogue: Catalogue | None = None) -> Rules:
    """Read and check a rules file; ``content_hash`` is the SHA-256 of its bytes.

    The catalogue is the file named by its ``catalogue`` key, relative to the rules file,
    unless ``catalogue`` is given (a stored snapshot carrying its own).
    """
    try:
        data = read_bytes(path)
        text = decode(data, path)
    except QuestionnaireError as exc:
        raise _as_rules_error(exc) from None
    return _Loader(str(path), catalogue).load(text, hashlib.sha256(data).hexdigest())


def load_rules_text(text: str, path="<rules>", *, catalogue: Catalogue | None = None) -> Rules:
    """Load rules from text; ``path`` labels messages and anchors the relative catalogue path.

    The hash is that of the UTF-8 bytes of ``text``, so a verbatim snapshot hashes like the file.
    """
    return _Loader(str(path), catalogue).load(text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _as_rules_error(exc: QuestionnaireError) -> RulesError:
    if isinstance(exc, RulesError):
        return exc
    return RulesError(exc.path, exc.line, exc.field, exc.message)


class _Loader:
    """Walks one rules file; every check raises with the line of the offending value."""

    def __init__(self, path: str, catalogue: Catalogue | None):
        self.path = path
        self.ctx = Context(path)
        self.catalogue = catalogue

    def load(self, text: str, content_hash: str) -> Rules:
        try:
            return self._load(text, content_hash)
        except QuestionnaireError as exc:
            raise _as_rules_error(exc) from None

    # --- typed values --------------------------------------------------------------------------

    def number(self, m: MapReader, key: str, *, positive: bool = False, at_most: Fraction | None = None,
               required: bool = True, default: Fraction | None = None) -> Fraction:
        """An exact non-negative number from its decimal text ("0.6" is 3/5, not a binary double)."""
        if not m.has(key):
            if required:
                raise m.missing(key)
            return default
        node = m.node(key)
        where = m.sub(key)
        value = self.ctx.as_number(node, where)
        if isinstance(value, int):
            result = Fraction(value)
        else:
            try:
                result = Fraction(str(node.value).strip().replace("_", ""))
            except ValueError:
                raise self.ctx.error(node, where, f"must be a plain decimal number like 0.6, not {node.value!r}") \
                    from None
        if result < 0:
            raise self.ctx.error(node, where, "must not be negative")
        if positive and result == 0:
            raise self.ctx.error(node, where, "must be greater than 0")
        if at_most is not None and result > at_most:
            raise self.ctx.error(node, where, f"must be at most {_plain(at_most)}")
        return result

    def count(self, m: MapReader, key: str, *, positive: bool = False) -> int:
        value = m.integer(key)
        if value < 0 or (positive and value == 0):
            raise m.error(key, "must be greater than 0" if positive else "must not be negative")
        return value

    def share(self, m: MapReader, key: str) -> Fraction:
        return self.number(m, key, positive=True, at_most=Fraction(1))

    def options(self, m: MapReader, key: str) -> tuple[Option, ...]:
        options = []
        seen: set[str] = set()
        for index, node in enumerate(m.list(key)):
            item = self.ctx.as_map(node, f"{m.sub(key)}[{index}]")
            item.check_keys({"code", "label"})
            code = item.identifier("code")
            if code in seen:
                raise item.error("code", f"duplicate code '{code}'")
            seen.add(code)
            options.append(Option(code, item.text("label")))
        return tuple(options)

    def sub(self, m: MapReader, key: str) -> MapReader:
        return self.ctx.as_map(m.node(key), m.sub(key))

    def bands(self, m: MapReader, key: str, *, stars: bool, maximum: Fraction) -> tuple[Band, ...]:
        bands = []
        nodes = m.list(key)
        for index, node in enumerate(nodes):
            item = self.ctx.as_map(node, f"{m.sub(key)}[{index}]")
            item.check_keys({"min_points", "code", "label", "stars", "stars_label"} if stars
                            else {"min_points", "code", "label"})
            min_points = self.number(item, "min_points", at_most=maximum)
            if bands and min_points >= bands[-1].min_points:
                raise item.error("min_points", "bands must be listed from the highest min_points down "
                                 f"({_plain(min_points)} is not below {_plain(bands[-1].min_points)})")
            star_count = star_label = None
            if stars:
                star_count = self.count(item, "stars", positive=True)
                star_label = item.text("stars_label")
            bands.append(Band(min_points, item.identifier("code"), item.text("label"), star_count, star_label))
        codes = [band.code for band in bands]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                raise self.ctx.error(nodes[index], f"{m.sub(key)}[{index}].code", f"duplicate code '{code}'")
        return tuple(bands)

    # --- the file ------------------------------------------------------------------------------

    def _load(self, text: str, content_hash: str) -> Rules:
        top = self.ctx.as_map(compose(text, self.path), "")
        top.check_keys(TOP_KEYS)
        name = top.identifier("name")
        version = top.text("version")
        title = top.text("title", required=False)
        declared_trial = top.boolean("trial", False)
        catalogue = self._catalogue(top)
        required = self._required(top, catalogue)
        presence = self._presence(self.sub(top, "presence"))
        service = self._service(self.sub(top, "service"))
        gate = self.sub(top, "gate")
        gate.check_keys({"min_service_points"})
        gate_points = self.number(gate, "min_service_points", at_most=service.max_points)
        coverage = self._coverage(self.sub(top, "coverage")) if top.has("coverage") else None
        any_trial = presence.trial or any(indicator.trial for indicator in service.indicators) or \
            bool(coverage and coverage.trial)
        if any_trial and not declared_trial:
            # The top-level flag is what a report reads first; it must not hide a trial part.
            raise top.error("trial", "some parts are marked 'trial: true', so the file must say 'trial: true' too")
        return Rules(
            name=name, version=version, title=title, trial=declared_trial, content_hash=content_hash,
            path=self.path, catalogue=catalogue, required_types=required, presence=presence,
            service=service, gate_points=gate_points, coverage=coverage,
        )

    def _catalogue(self, top: MapReader) -> Catalogue:
        relative = top.text("catalogue")
        if self.catalogue is not None:
            return self.catalogue
        catalogue_path = Path(self.path).parent / relative
        if not catalogue_path.is_file():
            raise top.error("catalogue", f"catalogue file not found: {catalogue_path}")
        return load_catalogue(catalogue_path)

    def _coverage(self, m: MapReader) -> CoverageRules:
        m.check_keys({"label", "trial", "walking_speed_m_per_min", "detour_factor", "max_minutes",
                      "presence_min_share"})
        detour = self.number(m, "detour_factor", positive=True)
        if detour < 1:
            raise m.error("detour_factor", "must be at least 1 (no walk is shorter than the straight line)")
        return CoverageRules(
            label=m.text("label"), trial=m.boolean("trial", False),
            walking_speed_m_per_min=self.number(m, "walking_speed_m_per_min", positive=True),
            detour_factor=detour, max_minutes=self.number(m, "max_minutes", positive=True),
            presence_min_share=self.share(m, "presence_min_share") if m.has("presence_min_share") else None,
        )

    def _required(self, top: MapReader, catalogue: Catalogue) -> tuple[str, ...]:
        if not top.has("required_types"):
            if not catalogue.required:
                raise top.error("catalogue", f"the catalogue '{catalogue.name}' marks no required types; "
                                "mark them there or list them under required_types")
            return catalogue.required
        codes = []
        for index, node in enumerate(top.list("required_types")):
            where = f"required_types[{index}]"
            code = self.ctx.as_text(node, where)
            if code not in catalogue:
                raise self.ctx.error(node, where, f"'{code}' is not a type of the catalogue '{catalogue.name}'")
            if catalogue.entry(code).group != "basic":
                raise self.ctx.error(node, where, f"'{code}' is a quality type; only basic types can be required")
            if code in codes:
                raise self.ctx.error(node, where, f"duplicate required type '{code}'")
            codes.append(code)
        # Catalogue order, so that "missing" lists read the same way as the catalogue.
        return tuple(entry.code for entry in catalogue.basic if entry.code in codes)

    def _presence(self, m: MapReader) -> PresenceRules:
        m.check_keys({"label", "max_points", "basic", "quality", "types", "types_trial"})
        max_points = self.number(m, "max_points", positive=True)
        basic = self.sub(m, "basic")
        basic.check_keys({"label", "max_points", "trial", "tiers", "otherwise"})
        basic_max = self.number(basic, "max_points", positive=True)
        tiers = []
        for index, node in enumerate(basic.list("tiers")):
            item = self.ctx.as_map(node, f"{basic.sub('tiers')}[{index}]")
            item.check_keys({"max_missing", "points"})
            tier = BasicTier(self.count(item, "max_missing"), self.number(item, "points", at_most=basic_max))
            if tiers and tier.max_missing <= tiers[-1].max_missing:
                raise item.error("max_missing", "tiers must be listed by max_missing ascending "
                                 f"({tier.max_missing} is not above {tiers[-1].max_missing})")
            if tiers and tier.points >= tiers[-1].points:
                raise item.error("points", "tier points must be descending "
                                 f"({_plain(tier.points)} is not below {_plain(tiers[-1].points)})")
            tiers.append(tier)
        if tiers[0].points != basic_max:
            raise basic.error("tiers", f"the first tier must give the full {_plain(basic_max)} points")
        otherwise = self.number(basic, "otherwise")
        if otherwise >= tiers[-1].points:
            raise basic.error("otherwise", f"must be below the last tier's {_plain(tiers[-1].points)} points")
        quality = self.sub(m, "quality")
        quality.check_keys({"label", "max_points", "trial", "points_per_type"})
        quality_max = self.number(quality, "max_points", positive=True)
        per_type = self.number(quality, "points_per_type", positive=True, at_most=quality_max)
        if basic_max + quality_max != max_points:
            raise m.error("max_points", f"basic {_plain(basic_max)} + quality {_plain(quality_max)} = "
                          f"{_plain(basic_max + quality_max)}, not {_plain(max_points)}")
        return PresenceRules(
            label=m.text("label"), max_points=max_points,
            basic_label=basic.text("label"), basic_max=basic_max, basic_tiers=tuple(tiers),
            basic_otherwise=otherwise, basic_trial=basic.boolean("trial"),
            quality_label=quality.text("label"), quality_max=quality_max, points_per_quality_type=per_type,
            quality_trial=quality.boolean("trial"),
            types=self.bands(m, "types", stars=True, maximum=max_points), types_trial=m.boolean("types_trial"),
        )

    def _service(self, m: MapReader) -> ServiceRules:
        m.check_keys({"label", "max_points", "sample_rate", "indicators", "grades"})
        max_points = self.number(m, "max_points", positive=True)
        sample_rate = self.share(m, "sample_rate")
        table = self.sub(m, "indicators")
        if table.duplicate is not None:
            table.check_keys(INDICATOR_KEYS)
        for key, key_node in table.key_nodes.items():
            if key not in INDICATOR_KEYS:
                raise self.ctx.error(key_node, table.sub(key),
                                     f"unknown indicator '{key}' (known: {', '.join(INDICATOR_KEYS)})")
        for key in INDICATOR_KEYS:
            if not table.has(key):
                raise RulesError(self.path, table.line, table.sub(key), f"missing indicator '{key}'")
        indicators = tuple(self._indicator(table, key) for key in INDICATOR_KEYS)
        total = sum((indicator.max_points for indicator in indicators), Fraction(0))
        if total != max_points:
            raise m.error("max_points", f"the indicators' max_points add up to {_plain(total)}, "
                          f"not {_plain(max_points)}")
        grades = self.bands(m, "grades", stars=False, maximum=max_points)
        if grades[-1].min_points != 0:
            raise self.ctx.error(m.node("grades").value[-1], f"{m.sub('grades')}[{len(grades) - 1}].min_points",
                                 "the last grade must start at 0 so that every total has a grade")
        return ServiceRules(label=m.text("label"), max_points=max_points, sample_rate=sample_rate,
                            indicators=indicators, grades=grades)

    # --- indicators ----------------------------------------------------------------------------

    _SPEC_KEYS = {
        "needs": {"lists_exist", "projects_carried_out"},
        "business_satisfaction": {"full", "partial", "otherwise"},
        "service_satisfaction": {"full", "partial", "otherwise"},
        "store_breakfast": {"store", "breakfast", "breakfast_delivery", "retail_delivery"},
        "market_repair": {"market", "repair"},
        "elderly_childcare": {"elderly", "childcare"},
        "chain_share": {"points", "city_tiers"},
        "promotion": {"points_per_event"},
        "digital": {"qr_payment", "smart_terminals", "listed_share", "resident_usage", "platform"},
        "harmony": {"levels"},
    }

    def _indicator(self, table: MapReader, key: str) -> IndicatorRules:
        m = self.sub(table, key)
        m.check_keys({"label", "group", "max_points", "trial"} | self._SPEC_KEYS[key])
        label = m.text("label")
        max_points = self.number(m, "max_points", positive=True)
        spec = self._SPEC_READERS[key](self, m, max_points)
        parts = spec.parts()
        if parts:
            total = sum((part.points for part in parts), Fraction(0))
            if total != max_points:
                raise m.error("max_points", f"the parts of '{key}' add up to {_plain(total)}, "
                              f"not {_plain(max_points)}")
        trial_parts = []
        for part in parts:
            if getattr(part, "trial", False):
                trial_parts.append(part.label)
            services = getattr(part, "services", None)
            if services is not None and services.trial:
                trial_parts.append(f"{part.label}服务项目")
        own_trial = m.boolean("trial")
        return IndicatorRules(key=key, label=label, group=m.text("group", required=False), max_points=max_points,
                              trial=own_trial or bool(trial_parts), spec=spec, line=m.line,
                              trial_parts=((label,) if own_trial else ()) + tuple(trial_parts))

    def bool_part(self, m: MapReader, key: str) -> BoolPart:
        part = self.sub(m, key)
        part.check_keys({"label", "points", "trial"})
        return BoolPart(part.text("label"), self.number(part, "points", positive=True), part.boolean("trial"))

    def share_part(self, m: MapReader, key: str) -> SharePart:
        part = self.sub(m, key)
        part.check_keys({"label", "points", "min_share", "trial"})
        return SharePart(part.text("label"), self.number(part, "points", positive=True),
                         self.share(part, "min_share"), part.boolean("trial"))

    def site_part(self, m: MapReader, key: str) -> SitePart:
        part = self.sub(m, key)
        part.check_keys({"label", "points", "area_short", "services", "trial"})
        points = self.number(part, "points", positive=True)
        services = self.sub(part, "services")
        services.check_keys({"each_missing", "choices", "trial"})
        return SitePart(
            label=part.text("label"), points=points,
            area_short=self.number(part, "area_short", at_most=points),
            services=ServiceList(self.options(services, "choices"),
                                 self.number(services, "each_missing", at_most=points), services.boolean("trial")),
            trial=part.boolean("trial"),
        )

    def _spec_needs(self, m: MapReader, max_points: Fraction) -> NeedsRules:
        return NeedsRules(self.bool_part(m, "lists_exist"), self.bool_part(m, "projects_carried_out"))

    def _spec_satisfaction(self, m: MapReader, max_points: Fraction) -> SatisfactionRules:
        tiers = []
        for key in ("full", "partial"):
            tier = self.sub(m, key)
            tier.check_keys({"min_rate", "points"})
            tiers.append((tier, self.share(tier, "min_rate"), self.number(tier, "points", at_most=max_points)))
        (full, full_rate, full_points), (partial, partial_rate, partial_points) = tiers
        if full_points != max_points:
            raise full.error("points", f"must equal the indicator's max_points {_plain(max_points)}")
        if partial_rate >= full_rate:
            raise partial.error("min_rate", f"must be below full.min_rate {_plain(full_rate)}")
        if partial_points >= full_points:
            raise partial.error("points", f"must be below full.points {_plain(full_points)}")
        otherwise = self.number(m, "otherwise")
        if otherwise >= partial_points:
            raise m.error("otherwise", f"must be below partial.points {_plain(partial_points)}")
        return SatisfactionRules(full_rate, full_points, partial_rate, partial_points, otherwise)

    def _tier_part(self, m: MapReader, key: str, kind) -> TierPart:
        part = self.sub(m, key)
        part.check_keys({"label", "tiers", "trial"})
        names = ("min_services", "min_stores_24h") if kind is StoreTier else ("min_varieties",)
        tiers = []
        for index, node in enumerate(part.list("tiers")):
            item = self.ctx.as_map(node, f"{part.sub('tiers')}[{index}]")
            item.check_keys({*names, "points"})
            tier = kind(*(self.count(item, name) for name in names), self.number(item, "points", positive=True))
            if tiers:
                # A lower tier asks for no more than the one above it and gives fewer points.
                previous = tiers[-1]
                for name in names:
                    if getattr(tier, name) > getattr(previous, name):
                        raise item.error(name, f"tiers must be listed from the highest down ({name} "
                                         f"{getattr(tier, name)} is above {getattr(previous, name)})")
                if all(getattr(tier, name) == getattr(previous, name) for name in names):
                    raise item.error(names[0], "a tier must ask for less than the tier above it")
                if tier.points >= previous.points:
                    raise item.error("points", "tier points must be descending "
                                     f"({_plain(tier.points)} is not below {_plain(previous.points)})")
            tiers.append(tier)
        return TierPart(part.text("label"), tuple(tiers), part.boolean("trial"))

    def _spec_store_breakfast(self, m: MapReader, max_points: Fraction) -> StoreBreakfastRules:
        return StoreBreakfastRules(
            store=self._tier_part(m, "store", StoreTier),
            breakfast=self._tier_part(m, "breakfast", VarietyTier),
            breakfast_delivery=self.bool_part(m, "breakfast_delivery"),
            retail_delivery=self.bool_part(m, "retail_delivery"),
        )

    def _spec_market_repair(self, m: MapReader, max_points: Fraction) -> MarketRepairRules:
        repair = self.sub(m, "repair")
        repair.check_keys({"label", "points", "min_categories", "each_missing", "zero_when_none", "trial"})
        points = self.number(repair, "points", positive=True)
        return MarketRepairRules(
            market=self.site_part(m, "market"),
            repair=RepairPart(repair.text("label"), points, self.count(repair, "min_categories", positive=True),
                              self.number(repair, "each_missing", at_most=points),
                              repair.boolean("zero_when_none"), repair.boolean("trial")),
        )

    def _spec_elderly_childcare(self, m: MapReader, max_points: Fraction) -> ElderlyChildcareRules:
        return ElderlyChildcareRules(self.site_part(m, "elderly"), self.site_part(m, "childcare"))

    def _spec_chain_share(self, m: MapReader, max_points: Fraction) -> ChainShareRules:
        points = self.number(m, "points", positive=True)
        if points != max_points:
            raise m.error("points", f"must equal max_points {_plain(max_points)}")
        tiers = []
        for index, node in enumerate(m.list("city_tiers")):
            item = self.ctx.as_map(node, f"{m.sub('city_tiers')}[{index}]")
            item.check_keys({"city_tier", "label", "min_share"})
            tier = CityTier(self.count(item, "city_tier", positive=True), item.text("label"),
                            self.share(item, "min_share"))
            if any(t.city_tier == tier.city_tier for t in tiers):
                raise item.error("city_tier", f"duplicate city_tier {tier.city_tier}")
            tiers.append(tier)
        return ChainShareRules(points, tuple(tiers))

    def _spec_promotion(self, m: MapReader, max_points: Fraction) -> PromotionRules:
        return PromotionRules(self.number(m, "points_per_event", positive=True, at_most=max_points))

    def _spec_digital(self, m: MapReader, max_points: Fraction) -> DigitalRules:
        terminals = self.sub(m, "smart_terminals")
        terminals.check_keys({"label", "points", "each_missing", "zero_when_none", "choices", "trial"})
        points = self.number(terminals, "points", positive=True)
        return DigitalRules(
            qr_payment=self.bool_part(m, "qr_payment"),
            smart_terminals=TerminalPart(terminals.text("label"), points,
                                         self.number(terminals, "each_missing", at_most=points),
                                         terminals.boolean("zero_when_none"), self.options(terminals, "choices"),
                                         terminals.boolean("trial")),
            listed_share=self.share_part(m, "listed_share"),
            resident_usage=self.share_part(m, "resident_usage"),
            platform=self.bool_part(m, "platform"),
        )

    def _spec_harmony(self, m: MapReader, max_points: Fraction) -> HarmonyRules:
        levels = []
        for index, node in enumerate(m.list("levels")):
            item = self.ctx.as_map(node, f"{m.sub('levels')}[{index}]")
            item.check_keys({"code", "label", "points"})
            code = item.identifier("code")
            points = self.number(item, "points", at_most=max_points)
            if any(option.code == code for option, _ in levels):
                raise item.error("code", f"duplicate code '{code}'")
            if levels and points >= levels[-1][1]:
                raise item.error("points", "levels must be listed from the highest points down "
                                 f"({_plain(points)} is not below {_plain(levels[-1][1])})")
            if not levels and points != max_points:
                raise item.error("points", f"the first level must give the full {_plain(max_points)} points")
            levels.append((Option(code, item.text("label")), points))
        return HarmonyRules(tuple(levels))

    _SPEC_READERS = {
        "needs": _spec_needs,
        "business_satisfaction": _spec_satisfaction,
        "service_satisfaction": _spec_satisfaction,
        "store_breakfast": _spec_store_breakfast,
        "market_repair": _spec_market_repair,
        "elderly_childcare": _spec_elderly_childcare,
        "chain_share": _spec_chain_share,
        "promotion": _spec_promotion,
        "digital": _spec_digital,
        "harmony": _spec_harmony,
    }


def _plain(value) -> str:
    """A number as written in the file (Fractions from decimals print as decimals)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return str(float(value))


__all__ = [
    "Band", "BasicTier", "BoolPart", "ChainShareRules", "CityTier", "DigitalRules", "ElderlyChildcareRules",
    "FACT_KINDS", "FactField", "HarmonyRules", "INDICATOR_KEYS", "IndicatorRules",
    "MarketRepairRules", "NeedsRules", "Option", "PresenceRules", "PromotionRules", "RepairPart", "Rules",
    "RulesError", "SATISFACTION_KEYS", "SUMMARY_FIELDS", "SatisfactionRules", "ServiceList", "ServiceRules",
    "SharePart", "SitePart", "StoreBreakfastRules", "StoreTier", "TerminalPart", "TierPart", "VarietyTier",
    "load_rules", "load_rules_text",
]
