"""15-minute coverage (surveyapp.geo.coverage, surveyapp.geo.walking) on hand-computed cases."""
from __future__ import annotations

from fractions import Fraction

import pytest

from surveyapp.geo import CommunitySite, GeoPoint, OutletSite, StraightLineWalk, WalkingTimes, coverage_table
from surveyapp.geo.distance import distance_m, offset
from surveyapp.geo.walking import centimetres

CENTRE = GeoPoint(39.9042, 116.4074)
WALK = StraightLineWalk(Fraction("1.2"), Fraction(80))


class TableWalk:
    """A stand-in router (what OSRM or Valhalla would answer): minutes looked up by name."""

    method = "测试用路网"

    def __init__(self, minutes: dict):
        self.table = minutes

    def minutes(self, origins, destinations):
        return [[self.table.get((o, d)) for d in destinations] for o in origins]


def test_interfaces():
    assert isinstance(WALK, WalkingTimes) and isinstance(TableWalk({}), WalkingTimes)
    assert "绕行系数 1.2" in WALK.method and "80 米" in WALK.method and "试行" in WALK.method


def test_1000_m_straight_line_is_15_minutes_at_detour_1_2_and_80_m_per_minute():
    north = offset(CENTRE, 0, 1000)
    d = centimetres(distance_m(CENTRE, north))
    assert abs(d - 1000) <= Fraction(2, 100)
    [[minutes]] = WALK.minutes([CENTRE], [north])
    assert minutes == d * Fraction("1.2") / 80  # exact arithmetic on the centimetre distance
    assert abs(minutes - 15) < Fraction(1, 1000)
    # 500 m east: 600 m walked, 7.5 minutes.
    [[half]] = WALK.minutes([CENTRE], [offset(CENTRE, 90, 500)])
    assert abs(half - Fraction("7.5")) < Fraction(1, 1000)
    assert WALK.radius_m(Fraction(15)) == pytest.approx(1000)


def test_a_community_exactly_at_15_minutes_is_covered_and_a_hair_more_is_not():
    home = GeoPoint(39.9, 116.4)
    shop = offset(home, 0, 1000)
    d = centimetres(distance_m(home, shop))
    # Speed chosen so that this very distance is exactly 15 minutes: d × 1.2 / v = 15.
    exact = StraightLineWalk(Fraction("1.2"), d * Fraction("1.2") / 15)
    table = coverage_table(["breakfast"], [CommunitySite("东社区", (home,))],
                           [OutletSite(1, "早餐店", "breakfast", shop)], exact, Fraction(15))
    cell = table.types[0].cells[0]
    assert cell.minutes == 15 and cell.state == "covered"
    slower = StraightLineWalk(Fraction("1.2"), d * Fraction("1.2") / 15 - Fraction(1, 10**6))
    table = coverage_table(["breakfast"], [CommunitySite("东社区", (home,))],
                           [OutletSite(1, "早餐店", "breakfast", shop)], slower, Fraction(15))
    assert table.types[0].cells[0].minutes > 15 and table.types[0].cells[0].state == "far"


def test_boundary_with_a_router_exactly_15_covered_15_01_not():
    walk = TableWalk({("a", "x"): Fraction(15), ("b", "x"): Fraction("15.01")})
    points = {"a": GeoPoint(39.9, 116.4), "b": GeoPoint(39.91, 116.4), "x": GeoPoint(39.905, 116.4)}

    class Named(TableWalk):
        def minutes(self, origins, destinations):
            name = {v: k for k, v in points.items()}
            return [[self.table.get((name[o], name[d])) for d in destinations] for o in origins]

    table = coverage_table(["pharmacy"], [CommunitySite("甲", (points["a"],)), CommunitySite("乙", (points["b"],))],
                           [OutletSite(7, "药店", "pharmacy", points["x"])], Named(walk.table), Fraction(15))
    [pharmacy] = table.types
    assert [c.state for c in pharmacy.cells] == ["covered", "far"]
    assert pharmacy.share == Fraction(1, 2) and pharmacy.far == ("乙",)


