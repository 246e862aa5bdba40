"""The sales module's tenant settings (integers, served by /api/v1/settings/)."""

from django.utils.translation import gettext_lazy as _

from crm.core.tenant_settings import register

register(
    "opportunity_idle_days",
    14,
    (1, 365),
    _("days without activity before an opportunity's owner is reminded"),
)
register(
    "contract_approval_wait_hours",
    24,
    (1, 24 * 30),
    _("hours a contract may wait for approval before the approver is reminded"),
)
register(
    "contract_renewal_days",
    30,
    (1, 365),
    _("days before a contract's end date when the owner is reminded to renew"),
)
register(
    "installment_due_soon_days",
    3,
    (0, 60),
    _("days before an installment's due date when the owner is reminded"),
)

# Stage probabilities (percent), tenant-editable; won is 100 and lost 0.
PROBABILITY_KEYS = {
    "initial": "opportunity_probability_initial",
    "needs_defined": "opportunity_probability_needs_defined",
    "proposal": "opportunity_probability_proposal",
    "negotiation": "opportunity_probability_negotiation",
}
register(PROBABILITY_KEYS["initial"], 10, (0, 100), _("probability of the initial stage (%)"))
register(
    PROBABILITY_KEYS["needs_defined"], 25, (0, 100), _("probability of the needs-defined stage (%)")
)
register(PROBABILITY_KEYS["proposal"], 50, (0, 100), _("probability of the proposal stage (%)"))
register(
    PROBABILITY_KEYS["negotiation"], 75, (0, 100), _("probability of the negotiation stage (%)")
)


def stage_probability(tenant, stage: str) -> int:
    if stage == "won":
        return 100
    if stage == "lost":
        return 0
    return int(tenant.setting(PROBABILITY_KEYS[stage]))


def stage_probabilities(tenant) -> dict[str, int]:
    return {s: stage_probability(tenant, s) for s in (*PROBABILITY_KEYS, "won", "lost")}
