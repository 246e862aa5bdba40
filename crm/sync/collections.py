"""The collections a device syncs: their REST names, models and who owns a row.

A collection is the REST collection of the same name (``/api/v1/<name>/``): a
pushed operation goes through that collection's viewset, a pulled record is its
list row. ``owner`` is the column holding the row's owner (the data scope's
``owner_field``); ``parent`` names the table and foreign key whose row's owner
owns this one (a contact belongs to its customer's owner).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Collection:
    name: str
    model_label: str
    owner: str = "owner_id"
    parent: tuple[str, str] | None = None  # (parent model label, foreign key column)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def parent_model(self):
        return apps.get_model(self.parent[0]) if self.parent else None

    def viewset(self):
        """The viewset registered for this collection on the API router."""
        from crm.api_router import router

        for prefix, viewset, _basename in router.registry:
            if prefix == self.name:
                return viewset
        raise LookupError(self.name)


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("customers", "customers.Customer"),
        Collection("contacts", "customers.Contact", parent=("customers.Customer", "customer_id")),
        Collection("leads", "customers.Lead"),
        Collection("activities", "activities.Activity"),
        Collection("follow-ups", "service.FollowUp"),
    )
}

#: Other spellings a client may send for a collection.
ALIASES = {"followups": "follow-ups", "follow_ups": "follow-ups"}


def get_collection(name: str) -> Collection | None:
    return COLLECTIONS.get(ALIASES.get(name, name))
