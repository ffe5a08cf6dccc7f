"""Errors a user can act on, each with a stable machine-readable ``code``.

Shared by the server (which raises them and turns them into ``{code, message}``) and the SDK (which
raises :class:`ParleyError` with the server's code). Nothing here imports the server.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ParleyError(Exception):
    """Base of every error with a code; ``status`` is the HTTP status the server answers with."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    default_message: ClassVar[str] = "request failed"

    def __init__(self, message: str | None = None, *, code: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body.update(self.details)
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationFailed(ParleyError):
    code = "invalid_payload"
    default_message = "the request payload is not valid"


class PayloadTooLarge(ParleyError):
    code = "payload_too_large"
    status = 413
    default_message = "the request payload is too large"


class Unauthorized(ParleyError):
    code = "unauthorized"
    status = 401
    default_message = "a valid session token is required"


class InvalidCredentials(ParleyError):
    code = "invalid_credentials"
    status = 401
    default_message = "wrong username or password"


class AccountDisabled(ParleyError):
    code = "account_disabled"
    status = 403
    default_message = "this account is disabled"


class UsernameTaken(ParleyError):
    code = "username_taken"
    status = 409
    default_message = "this username is taken"


class WeakPassword(ParleyError):
    code = "weak_password"
    default_message = "the password is too short"


class RateLimited(ParleyError):
    code = "rate_limited"
    status = 429
    default_message = "too many attempts, try again later"


class UserNotFound(ParleyError):
    code = "user_not_found"
    status = 404
    default_message = "no such user"


class ChatNotFound(ParleyError):
    """Also raised for chats the user is not in when telling them apart would leak their existence."""

    code = "chat_not_found"
    status = 404
    default_message = "no such chat"


class NotAMember(ParleyError):
    code = "not_a_member"
    status = 403
    default_message = "you are not a member of this chat"


class MessageNotFound(ParleyError):
    code = "message_not_found"
    status = 404
    default_message = "no such message in this chat"


class Forbidden(ParleyError):
    code = "forbidden"
    status = 403
    default_message = "you may not do this"


class InvalidOperation(ParleyError):
    code = "invalid_operation"
    status = 409
    default_message = "this operation is not possible"


class SessionNotFound(ParleyError):
    code = "session_not_found"
    status = 404
    default_message = "no such session"


class NotFound(ParleyError):
    code = "not_found"
    status = 404
    default_message = "not found"


class InternalError(ParleyError):
    code = "internal_error"
    status = 500
    default_message = "internal error"


class ConnectionLost(ParleyError):
    """SDK only: the request could not reach the server (it may be retried)."""

    code = "connection_lost"
    status = 503
    default_message = "not connected to the server"
