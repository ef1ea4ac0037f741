"""Tables, one ``table=True`` class per table, each with its own module.

Importing this package registers every table on ``SQLModel.metadata`` (Alembic's
autogenerate and the test fixtures rely on that).
"""
from .app_setting import AppSetting
from .audit import AuditEntry
from .circle import Circle, CircleAccess, CircleCreate, Community, CommunityCreate, CommunityPoint
from .campaign import Campaign, CampaignStatus
from .draft import AnswerDraft
from .import_mapping import ImportMapping
from .evaluation import Evaluation, EvaluationState, FrozenEvaluation, IndicatorEntry, InventoryItem, RulesSnapshot
from .questionnaire_snapshot import QuestionnaireSnapshot
from .report import IssuedReport
from .response import Channel, Exclusion, Response
from .review import ResponseReview
from .tally import AnswerTally
from .user import ROLE_LABELS, Role, User
from .community import (CommunityProject, DemandDecision, ProjectDemand, ProjectNote, ProjectStatus,
                        SuggestionTriage)
from .outlet import Outlet, OutletSource, OutletStatus

__all__ = [
    "AppSetting", "AnswerDraft", "AnswerTally", "ImportMapping", "AuditEntry", "EvaluationState", "Campaign", "CampaignStatus", "Channel", "Exclusion", "Circle", "CircleAccess", "CircleCreate",
    "Community", "CommunityCreate", "CommunityPoint", "Evaluation", "FrozenEvaluation", "IndicatorEntry", "IssuedReport", "InventoryItem", "RulesSnapshot", "QuestionnaireSnapshot", "Response", "ResponseReview", "Role", "ROLE_LABELS", "User",
    "CommunityProject", "DemandDecision", "ProjectDemand", "ProjectNote", "ProjectStatus", "SuggestionTriage",
    "Outlet", "OutletSource", "OutletStatus",
]
