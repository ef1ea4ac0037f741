"""Every staff write leaves an audit entry: who, what, before and after.

``WRITES`` has, for every POST endpoint of the app, a request that succeeds and the action it
must record; ``EXEMPT`` names the POST endpoints that are not staff writes, with the reason.
``test_every_post_endpoint_is_listed`` fails for a POST endpoint in neither, so a new write
joins this test by construction.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from surveyapp.models import AuditEntry, Evaluation, IndicatorEntry, Outlet
from surveyapp.reporting.operations import issue_evaluation

from .helpers import complete_round
from .world import PASSWORDS, build_world, signed_in

#: POST endpoints that are not staff writes.
EXEMPT = {
    "collect.answer": "residents and merchants answer anonymously; their answers are survey data, not staff writes",
    "paper.upload": "checks an uploaded file and shows the counts; nothing is stored until paper.confirm",
    "interview.answer": "an interviewer's answers are survey answers (channel interview, the interviewer stored on "
                        "the response), not staff writes",
    "circles.import_list": "checks the uploaded city list and shows the counts; nothing is stored until "
                           "circles.import_confirm",
    "platforms.upload": "keeps the uploaded export in the instance folder for the mapping step; nothing is stored "
                        "until the mapping is confirmed (platforms.mapping, audited)",
}

#: Writes that register new circles: their entries name the new circle, not the world's.
CREATES_CIRCLES = {"circles.new", "circles.import_confirm"}


def _days(n):
    from datetime import timedelta

    from surveyapp.timezones import local_today

    return (local_today() + timedelta(days=n)).isoformat()


def _staged_city_list(users):
    from flask import current_app

    from surveyapp.circles.staging import stage

    content = "生活圈名称,服务人口,社区及人口\n新城生活圈,12000,甲社区=7000；乙社区=5000\n".encode("utf-8")
    return stage(current_app.instance_path, users["assessor"].id, content, ".csv")


def _closed(db, ids):
    from surveyapp.campaigns.operations import close_campaign
    from surveyapp.models import Campaign

    close_campaign(db, db.get(Campaign, ids["campaign_id"]))
    return ids["campaign_id"]


def _platform_upload(db, ids):
    """A 问卷星 export of the world's resident answers, uploaded for the mapping step."""
    from flask import current_app

    from surveyapp.models import Campaign, Response
    from surveyapp.platforms import uploads
    from surveyapp.questionnaire.registry import questionnaire_by_hash

    from .platform_exports import build_export, write

    campaign = db.get(Campaign, ids["campaign_id"])
    questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    answers = [r.answers for r in db.exec(select(Response).where(Response.campaign_id == campaign.id))]
    header, rows = build_export(questionnaire, ["东社区", "西社区", "不住在以上社区"],
                                [(a, 200) for a in answers], by="text")
    path = write(uploads.folder(current_app.instance_path) / "world.csv", header, rows)
    token = uploads.store(current_app.instance_path, campaign.id, "world.csv", ".csv", path.read_bytes())
    path.unlink()
    return f"/staff/campaigns/{campaign.id}/platform-import/mapping", {"upload": token}


def _outlet_pair(db, circle_id):
    """Two outlets of the circle, the second marked as a possible duplicate of the first."""
    first, second = db.exec(select(Outlet).where(Outlet.circle_id == circle_id).order_by(Outlet.id)).all()[:2]
    second.possible_duplicate_of = first.id
    db.add(second)
    db.commit()
    return first, second


def _community_id(db, circle_id):
    from surveyapp.models import Community

    return db.exec(select(Community.id).where(Community.circle_id == circle_id).order_by(Community.id)).first()


def _complete(db, ids):
    return complete_round(db, db.get(Evaluation, ids["evaluation_id"]))


def _issued(db, ids):
    evaluation = _complete(db, ids)
    issue_evaluation(db, evaluation, user_id=None, issuer_name="测试", issued_on=date(2026, 12, 1))
    return evaluation


