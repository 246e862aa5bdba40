"""Customer care (客户关怀): rules, contacts' lunar birthdays, and the care
occurrences the daily tick created (one per rule, person or customer and year)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel


class Occasion(models.TextChoices):
    BIRTHDAY = "birthday", _("contact birthday")
    ANNIVERSARY = "anniversary", _("customer anniversary")
    FESTIVAL = "festival", _("festival")


class Festival(models.TextChoices):
    """Festivals a care rule may be for: lunar ones first, then solar ones."""

    SPRING = "spring", _("Spring Festival (lunar 1/1)")
    LANTERN = "lantern", _("Lantern Festival (lunar 1/15)")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival (lunar 5/5)")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival (lunar 8/15)")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth Festival (lunar 9/9)")
    NEW_YEAR = "new_year", _("New Year's Day (1/1)")
    WOMENS_DAY = "womens_day", _("Women's Day (3/8)")
    LABOUR_DAY = "labour_day", _("Labour Day (5/1)")
    NATIONAL_DAY = "national_day", _("National Day (10/1)")


# (lunar?, month, day) of each festival.
FESTIVAL_DATES: dict[str, tuple[bool, int, int]] = {
    Festival.SPRING: (True, 1, 1),
    Festival.LANTERN: (True, 1, 15),
    Festival.DRAGON_BOAT: (True, 5, 5),
    Festival.MID_AUTUMN: (True, 8, 15),
    Festival.DOUBLE_NINTH: (True, 9, 9),
    Festival.NEW_YEAR: (False, 1, 1),
    Festival.WOMENS_DAY: (False, 3, 8),
    Festival.LABOUR_DAY: (False, 5, 1),
    Festival.NATIONAL_DAY: (False, 10, 1),
}


class CareRule(TenantModel):
    """When care follow-ups are created: the occasion, how many days before, and
    an optional greeting sent to the contact's mobile on the day (when an SMS
    channel is configured)."""

    name = models.CharField(_("name"), max_length=100)
    occasion = models.CharField(_("occasion"), max_length=12, choices=Occasion.choices)
    festival = models.CharField(_("festival"), max_length=15, choices=Festival.choices, blank=True)
    days_before = models.PositiveSmallIntegerField(
        _("days before"), default=3, validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    active = models.BooleanField(_("active"), default=True)
    greeting = models.TextField(_("greeting"), blank=True, max_length=500)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(days_before__lte=60), name="care_rule_days_before_range"
            ),
            models.CheckConstraint(
                condition=Q(occasion="festival", festival__gt="")
                | (~Q(occasion="festival") & Q(festival="")),
                name="care_rule_festival_iff_festival",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactLunarBirthday(TenantModel):
    """A contact's birthday on the lunar calendar (农历), incl. a leap month (闰月).

    When a contact has one, care uses it instead of the solar ``Contact.birthday``.
    """

    contact = models.OneToOneField(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="lunar_birthday",
    )
    month = models.PositiveSmallIntegerField(
        _("lunar month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("lunar day"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    leap = models.BooleanField(_("leap month"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lunar birthday")
        verbose_name_plural = _("lunar birthdays")
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=30),
                name="lunar_birthday_valid_month_day",
            )
        ]

    def __str__(self) -> str:
        from crm.care.lunar import label

        return label(self.month, self.day, self.leap)


class CareOccurrence(TenantModel):
    """One care occasion handled: the follow-up created for it (and the greeting
    queued). Unique per rule, subject (a contact or a customer) and year, so the
    tick creates it once however often it runs (``year`` is the lunar year for a
    lunar date: a lunar date can fall twice in one solar year)."""

    rule = models.ForeignKey(CareRule, on_delete=models.CASCADE, related_name="occurrences")
    subject = models.CharField(max_length=30)  # "contact:<id>" or "customer:<id>"
    year = models.PositiveSmallIntegerField()
    date = models.DateField(_("date"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    followup = models.ForeignKey(
        "service.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    greeting_queued = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care occurrence")
        verbose_name_plural = _("care occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject", "year"], name="care_occurrence_once_per_year"
            )
        ]
        indexes = [models.Index(fields=["tenant", "date"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject} {self.year}"
