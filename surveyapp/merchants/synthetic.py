"""Synthetic merchant answers for the demo: a plausible mix of outlets on a few streets.

Pure (no database, no Flask): returns answer dicts in the codes of questionnaires/merchant.yaml,
which the seeder checks with validate_answers before storing. Two shops answer twice (a paper
form typed in after an online answer, with full-width digits and 號; and a second phone with
different spacing and brackets), so the demo shows the assessor duplicates to merge.
"""
from __future__ import annotations

import random

ROADS = ["幸福路", "和平街", "新桥路", "建设路", "光明巷", "文化路"]
#: type code → (relative frequency, name patterns, chain brands)
TYPES = {
    "convenience_store": (12, ["{brand}便利店（{road}店）"], ["好邻居", "美宜佳", "便利蜂", "罗森", "全家"]),
    "supermarket": (3, ["{brand}超市（{road}店）"], ["永辉", "华润万家", "物美"]),
    "wet_market": (2, ["{road}农贸市场", "{road}菜市场"], []),
    "fresh_grocery": (8, ["{brand}生鲜（{road}店）", "{surname}记蔬菜店"], ["钱大妈", "叮咚买菜"]),
    "breakfast": (9, ["{surname}记早餐", "{road}包子铺", "{brand}早餐（{road}店）"], ["巴比馒头", "庆丰包子"]),
    "canteen_dining": (18, ["{surname}家小馆", "{road}面馆", "{brand}（{road}店）"], ["老乡鸡", "沙县小吃", "兰州拉面"]),
    "staple_kitchen": (2, ["{road}主食厨房"], []),
    "hair_beauty": (11, ["{surname}师傅理发", "{brand}美发（{road}店）"], ["永琪", "文峰"]),
    "laundry": (4, ["{brand}洗衣（{road}店）", "{surname}记洗染"], ["福奈特", "象王"]),
    "pharmacy": (6, ["{brand}大药房（{road}店）"], ["老百姓", "益丰", "国大"]),
    "photo_print": (2, ["{road}图文快印"], []),
    "hardware": (4, ["{surname}记五金", "{road}日杂店"], []),
    "repair": (5, ["{surname}师傅修鞋配钥匙", "{road}家电维修", "{road}便民维修点"], []),
    "housekeeping": (3, ["{brand}家政（{road}店）"], ["管家帮", "好慷"]),
    "property_service": (2, ["{road}小区物业服务中心"], []),
    "recycling": (2, ["{road}再生资源回收站"], []),
    "express_delivery": (4, ["{brand}驿站（{road}）"], ["菜鸟", "中国邮政", "顺丰"]),
    "community_canteen": (1, ["{road}社区食堂"], []),
    "specialty_dining": (5, ["{surname}家私房菜", "{road}小龙虾"], []),
    "fitness": (3, ["{brand}健身（{road}店）"], ["乐刻", "超级猩猩"]),
    "education": (4, ["{road}少儿美术", "{brand}教育（{road}校区）"], ["学而思", "新东方"]),
    "coffee_tea": (6, ["{brand}（{road}店）"], ["瑞幸咖啡", "蜜雪冰城", "库迪咖啡", "茶百道"]),
    "pet_service": (3, ["{surname}家宠物店"], []),
    "health_care": (3, ["{road}推拿馆"], []),
    "elderly_care": (1, ["{road}社区养老服务站"], []),
    "childcare": (1, ["{road}托育园"], []),
    "boutique": (2, ["{road}国潮小店"], []),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
ADDON = ["parcel", "bill_payment", "top_up", "print_copy", "hot_food", "fresh_produce", "laundry_drop",
         "key_keeping", "charging_rental", "medicine", "lottery_tickets"]
REPAIR = ["shoes", "keys", "clothes", "appliances", "phones", "bicycles", "watches_glasses", "bags_umbrellas",
          "knives", "plumbing", "locks"]
DIFFICULTIES = [("rent", 0.55), ("customers", 0.45), ("staff", 0.3), ("online_competition", 0.35),
                ("space", 0.15), ("financing", 0.12), ("permits", 0.06)]
SUPPORT = [("rent_support", 0.5), ("promotion", 0.4), ("platform_listing", 0.25), ("training", 0.2),
           ("financing", 0.15), ("space", 0.12), ("permits", 0.05)]
EVENTS = [("vouchers", 0.35), ("festival", 0.25), ("platform_sales", 0.3), ("community_services", 0.2)]
SELLS_BREAKFAST = {"convenience_store": 0.6, "supermarket": 0.3, "canteen_dining": 0.3, "staple_kitchen": 0.9,
                   "community_canteen": 0.9}


def _pick(rng, table):
    return [code for code, p in table if rng.random() < p]


def _answers(rng: random.Random, type_code: str, index: int) -> dict:
    _weight, patterns, brands = TYPES[type_code]
    pattern = rng.choice(patterns)
    chain = "{brand}" in pattern
    road = ROADS[index % len(ROADS)]
    name = pattern.format(brand=rng.choice(brands) if brands else "", road=road.rstrip("路街巷"),
                          surname=rng.choice(SURNAMES))
    answers = {
        "outlet_name": name, "outlet_address": f"{road}{rng.randint(1, 300)}号", "outlet_type": type_code,
        "floor_area": rng.choice([15, 20, 30, 45, 60, 80, 120, 200]) if type_code != "wet_market" else 1800,
        "is_chain": "yes" if chain else "no",
    }
    if chain:
        answers["brand"] = name.split("（")[0]
    h24 = type_code == "convenience_store" and rng.random() < 0.3
    answers["open_24h"] = "yes" if h24 else "no"
    if not h24:
        answers["opening_hour"] = "6:30" if type_code in ("breakfast", "wet_market") else rng.choice(["7:00", "8:00", "9:30", "10:00"])
        answers["closing_hour"] = rng.choice(["14:00", "19:00", "20:30", "21:00", "22:00"]) if type_code != "breakfast" else "11:00"
    if type_code in ("convenience_store", "supermarket"):
        answers["addon_services"] = rng.sample(ADDON, rng.randint(1, 6))
    if type_code in SELLS_BREAKFAST:
        answers["sells_breakfast"] = "yes" if rng.random() < SELLS_BREAKFAST[type_code] else "no"
    if type_code == "breakfast" or answers.get("sells_breakfast") == "yes":
        answers["breakfast_varieties"] = rng.randint(3, 12) if type_code == "breakfast" else rng.randint(2, 6)
    delivery = [code for code, p in (("home_delivery", 0.25), ("instant_retail", 0.4)) if rng.random() < p]
    answers["delivery"] = delivery or ["none"]
    if type_code in ("repair", "hardware", "laundry", "property_service"):
        if type_code == "repair":
            answers["repair_categories"] = rng.sample(REPAIR, rng.randint(2, 5))
        elif type_code == "laundry":
            answers["repair_categories"] = ["clothes"]
        elif rng.random() < 0.5:
            answers["repair_categories"] = rng.sample(["keys", "locks", "plumbing"], rng.randint(1, 2))
    if type_code in ("wet_market", "fresh_grocery"):
        facilities = [c for c, p in (("rapid_testing", 0.6), ("fair_scale", 0.8), ("price_display", 0.85))
                      if rng.random() < p]
        answers["market_facilities"] = facilities or ["none"]
    qr = rng.random() < 0.95
    answers["qr_payment"] = "yes" if qr else "no"
    if qr:
        answers["accepts_cash"] = "yes" if rng.random() < 0.8 else "no"
    answers["listed_on_platform"] = rng.choices(["yes", "no", "unknown"], [0.5, 0.35, 0.15])[0]
    answers["promotion_events"] = _pick(rng, EVENTS) or ["none"]
    answers["honest_pledge"] = "yes" if rng.random() < 0.7 else "no"
    answers["difficulties"] = _pick(rng, DIFFICULTIES) or ["none"]
    answers["support_wanted"] = _pick(rng, SUPPORT) or ["none"]
    return answers


#: The demo circle's ground, in metres east (x) and north (y) of its centre: a circle of about
#: 1 km (问12) with three communities and six streets. Outlets stand along their street.
CENTRE = (39.9365, 116.3568)  # a residential district of Beijing's 西城区 (WGS-84)
COMMUNITY_POINTS = {
    "幸福里社区": [("", (-450.0, 350.0)), ("北区", (-700.0, 650.0))],
    "和平社区": [("", (450.0, 250.0))],
    "新桥社区": [("", (0.0, -600.0))],
}
STREETS = {  # start and end of each street (metres)
    "幸福路": ((-950.0, 300.0), (750.0, 300.0)),
    "和平街": ((350.0, -750.0), (350.0, 850.0)),
    "新桥路": ((-850.0, -400.0), (850.0, -400.0)),
    "建设路": ((-400.0, -800.0), (-400.0, 850.0)),
    "光明巷": ((-300.0, 0.0), (300.0, 0.0)),
    "文化路": ((-650.0, -700.0), (550.0, 600.0)),
}
#: Types the demo keeps to one corner, so that the coverage table has something to say: the
#: wet markets stand at the west end of 幸福路, beyond 15 minutes of 和平 and 新桥.
CORNERS = {"wet_market": ("幸福路", 0.0, 0.12)}


def ground_point(x: float, y: float) -> tuple[float, float]:
    """Metres east/north of the demo centre → (lat, lon) on WGS-84."""
    from ..geo import GeoPoint
    from ..geo.distance import offset

    north = offset(GeoPoint(*CENTRE), 0 if y >= 0 else 180, abs(y))
    there = offset(north, 90 if x >= 0 else 270, abs(x))
    return there.lat, there.lon


def _locate(rng: random.Random, answers: dict, channel: str) -> None:
    """Where the shop is (on its street), how the merchant gave it, and whether it agreed to be
    listed. Online answers carry a phone fix with its accuracy; on paper some give none."""
    road = answers["outlet_address"].rstrip("0123456789号號０１２３４５６７８９ ")
    road = next((name for name in STREETS if road.startswith(name)), "光明巷")
    low, high = 0.0, 1.0
    if answers["outlet_type"] in CORNERS:
        road, low, high = CORNERS[answers["outlet_type"]]
        answers["outlet_address"] = f"{road}{rng.randint(1, 40)}号"
    (x1, y1), (x2, y2) = STREETS[road]
    t = rng.uniform(low, high)
    x, y = x1 + (x2 - x1) * t + rng.uniform(-25, 25), y1 + (y2 - y1) * t + rng.uniform(-25, 25)
    lat, lon = ground_point(x, y)
    if channel == "qr":
        answers["outlet_location"] = f"{lat:.7f} {lon:.7f} 0 {rng.choice([4, 6, 8, 12, 18, 30])}"
    elif rng.random() < 0.6:
        answers["outlet_location"] = f"{lat:.7f} {lon:.7f}"  # typed from the map by the assessor
    answers["public_listing"] = "yes" if rng.random() < 0.75 else "no"


def generate(count: int = 118, seed: int = 20261127) -> list[tuple[str, dict]]:
    """``count`` distinct outlets plus two repeat answers, as (channel, answers) pairs; about
    one in five on paper."""
    rng = random.Random(seed)
    codes = list(TYPES)
    weights = [TYPES[code][0] for code in codes]
    # Every type with weight ≥ 2 appears at least once, the rest by frequency.
    chosen = [code for code in codes if TYPES[code][0] >= 2]
    chosen += rng.choices(codes, weights, k=max(0, count - len(chosen)))
    rng.shuffle(chosen)
    out: list[tuple[str, dict]] = []
    names: set[tuple[str, str]] = set()
    for index, code in enumerate(chosen[:count]):
        answers = _answers(rng, code, index)
        while (answers["outlet_name"], answers["outlet_address"]) in names:
            answers["outlet_address"] = f"{ROADS[index % len(ROADS)]}{rng.randint(301, 600)}号"
        names.add((answers["outlet_name"], answers["outlet_address"]))
        out.append(("paper" if rng.random() < 0.2 else "qr", answers))
    # A paper form typed in after the same shop answered online: full-width digits, 號, spaces.
    first = next(a for ch, a in out if ch == "qr" and a["outlet_type"] == "convenience_store")
    again = dict(first, outlet_address=first["outlet_address"].replace("号", "號").translate(
        str.maketrans("0123456789", "０１２３４５６７８９")).replace("路", "路 "))
    again["listed_on_platform"] = "yes"
    out.append(("paper", again))
    # A second phone in the same shop, with other brackets and spacing.
    second = next(a for ch, a in out if a["outlet_type"] == "breakfast")
    out.append(("qr", dict(second, outlet_name=second["outlet_name"].replace("（", " (").replace("）", ") "))))
    places = random.Random(seed + 1)  # its own stream: the other answers stay as they were
    for channel, answers in out:
        _locate(places, answers, channel)
    return out
