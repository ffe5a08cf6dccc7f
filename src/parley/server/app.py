"""The ASGI application: python-socketio's AsyncServer in front of the FastAPI HTTP API and the web client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import socketio
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from .. import __version__
from ..config import Settings
from .services import Context, Services
from .services.passwords import Passwords
from .services.presence import MemoryPresence, RedisPresence
from .storage.db import Database
from .transport.http import BodyLimit, api_router, install_error_handlers
from .transport.socket import SocketFanout, SocketTransport

log = logging.getLogger("parley.server")

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Parley</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>Parley is running</h1><p>The web client has not been built. Run <code>make run</code> (it builds
<code>web/</code> with npm), or point <code>PARLEY_WEB_DIR</code> at a built client.
The HTTP API is documented at <a href="/docs">/docs</a>.</p></body>"""


def find_web_dir(settings: Settings) -> Path | None:
    candidates = [Path(settings.web_dir)] if settings.web_dir else []
    here = Path(__file__).resolve()
    candidates += [here.parent.parent / "web_dist", here.parents[3] / "web" / "dist"]
    for path in candidates:
        if (path / "index.html").is_file():
            return path
    return None


def create_app(settings: Settings | None = None) -> Any:
    settings = settings or Settings()
    # Browsers may connect only from the page's own origin, unless other origins are configured.
    origins: list[str] | None = [o.strip() for o in settings.cors_origins.split(",") if o.strip()] or None
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=origins,
        max_http_buffer_size=settings.max_socket_payload,
        ping_interval=20,
        ping_timeout=20,
    )
    state: dict[str, Services] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        presence: Any = (
            RedisPresence(settings.redis_url, settings.presence_ttl) if settings.redis_url else MemoryPresence()
        )
        fanout = SocketFanout(sio, settings.redis_url)
        await fanout.start()
        ctx = Context(
            settings=settings,
            db=Database(settings.db_url),
            fanout=fanout,
            presence=presence,
            passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
        )
        services = Services(ctx)
        SocketTransport(sio, services)
        state["services"] = services
        log.info("parley %s serving with %s", __version__, ctx.db.dialect)
        try:
            yield
        finally:
            await services.close()
            await fanout.close()

    def get_services() -> Services:
        return state["services"]

    api = FastAPI(title="Parley", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_error_handlers(api)
    if origins:
        api.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["authorization", "content-type"]
        )
    api.include_router(api_router(get_services))

    # The API docs, with Swagger UI served from here rather than a CDN: a LAN without internet has docs too.
    api.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Parley API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    @api.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        try:
            await get_services().ctx.db.ping()
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    web_dir = find_web_dir(settings)
    if web_dir is not None:
        api.mount("/", StaticFiles(directory=web_dir, html=True), name="web")
    else:

        @api.get("/", include_in_schema=False)
        async def index(_: Request) -> HTMLResponse:
            return HTMLResponse(NOT_BUILT)

    return socketio.ASGIApp(sio, other_asgi_app=BodyLimit(api, settings.max_http_body))
