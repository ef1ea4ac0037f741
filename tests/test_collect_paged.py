"""The paged questionnaire on the server: steps and progress, relevance between steps without
JavaScript, the draft that survives leaving, the shared phone, idempotent submission and
interviews. Runs on SQLite and, with SURVEYAPP_TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from surveyapp.models import AnswerDraft, AuditEntry, Response
from surveyapp.models.draft import DRAFT_KEEP_HOURS
from surveyapp.models.timeutil import utcnow

from .conftest import csrf_token
from .helpers import PROJECT_QUESTIONNAIRES, answer_in_steps, form_fields, make_campaign, make_circle

LIKERT = ["sat_convenience_store", "sat_breakfast", "sat_wet_market", "sat_dining", "sat_pharmacy", "sat_repair",
          "sat_housekeeping", "sat_express", "sat_elderly_care", "sat_order", "sat_hygiene", "sat_attitude",
          "sat_honesty", "sat_harmony"]


def resident_answers(**overrides) -> dict:
    answers = {"q_community": "东社区", "q_age_band": "a60_69", "q_years_lived": "y3_10", "q_child_under3": "no",
               "q_business_overall": "4", "q_service_overall": "5", "q_digital_services": ["qr_pay"],
               "q_missing_types": ["breakfast", "laundry"], "q_walk_market_minutes": "10",
               "q_walk_store_minutes": "5", "q_suggestion": "多开早餐店"}
    answers.update({f"q_{name}": "4" for name in LIKERT})
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


@pytest.fixture
def campaign(db):
    circle = make_circle(db)
    return make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")


def url_of(campaign) -> str:
    return f"/s/{campaign.token}/answer"


def stored(db, campaign):
    db.expire_all()
    return db.exec(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)).all()


def step_of(html: str) -> tuple[int, int]:
    position, total = re.search(r"第 (\d+) 步 / 共 (\d+) 步", html).groups()
    return int(position), int(total)


def post_step(client, campaign, page_html: str, **data):
    return client.post(url_of(campaign), data={**form_fields(page_html), **data})


def test_each_section_is_a_step_with_progress_and_the_time_is_counted(client, campaign):
    notice = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    assert "约 3 分钟 · 共 25 题，分 5 步" in notice
    first = client.get(url_of(campaign)).get_data(as_text=True)
    assert step_of(first) == (1, 5) and "下一步" in first and "上一步" not in first
    assert 'id="q-community"' in first and 'id="q-business_overall"' not in first
    moved = post_step(client, campaign, first, **resident_answers(), nav="next")
    assert moved.status_code == 303 and moved.headers["Location"].endswith("?step=1")
    second = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert step_of(second) == (2, 5) and "上一步" in second


def test_without_javascript_a_follow_up_shows_on_the_same_step(client, db, campaign):
    first = client.get(url_of(campaign)).get_data(as_text=True)
    second = client.get(post_step(client, campaign, first, **resident_answers()).headers["Location"])
    html = second.get_data(as_text=True)
    assert re.search(r'id="q-business_problems"[^>]*hidden', html)
    again = post_step(client, campaign, html, **resident_answers(q_business_overall="2"), js="0")
    shown = again.get_data(as_text=True)
    assert again.status_code == 200 and "本页多了几个问题" in shown and step_of(shown) == (2, 5)
    assert re.search(r'class="question revealed" id="q-business_problems"', shown)
    assert 'value="2" checked' in shown  # the answer that brought it is kept
    done = post_step(client, campaign, shown, **resident_answers(q_business_overall="2", q_business_problems="too_far"))
    assert done.headers["Location"].endswith("?step=2")
    draft = db.exec(select(AnswerDraft)).one()
    assert draft.answers["business_problems"] == ["too_far"] and draft.step == 2


def test_a_follow_up_on_a_later_step_depends_on_an_earlier_answer(client, db, campaign):
    response, _ = answer_in_steps(client, url_of(campaign), resident_answers(q_child_under3="yes",
                                                                               q_sat_childcare="5"))
    assert response.headers["Location"].endswith("/thanks")
    [row] = stored(db, campaign)
    assert row.answers["sat_childcare"] == "5"
    [without] = stored(db, campaign)[:1]
    assert "business_problems" not in without.answers  # hidden: never asked, never stored


def test_a_step_whose_questions_are_all_hidden_is_skipped(app, db):
    from surveyapp.questionnaire import load_questionnaire
    from surveyapp.questionnaire.paging import next_step, previous_step, progress, settle, steps_of, visible_names

    resident = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    steps = steps_of(resident)
    assert [len(s.questions) for s in steps] == [4, 3, 10, 5, 5]
    everything = visible_names(resident, {})
    only_first = frozenset({"community", "age_band", "years_lived", "child_under3"})
    assert next_step(steps, only_first, 0) is None and progress(steps, only_first, 0) == (1, 1)
    assert next_step(steps, everything, 1) == 2 and previous_step(steps, everything, 1) == 0
    assert settle(steps, only_first, 3) == 0 and settle(steps, everything, 3) == 3
    interview = steps_of(resident, first="community")
    assert [q.name for q in interview[0].questions] == ["community"] and len(interview) == 6
    single = steps_of(resident, single=True)
    assert len(single) == 1 and len(single[0].questions) == 27


def test_errors_name_the_question_and_keep_what_was_typed(client, db, campaign):
    first = client.get(url_of(campaign)).get_data(as_text=True)
    refused = post_step(client, campaign, first, q_community="东社区", q_years_lived="y1_3")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and step_of(html) == (1, 5)
    assert '<a href="#q-age_band">您的年龄</a>' in html and "请回答这一题" in html
    assert 'value="东社区" checked' in html and 'value="y1_3" checked' in html
    # left on the error and opened again: nothing lost
    again = client.get(url_of(campaign)).get_data(as_text=True)
    assert 'value="东社区" checked' in again and 'value="y1_3" checked' in again
    assert stored(db, campaign) == []


def test_a_number_error_speaks_like_a_resident(client, campaign):
    response, _ = answer_in_steps(client, url_of(campaign), resident_answers(q_walk_store_minutes="五分钟左右"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写一个数字，比如 10" in html
    assert re.search(r'<a href="#q-walk_store_minutes">从您家走到最近的便利店或超市，[^<]*…</a>', html)


def test_back_keeps_this_steps_answers_without_checking_them(client, db, campaign):
    first = client.get(url_of(campaign)).get_data(as_text=True)
    second = client.get(post_step(client, campaign, first, **resident_answers()).headers["Location"]).get_data(as_text=True)
    back = post_step(client, campaign, second, q_business_overall="1", nav="back")  # required service_overall missing
    assert back.status_code == 303 and back.headers["Location"].endswith("?step=0")
    assert db.exec(select(AnswerDraft)).one().answers["business_overall"] == "1"


def test_the_draft_survives_a_day_and_is_gone_after_a_week(client, db, campaign):
    first = client.get(url_of(campaign)).get_data(as_text=True)
    second = client.get(post_step(client, campaign, first, **resident_answers()).headers["Location"]).get_data(as_text=True)
    post_step(client, campaign, second, **resident_answers())  # now on step 3
    draft = db.exec(select(AnswerDraft)).one()
    draft.updated_at = utcnow() - timedelta(hours=25)
    db.add(draft)
    db.commit()
    reopened = client.get(url_of(campaign)).get_data(as_text=True)
    assert step_of(reopened) == (3, 5)
    assert client.get(url_of(campaign) + "?step=1").get_data(as_text=True).count('value="4" checked') == 1
    draft.updated_at = utcnow() - timedelta(hours=DRAFT_KEEP_HOURS + 1)
    db.add(draft)
    db.commit()
    assert step_of(client.get(url_of(campaign)).get_data(as_text=True)) == (1, 5)


def test_leaving_the_page_saves_the_step_without_moving(client, db, campaign):
    first = client.get(url_of(campaign)).get_data(as_text=True)
    kept = post_step(client, campaign, first, q_community="西社区", nav="save")
    assert kept.status_code == 204
    draft = db.exec(select(AnswerDraft)).one()
    assert draft.answers == {"community": "西社区"} and draft.step == 0


def test_a_step_ahead_of_the_draft_cannot_be_opened(client, campaign):
    assert step_of(client.get(url_of(campaign) + "?step=4").get_data(as_text=True)) == (1, 5)


def test_a_double_tap_on_submit_stores_one_answer(client, db, campaign):
    done, fields = answer_in_steps(client, url_of(campaign), resident_answers())
    assert done.headers["Location"].endswith("/thanks")
    again = client.post(url_of(campaign), data={**resident_answers(), **fields, "nav": "next"})
    assert again.status_code == 303 and again.headers["Location"].endswith("/thanks")
    [row] = stored(db, campaign)
    assert row.submission_key == fields["submission_key"] and row.device_slot == 1
    assert db.exec(select(AnswerDraft)).all() == []


def test_twenty_parallel_posts_of_one_form_store_one_answer(make_app, db):
    app = make_app(RATELIMIT_ENABLED=False)
    from surveyapp.migrations import upgrade_database

    from .conftest import get_engine_of

    upgrade_database(get_engine_of(app))
    circle = make_circle(db)
    campaign = make_campaign(db, circle, PROJECT_QUESTIONNAIRES / "resident.yaml")
    client = app.test_client()
    url = url_of(campaign)
    page = client.get(url)
    for _ in range(4):  # to the last step
        page = client.get(client.post(url, data={**resident_answers(), **form_fields(page.get_data(as_text=True))})
                          .headers["Location"])
    html = page.get_data(as_text=True)
    assert "提交" in html and step_of(html) == (5, 5)
    data = {**resident_answers(), **form_fields(html)}
    cookies = {name: client.get_cookie(name).value for name in ("session", "sa_device")}
    statuses, barrier = [], threading.Barrier(20)

    def post():
        tap = app.test_client()
        for name, value in cookies.items():
            tap.set_cookie(name, value)
        barrier.wait()
        response = tap.post(url, data=data)
        statuses.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 20
    odd = [(status, location) for status, location in statuses if status != 303 or not location.endswith("/thanks")]
    assert odd == []
    assert len(stored(db, campaign)) == 1


def test_an_answer_whose_slot_was_taken_a_moment_ago_takes_the_next(client, db, campaign, monkeypatch):
    """Another answer from the same phone (a second tab) is stored between this post's read of
    the phone's count and its own insert: the database refuses the slot, nothing is half
    stored, and the answer goes in the next slot, its draft removed."""
    from surveyapp.collect import answering
    from surveyapp.responses.operations import NewResponse, record_response

    real = answering.store_response
    taken = []

    def second_tab_first(connection, campaign_values, questionnaire, new):
        if not taken:
            taken.append(record_response(db, campaign, questionnaire, NewResponse(
                answers=dict(new.answers), device_hash=new.device_hash, device_slot=new.device_slot)))
        return real(connection, campaign_values, questionnaire, new)

    monkeypatch.setattr(answering, "store_response", second_tab_first)
    done, _ = answer_in_steps(client, url_of(campaign), resident_answers())
    assert done.status_code == 303 and done.headers["Location"].endswith("/thanks")
    db.expire_all()
    rows = stored(db, campaign)
    assert [r.device_slot for r in rows] == [1, 2] and rows[0].id == taken[0].id
    assert len({r.device_hash for r in rows}) == 1 and rows[1].submission_key is not None
    assert db.exec(select(AnswerDraft)).all() == []
    from surveyapp.models import AnswerTally
    counted = db.exec(select(AnswerTally.n).where(AnswerTally.campaign_id == campaign.id,
                                                  AnswerTally.question == "__response__")).all()
    assert sum(counted) == 2  # the refused insert added no tallies


def test_a_phone_gives_up_to_the_campaigns_number_of_answers(client, db, campaign):
    assert campaign.answers_per_device == 3
    for number in (1, 2, 3):
        notice = client.get(f"/s/{campaign.token}").get_data(as_text=True)
        assert "一部手机最多可以填写 3 份" in notice
        assert (f"为家人填写的第 {number} 份" in notice) == (number > 1)
        done, _ = answer_in_steps(client, url_of(campaign), resident_answers())
        thanks = client.get(done.headers["Location"]).get_data(as_text=True)
        assert ("为家人再填一份" in thanks) == (number < 3)
    refused = client.get(f"/s/{campaign.token}").get_data(as_text=True)
    assert "已经填写了 3 份" in refused
    rows = stored(db, campaign)
    assert [r.device_slot for r in rows] == [1, 2, 3] and len({r.device_hash for r in rows}) == 1
    assert [r.household_extra for r in rows] == [False, True, True]


def test_household_extras_are_counted_and_the_sample_shown_without_them(app, client, db, campaign):
    from surveyapp.results.service import summary_for

    for _ in range(2):
        answer_in_steps(client, url_of(campaign), resident_answers())
    answer_in_steps(app.test_client(), url_of(campaign), resident_answers())
    with app.app_context():
        summary = summary_for(db, campaign)
    sample = summary["sample"]
    assert sample["valid"] == 3 and sample["household_extra"] == 1
    assert sample["without_household_extra"] == {"valid": 2, "met": False, "shortfall": 598}
    assert summary["campaign"]["channels"] == {"qr": 3}


def test_one_answer_per_phone_when_the_campaign_says_1(client, db, campaign):
    campaign.answers_per_device = 1
    db.add(campaign)
    db.commit()
    assert "每部手机只能填写一次" in client.get(f"/s/{campaign.token}").get_data(as_text=True)
    done, _ = answer_in_steps(client, url_of(campaign), resident_answers())
    assert "为家人再填一份" not in client.get(done.headers["Location"]).get_data(as_text=True)
    assert "每部手机只需填写一次" in client.get(url_of(campaign)).get_data(as_text=True)


# --- interviews ------------------------------------------------------------------------------

@pytest.fixture
def interviewer(db, campaign):
    from surveyapp.auth.users import create_user, grant_circle
    from surveyapp.models import Circle

    user = create_user(db, "fangyuan", "interview-pass-1", "interviewer", "李访员")
    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    return user


def sign_in(client, username, password):
    page = client.get("/staff/login").get_data(as_text=True)
    return client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username,
                                            "password": password})


def test_an_interviewer_lands_in_interview_mode_and_sees_nothing_else(client, campaign, interviewer):
    landed = sign_in(client, "fangyuan", "interview-pass-1")
    assert landed.headers["Location"].endswith("/staff/interview/")
    page = client.get("/staff/interview/").get_data(as_text=True)
    assert "开始访问" in page and f"/staff/interview/{campaign.id}" in page
    assert client.get(f"/staff/campaigns/{campaign.id}").status_code == 404
    assert client.get("/staff/community/").status_code in (404, 308)


def test_an_interview_asks_residence_first_and_stores_the_interviewer(client, db, campaign, interviewer):
    sign_in(client, "fangyuan", "interview-pass-1")
    url = f"/staff/interview/{campaign.id}"
    first = client.get(url).get_data(as_text=True)
    assert step_of(first) == (1, 6) and first.count('class="question') == 1 and 'id="q-community"' in first
    for number in (1, 2, 3):
        done, _ = answer_in_steps(client, url, resident_answers())
        assert done.headers["Location"].endswith(f"/staff/interview/{campaign.id}/saved")
        assert f"已访问 {number} 位" in client.get(done.headers["Location"]).get_data(as_text=True)
    rows = stored(db, campaign)
    assert [(r.channel, r.interviewer_id, r.device_hash, r.device_slot) for r in rows] == \
        [("interview", interviewer.id, None, None)] * 3
    assert all(r.duration_seconds is not None for r in rows)


def test_an_interviewee_living_elsewhere_ends_the_interview_at_once(client, db, campaign, interviewer):
    sign_in(client, "fangyuan", "interview-pass-1")
    url = f"/staff/interview/{campaign.id}"
    first = client.get(url).get_data(as_text=True)
    out = client.post(url, data={**form_fields(first), "q_community": "不住在以上社区"})
    assert out.headers["Location"].endswith("saved?outside=1")
    assert "不住在本生活圈" in client.get(out.headers["Location"]).get_data(as_text=True)
    assert stored(db, campaign) == [] and db.exec(select(AnswerDraft)).all() == []


def test_the_dashboard_shows_each_interviewers_work(app, client, db, campaign, interviewer):
    from surveyapp.auth.users import create_user, grant_circle
    from surveyapp.models import Circle

    sign_in(client, "fangyuan", "interview-pass-1")
    url = f"/staff/interview/{campaign.id}"
    for index in range(5):  # one of five answers everything 不清楚 on the detail items
        dont_know = {f"q_{name}": "0" for name in LIKERT} if index == 0 else {}
        answer_in_steps(client, url, resident_answers(**dont_know))
    assessor = create_user(db, "pinggu", "assessor-pass-1", "assessor", "评价员")
    grant_circle(db, assessor, db.get(Circle, campaign.circle_id))
    staff = app.test_client()
    sign_in(staff, "pinggu", "assessor-pass-1")
    html = staff.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "各访员的访问情况" in html and "访员面访代填 <strong>5</strong> 份" in html
    row = re.search(r"<td>李访员</td>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # 5 answers; 4 of them straight-lining (all 14 detail items 4), the 不清楚 one too (all 0);
    # don't-know: 14 of 5 × 16 likert answers = 17.5%.
    assert cells[0] == "5" and cells[2] == "100.0%" and cells[3] == "17.5%"


def test_the_device_rule_is_set_on_the_dashboard_and_audited(app, db, campaign):
    from surveyapp.auth.users import create_user, grant_circle
    from surveyapp.models import Campaign, Circle

    assessor = create_user(db, "pinggu", "assessor-pass-1", "assessor", "评价员")
    grant_circle(db, assessor, db.get(Circle, campaign.circle_id))
    staff = app.test_client()
    sign_in(staff, "pinggu", "assessor-pass-1")
    page = staff.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert "每部手机最多可以填写 <strong>3</strong> 份" in page
    bad = staff.post(f"/staff/campaigns/{campaign.id}/device-rule",
                     data={"csrf_token": csrf_token(page), "answers_per_device": "0"}, follow_redirects=True)
    assert "请填写 1 到 10 之间的数字" in bad.get_data(as_text=True)
    staff.post(f"/staff/campaigns/{campaign.id}/device-rule",
               data={"csrf_token": csrf_token(page), "answers_per_device": "1"})
    db.expire_all()
    assert db.get(Campaign, campaign.id).answers_per_device == 1
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == "campaign.device_rule")).all()
    assert entry.before == {"answers_per_device": 3} and entry.after == {"answers_per_device": 1}
    assert entry.actor == "pinggu" and entry.circle_id == campaign.circle_id


def test_the_device_rule_from_the_command_line(app, runner, db, campaign):
    import json

    result = runner.invoke(args=["campaign", "device-rule", "--campaign", str(campaign.id),
                                 "--answers-per-device", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": campaign.id, "answers_per_device": 2}
    assert runner.invoke(args=["campaign", "device-rule", "--campaign", str(campaign.id),
                               "--answers-per-device", "11"]).exit_code != 0


# --- weight ----------------------------------------------------------------------------------

def test_public_pages_and_css_are_compressed_staff_pages_are_not(client, campaign):
    for path in (url_of(campaign), f"/s/{campaign.token}", "/static/survey.css"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in response.headers.get("Vary", "")
        response.close()
    plain = client.get(url_of(campaign))
    assert plain.headers.get("Content-Encoding") is None and "第 1 步" in plain.get_data(as_text=True)
    assert client.get("/staff/login", headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") is None


def test_drafts_nobody_came_back_to_are_purged(client, runner, db, campaign):
    import json

    first = client.get(url_of(campaign)).get_data(as_text=True)
    post_step(client, campaign, first, q_community="西社区", nav="save")
    assert json.loads(runner.invoke(args=["drafts", "purge", "--json"]).stdout) == {"purged": 0}
    draft = db.exec(select(AnswerDraft)).one()
    draft.updated_at = utcnow() - timedelta(hours=DRAFT_KEEP_HOURS + 1)
    db.add(draft)
    db.commit()
    assert json.loads(runner.invoke(args=["drafts", "purge", "--json"]).stdout) == {"purged": 1}
    db.expire_all()
    assert db.exec(select(AnswerDraft)).all() == []
