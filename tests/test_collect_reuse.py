"""What the resident's pages reuse between requests changes nothing they show: an untouched
question's markup rendered once (collect/answering.pristine_html) is the markup the template
renders per request, on fresh steps, on a page of messages and after going back, and so is
a whole untouched step's page (collect/answering.reused_page) but for each phone's own CSRF
token and submission key; the device's count is that of its own answers, never of the paper
ones (no device). Runs on SQLite and, with SURVEYAPP_TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

import re

import pytest

from surveyapp.collect import answering
from surveyapp.responses.operations import NewResponse, record_response

from .helpers import PROJECT_QUESTIONNAIRES, form_fields, make_campaign, make_circle
from .test_collect_paged import resident_answers, url_of

VOLATILE = re.compile(r'(name="(?:csrf_token|submission_key)" (?:type="hidden" )?value=")[^"]*"')


@pytest.fixture
def campaign(db):
    return make_campaign(db, make_circle(db), PROJECT_QUESTIONNAIRES / "resident.yaml")


def pages_of_a_journey(client, campaign) -> list[str]:
    """Every page a resident sees: the steps, a step refused (an answer off the list and a
    required one missing), then back to an answered step."""
    url, pages = url_of(campaign), []
    page = client.get(url).get_data(as_text=True)
    for _ in range(2):
        pages.append(page)
        moved = client.post(url, data={**resident_answers(), **form_fields(page), "nav": "next"})
        assert moved.status_code == 303
        page = client.get(moved.headers["Location"]).get_data(as_text=True)
    pages.append(page)
    refused = client.post(url, data={**resident_answers(q_sat_dining="<b>", q_sat_breakfast=None),
                                     **form_fields(page), "nav": "next"})
    assert refused.status_code == 422
    pages.append(refused.get_data(as_text=True))
    back = client.post(url, data={**form_fields(page), "nav": "back"})
    pages.append(client.get(back.headers["Location"]).get_data(as_text=True))
    return [VOLATILE.sub(r'\1-"', p) for p in pages]


def test_reused_question_markup_is_what_the_template_renders(app, campaign, monkeypatch):
    reused = pages_of_a_journey(app.test_client(), campaign)
    monkeypatch.setattr(answering, "pristine_html", lambda *args: None)
    rendered = pages_of_a_journey(app.test_client(), campaign)
    assert reused == rendered
    assert "&lt;b&gt;" not in "".join(reused)  # the refused value is not echoed into a choice list
    assert 'name="q_business_overall" value="4" checked' in reused[-1]  # back: the answers given


def test_a_reused_step_page_carries_each_phones_own_token_and_key(app, campaign, monkeypatch):
    """The page of an untouched step is rendered once and reused: what it shows is what the
    template renders for that phone (text size included), its CSRF token and submission key
    are the phone's own, and the phone's answers posted with them are taken."""
    url = url_of(campaign)

    def first_step(client, large=False):
        if large:
            client.get(f"/s/{campaign.token}/text-size?size=large")
        return client.get(url).get_data(as_text=True)

    phones = [app.test_client() for _ in range(3)]
    pages = [first_step(phones[0]), first_step(phones[1]), first_step(phones[2], large=True)]
    assert VOLATILE.sub(r'\1-"', pages[0]) == VOLATILE.sub(r'\1-"', pages[1])
    assert form_fields(pages[0])["csrf_token"] != form_fields(pages[1])["csrf_token"]
    assert form_fields(pages[0])["submission_key"] != form_fields(pages[1])["submission_key"]
    assert 'class="large-text"' in pages[2] and 'class="large-text"' not in pages[0]
    for phone, page in zip(phones, pages):
        moved = phone.post(url, data={**resident_answers(), **form_fields(page), "nav": "next"})
        assert moved.status_code == 303 and "step=" in moved.headers["Location"]

    monkeypatch.setattr(answering, "reused_page",
                        lambda _page, template, context: answering.render_template(template, **context))
    rendered = [first_step(app.test_client()), first_step(app.test_client(), large=True)]
    assert [VOLATILE.sub(r'\1-"', p) for p in rendered] == [VOLATILE.sub(r'\1-"', p) for p in pages[1:]]


def test_a_phone_without_a_device_counts_no_paper_answers(client, db, campaign):
    from surveyapp.questionnaire import load_questionnaire

    questionnaire = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    paper = NewResponse(answers={"community": "东社区", "age_band": "a30_44", "years_lived": "y1_3",
                                 "business_overall": "4", "service_overall": "4"}, channel="paper")
    for _ in range(3):  # answers_per_device is 3 for residents: a NULL match would lock the phone out
        record_response(db, campaign, questionnaire, paper)
    page = client.get(url_of(campaign))
    assert page.status_code == 200
    assert 'name="submission_key"' in page.get_data(as_text=True)


def test_the_in_process_limit_store_counts_without_a_thread_per_post():
    import threading

    from limits import parse, strategies
    from limits.storage import storage_from_string

    from surveyapp.extensions import SweptMemoryStorage

    storage = storage_from_string("memory://")
    assert isinstance(storage, SweptMemoryStorage)
    limiter = strategies.FixedWindowRateLimiter(storage)
    limit = parse("3 per minute")
    storage.timer.join()  # the one timer the library starts with the store
    before = threading.active_count()
    assert [limiter.hit(limit, "10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(limit, "10.0.0.2")  # per address
    assert threading.active_count() == before


def test_on_postgresql_a_step_runs_outside_a_transaction_and_the_stored_answer_in_one(app, client, db, campaign,
                                                                                      monkeypatch):
    """A page view only reads, and a step's post reads and upserts its draft (one statement,
    atomic by itself), straight on the driver (surveyapp.direct_sql): on PostgreSQL in
    autocommit mode, so psycopg sends no BEGIN, COMMIT or ROLLBACK for them; SQLite keeps its
    usual mode. The post that stores the answer writes the response, its tallies and the
    draft's removal as one statement on PostgreSQL (data-modifying CTEs, in autocommit), and
    in one transaction on SQLite."""
    from sqlalchemy import event

    from surveyapp import direct_sql

    from .conftest import get_engine_of

    engine = get_engine_of(app)
    postgresql = engine.dialect.name == "postgresql"
    seen: list[tuple] = []

    def in_transaction(driver) -> bool:
        if postgresql:
            from psycopg.pq import TransactionStatus
            return driver.info.transaction_status != TransactionStatus.IDLE
        return driver.in_transaction

    def note(sql, driver, rows=1):
        outside = driver.autocommit if postgresql else driver.isolation_level is None
        seen.append((sql.split()[0].upper(), outside, in_transaction(driver), rows))

    def statement(conn, cursor, sql, params, context, executemany):
        note(sql, conn.connection.driver_connection)

    for method in ("first", "run", "run_many"):
        def direct(self, driver, values, _original=getattr(direct_sql.DirectStatement, method), _many=method == "run_many"):
            note(self.sql, driver, len(values) if _many else 1)
            return _original(self, driver, values)
        monkeypatch.setattr(direct_sql.DirectStatement, method, direct)

    def taken(label):
        def note(conn):
            seen.append((label, False, True, 0))
        return note

    # Another phone first: the process then has the questionnaire (read once through the Session).
    assert app.test_client().get(url_of(campaign)).status_code == 200
    hooks = [("before_cursor_execute", statement), ("begin", taken("BEGIN")), ("commit", taken("COMMIT"))]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    requests: list[tuple[str, list]] = []
    try:
        url = url_of(campaign)
        page = client.get(url)
        for _ in range(12):
            requests.append(("view", list(seen)))
            seen.clear()
            moved = client.post(url, data={**resident_answers(), **form_fields(page.get_data(as_text=True)),
                                           "nav": "next"})
            assert moved.status_code == 303
            last = "step=" not in moved.headers["Location"]
            requests.append(("store" if last else "step", list(seen)))
            seen.clear()
            if last:
                break
            page = client.get(moved.headers["Location"])
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)
    kinds = [kind for kind, _ in requests]
    assert kinds.count("store") == 1 and kinds.count("step") >= 3 and kinds.count("view") == kinds.count("step") + 1
    for kind, statements in requests:
        verbs = [verb for verb, *_ in statements]
        assert "BEGIN" not in verbs and "COMMIT" not in verbs  # nothing through a Session
        assert all(outside == postgresql for _, outside, *_ in statements), (kind, statements)
        if kind == "view":
            assert verbs and set(verbs) == {"SELECT"}
        if kind == "step":
            assert verbs[-1] == "INSERT" and set(verbs) == {"SELECT", "INSERT"}  # the draft's upsert
    [stored] = [statements for kind, statements in requests if kind == "store"]
    if postgresql:  # the read, then one statement in autocommit: nothing open before or after it
        assert [verb for verb, *_ in stored] == ["SELECT", "WITH"]
        assert not any(open_ for _, _, open_, _ in stored)
    else:  # the response, its tallies (one row each), the draft: one transaction
        assert [verb for verb, *_ in stored] == ["SELECT", "INSERT", "INSERT", "DELETE"]
        assert stored[2][3] > 20
        assert all(open_ for _, _, open_, _ in stored[2:])  # no commit between the writes
    # Stored once, its draft gone, and its tallies exactly those of a recount.
    from sqlmodel import select

    from surveyapp.models import AnswerDraft, AnswerTally, Response
    from surveyapp.questionnaire import load_questionnaire
    from surveyapp.responses import tallies

    db.expire_all()
    [response] = db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert db.exec(select(AnswerDraft)).all() == []
    stored = {(t.question, t.code, t.group_question, t.group_value, t.duration): t.n
              for t in db.exec(select(AnswerTally).where(AnswerTally.campaign_id == campaign.id))}
    recount = tallies.count(load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml"), [response])
    assert len(stored) > 20 and stored == dict(recount)


def test_a_step_url_is_what_url_for_gives(app):
    from flask import url_for

    from surveyapp.collect.routes import _step_url

    with app.test_request_context("/", base_url="https://survey.test/sub/"):
        base = url_for("collect.answer", token="tok-EN_1")
        for step in (None, 0, 3, 11):
            assert _step_url(base, step) == url_for("collect.answer", token="tok-EN_1", step=step)
