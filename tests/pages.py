"""Reading a whole list through its pages, as a client does: each page's next_cursor until there is none."""

from __future__ import annotations

from typing import Any

import httpx


async def every_item(client: httpx.AsyncClient, url: str, headers: dict[str, str],
                     limit: int = 200) -> list[dict[str, Any]]:
    """Every item of the list at ``url`` (which may carry its filters), ``limit`` per page."""
    items: list[dict[str, Any]] = []
    first = httpx.URL(url).copy_merge_params({"limit": limit})
    page_url = first
    while True:
        response = await client.get(page_url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}, page
        items += page["items"]
        if not page["next_cursor"]:
            return items
        page_url = first.copy_merge_params({"cursor": page["next_cursor"]})
