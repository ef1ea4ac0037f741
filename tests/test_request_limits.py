"""Request size limits (issue 10, item 6) and security headers (item 10)."""
from __future__ import annotations

import io

import pytest

from surveyapp.auth.access_table import ACCESS_TABLE, PUBLIC
from surveyapp.web.request import accepts_upload

from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle

pytestmark = pytest.mark.usefixtures("app_questionnaires")


@pytest.fixture
def token(db):
    return make_campaign(db, make_circle(db), APP_QUESTIONNAIRES / "mini.yaml").token


def _stored(db) -> int:
    from sqlmodel import func, select

    from surveyapp.models import Response

    return db.exec(select(func.count()).select_from(Response)).one()


# --- item 6: sizes ------------------------------------------------------------------------------

def test_a_10_mb_answer_is_refused_before_it_is_read(client, db, token):
    """The review's 10 MB field held a worker for 2 s; now the Content-Length alone refuses it."""
    body = b"q_suggestion=" + b"x" * 10_000_000
    response = client.post(f"/s/{token}/answer", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "提交的内容太大了" in page and "1 MB" in page
    assert _stored(db) == 0


def test_one_field_longer_than_the_limit_is_refused(client, db, token):
    response = client.post(f"/s/{token}/answer", data={"q_suggestion": "长" * 20_001})
    assert response.status_code == 413 and "每项最多 20000 个字" in response.get_data(as_text=True)
    assert _stored(db) == 0


def test_ten_thousand_extra_fields_are_refused(client, db, token):
    data = {f"extra{i}": "1" for i in range(10_000)}
    response = client.post(f"/s/{token}/answer", data=data)
    assert response.status_code == 413 and "最多 1000 项" in response.get_data(as_text=True)


def test_multipart_bodies_have_the_same_limits(client, token):
    data = {f"extra{i}": "1" for i in range(1_100)}
    data["file"] = (io.BytesIO(b"x"), "a.csv")
    assert client.post(f"/s/{token}/answer", data=data, content_type="multipart/form-data").status_code == 413
    long = {"q_suggestion": "长" * 20_001, "file": (io.BytesIO(b"x"), "a.csv")}
    assert client.post(f"/s/{token}/answer", data=long, content_type="multipart/form-data").status_code == 413


def test_query_strings_have_the_field_limits(client, token):
    assert client.get(f"/s/{token}?q=" + "x" * 20_001).status_code == 413


def test_limits_are_settings(make_app, token):
    app = make_app(REQUEST_MAX_FIELDS=3, FIELD_MAX_CHARS=10)
    client = app.test_client()
    assert client.post(f"/s/{token}/answer", data={"a": "1", "b": "2", "c": "3", "d": "4"}).status_code == 413
    assert client.post(f"/s/{token}/answer", data={"a": "x" * 11}).status_code == 413


def test_an_upload_view_gets_the_import_limit(make_app, monkeypatch):
    app = make_app(REQUEST_MAX_BYTES=10_000, IMPORT_MAX_BYTES=100_000)

    @app.route("/upload-test", methods=["POST"])
    @accepts_upload
    def upload_test():
        from flask import request

        return str(len(request.files["file"].read()))

    @app.route("/form-test", methods=["POST"])
    def form_test():
        from flask import request

        return str(len(request.files["file"].read()))

    monkeypatch.setitem(ACCESS_TABLE, "upload_test", PUBLIC)
    monkeypatch.setitem(ACCESS_TABLE, "form_test", PUBLIC)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()

    def send(path, size):
        return client.post(path, data={"file": (io.BytesIO(b"x" * size), "a.csv")}, content_type="multipart/form-data")

    assert send("/upload-test", 90_000).get_data(as_text=True) == "90000"
    assert send("/form-test", 90_000).status_code == 413
    assert send("/upload-test", 400_000).status_code == 413


# --- item 10: security headers ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/staff/login", "/static/staff.css", "/no-such-page", "/api/v1/campaigns/1/summary",
                                  "/staff/campaigns"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "Strict-Transport-Security" not in headers


def test_hsts_only_over_https(client, make_app):
    assert "Strict-Transport-Security" in client.get("/staff/login", base_url="https://survey.test").headers
    proxied = make_app(PROXY_FIX=1).test_client()
    behind_proxy = proxied.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_page_template_needs_inline_script_or_style():
    """The CSP allows no inline code: templates of pages served to browsers keep theirs in static/.
    (Report templates are rendered to PDF by WeasyPrint, never served as pages.)"""
    import re
    from pathlib import Path

    root = Path(__file__).parent.parent / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", re.I)
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.html")
                 if p.parts[len(root.parts)] != "reports" and inline.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def test_the_map_tile_server_is_the_only_other_image_origin(make_app):
    app = make_app(MAP_TILE_URL="https://t0.tianditu.gov.cn/vec_w/wmts?layer=vec&tk=KEY&x={x}&y={y}")
    csp = app.test_client().get("/staff/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://t0.tianditu.gov.cn;" in csp
    assert "script-src 'self';" in csp
