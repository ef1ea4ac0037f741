"""What every request and response goes through, whatever page it is for: the request
class that cleans and bounds what comes in (:mod:`.request`), the security headers on
what goes out (:mod:`.headers`) and the session cookie (:mod:`.sessions`); and a staff form
sent with an expired token shown again filled in (:mod:`.expiry`)."""


def init_app(app) -> None:
    from .expiry import problems
    from .headers import init_app as init_headers
    from .request import init_app as init_request
    from .sessions import SignedCookieSessions

    init_request(app)
    app.session_interface = SignedCookieSessions()
    init_headers(app)
    app.add_template_global(problems, "form_problems")
