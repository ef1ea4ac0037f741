"""The circle's outlet inventory (商业网点清单), built from merchants' answers and the assessor's
field visits.

Outlets belong to the circle, not to an evaluation round: a shop exists whether or not a round
is open, and each round reads the inventory as it stands. The attributes the evaluation needs
(type, chain, 24-hour, add-on services, breakfast, delivery, repair, market facilities, digital)
are columns or small JSON lists so that the derived facts never have to re-read the answers.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class OutletStatus(str, enum.Enum):
    open = "open"
    closed = "closed"
    #: Folded into another outlet by the assessor (``merged_into``); kept so that its
    #: responses stay traceable, never counted.
    merged = "merged"


class OutletSource(str, enum.Enum):
    merchant = "merchant"  # built from a merchant questionnaire
    assessor = "assessor"  # added by the assessor from a field visit


class Outlet(SQLModel, table=True):
    __table_args__ = (Index("ix_outlet_circle_key", "circle_id", "match_key"),)

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    address: str = Field(default="", max_length=200)
    #: Normalised name + address (surveyapp.merchants.matching.match_key): how the same shop
    #: answering twice, or typed on paper after answering online, is recognised.
    match_key: str = Field(max_length=300)
    type_code: str = Field(max_length=64)
    floor_area: int | None = None
    chain: bool = False
    brand: str = Field(default="", max_length=100)
    is_24h: bool = False
    opening_hour: int | None = None
    closing_hour: int | None = None
    addon_services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sells_breakfast: bool = False
    breakfast_varieties: int | None = None
    home_delivery: bool = False
    instant_retail: bool = False
    repair_categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    market_facilities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: None: not known (an outlet added by the assessor without asking).
    qr_payment: bool | None = None
    accepts_cash: bool | None = None
    listed_on_platform: bool | None = None
    honest_pledge: bool | None = None
    promotion_events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    difficulties: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    support_wanted: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: The merchant agreed to be listed on the circle's public page (None: not asked / no answer).
    public_listing: bool | None = None
    #: Where the outlet is, on **WGS-84** (degrees); None until a merchant or the assessor sets it.
    latitude: float | None = None
    longitude: float | None = None
    #: Metres, as the phone reported it (None for a pin placed by hand).
    location_accuracy: float | None = None
    #: ``merchant`` (from the questionnaire) or ``assessor`` (set or moved on the outlets page).
    location_source: str = Field(default="", max_length=16)
    status: str = Field(default=OutletStatus.open.value, max_length=16)
    source: str = Field(default=OutletSource.merchant.value, max_length=16)
    #: Ids of the merchant responses that fed this outlet, oldest first.
    response_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: Set when this outlet looks like one already in the inventory (same match key): the
    #: assessor merges or separates them; until then it is not counted, so nothing is doubled.
    possible_duplicate_of: int | None = Field(default=None, foreign_key="outlet.id", ondelete="SET NULL")
    merged_into: int | None = Field(default=None, foreign_key="outlet.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def counted(self) -> bool:
        """Whether the evaluation's facts count this outlet: open and not awaiting a merge."""
        return self.status == OutletStatus.open.value and self.possible_duplicate_of is None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def attributes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in OUTLET_ATTRIBUTES}


#: The outlet's facts that a newer answer replaces (everything but identity and bookkeeping).
OUTLET_ATTRIBUTES = (
    "type_code", "floor_area", "chain", "brand", "is_24h", "opening_hour", "closing_hour", "addon_services",
    "sells_breakfast", "breakfast_varieties", "home_delivery", "instant_retail", "repair_categories",
    "market_facilities", "qr_payment", "accepts_cash", "listed_on_platform", "honest_pledge", "promotion_events",
    "difficulties", "support_wanted", "public_listing",
)
#: The location columns (kept apart: a newer answer without a location keeps the old one).
LOCATION_FIELDS = ("latitude", "longitude", "location_accuracy", "location_source")