def test_a_closed_outlet_is_ignored_even_when_nearest():
    home = GeoPoint(39.9, 116.4)
    near_closed = OutletSite(1, "关门的菜店", "fresh_grocery", offset(home, 0, 100), open=False)
    far_open = OutletSite(2, "远处的菜店", "fresh_grocery", offset(home, 180, 2000))
    table = coverage_table(["fresh_grocery"], [CommunitySite("东社区", (home,))], [near_closed, far_open],
                           WALK, Fraction(15))
    cell = table.types[0].cells[0]
    assert cell.outlet_id == 2 and cell.state == "far"
    assert abs(cell.minutes - 30) < Fraction(1, 1000)  # 2000 m × 1.2 / 80
    assert table.types[0].open_outlets == 1
    only_closed = coverage_table(["fresh_grocery"], [CommunitySite("东社区", (home,))], [near_closed], WALK, 15)
    assert only_closed.types[0].cells[0].state == "absent"


def test_nearest_outlet_is_chosen_and_the_worst_served_block_decides():
    home = GeoPoint(39.9, 116.4)
    block2 = offset(home, 90, 900)  # a second residential block 900 m east
    shops = [OutletSite(1, "西店", "laundry", offset(home, 270, 300)), OutletSite(2, "东店", "laundry", offset(home, 90, 100))]
    table = coverage_table(["laundry"], [CommunitySite("东社区", (home, block2))], shops, WALK, Fraction(15))
    cell = table.types[0].cells[0]
    # block 1: nearest is 东店 (100 m → 1.5 min); block 2: 东店 is 800 m away → 12 min; worst = 12 min.
    assert cell.outlet_id == 2 and abs(cell.minutes - 12) < Fraction(1, 1000)
    assert cell.points == 2 and cell.points_covered == 2 and cell.covered


def test_one_block_too_far_makes_the_community_not_covered():
    home = GeoPoint(39.9, 116.4)
    far_block = offset(home, 0, 1500)
    table = coverage_table(["pharmacy"], [CommunitySite("北社区", (home, far_block))],
                           [OutletSite(1, "药店", "pharmacy", offset(home, 180, 100))], WALK, Fraction(15))
    cell = table.types[0].cells[0]
    assert cell.state == "far" and cell.points_covered == 1 and cell.points == 2
    assert abs(cell.minutes - Fraction(1600 * 12, 800)) < Fraction(1, 1000)  # 1600 m × 1.2 / 80 = 24 min


def test_states_and_shares_across_types_and_communities():
    east, west, nowhere = GeoPoint(39.9, 116.41), GeoPoint(39.9, 116.39), CommunitySite("新社区")
    communities = [CommunitySite("东社区", (east,)), CommunitySite("西社区", (west,)), nowhere]
    outlets = [OutletSite(1, "东便利店", "convenience_store", offset(east, 0, 200)),
               OutletSite(2, "没定位的药店", "pharmacy", None)]
    table = coverage_table(["convenience_store", "pharmacy", "laundry"], communities, outlets, WALK, Fraction(15))
    store, pharmacy, laundry = table.types
    # east → store 200 m (3 min); west → 1.7 km straight east + 200 m: beyond 15 minutes.
    assert [c.state for c in store.cells] == ["covered", "far", "no_point"]
    assert store.assessed == 2 and store.covered == 1 and store.share == Fraction(1, 2)
    assert [c.state for c in pharmacy.cells] == ["unlocated", "unlocated", "no_point"]
    assert pharmacy.share == 0 and pharmacy.located_outlets == 0 and pharmacy.open_outlets == 1
    assert [c.state for c in laundry.cells] == ["absent", "absent", "no_point"]
    assert table.communities == ("东社区", "西社区", "新社区")
    doc = table.to_dict()
    assert doc["types"][0]["share"] == 0.5 and doc["types"][0]["far"] == ["西社区"]
    assert doc["types"][0]["cells"][0]["minutes"] == 3.0


def test_no_communities_with_points_gives_no_share():
    table = coverage_table(["pharmacy"], [CommunitySite("甲")], [], WALK, Fraction(15))
    assert table.types[0].share is None and table.types[0].assessed == 0


def test_detour_factor_below_one_is_refused():
    with pytest.raises(ValueError):
        StraightLineWalk(Fraction("0.9"), Fraction(80))
    with pytest.raises(ValueError):
        StraightLineWalk(Fraction(1), Fraction(0))
