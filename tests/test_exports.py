"""Labelled response data out: codes and labels, missing-value codes, quality facts, weights,
no identifying data, open text only for assessors, SPSS/Stata round trips, the codebook, and an
audit entry for every download."""
from __future__ import annotations

import csv
import io
import math
from datetime import timedelta

import pytest
import pyreadstat
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.exports import codebook, formats
from surveyapp.exports.dataset import OPEN_TEXT_MARK
from surveyapp.exports.queries import campaign_dataset
from surveyapp.models import AuditEntry, Channel
from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.questionnaire.registry import questionnaire_by_hash
from surveyapp.responses.operations import NewResponse, record_many

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle
from .world import build_world, signed_in

COMMUNITIES = ["东社区", "西社区", "不住在以上社区"]
ANSWERS = [
    # valid, online; 不清楚 on the convenience store; childcare not asked; problems not asked
    ({"community": "东社区", "age_band": "a18_29", "years_lived": "y1_3", "child_under3": "no",
      "business_overall": "5", "service_overall": "4", "sat_convenience_store": "0",
      "digital_services": ["qr_pay", "vending"], "walk_market_minutes": "10", "suggestion": "=1+1 门口修鞋的走了"},
     Channel.qr.value),
    # valid, paper; dissatisfied → problems asked; childcare asked; walk minutes left blank
    ({"community": "西社区", "age_band": "a60_69", "years_lived": "y10_plus", "child_under3": "yes",
      "business_overall": "2", "business_problems": ["too_far"], "service_overall": "0", "sat_childcare": "3"},
     Channel.paper.value),
    # excluded: lives outside the circle
    ({"community": "不住在以上社区", "age_band": "a30_44", "years_lived": "y_lt1", "business_overall": "4",
      "service_overall": "4"}, Channel.paper.value),
]


@pytest.fixture
def campaign(app, db):
    circle = make_circle(db, communities=(("东社区", 12000), ("西社区", 8000)))
    circle.age_structure = {"a18_29": 0.25, "a60_69": 0.75}
    db.add(circle)
    db.commit()
    campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    questionnaire = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    items = []
    for raw, channel in ANSWERS:
        clean, errors = validate_answers(questionnaire, raw, COMMUNITIES)
        assert not errors, errors
        online = channel == Channel.qr.value
        items.append(NewResponse(answers=clean, channel=channel, started_at=utcnow() - timedelta(minutes=4) if online else None,
                                 finished_at=utcnow(), device_hash="d" * 64 if online else None,
                                 serial=None if online else f"P-{len(items)}"))
    record_many(db, campaign, questionnaire, items)
    return campaign


def _dataset(app, db, campaign, open_text=True):
    with app.app_context():
        questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
        return campaign_dataset(db, campaign, questionnaire, open_text=open_text)


def test_codes_missing_values_flags_and_weights(app, db, campaign):
    dataset = _dataset(app, db, campaign)
    first, second, third = dataset.rows
    assert [r["community"] for r in dataset.rows] == [1, 2, 3]
    assert (first["age_band"], second["age_band"]) == (1, 4)  # positions in the age_bands list
    assert (first["business_overall"], first["service_overall"]) == (5, 4)
    assert first["sat_convenience_store"] == -1  # 不清楚
    assert first["sat_childcare"] == -8 and first["business_problems_too_far"] == -8  # not asked
    assert (first["digital_services_qr_pay"], first["digital_services_vending"], first["digital_services_none"]) == (1, 1, 0)
    assert first["walk_market_minutes"] == 10
    assert math.isnan(second["walk_market_minutes"])  # shown, left empty
    assert (second["business_problems_too_far"], second["business_problems_too_few"]) == (1, 0)
    assert (second["service_overall"], second["sat_childcare"]) == (-1, 3)
    assert [r["channel"] for r in dataset.rows] == [1, 2, 2]
    assert [r["valid"] for r in dataset.rows] == [1, 1, 0]
    assert third["exclusion"] == 2  # outside
    # w = (share / present shares) / (n_b / n): 0.25 / (1/2) = 0.5 and 0.75 / (1/2) = 1.5
    assert first["weight"] == pytest.approx(0.5) and second["weight"] == pytest.approx(1.5)
    assert math.isnan(third["weight"])
    assert first["suggestion"] == "=1+1 门口修鞋的走了"
    names = dataset.names
    for identifying in ("device_hash", "submission_key", "serial", "interviewer_id", "finished_at"):
        assert identifying not in names


