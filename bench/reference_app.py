"""The lean Flask reference the resident submission is measured against (bench/journey_bench.py).

What a careful minimal app would do for the same journey, and nothing more:
- Flask-WTF's CSRFProtect on every POST;
- the same steps with the same questions and options as questionnaires/resident.yaml (read
  once at start-up with surveyapp's loader, then plain dicts), rendered per request by one
  Jinja template with autoescaping;
- the answers of earlier steps kept in Flask's signed session cookie (no database until the
  end), required questions and choice codes checked on each step;
- the last step: one INSERT of the answers as JSON, then 303 to the thank-you page.

With REFERENCE_DRAFTS=server it keeps the answers so far in the database instead, as
surveyapp does (a resident who leaves on step 3 and comes back is on step 3, from any
browser session of the phone), and nothing more: a phone cookie, one draft row per phone;
every page view reads it (one SELECT), every step's post reads it and upserts it (two
statements), the last post reads it, then stores the answer and deletes the draft (one
statement on PostgreSQL, a transaction on SQLite). It answers what that design alone
costs next to the cookie reference, in the same run (journey_bench.py --server-drafts).

Serve it with gunicorn:  gunicorn -w 2 'bench.reference_app:create_app()'
(settings from REFERENCE_DATABASE_URL — sqlite:///path or postgresql://… —,
REFERENCE_SECRET_KEY and REFERENCE_DRAFTS). The URLs mirror the app's: GET/POST /r/answer[?step=N].
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import Flask, make_response, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader

ROOT = Path(__file__).resolve().parent.parent
COMMUNITIES = ["东社区", "西社区"]

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main>
<h1>{{ title }}</h1><p>第 {{ step + 1 }} 步 / 共 {{ steps }} 步</p>
{% if errors %}<div role="alert">还有 {{ errors | length }} 处需要补充或修改</div>{% endif %}
<form method="post" action="{{ url_for('answer') }}" novalidate>
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<input type="hidden" name="submission_key" value="-">
<input type="hidden" name="step" value="{{ step }}">
<input type="hidden" name="js" value="0">
<fieldset><legend>{{ section }}</legend>
{% for q in questions %}
<div class="question" id="q-{{ q.name }}">
<p class="label" id="label-{{ q.name }}">{{ q.label }}{% if q.required %}<span class="required">必答</span>{% endif %}</p>
{% if q.hint %}<p class="hint">{{ q.hint }}</p>{% endif %}
{% if errors[q.name] %}<p class="error">{{ errors[q.name] }}</p>{% endif %}
{% if q.choices %}<div class="options" role="radiogroup" aria-labelledby="label-{{ q.name }}">
{% for code, label in q.choices %}<label class="option{{ ' checked' if code in q.selected }}"><input type="{{ q.kind }}" name="q_{{ q.name }}" value="{{ code }}"{{ ' checked' if code in q.selected }}><span>{{ label }}</span></label>{% endfor %}
</div>
{% else %}<input class="text" type="{{ q.kind }}" name="q_{{ q.name }}" value="{{ q.value }}">{% endif %}
</div>
{% endfor %}
</fieldset>
<button type="submit" name="nav" value="next">{{ '提交' if last else '下一步' }}</button>
</form></main></body></html>"""
THANKS = "<!doctype html><title>谢谢</title><p>提交成功，谢谢您！</p>"


def _steps() -> list[dict]:
    """The resident questionnaire's steps as plain data (once, at start-up)."""
    from surveyapp.questionnaire import load_questionnaire
    from surveyapp.questionnaire.paging import steps_of

    questionnaire = load_questionnaire(ROOT / "questionnaires" / "resident.yaml")
    steps = []
    for step in steps_of(questionnaire):
        questions = []
        for q in step.questions:
            choices = None
            if q.is_select:
                first, more = q.folded_choices(COMMUNITIES)
                choices = [(c.name, c.label) for c in (*first, *more)]
            kind = "checkbox" if q.type == "select_multiple" else "radio" if choices else (
                "number" if q.type == "integer" else "text")
            questions.append({"name": q.name, "label": q.label, "hint": q.hint, "required": q.required,
                              "choices": choices, "codes": frozenset(c for c, _ in choices or ()), "kind": kind,
                              "multiple": q.type == "select_multiple"})
        steps.append({"section": step.blocks[0].section.label, "questions": questions})
    return steps


