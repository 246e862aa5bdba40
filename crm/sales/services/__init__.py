"""The write path for the sales pipeline (keyword-only, audited, in a transaction).

Drafts are edited here; confirmed documents (approved quotes, signed
contracts, confirmed payments) are refused with ``Frozen`` before anything is
written. States move only through ``workflows.engine.transition``; the work a
transition does inside its transaction (next quote version, reversal payment,
collected amounts) is done by functions of this package, re-exported here.
"""

from crm.sales.services._base import check_claimed
from crm.sales.services.catalog import (
    approval_band_create,
    approval_band_delete,
    approval_band_update,
    approval_bands_seed,
    product_create,
    product_delete,
    product_update,
)
from crm.sales.services.contracts import (
    collected_recompute,
    contract_create,
    contract_delete,
    contract_ensure_editable,
    contract_update,
    installments_cancel_reminders,
    installments_schedule_reminders,
    next_number,
    payment_create,
    payment_delete,
    payment_ensure_editable,
    payment_reversal_create,
    payment_update,
)
from crm.sales.services.opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_for_converted_lead,
    opportunity_update,
    requirement_create,
    requirement_delete,
    requirement_update,
    solution_create,
    solution_delete,
    solution_update,
)
from crm.sales.services.quotes import (
    quote_create,
    quote_delete,
    quote_ensure_editable,
    quote_next_version,
    quote_totals,
    quote_update,
)

__all__ = [
    "approval_band_create",
    "approval_band_delete",
    "approval_band_update",
    "approval_bands_seed",
    "check_claimed",
    "collected_recompute",
    "contract_create",
    "contract_delete",
    "contract_ensure_editable",
    "contract_update",
    "installments_cancel_reminders",
    "installments_schedule_reminders",
    "next_number",
    "opportunity_create",
    "opportunity_delete",
    "opportunity_for_converted_lead",
    "opportunity_update",
    "payment_create",
    "payment_delete",
    "payment_ensure_editable",
    "payment_reversal_create",
    "payment_update",
    "product_create",
    "product_delete",
    "product_update",
    "quote_create",
    "quote_delete",
    "quote_ensure_editable",
    "quote_next_version",
    "quote_totals",
    "quote_update",
    "requirement_create",
    "requirement_delete",
    "requirement_update",
    "solution_create",
    "solution_delete",
    "solution_update",
]
