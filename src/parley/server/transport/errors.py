"""One error shape for Socket.IO acks and HTTP bodies: ``{"code": ..., "message": ...}``."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError

from ... import errors

log = logging.getLogger("parley.transport")


def describe_validation(exc: ValidationError | Any) -> str:
    """A short human summary of pydantic's errors: ``field: problem; ...``."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "payload"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid payload"


def invalid(exc: ValidationError | Any) -> errors.ParleyError:
    return errors.ValidationFailed(describe_validation(exc))


def internal(exc: BaseException, where: str) -> errors.ParleyError:
    """Log an unexpected exception under a fresh request id and return the error the client sees."""
    request_id = uuid.uuid4().hex[:12]
    log.error("unhandled error in %s (request %s)", where, request_id, exc_info=exc)
    return errors.InternalError(f"internal error (request {request_id})", request_id=request_id)