class _Store:
    """One connection per worker process; one INSERT per submission (and, with server drafts,
    the draft's read and upsert, the INSERT with the draft's removal)."""

    def __init__(self, url: str, prefix: str = "ref"):
        self.url = url
        self.prefix = prefix
        self.connection = None

    def _connect(self):
        if self.url.startswith("sqlite:///"):
            import sqlite3

            connection = sqlite3.connect(self.url[len("sqlite:///"):], timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self.placeholder = "?"
        else:
            import psycopg

            connection = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
            self.placeholder = "%s"
        connection.execute(f"CREATE TABLE IF NOT EXISTS {self.prefix}_response (id INTEGER PRIMARY KEY "
                           + ("AUTOINCREMENT" if self.placeholder == "?" else "GENERATED ALWAYS AS IDENTITY")
                           + ", answers TEXT NOT NULL)")
        connection.execute(f"CREATE TABLE IF NOT EXISTS {self.prefix}_draft (owner TEXT PRIMARY KEY, step INTEGER NOT NULL, "
                           "answers TEXT NOT NULL)")
        return connection

    def _sql(self, sql: str, values: tuple):
        if self.connection is None:
            self.connection = self._connect()
        sql = sql.replace("ref_", self.prefix + "_").replace("?", self.placeholder)
        return self.connection.execute(sql, values)

    def insert(self, answers: dict) -> None:
        self._sql("INSERT INTO ref_response (answers) VALUES (?)", (json.dumps(answers, ensure_ascii=False),))

    def draft(self, owner: str) -> tuple[int, dict]:
        row = self._sql("SELECT step, answers FROM ref_draft WHERE owner = ?", (owner,)).fetchone()
        return (row[0], json.loads(row[1])) if row else (0, {})

    def save_draft(self, owner: str, step: int, answers: dict) -> None:
        self._sql("INSERT INTO ref_draft (owner, step, answers) VALUES (?, ?, ?) ON CONFLICT (owner) DO UPDATE "
                  "SET step = excluded.step, answers = excluded.answers",
                  (owner, step, json.dumps(answers, ensure_ascii=False)))

    def finish(self, owner: str, answers: dict) -> None:
        text = json.dumps(answers, ensure_ascii=False)
        if self.placeholder == "%s":
            self._sql("WITH dropped AS (DELETE FROM ref_draft WHERE owner = ?) "
                      "INSERT INTO ref_response (answers) VALUES (?)", (owner, text))
            return
        self._sql("BEGIN", ())
        try:
            self._sql("INSERT INTO ref_response (answers) VALUES (?)", (text,))
            self._sql("DELETE FROM ref_draft WHERE owner = ?", (owner,))
            self._sql("COMMIT", ())
        except BaseException:
            self._sql("ROLLBACK", ())
            raise


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("REFERENCE_SECRET_KEY", "reference")
    app.jinja_loader = DictLoader({"page.html": PAGE})
    CSRFProtect(app)
    steps = _steps()
    server_drafts = os.environ.get("REFERENCE_DRAFTS", "cookie") == "server"
    # Tables ref_* (cookie drafts) or refd_* (server drafts): both can share one database.
    store = _Store(os.environ.get("REFERENCE_DATABASE_URL", "sqlite:///" + str(ROOT / "bench" / "out" / "ref.sqlite")),
                   "refd" if server_drafts else "ref")

    def page(step: int, answers: dict, errors: dict, status: int = 200):
        questions = []
        for q in steps[step]["questions"]:
            value = answers.get(q["name"])
            selected = set(value) if isinstance(value, list) else {value}
            questions.append({**q, "selected": selected, "value": value if isinstance(value, str) else ""})
        return render_template("page.html", title="一刻钟便民生活圈居民满意度调查", step=step, steps=len(steps),
                               section=steps[step]["section"], questions=questions, errors=errors,
                               last=step == len(steps) - 1), status

    def answers_so_far() -> tuple[int, dict]:
        """(step reached, answers) from the phone's draft row, or from the session cookie."""
        if server_drafts:
            owner = request.cookies.get("ref_device")
            return store.draft(owner) if owner else (0, {})
        return len(steps) - 1, session.get("answers", {})

    @app.get("/r/answer")
    def answer_page():
        _reached, answers = answers_so_far()
        step = min(max(request.args.get("step", 0, type=int), 0), len(steps) - 1)
        response = make_response(page(step, answers, {}))
        if server_drafts and not request.cookies.get("ref_device"):
            response.set_cookie("ref_device", secrets.token_hex(16), max_age=7 * 86400, httponly=True,
                                samesite="Lax")
        return response

    @app.post("/r/answer")
    def answer():
        step = min(max(request.form.get("step", 0, type=int), 0), len(steps) - 1)
        _reached, answers = answers_so_far()
        answers = dict(answers)
        errors = {}
        for q in steps[step]["questions"]:
            key = "q_" + q["name"]
            value = request.form.getlist(key) if q["multiple"] else request.form.get(key, "").strip()
            if q["codes"] and any(v not in q["codes"] for v in (value if q["multiple"] else [value] if value else [])):
                errors[q["name"]] = "请从选项中选择"
            if q["required"] and not value:
                errors[q["name"]] = "请回答这一题"
            answers[q["name"]] = value
        owner = request.cookies.get("ref_device")
        if errors:
            if server_drafts and owner:
                store.save_draft(owner, step, answers)
            return page(step, answers, errors, 422)
        if step + 1 < len(steps):
            if server_drafts and owner:
                store.save_draft(owner, step + 1, answers)
            else:
                session["answers"] = answers
            return redirect(url_for("answer_page", step=step + 1), code=303)
        if server_drafts and owner:
            store.finish(owner, answers)
        else:
            store.insert(answers)
            session.pop("answers", None)
        return redirect(url_for("thanks"), code=303)

    @app.get("/r/thanks")
    def thanks():
        return THANKS

    return app