def _paper_upload(client, ids) -> dict:
    """Upload one typed paper form; the confirmation then names the waiting upload."""
    import io
    import re

    sheet = ("community,age_band,years_lived,business_overall,service_overall\n"
             "东社区,a60_69,y10_plus,4,5\n").encode("utf-8-sig")
    page = client.post(f"/staff/campaigns/{ids['campaign_id']}/paper",
                       data={"file": (io.BytesIO(sheet), "纸质.csv")}, content_type="multipart/form-data")
    return {"upload": re.search(r'name="upload" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)}


#: endpoint -> (role, function(db, ids) -> (url, form data), the action recorded[, function(client,
#: ids) -> more form data, run first as the same user]); the functions run in an app context.
WRITES = {
    "paper.confirm": ("assessor", lambda db, ids, users: (f"/staff/campaigns/{ids['campaign_id']}/paper/confirm", {}),
                      "responses.import", _paper_upload),
    "accounts.new": ("admin", lambda db, ids, users: (
        "/staff/accounts/new", {"username": "new-user", "display_name": "新同事", "role": "officer",
                                "circles": str(ids["circle_id"]), "password": "one-time-123"}), "account.create"),
    "accounts.edit": ("admin", lambda db, ids, users: (
        f"/staff/accounts/{users['officer'].id}/edit", {"display_name": "改名", "role": "assessor"}), "account.update"),
    "accounts.circles": ("admin", lambda db, ids, users: (
        f"/staff/accounts/{users['officer'].id}/circles", {"sent": "1"}), "account.circles"),
    "accounts.password": ("admin", lambda db, ids, users: (
        f"/staff/accounts/{users['officer'].id}/password", {"password": "one-time-123"}), "account.password"),
    "accounts.state": ("admin", lambda db, ids, users: (
        f"/staff/accounts/{users['officer'].id}/state", {"active": "0"}), "account.disable"),
    "appsettings.index": ("admin", lambda db, ids, users: (
        "/staff/settings", {"assessor_firm": "某某评价咨询有限公司"}), "setting.update"),
    "auth.change_password": ("assessor", lambda db, ids, users: (
        "/staff/password", {"current_password": "assessor-pass-1", "new_password": "new-pass-123",
                            "confirm": "new-pass-123"}), "account.own_password"),
    "auth.login": ("anonymous", lambda db, ids, users: (
        "/staff/login", {"username": users["assessor"].username, "password": "assessor-pass-1"}), "auth.login"),
    "auth.logout": ("assessor", lambda db, ids, users: ("/staff/logout", {}), "auth.logout"),
    "campaigns.device_rule": ("assessor", lambda db, ids, users: (
        f"/staff/campaigns/{ids['campaign_id']}/device-rule", {"answers_per_device": "1"}), "campaign.device_rule"),
    "circles.new": ("assessor", lambda db, ids, users: (
        "/staff/circles/new", {"name": "新登记生活圈", "population": "15000", "city_tier": "2",
                               "communities-0-name": "甲社区", "communities-0-population": "9000"}), "circle.create"),
    "circles.edit": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}/edit", {"name": "本圈", "population": "6000", "city_tier": "3",
                                                    "communities-0-name": "东社区", "communities-0-population": "3000",
                                                    "communities-1-name": "西社区", "communities-1-population": "3000"}),
        "circle.update"),
    "circles.import_confirm": ("assessor", lambda db, ids, users: (
        "/staff/circles/import/confirm", {"token": _staged_city_list(users), "file_name": "清单.csv"}),
        "circle.import"),
    "campaigns.new": ("assessor", lambda db, ids, users: (
        "/staff/campaigns/new", {"questionnaire": "resident", "circles": str(ids["circle_id"]),
                                 "opens_on": _days(0), "closes_on": _days(20)}), "campaign.open"),
    "campaigns.schedule": ("assessor", lambda db, ids, users: (
        f"/staff/campaigns/{ids['campaign_id']}/schedule", {"opens_on": _days(-3), "closes_on": _days(40)}),
        "campaign.dates"),
    "campaigns.close": ("assessor", lambda db, ids, users: (
        f"/staff/campaigns/{ids['campaign_id']}/close", {}), "campaign.close"),
    "campaigns.reopen": ("assessor", lambda db, ids, users: (
        f"/staff/campaigns/{_closed(db, ids)}/reopen", {"closes_on": _days(10)}), "campaign.reopen"),
    "community.demand": ("officer", lambda db, ids, users: (
        f"/community/circles/{ids['circle_id']}/demands/laundry", {"reason": "附近已有两家"}), "demand.decline"),
    "community.triage": ("officer", lambda db, ids, users: (
        f"/community/circles/{ids['circle_id']}/suggestions/{ids['response_id']}",
        {"action": "hide"}), "suggestion.triage"),
    "community.new_project": ("officer", lambda db, ids, users: (
        f"/community/circles/{ids['circle_id']}/projects/new",
        {"title": "引进早餐店", "type_code": "laundry", "responsible": "居委会", "status": "planned"}),
        "project.create"),
    "community.edit_project": ("officer", lambda db, ids, users: (
        f"/community/circles/{ids['circle_id']}/projects/{ids['project_id']}/edit",
        {"title": "引进洗衣店（改）", "type_code": "laundry", "responsible": "街道", "status": "in_progress"}),
        "project.update"),
    "community.add_project_note": ("officer", lambda db, ids, users: (
        f"/community/circles/{ids['circle_id']}/projects/{ids['project_id']}/notes",
        {"noted_on": "2026-12-01", "text": "已联系商户"}), "project.note"),
    "evaluation.circle": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}", {"campaign": str(ids["campaign_id"]), "rules": "national",
                                               "confirmed": "yes"}),
        "evaluation.create"),
    "evaluation.inventory": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{ids['evaluation_id']}/inventory",
        {"present_convenience_store": "y", "outlets_convenience_store": "3"}), "evaluation.inventory"),
    "evaluation.indicator": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{ids['evaluation_id']}/indicators/promotion", {"fact_events": "4"}),
        "evaluation.facts"),
    "merchants.new": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}/outlets/new",
        {"name": "老王修鞋", "address": "幸福路 8 号", "type_code": "repair"}), "outlet.create"),
    "merchants.status": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}/outlets/{ids['outlet_id']}/status", {"value": "closed"}),
        "outlet.status"),
    "merchants.merge_duplicate": ("assessor", lambda db, ids, users: (
        (lambda pair: (f"/staff/circles/{ids['circle_id']}/outlets/{pair[1].id}/merge", {"value": "newer"}))(
            _outlet_pair(db, ids["circle_id"]))), "outlet.merge"),
    "merchants.separate_duplicate": ("assessor", lambda db, ids, users: (
        (lambda pair: (f"/staff/circles/{ids['circle_id']}/outlets/{pair[1].id}/separate", {}))(
            _outlet_pair(db, ids["circle_id"]))), "outlet.separate"),
    "merchants.locate": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}/outlets/{ids['outlet_id']}/location",
        {"value": "set", "location": "39.91 116.41", "datum": "wgs84"}), "outlet.locate"),
    "locations.points": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}/places",
        {"community": str(_community_id(db, ids["circle_id"])), "label": "2号院", "location": "39.92 116.42",
         "datum": "wgs84"}), "community_point.add"),
    "locations.delete": ("assessor", lambda db, ids, users: (
        f"/staff/circles/{ids['circle_id']}/places/{ids['point_id']}/delete", {}), "community_point.delete"),
    "reporting.issue_campaign": ("assessor", lambda db, ids, users: (
        f"/staff/campaigns/{ids['campaign_id']}/reports",
        {"kind": "summary_sheet_xlsx", "previewed": "yes", "password": PASSWORDS["assessor"]}), "report.issue"),
    "reporting.withdraw_report_page": ("assessor", lambda db, ids, users: (
        f"/staff/reports/{ids['report_id']}/withdraw", {"reason": "样本统计口径有误"}), "report.withdraw"),
    "reporting.issue_evaluation": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{_complete(db, ids).id}/reports",
        {"previewed": "yes", "password": PASSWORDS["assessor"]}), "report.issue"),
    "evaluation.campaign": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{ids['evaluation_id']}/campaign",
        {"campaign": str(ids["campaign_id"]), "confirm_open": "y"}), "evaluation.confirm_open_campaign"),
    "evaluation.ready": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{_complete(db, ids).id}/ready", {}), "evaluation.ready"),
    "evaluation.delete": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{ids['evaluation_id']}/delete", {"confirm": "y"}), "evaluation.delete"),
    "evaluation.withdraw_page": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{_issued(db, ids).id}/withdraw", {"reason": "数据录入错误"}), "evaluation.withdraw"),
    "evaluation.correct": ("assessor", lambda db, ids, users: (
        f"/staff/evaluations/{_issued(db, ids).id}/correct", {"reason": "更正业态清单"}), "evaluation.correct"),
    "platforms.mapping": ("assessor", lambda db, ids, users: _platform_upload(db, ids), "responses.import_platform"),
    "results.exclude": ("assessor", lambda db, ids, users: (
        f"/staff/responses/{ids['response_id']}/exclude", {"reason": "manual", "note": "复核"}), "response.exclude"),
    "results.restore": ("assessor", lambda db, ids, users: (
        f"/staff/responses/{ids['response_id']}/restore", {"note": "复核后恢复"}), "response.restore"),
}


