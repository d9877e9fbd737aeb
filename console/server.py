"""The console as an ASGI app (st.App): console/app.py plus the route that sets the session cookie.

Run it with `streamlit run console/server.py` (the Makefile and the browser tests do). Streamlit 1.67 reads
cookies (`st.context.cookies`) but cannot set one from a running script; its supported way to answer an
HTTP request with a cookie is an st.App route. `/api/session`:

- POST `ticket=<one-time ticket>`: the page a user just logged in on trades the ticket for an HttpOnly,
  SameSite=Strict cookie carrying the signed session token (services/session_cookie.py);
- DELETE: the page a user logged out on drops the cookie (and the session it names ends).

Uncaught errors show a short Danish/English message instead of a traceback (see also
client.showErrorDetails in .streamlit/config.toml).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from console import message_batching, whole_runs
from db.engine import session_scope
from db.repositories import sessions
from services import logs, session_cookie
from services.logs import WithoutExceptionText

SESSION_ROUTE = "/api/session"
log = logging.getLogger("console")

# console/pages/ holds st.navigation pages. Streamlit still treats a `pages/` folder beside the main script
# as the old automatic multipage layout until st.navigation has run once in the process, so the first
# visitor after a start who opens a deep link (/call_log?call=123) would run that page file without the
# router. Deciding it here, before any session starts, keeps app.py in charge from the first request.
PagesManager.uses_pages_directory = False
# Fewer wake-ups of the event loop per run (console/message_batching.py): the run's elements reach it in
# batches, in order. Installed here, before Streamlit's runtime starts, so every session gets it.
message_batching.install()
# A fragment run that has finished reaches the browser whole, with its "finished" that lets the browser clear
# its stale elements, even when another fragment's run (the timer's tick) starts before it was sent
# (console/whole_runs.py).
whole_runs.install()


def _same_origin(request: Request) -> bool:
    """A browser states where a request comes from; only the console's own pages may trade a ticket."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def _secure(request: Request) -> bool:
    return (request.headers.get("x-forwarded-proto") or request.url.scheme) == "https"


def session_endpoint(request: Request) -> Response:
    # A plain function: Starlette runs it in a worker thread, so the database calls do not block the server.
    if not _same_origin(request):
        return Response(status_code=403)
    if request.method == "DELETE":
        response = Response(status_code=204)
        cookie = session_cookie.decode(request.cookies.get(session_cookie.COOKIE_NAME))
        if cookie is not None:
            with session_scope() as session:
                sessions.revoke(session, session_id=cookie.session_id, reason="logout")
        response.delete_cookie(session_cookie.COOKIE_NAME, path="/", httponly=True, samesite="strict",
                               secure=_secure(request))
        return response
    return Response(status_code=405)


async def session_post(request: Request) -> Response:
    form = await request.form()
    ticket = str(form.get("ticket") or "")
    return await _run_sync(_redeem, request, ticket)


def _redeem(request: Request, ticket: str) -> Response:
    if not _same_origin(request) or not ticket:
        return Response(status_code=403)
    with session_scope() as session:
        redeemed = sessions.redeem_ticket(session, ticket=ticket)
    if redeemed is None:
        return Response(status_code=403)
    value = session_cookie.encode(session_id=redeemed.id, token=redeemed.token, expires_at=redeemed.expires_at)
    response = Response(status_code=204)
    response.set_cookie(session_cookie.COOKIE_NAME, value, path="/", httponly=True, samesite="strict",
                        secure=_secure(request),
                        max_age=max(0, int((redeemed.expires_at - datetime.now(UTC)).total_seconds())))
    return response


async def _run_sync(function, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def quiet_exception_logs() -> None:
    # Streamlit logs an uncaught error's traceback through this logger (with logger.enableRich off).
    logging.getLogger("streamlit.error_util").addFilter(WithoutExceptionText())


def friendly_error(exc: Exception) -> bool:
    """Show a short message instead of Streamlit's traceback; log only the error's type (no data)."""
    from console.i18n import t

    log.error("Unhandled error on a console page: %s", type(exc).__name__)
    st.error(t("app.error"), icon=":material/error:")
    return True


def _route(path: str) -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{path}" if base else path


logs.configure(verbose=True)  # time-stamped lines on standard error, no personal data
quiet_exception_logs()
app = st.App(
    "app.py",
    routes=[Route(_route(SESSION_ROUTE), session_post, methods=["POST"]),
            Route(_route(SESSION_ROUTE), session_endpoint, methods=["DELETE"])],
    on_script_error=friendly_error,
)
