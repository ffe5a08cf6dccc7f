"""Username rules hold for every way an account is made, not only the HTTP route's validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley import errors
from parley.server.services.accounts import check_username


@pytest.mark.parametrize("name", ["abc\n", "abc\r\n", "\nabc", "ab", "a" * 33, "al ice", "ålice", "bob!", ""])
def test_bad_usernames_are_refused(name):
    with pytest.raises(errors.ValidationFailed) as info:
        check_username(name)
    assert info.value.code == "invalid_username"


@given(st.from_regex(r"\A[A-Za-z0-9_.\-]{3,32}\Z"))
def test_every_name_of_the_allowed_alphabet_and_length_is_accepted(name):
    check_username(name)


@given(st.text(max_size=40))
def test_acceptance_matches_the_rule_exactly(name):
    allowed = 3 <= len(name) <= 32 and all(c.isascii() and (c.isalnum() or c in "_.-") for c in name)
    try:
        check_username(name)
    except errors.ValidationFailed:
        assert not allowed
    else:
        assert allowed