@pytest.fixture
def audit_app(make_app):
    from surveyapp.migrations import upgrade_database

    from .conftest import get_engine_of

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    upgrade_database(get_engine_of(app))
    return app


def test_every_post_endpoint_is_listed(audit_app):
    posts = {rule.endpoint for rule in audit_app.url_map.iter_rules() if "POST" in rule.methods}
    missing = sorted(posts - set(WRITES) - set(EXEMPT))
    assert not missing, f"POST endpoints with no audit case in tests/test_audit_trail.py: {missing}"
    assert not (set(WRITES) | set(EXEMPT)) - posts, "cases for endpoints that no longer exist"


@pytest.mark.parametrize("endpoint", sorted(WRITES))
def test_each_staff_write_leaves_an_entry(audit_app, db, endpoint):
    world = build_world(audit_app, db)
    role, make_request, action, *prepare = WRITES[endpoint]
    client = audit_app.test_client() if role == "anonymous" else signed_in(audit_app, world, role)
    with audit_app.app_context():
        url, data = make_request(db, world.own.ids, world.users)
        for step in prepare:
            data = {**data, **step(client, world.own.ids)}
    before = db.exec(select(func.max(AuditEntry.id))).one() or 0
    response = client.post(url, data=data)
    assert response.status_code in (200, 302), (endpoint, response.status_code)
    entries = db.exec(select(AuditEntry).where(AuditEntry.id > before, AuditEntry.action == action)).all()
    assert len(entries) == 1, f"{endpoint} should record one {action!r}, found {len(entries)}"
    entry = entries[0]
    expected_user = world.users["assessor" if role == "anonymous" else role]
    assert (entry.user_id, entry.actor) == (expected_user.id, expected_user.username)
    assert entry.summary
    if endpoint in CREATES_CIRCLES:
        assert entry.circle_id not in (None, world.own.ids["circle_id"], world.other.ids["circle_id"])
    elif entry.target_type not in ("user", "setting"):   # accounts and settings belong to no circle
        assert entry.circle_id == world.own.ids["circle_id"]


