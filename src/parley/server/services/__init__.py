"""The rules of Parley: who may do what, sequencing, idempotency, what to broadcast."""

from __future__ import annotations

from .accounts import Accounts
from .chats import Chats
from .connections import Connections
from .context import Context, Principal
from .messages import Messages


class Services:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.accounts = Accounts(ctx)
        self.chats = Chats(ctx)
        self.messages = Messages(ctx)
        self.connections = Connections(ctx)

    async def close(self) -> None:
        await self.messages.writer.close()
        await self.ctx.presence.close()
        await self.ctx.db.close()


__all__ = ["Context", "Principal", "Services"]
