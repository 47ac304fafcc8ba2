"""The console's actions: the operator functions the CLI calls, with the user as ``operator:NAME``.

Every action is a POST with the session's CSRF token and a reason, needs the operator role, and
answers with a redirect (303) to the page it came from, which shows the outcome once.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway.domain.accounts import ConsoleSession
from gateway.domain.batch import ReplayMode
from gateway.errors import GatewayError
from gateway.store import console_read, operator_ops
from gateway.web.app import Console, Refused, flash, form_with_csrf

MAX_REASON = 500


async def _operator_form(request: Request) -> tuple[Console, ConsoleSession, str]:
    """The session of an operator and the form's reason, or ``Refused``."""
    app: Console = request.app.state.console
    session, fields = await form_with_csrf(app, request)
    if not session.user.role.may_act:
        raise Refused(403, f"{session.user.name} is a viewer: only operators may act")
    return app, session, " ".join(fields.get("reason", "").split())[:MAX_REASON]


async def _act(request: Request, back: str, act: Callable[[Console, str, str], str]) -> Response:
    app, session, reason = await _operator_form(request)
    if not reason:
        message = "Nothing done: give a reason (it is recorded with the action)."
    else:
        try:
            message = await run_in_threadpool(act, app, session.user.actor, reason)
        except GatewayError as error:
            message = f"Nothing done: {error}"
    await run_in_threadpool(flash, app, request, message)
    return RedirectResponse(back, status_code=303)


async def replay(request: Request) -> Response:
    batch_id = int(request.path_params["batch_id"])

    def act(app: Console, actor: str, reason: str) -> str:
        mode, claims = operator_ops.replay(app.store, batch_id, actor, reason)
        if mode is ReplayMode.RESEND:
            return f"Batch {batch_id} will be re-sent as is (same bytes and control numbers) by the daemon."
        return (
            f"Batch {batch_id} replaced; {claims} claim(s) queued for a new batch with new control numbers."
        )

    return await _act(request, f"/batches/{batch_id}", act)


async def cancel(request: Request) -> Response:
    batch_id = int(request.path_params["batch_id"])

    def act(app: Console, actor: str, reason: str) -> str:
        held = operator_ops.cancel(app.store, batch_id, actor, reason)
        return f"Batch {batch_id} cancelled; {held} claim(s) held (release them on the Holds page)."

    return await _act(request, f"/batches/{batch_id}", act)


async def release(request: Request) -> Response:
    claim_id = int(request.path_params["claim_id"])

    def act(app: Console, actor: str, reason: str) -> str:
        pcn = console_read.patient_control_number_of(app.store, claim_id)
        if pcn is None:
            return f"Nothing done: no claim #{claim_id}."
        row = operator_ops.release(app.store, pcn, actor, reason)
        return f"Claim #{claim_id} released; now {row.status}."

    return await _act(request, "/holds", act)


ROUTES = [
    Route("/batches/{batch_id:int}/replay", replay, methods=["POST"]),
    Route("/batches/{batch_id:int}/cancel", cancel, methods=["POST"]),
    Route("/holds/{claim_id:int}/release", release, methods=["POST"]),
]