def test_failed_sign_in_is_recorded_with_the_name_tried(audit_app, db):
    world = build_world(audit_app, db)
    audit_app.test_client().post("/staff/login", data={"username": "nobody", "password": "wrong-pass"})
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).one()
    assert entry.user_id is None and entry.after == {"username": "nobody"}
    assert world.users  # the world's accounts exist; the name tried was not one of them


def test_facts_entry_shows_before_and_after(audit_app, db):
    world = build_world(audit_app, db)
    client = signed_in(audit_app, world, "assessor")
    url = f"/staff/evaluations/{world.own.ids['evaluation_id']}/indicators/promotion"
    client.post(url, data={"fact_events": "4"})
    client.post(url, data={"fact_events": "6"})
    assert db.get(IndicatorEntry, (world.own.ids["evaluation_id"], "promotion")).facts == {"events": 6}
    last = db.exec(select(AuditEntry).where(AuditEntry.action == "evaluation.facts").order_by(AuditEntry.id.desc())).first()
    assert last.before["facts"] == {"events": 4} and last.after["facts"] == {"events": 6}


#: Downloads that disclose survey data: GET endpoints that must leave an entry like a write.
DOWNLOADS = {
    "exports.responses": (lambda ids: f"/staff/campaigns/{ids['campaign_id']}/data.sav", "export.responses"),
    "exports.codebook_file": (lambda ids: f"/staff/campaigns/{ids['campaign_id']}/codebook.xlsx", "export.codebook"),
    "exports.xlsform": (lambda ids: f"/staff/campaigns/{ids['campaign_id']}/xlsform.xlsx", "export.xlsform"),
}


@pytest.mark.parametrize("endpoint", sorted(DOWNLOADS))
def test_each_data_download_leaves_an_entry(audit_app, db, endpoint):
    world = build_world(audit_app, db)
    make_url, action = DOWNLOADS[endpoint]
    response = signed_in(audit_app, world, "assessor").get(make_url(world.own.ids))
    assert response.status_code == 200
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == action)).one()
    assert (entry.actor, entry.circle_id) == (world.users["assessor"].username, world.own.ids["circle_id"])


def test_every_export_endpoint_is_a_listed_download(audit_app):
    exports = {rule.endpoint for rule in audit_app.url_map.iter_rules() if rule.endpoint.startswith("exports.")}
    assert exports == set(DOWNLOADS)
