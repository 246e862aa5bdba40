"""What a new company gets from the marketing module (a sign-up seed): the stock
categories, the advertising channels and the 库管 stock keeper role.

Labels are data in the tenant's language (editable by its admin), not
translation strings, like core's defaults.
"""

from __future__ import annotations

from crm.core.models import DataScope, DictionaryItem, Role
from crm.core.permissions import registry
from crm.marketing.permissions import STOCK_KEEPER

DICTIONARY = {
    "stock_category": [("gift", "礼品"), ("printed", "印刷品"), ("other", "其他")],
    "ad_channel": [
        ("baidu", "百度"),
        ("wechat", "微信"),
        ("douyin", "抖音"),
        ("exhibition", "展会"),
        ("print", "印刷媒体"),
        ("other", "其他"),
    ],
}


def marketing_seed(tenant) -> None:
    DictionaryItem.objects.bulk_create(
        (
            DictionaryItem(tenant=tenant, kind=kind, code=code, label=label, order=i)
            for kind, items in DICTIONARY.items()
            for i, (code, label) in enumerate(items)
        ),
        ignore_conflicts=True,
    )
    if not Role.objects.filter(tenant=tenant, name=STOCK_KEEPER).exists():
        Role.objects.create(
            tenant=tenant,
            name=STOCK_KEEPER,
            preset=STOCK_KEEPER,  # new codes granted to 库管 reach it (core.sync_permissions)
            data_scope=DataScope.ALL,
            permissions=registry.default_codes(STOCK_KEEPER),
        )
