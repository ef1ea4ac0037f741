"""访员模式: interviewers at the door or a street desk take answer after answer on a tablet.

Answers go through the same step-by-step engine as the resident's phone
(collect/answering.py) with channel ``interview`` and the interviewer stored on each
response; the residence question is asked first and alone, so that the interview stops at
once for someone who does not live in the circle.
"""
from .routes import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
