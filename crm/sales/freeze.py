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

Services check first and raise the same error with a clearer message; the API
renders it as 409 ``frozen``; the admin shows frozen rows read-only.
"""

from __future__ import annotations

from django.db import models
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
        """Is the row as stored in the database frozen? (one small query)"""
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
            return parent._base_manager.filter(
                pk__in=[i for i in ids if i], status__in=parent.frozen_states
            ).exists()
        if self._state.adding or not self.pk:
            return False
        return type(self)._base_manager.filter(pk=self.pk, status__in=self.frozen_states).exists()

    @property
    def is_frozen(self) -> bool:
        """The in-memory view (for serializers and the admin): no query."""
        if self.frozen_parent:
            return (
                getattr(self, self.frozen_parent).status
                in type(getattr(self, self.frozen_parent)).frozen_states
            )
        return self.status in self.frozen_states


@receiver(post_transition)
def _mark_transition_save(sender, instance, **kwargs) -> None:
    if isinstance(instance, Freezable):
        instance.__dict__[_TRANSITION_SAVE] = True
