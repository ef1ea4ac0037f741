"""The resident's default journey over HTTP, shared by the profile and the load benchmark.

One submission is the whole paged questionnaire as a phone with JavaScript walks it: for
each step, GET the step's page, then POST that step's answers (``nav=next``, ``js=1``) and
follow the 303 to the next step; the last POST answers 303 to the thank-you page, which
is the acknowledgement. The notice and thank-you pages themselves are not fetched (by
either app), so a submission is the same 5 GET + 5 POST round-trips for surveyapp and the
lean reference (bench/reference_app.py).

Plain http.client (one connection per request, as gunicorn's sync workers close them) and
a dict of cookies: the load tool should cost little next to the servers on a 2-core machine.
"""
from __future__ import annotations

import http.client
import re
import time
import urllib.parse

LIKERT = ["sat_convenience_store", "sat_breakfast", "sat_wet_market", "sat_dining", "sat_pharmacy", "sat_repair",
          "sat_housekeeping", "sat_express", "sat_elderly_care", "sat_order", "sat_hygiene", "sat_attitude",
          "sat_honesty", "sat_harmony"]

#: A full valid resident answer (the one tests/test_collect_paged.py uses): 24 questions answered
#: (the toddler-care item stays hidden), a folded catalogue choice, free text in Chinese.
ANSWERS: dict[str, object] = {
    "q_community": "东社区", "q_age_band": "a60_69", "q_years_lived": "y3_10", "q_child_under3": "no",
    "q_business_overall": "4", "q_service_overall": "5", "q_digital_services": ["qr_pay"],
    "q_missing_types": ["breakfast", "laundry"], "q_walk_market_minutes": "10", "q_walk_store_minutes": "5",
    "q_suggestion": "多开早餐店", **{f"q_{name}": "4" for name in LIKERT},
}

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([^"]+)"')
STEP = re.compile(r'name="step" value="(\d+)"')
FIELD = re.compile(r'name="(q_[a-z0-9_]+)"')
MAX_STEPS = 12


class JourneyError(RuntimeError):
    pass


class Phone:
    """One respondent: its cookies and (for the limiter, behind PROXY_FIX) its own address."""

    def __init__(self, port: int, address: str):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Forwarded-For": address}

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, cookie = pair.partition("=")
                    self.cookies[key.strip()] = cookie.strip()
            return response.status, response.getheader("Location") or "", text
        finally:
            connection.close()


def walk(phone: Phone, start: str, answers: dict = ANSWERS, post_times: list | None = None,
         last_post_times: list | None = None) -> int:
    """Answer the questionnaire at ``start``; returns the number of steps posted. Raises
    JourneyError unless the last post is acknowledged (303 to the thank-you page)."""
    path = start
    for count in range(1, MAX_STEPS + 1):
        status, _, page = phone.request("GET", path)
        if status != 200:
            raise JourneyError(f"GET {path}: {status}")
        try:
            fields = {"csrf_token": CSRF.search(page).group(1), "submission_key": KEY.search(page).group(1),
                      "step": STEP.search(page).group(1), "js": "1", "nav": "next"}
        except AttributeError as exc:
            raise JourneyError(f"GET {path}: no form") from exc
        names = set(FIELD.findall(page))
        data = [(k, v) for k, v in fields.items()]
        for name in sorted(names):
            value = answers.get(name)
            if value is None:
                continue
            data.extend((name, item) for item in (value if isinstance(value, list) else [value]))
        body = urllib.parse.urlencode(data).encode()
        began = time.perf_counter()
        status, location, _ = phone.request("POST", start.split("?")[0], body)
        took = time.perf_counter() - began
        if post_times is not None:
            post_times.append(took)
        if status != 303:
            raise JourneyError(f"POST step {fields['step']}: {status}")
        if "step=" not in location:
            if last_post_times is not None:
                last_post_times.append(took)
            if "thanks" not in location:
                raise JourneyError(f"POST step {fields['step']}: to {location}")
            return count
        path = urllib.parse.urlsplit(location)
        path = f"{path.path}?{path.query}"
    raise JourneyError("the questionnaire did not end")
