"""The audit log pages (surveyapp/audit/routes.py): admins only, filters with messages next
to the fields, paging, before/after shown readably, exports neutralised, nothing editable;
and ``surveyapp audit list|export``."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveyapp.audit.operations import record
from surveyapp.auth.users import create_user
from surveyapp.models import AuditEntry

from .conftest import csrf_token


def sign_in(app, username, password):
    client = app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    assert client.post("/staff/login", data={"csrf_token": token, "username": username,
                                              "password": password}).status_code == 302
    return client


@pytest.fixture
def admin(app, db):
    create_user(db, "boss", "boss-pass-12", "admin")
    return sign_in(app, "boss", "boss-pass-12")


def entry(db, action, at, **fields):
    """An entry written at ``at`` (UTC) the way the product writes them."""
    item = record(db, action, **fields)
    item.at = at
    db.commit()
    return item


def listed(page: str) -> list[str]:
    return re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", page)


def test_only_admins_see_the_log(app, db, admin):
    create_user(db, "li", "li-pass-123", "assessor")
    assessor = sign_in(app, "li", "li-pass-123")
    for path in ("/staff/audit", "/staff/audit/export.xlsx", "/staff/audit/export.csv"):
        assert assessor.get(path).status_code == 404
        assert admin.get(path).status_code == 200
    # Nothing in the log can be changed from the product: its pages only read.
    methods = {m for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.") for m in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}


def test_sign_in_sign_out_and_failed_sign_in_are_listed(app, db, admin):
    client = app.test_client()
    token = csrf_token(client.get("/staff/login").get_data(as_text=True))
    client.post("/staff/login", data={"csrf_token": token, "username": "boss", "password": "wrong-one"})
    create_user(db, "li", "li-pass-123", "assessor")
    assessor = sign_in(app, "li", "li-pass-123")
    page = assessor.get("/staff/").get_data(as_text=True)
    assessor.post("/staff/logout", data={"csrf_token": csrf_token(page)})
    page = admin.get("/staff/audit").get_data(as_text=True)
    for label in ("登录失败", "退出登录", "登录"):
        assert f"<td>{label}<br>" in page
    failed = admin.get("/staff/audit?action=auth.login_failed").get_data(as_text=True)
    assert "用户名</th><td><span class=\"after\">boss</span>" in failed


def test_filters_by_who_action_circle_target_and_local_dates(app, db, admin):
    # Asia/Shanghai is UTC+8: 2026-11-30 20:00 UTC is 12-01 04:00 there.
    entry(db, "campaign.device_rule", datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc), summary="改份数",
          target_type="campaign", target_id=7, circle_id=3, before={"answers_per_device": 3},
          after={"answers_per_device": 1})
    entry(db, "response.exclude", datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc), summary="剔除问卷 #5",
          target_type="response", target_id=5, circle_id=4)
    def count(query):
        page = admin.get(f"/staff/audit?{query}").get_data(as_text=True)
        return [row for row in listed(page) if row.startswith("2026-1")]

    assert count("date_from=2026-12-01&date_to=2026-12-01") == ["2026-12-01 04:00:00"]
    assert count("date_to=2026-11-30") == ["2026-11-30 23:00:00"]
    assert count("action=response.exclude") == ["2026-11-30 23:00:00"]
    assert count("target=问卷调查") == ["2026-12-01 04:00:00"]
    assert count("target=5") == ["2026-11-30 23:00:00"]
    assert count("actor=nobody") == []
    page = admin.get("/staff/audit?action=campaign.device_rule").get_data(as_text=True)
    assert ('<tr><th>每部手机可填份数</th><td><span class="before">3</span> → '
            '<span class="after">1</span></td></tr>') in page


@pytest.mark.parametrize("query, field, message", [
    ("date_from=2026-13-01", "date_from", "请按 2026-12-01 的格式填写日期"),
    ("date_from=2026-12-02&date_to=2026-12-01", "date_to", "结束日期不能早于开始日期"),
    ("action=no.such", "action", "没有这种操作"),
])
def test_bad_filters_get_a_message_next_to_the_field(admin, query, field, message):
    response = admin.get(f"/staff/audit?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = re.search(rf'<div class="field has-error">\s*<label for="{field}">.*?</div>', page, re.S)
    assert block and message in block.group(0), page
    assert "筛选条件有" in page


def test_pages_of_fifty_newest_first(app, db, admin):
    for number in range(120):
        entry(db, "outlet.status", datetime(2026, 10, 1, 0, number // 60, number % 60, tzinfo=timezone.utc),
              summary=f"第{number}条")
    first = admin.get("/staff/audit?action=outlet.status").get_data(as_text=True)
    third = admin.get("/staff/audit?action=outlet.status&page=3").get_data(as_text=True)
    assert "共 120 条，第 1 / 3 页" in first and ">第119条<" in first and ">第69条<" not in first
    assert ">第70条<" in first
    assert len(listed(third)) == 20 and ">第0条<" in third and 'page=2' in third


def test_exports_are_neutralised(app, db, admin):
    entry(db, "project.note", datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc), summary="=HYPERLINK(\"x\")",
          after={"note": "@SUM(1)"})
    data = admin.get("/staff/audit/export.xlsx?action=project.note").data
    sheet = load_workbook(io.BytesIO(data)).active
    header, row = [c.value for c in sheet[1]], sheet[2]
    summary = row[header.index("说明")]
    assert summary.value == "=HYPERLINK(\"x\")" and summary.data_type == "s" and summary.quotePrefix
    assert row[header.index("变更（前 → 后）")].value == "说明：@SUM(1)"
    assert row[header.index("时间")].value == "2026-12-01 09:00:00"
    text = admin.get("/staff/audit/export.csv?action=project.note").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][header.index("说明")] == "'=HYPERLINK(\"x\")"


def test_cli_lists_and_exports(runner, db, tmp_path):
    entry(db, "report.issue", datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc), summary="签发评价报告 PJ-1")
    result = runner.invoke(args=["audit", "list", "--action", "report.issue", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["total"] == 1 and document["entries"][0]["summary"] == "签发评价报告 PJ-1"
    out = tmp_path / "log.csv"
    result = runner.invoke(args=["audit", "export", "--since", "2026-12-01", "--out", str(out)])
    assert result.exit_code == 0 and "已导出 1 条" in result.output
    assert "签发评价报告 PJ-1" in out.read_text(encoding="utf-8-sig")
    assert len(db.exec(select(AuditEntry)).all()) == 1  # listing and exporting write nothing


def test_codes_are_shown_in_words(app, db, admin):
    entry(db, "evaluation.state", datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc), summary="第 1 轮评价退回草稿",
          target_type="evaluation", target_id=1, before={"state": "ready"}, after={"state": "draft"})
    entry(db, "account.update", datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc), summary="修改账户",
          target_type="user", target_id=9, before={"role": "officer"}, after={"role": "assessor"})
    entry(db, "outlet.update", datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc), summary="修改网点",
          target_type="outlet", target_id=5, before={"status": "open"}, after={"status": "closed"})
    page = admin.get("/staff/audit?date_from=2026-12-01&date_to=2026-12-01").get_data(as_text=True)
    assert '<tr><th>状态</th><td><span class="before">待签发</span> → <span class="after">草稿</span></td></tr>' in page
    assert '<span class="before">在营</span> → <span class="after">已关闭</span>' in page
    assert '<span class="before">社区工作人员</span> → <span class="after">评价机构</span>' in page
    assert "<td>评价状态变更<br>" in page


def test_times_in_before_and_after_are_shown_in_china_time(app, db, admin):
    # As the product stores them: an aware time (+00:00), a time read back from SQLite
    # without an offset (UTC all the same), and a calendar date, which is not a time.
    entry(db, "campaign.close", datetime(2026, 11, 15, 11, 57, tzinfo=timezone.utc), summary="提前结束问卷调查 #4",
          target_type="campaign", target_id=4,
          before={"closes_at": datetime(2026, 11, 30, 15, 59, 59, tzinfo=timezone.utc), "opens_at": "2026-11-01T16:00:00",
                  "status": "open"},
          after={"closes_at": datetime(2026, 11, 15, 11, 56, 31, 91775, tzinfo=timezone.utc),
                 "opens_at": "2026-11-02T16:00:00", "status": "2026-11-15"})
    page = admin.get("/staff/audit?action=campaign.close").get_data(as_text=True)
    assert ('<tr><th>截止时间</th><td><span class="before">2026-11-30 23:59:59</span> → '
            '<span class="after">2026-11-15 19:56:31</span></td></tr>') in page
    assert '<span class="before">2026-11-02 00:00:00</span> → <span class="after">2026-11-03 00:00:00</span>' in page
    assert '<span class="after">2026-11-15</span>' in page
    assert "+00:00" not in page and "T11:56" not in page
    expected = ("截止时间：2026-11-30 23:59:59 → 2026-11-15 19:56:31；开始时间：2026-11-02 00:00:00 → 2026-11-03 00:00:00；"
                "状态：开放 → 2026-11-15")
    sheet = load_workbook(io.BytesIO(admin.get("/staff/audit/export.xlsx?action=campaign.close").data)).active
    assert sheet.cell(row=2, column=10).value == expected
    rows = list(csv.reader(io.StringIO(admin.get("/staff/audit/export.csv?action=campaign.close").data
                                       .decode("utf-8-sig"))))
    assert rows[1][9] == expected


def test_circle_ids_in_before_and_after_are_shown_with_their_names(app, db, admin):
    from .helpers import make_circle

    east = make_circle(db, name="东湖生活圈", population=1000)
    west = make_circle(db, name="西山生活圈", population=1000)
    entry(db, "account.circles", datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc), summary="修改 wang 可查看的生活圈",
          target_type="user", target_id=9, before={"circles": [east.id, west.id]}, after={"circles": [west.id, 999]})
    page = admin.get("/staff/audit?action=account.circles").get_data(as_text=True)
    assert (f'<span class="before">东湖生活圈（#{east.id}）、西山生活圈（#{west.id}）</span> → '
            f'<span class="after">西山生活圈（#{west.id}）、已删除的生活圈（#999）</span>') in page
    expected = (f"可查看的生活圈：东湖生活圈（#{east.id}）、西山生活圈（#{west.id}） → "
                f"西山生活圈（#{west.id}）、已删除的生活圈（#999）")
    sheet = load_workbook(io.BytesIO(admin.get("/staff/audit/export.xlsx?action=account.circles").data)).active
    assert sheet.cell(row=2, column=10).value == expected
