"""Surveys at a city's scale (issue 12, item 2): open one survey for many circles, change
dates, close early, reopen; a batch's posters in one PDF and QR codes in one ZIP; and the
matching ``surveyapp campaign`` commands."""
from __future__ import annotations

import io
import json
import subprocess
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import func, select

from surveyapp.auth.users import create_user, grant_circle
from surveyapp.models import AuditEntry, Campaign

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle


@pytest.fixture
def firm(web, session):
    """An assessor with three circles of their own, and a circle of someone else."""
    user = create_user(session, "firm", "firm-pass-123", "assessor", "示例评价机构")
    circles = [make_circle(session, name=name) for name in ("甲生活圈", "乙生活圈", "丙生活圈")]
    for circle in circles:
        grant_circle(session, user, circle)
    other = make_circle(session, name="别人的生活圈")
    client = web.test_client()
    assert client.post("/staff/login", data={"username": "firm", "password": "firm-pass-123"}).status_code == 302
    return client, circles, other


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page (poppler's pdftotext, as the other PDF tests read them)."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data, check=True,
                          capture_output=True).stdout.decode("utf-8")
    return text.split("\f")[:-1]


def pdf_page_sizes(data: bytes) -> set[str]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", "-"], input=data, check=True,
                          capture_output=True).stdout.decode("utf-8")
    return {line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Page") and "size" in line}


def day(web, n: int) -> str:
    from surveyapp.timezones import local_today

    with web.app_context():
        return (local_today() + timedelta(days=n)).isoformat()


def campaigns(session):
    session.expire_all()
    return session.exec(select(Campaign).order_by(Campaign.id)).all()


def test_one_survey_opens_for_many_circles_with_its_dates(web, session, firm):
    client, circles, _ = firm
    page = client.get(f"/staff/campaigns/new?circle={circles[0].id}&circle={circles[2].id}").get_data(as_text=True)
    assert f'value="{circles[0].id}" id="circle-{circles[0].id}" checked' in page
    assert "别人的生活圈" not in page
    response = client.post("/staff/campaigns/new", data={
        "questionnaire": "merchant", "circles": [str(c.id) for c in circles],
        "opens_on": day(web, 0), "closes_on": day(web, 14), "answers_per_device": ""})
    assert response.status_code == 302 and "/staff/campaigns/batch?campaign=" in response.headers["Location"]
    opened = campaigns(session)
    assert [(c.circle_id, c.kind, c.answers_per_device) for c in opened] == [(c.id, "merchant", 5) for c in circles]
    with web.app_context():
        from surveyapp.timezones import local_date, local_today

        assert {local_date(c.closes_at) for c in opened} == {local_today() + timedelta(days=14)}
        assert {local_date(c.opens_at) for c in opened} == {local_today()}
    assert all(c.state(c.opens_at + timedelta(hours=1)) == "open" for c in opened)
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.open")).all()
    assert sorted(e.circle_id for e in entries) == sorted(c.id for c in circles)
    batch = client.get(response.headers["Location"]).get_data(as_text=True)
    assert batch.count("/s/") == 3 and "下载全部海报" in batch


def test_bad_dates_and_no_circle_come_back_next_to_the_fields(web, session, firm):
    client, circles, _ = firm
    response = client.post("/staff/campaigns/new", data={
        "questionnaire": "resident", "opens_on": "2026-13-01", "closes_on": "明天", "answers_per_device": "99"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请至少选择一个生活圈" in html
    assert 'value="2026-13-01"' in html and "日期格式应为 2026-12-31" in html and 'value="明天"' in html
    assert 'value="99"' in html and "请填写 1 到 10 之间的数字，或不填" in html
    backwards = client.post("/staff/campaigns/new", data={
        "questionnaire": "resident", "circles": [str(circles[0].id)], "opens_on": day(web, 5), "closes_on": day(web, 1)})
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    assert campaigns(session) == []


def test_a_circle_of_someone_else_cannot_be_slipped_into_a_batch(web, session, firm):
    client, circles, other = firm
    response = client.post("/staff/campaigns/new", data={
        "questionnaire": "resident", "circles": [str(circles[0].id), str(other.id)],
        "opens_on": day(web, 0), "closes_on": day(web, 10)})
    assert response.status_code == 422 and "所选生活圈不存在" in response.get_data(as_text=True)
    assert campaigns(session) == []


def test_a_batch_is_all_or_nothing(web, session, firm, monkeypatch):
    from surveyapp.campaigns import operations

    client, circles, _ = firm
    real = operations.freeze
    calls = []

    def failing_on_the_third(session_, questionnaire):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(session_, questionnaire)

    monkeypatch.setattr(operations, "freeze", failing_on_the_third)
    web.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/staff/campaigns/new", data={
        "questionnaire": "resident", "circles": [str(c.id) for c in circles],
        "opens_on": day(web, 0), "closes_on": day(web, 10)})
    assert response.status_code == 500
    assert campaigns(session) == []
    assert session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "campaign.open")).one() == 0


