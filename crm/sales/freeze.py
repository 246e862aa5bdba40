"""Confirmed means frozen, at the model layer.

A model mixing in ``Freezable`` names the states in which its stored row is
frozen (``frozen_states``), or, for a line, the parent whose stored state
decides (``frozen_parent``). ``save()`` and ``delete()`` then raise ``Frozen``
when the stored row (not the in-memory one) is frozen, with exactly two
exceptions:

* the save that follows a django-fsm transition (the engine's transition
  save): the ``post_transition`` signal marks the instance for one save;
* a save limited to the model's ``derived_fields`` (collected amounts written
  by ``crm.sales.services.collected_recompute``).

Inside a transaction the stored state is read under a row lock (the row, or
for a line its parent), so a save or delete racing a freezing transition waits
for it and then sees the frozen state, instead of reading the state before the
transition commits and writing over (or deleting) the confirmed row.

Services check first and raise the same error with a clearer message; the API
renders it as 409 ``frozen``; the admin shows frozen rows read-only.
"""

from __future__ import annotations

from django.db import models, transaction
from django.dispatch import receiver
from django_fsm.signals import post_transition

from crm.core.errors import Frozen

_TRANSITION_SAVE = "_freeze_transition_save"


class Freezable(models.Model):
    frozen_states: tuple[str, ...] = ()
    # For lines: the FK name of the parent whose stored state freezes the line.
    frozen_parent: str | None = None
    derived_fields: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        transition_save = self.__dict__.pop(_TRANSITION_SAVE, False)
        update_fields = kwargs.get("update_fields")
        derived_only = update_fields is not None and set(update_fields) <= self.derived_fields
        if not (transition_save or derived_only) and self.stored_frozen():
            raise Frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.stored_frozen():
            raise Frozen()
        return super().delete(*args, **kwargs)

    def stored_frozen(self) -> bool:
        """Is the row as stored in the database frozen? (one small query; under a row
        lock when called inside a transaction)"""
        locking = transaction.get_connection(self._state.db or "default").in_atomic_block
        if self.frozen_parent:
            field = self._meta.get_field(self.frozen_parent)
            parent_id = getattr(self, field.attname)
            ids = {parent_id}
            if not self._state.adding and self.pk:
                # A line moved away from a frozen parent is a change of that parent too.
                stored = (
                    type(self)
                    ._base_manager.filter(pk=self.pk)
                    .values_list(field.attname, flat=True)
                )
                ids.update(stored)
            parent = field.related_model
            parents = parent._base_manager.filter(pk__in=[i for i in ids if i])
            return _frozen(parents, parent.frozen_states, locking)
        if self._state.adding or not self.pk:
            return False
        return _frozen(type(self)._base_manager.filter(pk=self.pk), self.frozen_states, locking)

    @property
    def is_frozen(self) -> bool:
        """The in-memory view (for serializers and the admin): no query."""
        if self.frozen_parent:
            return (
                getattr(self, self.frozen_parent).status
                in type(getattr(self, self.frozen_parent)).frozen_states
            )
        return self.status in self.frozen_states


def _frozen(rows: models.QuerySet, frozen_states, locking: bool) -> bool:
    if locking:  # lock first, then read the state as committed by whoever held it
        return any(
            s in frozen_states for s in rows.select_for_update().values_list("status", flat=True)
        )
    return rows.filter(status__in=frozen_states).exists()


@receiver(post_transition)
def _mark_transition_save(sender, instance, **kwargs) -> None:
    if isinstance(instance, Freezable):
        instance.__dict__[_TRANSITION_SAVE] = True
