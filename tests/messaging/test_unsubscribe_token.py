"""Unsubscribe tokens: one link per address whenever it is made, old links still read."""

from __future__ import annotations

import time

from django.core import signing

from crm.messaging import unsubscribe


def test_the_same_address_gets_the_same_link_a_second_later():
    # A message's List-Unsubscribe header and its footer are built apart; with a
    # timestamp in the token they differed whenever a second ticked between them.
    first = unsubscribe.link(7, "email", "li@example.cn")
    time.sleep(1.1)
    assert unsubscribe.link(7, "email", "li@example.cn") == first
    assert unsubscribe.read(unsubscribe.token(7, "email", "li@example.cn")) == (
        7,
        "email",
        "li@example.cn",
    )


def test_links_sent_before_still_unsubscribe_and_altered_ones_do_not():
    sent_earlier = signing.dumps([7, "sms", "+8613800138000"], salt=unsubscribe.SALT, compress=True)
    assert unsubscribe.read(sent_earlier) == (7, "sms", "+8613800138000")
    current = unsubscribe.token(7, "sms", "+8613800138000")
    for altered in ("x" + current, current[:-1], sent_earlier[:-2], "", "no-colon"):
        assert unsubscribe.read(altered) is None
