"""Tables, one ``table=True`` class per table, each with its own module.

Importing this package registers every table on ``SQLModel.metadata`` (Alembic's
autogenerate and the test fixtures rely on that).
"""
from .circle import Circle, CircleAccess, CircleCreate, Community, CommunityCreate
from .campaign import Campaign, CampaignStatus
from .questionnaire_snapshot import QuestionnaireSnapshot
from .response import Channel, Response, ResponseStatus
from .user import Role, User

__all__ = [
    "Campaign", "CampaignStatus", "Channel", "Circle", "CircleAccess", "CircleCreate",
    "Community", "CommunityCreate", "QuestionnaireSnapshot", "Response", "ResponseStatus", "Role", "User",
]
