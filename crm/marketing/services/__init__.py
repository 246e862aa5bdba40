"""The write path of the marketing module (keyword-only, audited, in a transaction).

Stock moves only in ``stock`` (called by the transitions); drafts are edited in
``documents``; events and placements in ``events``.
"""

from crm.marketing.services.documents import (
    ADJUSTMENT,
    RECEIPT,
    REQUISITION,
    RETURN,
    adjustment_create,
    adjustment_update,
    document_delete,
    ensure_draft,
    receipt_create,
    receipt_update,
    requisition_create,
    requisition_update,
    return_create,
    return_update,
    stock_item_create,
    stock_item_delete,
    stock_item_update,
)
from crm.marketing.services.events import (
    ad_placement_create,
    ad_placement_delete,
    ad_placement_update,
    marketing_event_create,
    marketing_event_delete,
    marketing_event_update,
)
from crm.marketing.services.seed import marketing_seed

__all__ = [
    "ADJUSTMENT",
    "RECEIPT",
    "REQUISITION",
    "RETURN",
    "ad_placement_create",
    "ad_placement_delete",
    "ad_placement_update",
    "adjustment_create",
    "adjustment_update",
    "document_delete",
    "ensure_draft",
    "marketing_event_create",
    "marketing_event_delete",
    "marketing_event_update",
    "marketing_seed",
    "receipt_create",
    "receipt_update",
    "requisition_create",
    "requisition_update",
    "return_create",
    "return_update",
    "stock_item_create",
    "stock_item_delete",
    "stock_item_update",
]