def test_open_text_only_when_asked_for_and_marked(app, db, campaign):
    with_text = _dataset(app, db, campaign, open_text=True)
    without = _dataset(app, db, campaign, open_text=False)
    variable = next(v for v in with_text.variables if v.name == "suggestion")
    assert variable.label.startswith(OPEN_TEXT_MARK) and variable.open_text
    assert "suggestion" not in without.names


def test_sav_round_trip_keeps_values_and_labels(app, db, campaign, tmp_path):
    dataset = _dataset(app, db, campaign)
    path = tmp_path / "data.sav"
    path.write_bytes(formats.to_sav(dataset))
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert list(frame.columns) == dataset.names
    for variable in dataset.variables:
        for row, value in zip(dataset.rows, frame[variable.name]):
            expected = row[variable.name]
            if isinstance(expected, float) and math.isnan(expected):
                assert math.isnan(value)
            else:
                assert value == expected, (variable.name, value, expected)
        assert meta.column_names_to_labels[variable.name] == variable.label
        if variable.kind == "numeric" and variable.value_labels:
            assert meta.variable_value_labels[variable.name] == {float(k): v for k, v in variable.value_labels.items()}
    assert meta.column_names_to_labels["business_overall"].startswith("家附近买东西")
    assert meta.variable_value_labels["business_overall"][5.0] == "非常满意"
    assert meta.variable_value_labels["business_overall"][-1.0] == "不清楚"
    assert meta.variable_value_labels["business_overall"][-8.0] == "未问（跳题）"
    assert {(r["lo"], r["hi"]) for r in meta.missing_ranges["business_overall"]} == {(-1.0, -1.0), (-8.0, -8.0)}
    assert meta.variable_measure["business_overall"] == "ordinal"


def test_dta_carries_labels(app, db, campaign, tmp_path):
    dataset = _dataset(app, db, campaign)
    path = tmp_path / "data.dta"
    path.write_bytes(formats.to_dta(dataset))
    frame, meta = pyreadstat.read_dta(str(path))
    assert list(frame["business_overall"]) == [5, 2, 4]
    assert meta.column_names_to_labels["service_overall"].startswith("家附近店铺的经营秩序")
    assert meta.variable_value_labels["community"] == {1: "东社区", 2: "西社区", 3: "不住在以上社区", -8: "未问（跳题）"}


def test_xlsx_has_codes_and_labels_sheets_with_neutralised_text(app, db, campaign):
    dataset = _dataset(app, db, campaign)
    workbook = load_workbook(io.BytesIO(formats.to_xlsx(dataset)))
    assert workbook.sheetnames == ["代码", "标签", "变量", "说明"]
    codes, labels = workbook["代码"], workbook["标签"]
    header = [c.value for c in codes[1]]
    column = header.index("business_overall") + 1
    assert [codes.cell(row=r, column=column).value for r in (2, 3, 4)] == [5, 2, 4]
    assert [labels.cell(row=r, column=column).value for r in (2, 3, 4)] == ["非常满意", "不满意", "满意"]
    childcare = header.index("sat_childcare") + 1
    assert labels.cell(row=2, column=childcare).value == "未问（跳题）"
    text = labels.cell(row=2, column=header.index("suggestion") + 1)
    assert text.value == "=1+1 门口修鞋的走了" and text.data_type == "s" and text.quotePrefix


