"""satchel.names.canonical_name: PEP 503's rule, equal to packaging's canonicalize_name on any
text (hypothesis), and by example."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from satchel.names import canonical_name

NAMEISH = st.text(alphabet=st.sampled_from("aZz09-_.İß"), max_size=12) | st.text(max_size=12)


@settings(max_examples=500, deadline=None)
@given(NAMEISH)
def test_the_same_rule_as_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Django", "django"), ("oslo.concurrency", "oslo-concurrency"), ("Foo__Bar-.-baz", "foo-bar-baz"), ("a-", "a-")],
)
def test_examples(name: str, expected: str) -> None:
    assert canonical_name(name) == expected
