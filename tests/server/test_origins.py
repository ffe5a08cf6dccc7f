"""Browsers on other sites cannot open a socket to Parley unless their origin is configured."""

from __future__ import annotations

import httpx
import pytest
import socketio
from tests.conftest import PASSWORD, unique_name


def token_for(server) -> str:
    reply = httpx.post(server.url + "/api/register", json={"username": unique_name(), "password": PASSWORD})
    return reply.json()["token"]


async def connects(server, token: str, origin: str | None) -> bool:
    sio = socketio.AsyncClient(reconnection=False)
    headers = {"Origin": origin} if origin else {}
    try:
        await sio.connect(server.url, auth={"token": token}, transports=["websocket"], headers=headers)
    except socketio.exceptions.ConnectionError:
        return False
    await sio.disconnect()
    return True


async def test_same_origin_and_non_browser_clients_connect_other_sites_do_not(server):
    token = token_for(server)
    assert await connects(server, token, None)  # the SDK, the CLI: no Origin header
    assert await connects(server, token, server.url)  # the web client served by this server
    assert not await connects(server, token, "http://evil.example")


@pytest.mark.parametrize("origin", ["http://localhost:5173"])
async def test_configured_origins_may_use_socket_and_api(server_factory, origin):
    proc = server_factory(env={"PARLEY_CORS_ORIGINS": origin})
    token = token_for(proc)
    assert await connects(proc, token, origin)
    assert not await connects(proc, token, "http://evil.example")
    async with httpx.AsyncClient() as http:
        preflight = await http.options(
            proc.url + "/api/chats",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
    assert preflight.headers.get("access-control-allow-origin") == origin
