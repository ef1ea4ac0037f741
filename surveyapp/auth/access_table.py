"""The access table: every endpoint of the app and the roles that may reach it.

This is the one place that says who may open what. :func:`surveyapp.auth.access.enforce`
checks it before every request, and ``tests/test_access_table.py`` walks ``app.url_map``:
an endpoint missing here fails the suite, and every endpoint is requested as anonymous,
officer, assessor and admin, of its circle and of another circle.

Roles say *which kind of user* may reach an endpoint. *Which circle* is the second rule,
applied by the views through ``circle_or_404`` and its siblings: a staff member other than an
admin sees only the circles granted to them, and anything else answers 404 (never 403, so ids
reveal nothing). A signed-in user whose role is not listed also gets 404; an anonymous visitor
is sent to the sign-in page (the JSON API answers 401).

Decisions worth knowing:
- Officers see aggregates and suggestion text, never an individual response: the campaign
  dashboard, evaluations, reports and the outlet list are for assessors and admins.
- Officers may read the JSON summary of a campaign of their circle: it holds counts and rates
  only (groups under 5 respondents are suppressed), the same figures as their demand list.
- Interviewers (面访/代填) only take answers: they open an open campaign of a circle granted
  to them in 访员模式 on a tablet and see nothing else, no figure and no other answer. Their
  answers are survey answers (channel ``interview``, the interviewer stored on the response),
  not staff writes. Assessors and admins may interview too.
"""
from __future__ import annotations

from ..models.user import Role

ANONYMOUS = "anonymous"
OFFICER = Role.officer.value
ASSESSOR = Role.assessor.value
ADMIN = Role.admin.value
INTERVIEWER = Role.interviewer.value
ROLES = (ANONYMOUS, *(role.value for role in Role))

#: Anyone, signed in or not (resident and merchant pages, sign-in, static files).
PUBLIC = frozenset(ROLES)
#: Staff who read figures and lists (everyone signed in but interviewers).
STAFF = frozenset({OFFICER, ASSESSOR, ADMIN})
#: Everyone signed in.
SIGNED_IN = STAFF | {INTERVIEWER}
#: Those who take answers in 访员模式.
INTERVIEWERS = frozenset({INTERVIEWER, ASSESSOR, ADMIN})
#: Those who see individual responses, enter evaluations and issue reports.
ASSESSORS = frozenset({ASSESSOR, ADMIN})
#: Account management and the audit log.
ADMINS = frozenset({ADMIN})

