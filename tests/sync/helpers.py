"""Helpers of the sync tests: a device that queues operations and keeps a replica."""

from __future__ import annotations

import uuid


def op(kind: str, collection: str, data: dict | None = None, **extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "op": kind,
        "collection": collection,
        "data": data or {},
        **extra,
    }


def push(api, operations: list[dict]) -> list[dict]:
    response = api.post("/api/v1/sync/push/", {"operations": operations}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["id"] for r in results] == [o.get("id") for o in operations]
    return results


def pull(api, cursor: str | None = None, limit: int | None = None) -> tuple[list[dict], str]:
    """Every change since ``cursor`` (all pages) and the last cursor."""
    changes: list[dict] = []
    for _page in range(1000):
        params = {}
        if cursor:
            params["cursor"] = cursor
        if limit:
            params["limit"] = limit
        response = api.get("/api/v1/sync/pull/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["more"]:
            return changes, cursor
    raise AssertionError("pull never ended")


class Device:
    """A client: a replica of the records it pulled, by collection and id."""

    def __init__(self, api) -> None:
        self.api = api
        self.cursor: str | None = None
        self.replica: dict[tuple[str, int], dict] = {}

    def sync(self, limit: int | None = None) -> list[dict]:
        changes, self.cursor = pull(self.api, self.cursor, limit)
        for change in changes:
            key = (change["collection"], change["record"]["id"])
            if change["deleted"]:
                self.replica.pop(key, None)
            else:
                self.replica[key] = change["record"]
        return changes

    def ids(self, collection: str) -> set[int]:
        return {pk for name, pk in self.replica if name == collection}
