"""The API documentation works without internet: nothing is loaded from another host."""

from __future__ import annotations

import re

import httpx


def test_docs_page_and_its_assets_are_served_locally(server):
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text) + re.findall(r"url: ?'([^']+)'", page.text)
    assert urls, page.text
    for url in urls:
        assert url.startswith("/"), f"{url} is not served by Parley"
        assert httpx.get(server.url + url).status_code == 200, url
    spec = httpx.get(server.url + "/openapi.json").json()
    assert "/api/chats/{chat_id}/messages" in spec["paths"]
