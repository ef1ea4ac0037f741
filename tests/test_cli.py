"""The command-line contract of DESIGN.md: circle create, campaign create."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from surveyapp.models import Campaign, Circle, Community, QuestionnaireSnapshot

from .helpers import APP_QUESTIONNAIRES


pytestmark = pytest.mark.usefixtures("app_questionnaires")


def create_circle(runner, *extra):
    return runner.invoke(args=["circle", "create", "--name", "示例生活圈", "--population", "20000", *extra])


def test_circle_create_prints_json_with_its_id(runner, db):
    result = create_circle(runner, "--community", "幸福社区=12000", "--community", "和平社区=8000",
                           "--city-tier", "2", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    circle = db.get(Circle, document["id"])
    assert circle.name == "示例生活圈" and circle.population == 20000 and circle.city_tier == 2
    names = db.exec(select(Community.name).where(Community.circle_id == circle.id)).all()
    assert sorted(names) == ["和平社区", "幸福社区"]


def test_circle_create_plain_output_names_the_id(runner):
    result = create_circle(runner)
    assert result.exit_code == 0 and "id 1" in result.output


@pytest.mark.parametrize("bad, message", [
    (["--community", "没有人口"], "社区名=人口"),
    (["--community", "幸福社区=很多"], "非负整数"),
    (["--community", "甲=1", "--community", "甲=2"], "重复"),
])
def test_circle_create_explains_bad_input(runner, bad, message):
    result = create_circle(runner, *bad)
    assert result.exit_code != 0
    assert message in result.output


def test_circle_create_refuses_zero_population(runner):
    result = runner.invoke(args=["circle", "create", "--name", "x", "--population", "0"])
    assert result.exit_code != 0 and "输入有误" in result.output


def test_campaign_create_prints_link_and_writes_qr_files(runner, db, app):
    circle_id = json.loads(create_circle(runner, "--json").stdout)["id"]
    result = runner.invoke(args=["campaign", "create", "--circle", str(circle_id), "--questionnaire", "mini", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    campaign = db.get(Campaign, document["id"])
    assert document["url"] == f"http://survey.test/s/{campaign.token}"
    # ≥128 bits: token_urlsafe(24) is 32 characters of base64 = 192 bits
    assert len(campaign.token) >= 22
    svg, png = Path(document["qr_svg"]), Path(document["qr_png"])
    assert svg.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in svg.read_bytes()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    snapshot = db.get(QuestionnaireSnapshot, campaign.questionnaire_hash)
    assert snapshot is not None and "测试问卷" in snapshot.source
    assert document["version"] == "1" and campaign.closes_at > campaign.opens_at


def test_campaign_tokens_differ(runner, db):
    circle_id = json.loads(create_circle(runner, "--json").stdout)["id"]
    for _ in range(3):
        assert runner.invoke(args=["campaign", "create", "--circle", str(circle_id), "--questionnaire", "mini"]).exit_code == 0
    tokens = db.exec(select(Campaign.token)).all()
    assert len(set(tokens)) == 3


def test_campaign_create_unknown_circle_or_questionnaire(runner):
    result = runner.invoke(args=["campaign", "create", "--circle", "99", "--questionnaire", "mini"])
    assert result.exit_code != 0 and "不存在" in result.output
    circle_id = json.loads(create_circle(runner, "--json").stdout)["id"]
    result = runner.invoke(args=["campaign", "create", "--circle", str(circle_id), "--questionnaire", "nope"])
    assert result.exit_code != 0 and "找不到问卷" in result.output


def test_campaign_create_refuses_closing_before_opening(runner):
    circle_id = json.loads(create_circle(runner, "--json").stdout)["id"]
    result = runner.invoke(args=["campaign", "create", "--circle", str(circle_id), "--questionnaire", "mini",
                                 "--opens", "2026-12-01", "--closes", "2026-11-01"])
    assert result.exit_code != 0 and "晚于" in result.output


def test_campaign_keeps_its_questionnaire_when_the_file_changes(runner, db, app, tmp_path):
    """A campaign answers the text it was opened with, found again by hash."""
    import shutil

    folder = tmp_path / "q"
    folder.mkdir()
    shutil.copy(APP_QUESTIONNAIRES / "mini.yaml", folder / "mini.yaml")
    app.config["QUESTIONNAIRE_DIR"] = str(folder)
    circle_id = json.loads(create_circle(runner, "--json").stdout)["id"]
    document = json.loads(runner.invoke(args=["campaign", "create", "--circle", str(circle_id),
                                              "--questionnaire", "mini", "--json"]).stdout)
    (folder / "mini.yaml").write_text((folder / "mini.yaml").read_text(encoding="utf-8").replace("测试问卷", "改过的问卷"),
                                      encoding="utf-8")
    app.extensions["surveyapp.questionnaires"].clear()
    token = db.get(Campaign, document["id"]).token
    html = app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert "测试问卷" in html and "改过的问卷" not in html


def test_campaign_dates_are_read_in_china_time(runner, db):
    circle_id = json.loads(create_circle(runner, "--json").stdout)["id"]
    document = json.loads(runner.invoke(args=[
        "campaign", "create", "--circle", str(circle_id), "--questionnaire", "mini",
        "--opens", "2026-12-01", "--closes", "2026-12-31T18:00", "--json"]).stdout)
    # midnight in Beijing is 16:00 UTC the day before
    assert document["opens_at"] == "2026-11-30T16:00:00+00:00"
    assert document["closes_at"] == "2026-12-31T10:00:00+00:00"
