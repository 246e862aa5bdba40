"""Sales targets (销售目标): an amount per user or team for a month, quarter or
year on one measure. Attainment is computed from the records (never stored):
``crm.targets.selectors``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.models import Team, TenantModel


class PeriodKind(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


class Measure(models.TextChoices):
    WON_AMOUNT = "won_amount", _("won amount")
    COLLECTED = "collected", _("collected (net of reversals)")
    NEW_CUSTOMERS = "new_customers", _("new customers")


class SalesTarget(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    period_kind = models.CharField(_("period kind"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    measure = models.CharField(_("measure"), max_length=15, choices=Measure.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        indexes = [models.Index(fields=["tenant", "period_kind", "period_start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True)
                | Q(user__isnull=True, team__isnull=False),
                name="sales_target_user_xor_team",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_target_amount_positive"),
            models.UniqueConstraint(
                fields=["tenant", "user", "period_kind", "period_start", "measure"],
                condition=Q(user__isnull=False),
                name="sales_target_unique_user_period_measure",
            ),
            models.UniqueConstraint(
                fields=["tenant", "team", "period_kind", "period_start", "measure"],
                condition=Q(team__isnull=False),
                name="sales_target_unique_team_period_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start} {self.measure} {self.amount}"
