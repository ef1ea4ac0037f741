"""Pure statistics for the satisfaction survey: sampling, intervals, scoring.

No Flask, no database: functions take counts (from SQL GROUP BY), mappings
or numpy arrays and return frozen dataclasses whose ``to_dict()`` is plain
JSON (floats, None instead of NaN/inf). Keeping this layer pure is what
lets the numbers that decide a circle's subsidy be tested exhaustively.
"""
from .comparison import TwoProportions, two_proportions
from .breakdowns import Crosstab, GroupFigures, crosstab
from .demand import DemandItem, DemandRanking, demand_ranking
from .drivers import DriverItem, DriversResult, ImportancePerformance, IPAItem, importance_performance, key_drivers
from .indicators import (DEFAULT_POINT_RULE, Indicator, PointRule, satisfaction_indicator,
                         weighted_satisfaction_indicator)
from .proportions import (effective_size, fpc_effective_size, kish_effective_size, wilson_from_rate,
                          wilson_interval)
from .reliability import AlphaResult, cronbach_alpha
from .sampling import (CommunityShare, CoverageResult, SampleCheck, advisory_sample_size, check_sample,
                       community_coverage, required_sample)
from .weighting import PoststratWeights, WeightedRate, poststratification_weights, weighted_rate

__all__ = [
    "AlphaResult", "TwoProportions", "two_proportions", "CommunityShare", "CoverageResult", "Crosstab", "DEFAULT_POINT_RULE", "DemandItem",
    "DemandRanking", "DriverItem", "DriversResult", "GroupFigures", "IPAItem", "ImportancePerformance",
    "Indicator", "PointRule", "PoststratWeights", "SampleCheck", "WeightedRate", "advisory_sample_size",
    "check_sample", "community_coverage", "cronbach_alpha", "crosstab", "demand_ranking", "effective_size",
    "fpc_effective_size", "importance_performance", "key_drivers", "kish_effective_size",
    "poststratification_weights", "required_sample", "satisfaction_indicator", "weighted_rate",
    "weighted_satisfaction_indicator", "wilson_from_rate", "wilson_interval",
]