def test_dates_extend_shorten_close_and_reopen_each_audited(web, session, firm):
    client, circles, _ = firm
    campaign = make_campaign(session, circles[0], PROJECT_QUESTIONNAIRES / "resident.yaml")
    url = f"/staff/campaigns/{campaign.id}/schedule"
    assert "现在结束调查" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"opens_on": day(web, -1), "closes_on": day(web, 60)}).status_code == 302
    bad = client.post(url, data={"opens_on": day(web, -1), "closes_on": "2026/02/30"})
    assert bad.status_code == 422 and "没有这一天" in bad.get_data(as_text=True) and 'value="2026/02/30"' in bad.get_data(as_text=True)
    assert client.post(f"/staff/campaigns/{campaign.id}/close").status_code == 302
    from surveyapp.models.timeutil import utcnow

    assert campaigns(session)[0].state(utcnow()) == "closed"
    assert client.get(f"/s/{campaign.token}").status_code in (200, 410)
    assert "重新开启调查" in client.get(url).get_data(as_text=True)
    assert client.post(f"/staff/campaigns/{campaign.id}/reopen", data={"closes_on": day(web, 7)}).status_code == 302
    reopened = campaigns(session)[0]
    assert reopened.state(utcnow()) == "open"
    actions = [(e.action, e.before, e.after) for e in session.exec(
        select(AuditEntry).where(AuditEntry.target_type == "campaign", AuditEntry.action != "campaign.open")
        .order_by(AuditEntry.id))]
    assert [a for a, _, _ in actions] == ["campaign.dates", "campaign.close", "campaign.reopen"]
    assert actions[1][1] == {"status": "open"} and actions[1][2] == {"status": "closed"}
    assert set(actions[2][2]) == {"status", "closes_at"}


def test_shortening_to_the_past_ends_the_survey_and_reopening_needs_a_new_date(web, session, firm):
    client, circles, _ = firm
    campaign = make_campaign(session, circles[0], PROJECT_QUESTIONNAIRES / "resident.yaml", opens_in_days=-10)
    url = f"/staff/campaigns/{campaign.id}/schedule"
    assert client.post(url, data={"opens_on": day(web, -10), "closes_on": day(web, -1)}).status_code == 302
    from surveyapp.models.timeutil import utcnow

    assert campaigns(session)[0].state(utcnow()) == "closed"
    refused = client.post(f"/staff/campaigns/{campaign.id}/reopen", data={"closes_on": ""})
    assert refused.status_code == 422 and "原结束日期已过" in refused.get_data(as_text=True)


def test_batch_posters_are_one_a4_page_per_circle_and_the_qr_codes_one_zip(web, session, firm):
    client, circles, other = firm
    opened = [make_campaign(session, c, PROJECT_QUESTIONNAIRES / "resident.yaml") for c in circles]
    query = "&".join(f"campaign={c.id}" for c in opened)
    response = client.get(f"/staff/campaigns/posters.pdf?{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    texts = pdf_pages(response.data)
    assert len(texts) == 3
    assert pdf_page_sizes(response.data) == {"595.276 x 841.89 pts (A4)"}
    assert [("甲生活圈" in t, "乙生活圈" in t, "丙生活圈" in t) for t in texts] == [
        (True, False, False), (False, True, False), (False, False, True)]
    assert all(f"/s/{c.token[:12]}" in t for c, t in zip(opened, texts))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/staff/campaigns/qr.zip?{query}").data))
    names = sorted(archive.namelist())
    assert names == sorted([f"{c.name}-居民问卷调查-{k.id}.{ext}" for c, k in zip(circles, opened) for ext in ("png", "svg")]
                           + ["链接.txt"])
    assert archive.read(names[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert archive.read("链接.txt").decode().count("http://survey.test/s/") == 3
    foreign = make_campaign(session, other, PROJECT_QUESTIONNAIRES / "resident.yaml")
    assert client.get(f"/staff/campaigns/posters.pdf?{query}&campaign={foreign.id}").status_code == 404
    assert client.get(f"/staff/campaigns/qr.zip?campaign={foreign.id}").status_code == 404
    assert client.get("/staff/campaigns/posters.pdf").status_code == 302


def test_campaign_commands_batch_dates_close_reopen(web, session, tmp_path):
    circles = [make_circle(session, name=n) for n in ("甲", "乙")]
    runner = web.test_cli_runner()
    posters, zipped = tmp_path / "posters.pdf", tmp_path / "qr.zip"
    result = runner.invoke(args=["campaign", "batch", "--circle", str(circles[0].id), "--circle", str(circles[1].id),
                                 "--questionnaire", "resident", "--closes", "2099-01-31", "--posters", str(posters),
                                 "--qr-zip", str(zipped), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    ids = [c["id"] for c in document["campaigns"]]
    assert [c["circle"] for c in document["campaigns"]] == [c.id for c in circles]
    assert len(pdf_pages(posters.read_bytes())) == 2 and len(zipfile.ZipFile(zipped).namelist()) == 5
    dates = json.loads(runner.invoke(args=["campaign", "dates", "--campaign", str(ids[0]), "--closes", "2099-02-28",
                                           "--json"]).output)
    assert dates["closes_at"].startswith("2099-02-27T16:00")
    assert json.loads(runner.invoke(args=["campaign", "close", "--campaign", str(ids[0]), "--json"]).output)["status"] == "closed"
    again = runner.invoke(args=["campaign", "close", "--campaign", str(ids[0])])
    assert again.exit_code != 0 and "已经结束" in again.output
    assert json.loads(runner.invoke(args=["campaign", "reopen", "--campaign", str(ids[0]), "--json"]).output)["status"] == "open"
    out = tmp_path / "one.pdf"
    assert runner.invoke(args=["campaign", "posters", "--campaign", str(ids[1]), "--out", str(out)]).exit_code == 0
    assert len(pdf_pages(out.read_bytes())) == 1
    unknown = runner.invoke(args=["campaign", "batch", "--circle", "999"])
    assert unknown.exit_code != 0 and "生活圈 999 不存在" in unknown.output
    actions = sorted(session.exec(select(AuditEntry.action).where(AuditEntry.target_type == "campaign")).all())
    assert actions == ["campaign.close", "campaign.dates", "campaign.open", "campaign.open", "campaign.reopen"]
