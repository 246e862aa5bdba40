"""Products and contract approval bands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.search import build_search_key
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.sales.models import (
    ApprovalBand,
    Product,
)
from crm.sales.money import money
from crm.sales.services._base import PRODUCT_FIELDS, _money_positive

# --- products ------------------------------------------------------------------


def _product_key(product: Product) -> str:
    return build_search_key(product.name, product.code)


def product_create(*, tenant, actor, **data: Any) -> Product:
    refuse_unknown(data, PRODUCT_FIELDS)
    _money_positive("price", data.get("price"), allow_zero=True)
    if Product.objects.filter(tenant=tenant, code=data.get("code", "")).exists():
        raise Invalid(fields={"code": [_("A product with this code exists.")]})

    def prepare(product: Product) -> None:
        product.price = money(product.price)
        product.search_key = _product_key(product)

    return audited_create(Product, tenant=tenant, actor=actor, fields=data, prepare=prepare)


def product_update(product: Product, *, tenant, actor, **data: Any) -> Product:
    refuse_unknown(data, PRODUCT_FIELDS)
    _money_positive("price", data.get("price"), allow_zero=True)
    if (
        "code" in data
        and Product.objects.filter(tenant=tenant, code=data["code"]).exclude(pk=product.pk).exists()
    ):
        raise Invalid(fields={"code": [_("A product with this code exists.")]})
    audited_update(product, tenant=tenant, actor=actor, fields=data, key_fn=_product_key)
    return product


def product_delete(product: Product, *, tenant, actor) -> None:
    """Products on quotes or contracts are protected (409): deactivate them instead."""
    audited_delete(product, tenant=tenant, actor=actor)


# --- approval bands ----------------------------------------------------------------


def _check_band(tenant, data: dict, band: ApprovalBand | None = None) -> None:
    limit = data.get("max_amount", band.max_amount if band else None)
    if limit is not None and limit <= 0:
        raise Invalid(fields={"max_amount": [_("Enter an amount greater than zero.")]})
    others = ApprovalBand.objects.filter(tenant=tenant, max_amount=limit)
    if band is not None:
        others = others.exclude(pk=band.pk)
    if others.exists():
        raise Invalid(fields={"max_amount": [_("A band with this limit exists.")]})


def approval_bands_seed(tenant) -> None:
    """Give a new company the default bands (registered as a sign-up seed in
    ``SalesConfig.ready``: runs inside the sign-up transaction, audited by it)."""
    from crm.sales.selectors import DEFAULT_BANDS

    ApprovalBand.objects.bulk_create(
        ApprovalBand(tenant=tenant, max_amount=limit, permission=code)
        for limit, code in DEFAULT_BANDS
    )


def approval_band_create(
    *, tenant, actor, permission: str, max_amount: Decimal | None = None
) -> ApprovalBand:
    data = {"max_amount": max_amount, "permission": permission}
    _check_band(tenant, data)
    return audited_create(ApprovalBand, tenant=tenant, actor=actor, fields=data)


def approval_band_update(band: ApprovalBand, *, tenant, actor, **data: Any) -> ApprovalBand:
    _check_band(tenant, data, band)
    audited_update(band, tenant=tenant, actor=actor, fields=data)
    return band


def approval_band_delete(band: ApprovalBand, *, tenant, actor) -> None:
    if ApprovalBand.objects.filter(tenant=tenant).count() <= 1:
        raise Invalid(fields={"non_field_errors": [_("Keep at least one approval band.")]})
    audited_delete(band, tenant=tenant, actor=actor)