def test_csv_codes_and_labels(app, db, campaign):
    dataset = _dataset(app, db, campaign)
    coded = list(csv.reader(io.StringIO(formats.to_csv(dataset).decode("utf-8-sig"))))
    labelled = list(csv.reader(io.StringIO(formats.to_csv(dataset, labelled=True).decode("utf-8-sig"))))
    column = coded[0].index("service_overall")
    assert [row[column] for row in coded[1:]] == ["4", "-1", "4"]
    assert [row[column] for row in labelled[1:]] == ["满意", "不清楚", "满意"]
    assert labelled[1][coded[0].index("suggestion")] == "'=1+1 门口修鞋的走了"


def test_codebook_lists_every_variable_with_skip_and_indicator(app, db, campaign):
    with app.app_context():
        questionnaire = questionnaire_by_hash(db, campaign.questionnaire_hash)
    rows = {row.name: row for row in codebook.codebook_rows(questionnaire, COMMUNITIES)}
    assert rows["business_overall"].indicator.startswith("服务“好不好”第 2 项 业态满意")
    assert "5=非常满意" in rows["business_overall"].codes
    assert rows["business_overall"].missing == "-1=不清楚、-8=未问（跳题）"
    assert rows["sat_childcare"].skip == "仅当 ${child_under3} = 'yes' 时询问"
    assert rows["missing_types_pharmacy"].indicator == "需求清单（居民说缺少的业态）"
    assert rows["suggestion"].type == "开放题（文字）；仅评价机构导出"
    workbook = load_workbook(io.BytesIO(codebook.codebook_xlsx(questionnaire, COMMUNITIES)))
    assert [c.value for c in workbook["变量"][1]] == codebook.HEADER
    assert workbook["变量"].max_row == len(rows) + 1
    assert codebook.codebook_pdf(questionnaire, COMMUNITIES).startswith(b"%PDF")


def test_downloads_are_audited_and_admins_get_no_open_text(make_app, db):
    from surveyapp.migrations import upgrade_database

    from .conftest import get_engine_of

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    upgrade_database(get_engine_of(app))
    world = build_world(app, db)
    campaign_id = world.own.ids["campaign_id"]
    assessor = signed_in(app, world, "assessor")
    admin = signed_in(app, world, "admin")
    for client, role in ((assessor, "assessor"), (admin, "admin")):
        response = client.get(f"/staff/campaigns/{campaign_id}/data.csv")
        assert response.status_code == 200
        header = response.data.decode("utf-8-sig").splitlines()[0].split(",")
        assert ("suggestion" in header) == (role == "assessor")
    assert assessor.get(f"/staff/campaigns/{campaign_id}/codebook.pdf").status_code == 200
    assert assessor.get(f"/staff/campaigns/{campaign_id}/data.exe").status_code == 404
    entries = db.exec(select(AuditEntry).where(AuditEntry.action.like("export.%")).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor, e.after["format"], e.after["open_text"]) for e in entries] == [
        ("export.responses", "assessor-user", "csv", True), ("export.responses", "admin-user", "csv", False),
        ("export.codebook", "assessor-user", "pdf", False)]
    assert entries[0].after["rows"] == 6 and entries[0].circle_id == world.own.ids["circle_id"]
    page = assessor.get(f"/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert f"/staff/campaigns/{campaign_id}/data.sav" in page and "编码手册 PDF" in page


def test_cli_writes_the_same_data_and_audits(app, db, campaign, runner, tmp_path):
    out = tmp_path / "x.sav"
    result = runner.invoke(args=["export", "data", "--campaign", str(campaign.id), "--format", "sav", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_sav(str(out))
    assert "suggestion" not in frame.columns and len(frame) == 3
    result = runner.invoke(args=["export", "codebook", "--campaign", str(campaign.id), "--out", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 0, result.output
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.action.like("export.%"))).all()
    assert sorted(actions) == ["export.codebook", "export.responses"]
