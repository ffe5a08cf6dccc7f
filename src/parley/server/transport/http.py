"""HTTP API under /api (OpenAPI at /docs): the same services and models as the socket events."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ... import errors, protocol
from ..services import Principal, Services
from .errors import internal, invalid

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": protocol.ErrorOut, "description": "invalid payload"},
    401: {"model": protocol.ErrorOut, "description": "no valid session"},
    403: {"model": protocol.ErrorOut, "description": "not a member / not allowed"},
    404: {"model": protocol.ErrorOut, "description": "unknown user, chat or session"},
    429: {"model": protocol.ErrorOut, "description": "rate limited (see retry_after)"},
}


def error_response(exc: errors.ParleyError) -> JSONResponse:
    headers = {}
    if isinstance(exc, errors.RateLimited) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.ParleyError)
    async def _parley(_: Request, exc: errors.ParleyError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unknown routes, wrong methods: the same {"error": {code, message}} shape as everything else.
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        error = errors.ParleyError(str(exc.detail), code=code)
        return JSONResponse({"error": error.to_dict()}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(invalid(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        return error_response(internal(exc, f"{request.method} {request.url.path}"))


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether or not they declare a length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await error_response(errors.PayloadTooLarge(f"request bodies are at most {self.limit} bytes"))(
                scope, receive, send
            )
            return
        seen = 0
        exceeded = False

        async def limited() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                exceeded = True
                raise errors.PayloadTooLarge(f"request bodies are at most {self.limit} bytes")
            return message

        async def unless_exceeded(message: Message) -> None:
            if not exceeded:
                await send(message)

        # The framework turns errors while reading the body into its own 400; past the limit we answer instead.
        try:
            await self.app(scope, limited, unless_exceeded)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await error_response(errors.PayloadTooLarge(f"request bodies are at most {self.limit} bytes"))(
                scope, receive, send
            )


def api_router(get_services: Any) -> APIRouter:
    """All routes; ``get_services`` is a dependency returning the running :class:`Services`."""
    router = APIRouter(prefix="/api", responses=ERRORS)
    S = Annotated[Services, Depends(get_services)]

    async def principal(request: Request, services: S) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise errors.Unauthorized()
        return await services.accounts.authenticate(token.strip())

    Who = Annotated[Principal, Depends(principal)]

    def client_address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @router.post("/register", response_model=protocol.AuthOut, status_code=201, tags=["accounts"])
    async def register(body: protocol.RegisterRequest, request: Request, services: S) -> Any:
        return await services.accounts.register(
            body.username, body.password, body.display_name, request.headers.get("user-agent")
        )

    @router.post("/login", response_model=protocol.AuthOut, tags=["accounts"])
    async def login(body: protocol.LoginRequest, request: Request, services: S) -> Any:
        return await services.accounts.login(
            body.username, body.password, client_address(request), request.headers.get("user-agent")
        )

    @router.post("/logout", status_code=204, tags=["accounts"])
    async def logout(who: Who, services: S) -> Response:
        await services.accounts.logout(who)
        return Response(status_code=204)

    @router.get("/me", response_model=protocol.UserRef, tags=["accounts"])
    async def me(who: Who) -> Any:
        return who.ref()

    @router.get("/sessions", response_model=list[protocol.SessionOut], tags=["accounts"])
    async def sessions(who: Who, services: S) -> Any:
        return await services.accounts.sessions(who)

    @router.delete("/sessions/{session_id}", status_code=204, tags=["accounts"])
    async def revoke(session_id: Annotated[int, Path(ge=1, le=2**62)], who: Who, services: S) -> Response:
        await services.accounts.revoke(who, session_id)
        return Response(status_code=204)

    @router.post("/password", status_code=204, tags=["accounts"])
    async def change_password(body: protocol.ChangePasswordRequest, who: Who, services: S) -> Response:
        await services.accounts.change_password(who, body.old_password, body.new_password)
        return Response(status_code=204)

    @router.get("/users", response_model=list[protocol.UserOut], tags=["accounts"])
    async def search_users(
        who: Who,
        services: S,
        prefix: Annotated[str, Query(min_length=1, max_length=32)],
        limit: Annotated[int, Query(ge=1, le=50)] = 20,
    ) -> Any:
        return await services.accounts.search(prefix, limit)

    @router.get("/chats", response_model=list[protocol.ChatOut], tags=["chats"])
    async def chats(who: Who, services: S) -> Any:
        return await services.chats.chat_list(who)

    @router.post("/chats/direct", response_model=protocol.ChatOut, tags=["chats"])
    async def open_direct(body: protocol.OpenDirectRequest, who: Who, services: S) -> Any:
        return await services.chats.open_direct(who, body.username)

    @router.post("/chats/group", response_model=protocol.ChatOut, status_code=201, tags=["chats"])
    async def create_group(body: protocol.CreateGroupRequest, who: Who, services: S) -> Any:
        return await services.chats.create_group(who, body.title, body.members)

    ChatId = Annotated[int, protocol.Field(ge=1, le=2**62)]

    @router.get("/chats/{chat_id}", response_model=protocol.ChatOut, tags=["chats"])
    async def chat(chat_id: ChatId, who: Who, services: S) -> Any:
        return await services.chats.get(who, chat_id)

    @router.post("/chats/{chat_id}/rename", response_model=protocol.ChatOut, tags=["chats"])
    async def rename(chat_id: ChatId, body: protocol.TitleBody, who: Who, services: S) -> Any:
        return await services.chats.rename(who, chat_id, body.title)

    @router.post("/chats/{chat_id}/members", response_model=protocol.ChatOut, tags=["chats"])
    async def add_members(chat_id: ChatId, body: protocol.UsernamesBody, who: Who, services: S) -> Any:
        return await services.chats.add_members(who, chat_id, body.usernames)

    @router.delete("/chats/{chat_id}/members/{username}", response_model=protocol.ChatOut, tags=["chats"])
    async def remove_member(chat_id: ChatId, username: str, who: Who, services: S) -> Any:
        return await services.chats.remove_member(who, chat_id, username)

    @router.post("/chats/{chat_id}/members/{username}/role", response_model=protocol.ChatOut, tags=["chats"])
    async def set_role(chat_id: ChatId, username: str, body: protocol.RoleBody, who: Who, services: S) -> Any:
        return await services.chats.set_role(who, chat_id, username, body.role)

    @router.post("/chats/{chat_id}/leave", status_code=204, tags=["chats"])
    async def leave(chat_id: ChatId, who: Who, services: S) -> Response:
        await services.chats.leave(who, chat_id)
        return Response(status_code=204)

    @router.get("/chats/{chat_id}/messages", response_model=list[protocol.EventOut], tags=["messages"])
    async def history(
        chat_id: ChatId,
        who: Who,
        services: S,
        before: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        limit: Annotated[int, Query(ge=1, le=protocol.MAX_PAGE)] = 50,
    ) -> Any:
        return await services.messages.history(who, chat_id, before, after, limit)

    @router.post("/chats/{chat_id}/messages", response_model=protocol.AckOut, tags=["messages"])
    async def send(chat_id: ChatId, body: protocol.SendBody, who: Who, services: S) -> Any:
        return await services.messages.send(who, chat_id, body.client_id, body.text)

    Seq = Annotated[int, protocol.Field(ge=1, le=2**62)]

    @router.patch("/chats/{chat_id}/messages/{seq}", response_model=protocol.EventOut, tags=["messages"])
    async def edit(chat_id: ChatId, seq: Seq, body: protocol.TextBody, who: Who, services: S) -> Any:
        return await services.messages.edit(who, chat_id, seq, body.text)

    @router.delete("/chats/{chat_id}/messages/{seq}", status_code=204, tags=["messages"])
    async def delete(chat_id: ChatId, seq: Seq, who: Who, services: S) -> Response:
        await services.messages.delete(who, chat_id, seq)
        return Response(status_code=204)

    @router.post("/chats/{chat_id}/read", status_code=204, tags=["messages"])
    async def mark_read(chat_id: ChatId, body: protocol.SeqBody, who: Who, services: S) -> Response:
        await services.messages.mark_read(who, chat_id, body.seq)
        return Response(status_code=204)

    @router.post("/sync", response_model=protocol.SyncOut, tags=["messages"])
    async def sync(body: protocol.SyncRequest, who: Who, services: S) -> Any:
        return await services.messages.sync(who, {int(k): v for k, v in body.cursors.items()}, body.limit)

    return router
