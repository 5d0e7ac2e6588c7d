"""Driving a navigator conversation through its pages: the signed state travels in the page."""

from __future__ import annotations

import re

STATE = re.compile(r'name="state" value="([^"]+)"')


def state(html: str) -> str:
    """The signed conversation state carried by a navigator page."""
    return STATE.search(html).group(1)


def turn(client, html: str, url: str = "/navi/", **data) -> str:
    """Post the next turn of the conversation shown in ``html`` to ``url``; the next page's HTML."""
    response = client.post(url, {"state": state(html), **data})
    assert response.status_code == 200
    return response.content.decode()
