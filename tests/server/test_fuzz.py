"""Property: whatever JSON a client sends as an event's payload, the reply is a well-formed ack — ok with
data, or a ``{code, message}`` error that is never ``internal_error`` — and the connection stays up."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.server.conftest import RawSocket, register

from parley import protocol

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-3, max_value=3)
    | st.sampled_from([2**62, 2**62 + 1, 2**63, 2**64, -(2**63)])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.text(alphabet="0123456789-", max_size=25)
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def payloads(event: str, fuzz: Fuzz) -> st.SearchStrategy[Any]:
    """Arbitrary JSON, and objects that use the event's own field names (so they get past the first check),
    with values that sometimes name the user's real chat or a real user (so they reach the services)."""
    model = protocol.SOCKET_REQUESTS[event][0]
    names = list(model.model_fields) if model is not None else []
    real = st.sampled_from([fuzz.chat_id, str(fuzz.chat_id), fuzz.other, [fuzz.other], {str(fuzz.chat_id): 0}])
    values = real | json_values
    shaped = st.dictionaries(st.sampled_from([*names, "chat_id", "extra", "sender"]), values, max_size=6)
    return json_values | shaped


def assert_well_formed(event: str, payload: Any, reply: Any) -> None:
    assert isinstance(reply, dict), (event, payload, reply)
    if reply.get("ok") is True:
        assert "data" in reply
        return
    assert reply.get("ok") is False, (event, payload, reply)
    err = reply.get("error")
    assert isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str)
    assert err["code"] != "internal_error", (event, payload, reply)


class Fuzz:
    def __init__(self, raw: RawSocket, chat_id: int, other: str) -> None:
        self.raw, self.chat_id, self.other = raw, chat_id, other


@pytest.fixture
async def fuzz(server, sockets) -> Fuzz:
    """One connection per event; its user owns a group with one other member."""
    account, other = await register(server), await register(server)
    raw = await sockets(server, account.token)
    group = await raw.ok("create_group", {"title": "fuzz", "members": [other.username]})
    return Fuzz(raw, group["id"], other.username)


@pytest.mark.parametrize("event", list(protocol.SOCKET_REQUESTS))
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_payloads_never_crash_a_handler_or_drop_the_connection(
    fuzz: Fuzz, event: str, data: st.DataObject
) -> None:
    payload = data.draw(payloads(event, fuzz), label="payload")
    reply = await fuzz.raw.call(event, payload, wait=15)
    assert_well_formed(event, payload, reply)
    assert fuzz.raw.sio.connected and not fuzz.raw.disconnected.is_set()