ACCESS_TABLE: dict[str, frozenset[str]] = {
    "static": PUBLIC,
    # Residents and merchants answering (collect/): no account, the token is the key.
    "collect.notice": PUBLIC,
    "collect.answer": PUBLIC,
    "collect.thanks": PUBLIC,
    "collect.text_size": PUBLIC,
    "collect.another": PUBLIC,
    # Signing in and out (auth/).
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    # Staff accounts (accounts/): admins only.
    "accounts.index": ADMINS,
    "accounts.new": ADMINS,
    "accounts.show": ADMINS,
    "accounts.edit": ADMINS,
    "accounts.circles": ADMINS,
    "accounts.password": ADMINS,
    "accounts.state": ADMINS,
    # 机构设置 (appsettings/): what reports print about the issuing firm; admins only.
    "appsettings.index": ADMINS,
    # The audit log (audit/): admins only, read and export; nothing edits an entry.
    "audit.index": ADMINS,
    "audit.export_xlsx": ADMINS,
    "audit.export_csv": ADMINS,
    # The city overview (overview/): the home page of assessors and admins.
    "overview.index": ASSESSORS,
    "overview.xlsx": ASSESSORS,
    "overview.pdf": ASSESSORS,
    # Campaigns (campaigns/).
    "campaigns.index": ASSESSORS,
    "campaigns.qr": ASSESSORS,
    "campaigns.device_rule": ASSESSORS,
    "campaigns.new": ASSESSORS,
    "campaigns.batch": ASSESSORS,
    "campaigns.posters": ASSESSORS,
    "campaigns.qr_zip": ASSESSORS,
    "campaigns.schedule": ASSESSORS,
    "campaigns.close": ASSESSORS,
    "campaigns.reopen": ASSESSORS,
    # Registering and editing circles, a city's list at once (circles/): the assessor hired by
    # a city registers its circles (and may see those they create); admins too.
    "circles.new": ASSESSORS,
    "circles.edit": ASSESSORS,
    "circles.import_list": ASSESSORS,
    "circles.import_confirm": ASSESSORS,
    "circles.template": ASSESSORS,
    # A campaign's results and the review of responses (results/).
    "results.dashboard": ASSESSORS,
    "results.exclude": ASSESSORS,
    "results.restore": ASSESSORS,
    # Paper questionnaires typed into a sheet, uploaded in the browser (responses/).
    "paper.template": ASSESSORS,
    "paper.upload": ASSESSORS,
    "paper.confirm": ASSESSORS,
    # Labelled response data and codebooks of a campaign (exports/): individual answers.
    "exports.responses": ASSESSORS,
    "exports.codebook_file": ASSESSORS,
    "exports.xlsform": ASSESSORS,
    # Answers from 问卷星 / 腾讯问卷 exports (platforms/): upload, confirm the mapping, import.
    "platforms.upload": ASSESSORS,
    "platforms.mapping": ASSESSORS,
    # JSON API (api/).
    "api.campaign_summary": STAFF,
    # Interviews at the door or a street desk (interview/).
    "interview.index": INTERVIEWERS,
    "interview.answer": INTERVIEWERS,
    "interview.saved": INTERVIEWERS,
    # Evaluations (evaluation/).
    "evaluation.circles": ASSESSORS,
    "evaluation.circle": ASSESSORS,
    "evaluation.sheet": ASSESSORS,
    "evaluation.inventory": ASSESSORS,
    "evaluation.indicator": ASSESSORS,
    "evaluation.campaign": ASSESSORS,
    "evaluation.ready": ASSESSORS,
    "evaluation.delete": ASSESSORS,
    "evaluation.withdraw_page": ASSESSORS,
    "evaluation.correct": ASSESSORS,
    # The outlet inventory (merchants/).
    "merchants.index": ASSESSORS,
    "merchants.new": ASSESSORS,
    "merchants.status": ASSESSORS,
    "merchants.merge_duplicate": ASSESSORS,
    "merchants.separate_duplicate": ASSESSORS,
    "merchants.locate": ASSESSORS,
    "merchants.public_poster": ASSESSORS,
    # Communities' representative points and the coverage table (locations/).
    "locations.points": ASSESSORS,
    "locations.delete": ASSESSORS,
    # The circle's public page (circlepage/, 问38): outlets that agreed to be listed, no account.
    "circlepage.show": PUBLIC,
    # Reports (reporting/).
    "reporting.preview": ASSESSORS,
    "reporting.poster": ASSESSORS,
    "reporting.issue_campaign": ASSESSORS,
    "reporting.issue_evaluation": ASSESSORS,
    "reporting.issue_page": ASSESSORS,
    "reporting.evaluation_preview": ASSESSORS,
    "reporting.download": ASSESSORS,
    "reporting.campaign_issue_page": ASSESSORS,
    "reporting.withdraw_report_page": ASSESSORS,
    # Demand and project lists (community/).
    "community.index": STAFF,
    "community.demands": STAFF,
    "community.demand": STAFF,
    "community.suggestions": STAFF,
    "community.triage": STAFF,
    "community.projects": STAFF,
    "community.new_project": STAFF,
    "community.edit_project": STAFF,
    "community.project": STAFF,
    "community.add_project_note": STAFF,
    "community.lists_pdf": STAFF,
    "community.lists_xlsx": STAFF,
}
