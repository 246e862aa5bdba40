"""Money is Decimal with two places, ROUND_HALF_UP, never floats (property-based)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.sales.money import line_amount, money, total, weighted
from crm.sales.services import quote_totals
from tests.sales import factories as f
from workflows.contract import plan_matches_amount

cents = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)
quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
discounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
line = st.tuples(quantities, cents, discounts)


def test_half_up_not_bankers_rounding():
    assert money(Decimal("0.125")) == Decimal("0.13")
    assert money(Decimal("0.135")) == Decimal("0.14")
    assert money(Decimal("-0.125")) == Decimal("-0.13")
    assert line_amount(Decimal("1"), Decimal("10.05"), Decimal("50")) == Decimal("5.03")
    with pytest.raises(TypeError):
        money(0.1)


@given(line)
def test_a_line_is_exactly_rounded_once(spec):
    q, p, d = spec
    exact = q * p * (100 - d) / 100
    amount = line_amount(q, p, d)
    assert amount == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert amount.as_tuple().exponent == -2
    assert abs(amount - exact) <= Decimal("0.005")
    assert Decimal("0") <= amount <= money(q * p)


@given(st.lists(line, min_size=1, max_size=20))
def test_quote_total_is_the_sum_of_its_rounded_lines(specs):
    rows = [
        {"quantity": q, "unit_price": p, "discount_percent": d, "amount": line_amount(q, p, d)}
        for q, p, d in specs
    ]
    subtotal, grand = quote_totals(rows)
    assert grand == sum((r["amount"] for r in rows), Decimal("0"))
    assert subtotal == sum((money(r["quantity"] * r["unit_price"]) for r in rows), Decimal("0"))
    assert grand <= subtotal
    assert grand.as_tuple().exponent == -2 and subtotal.as_tuple().exponent == -2
    # Order of lines never changes the total.
    assert quote_totals(list(reversed(rows)))[1] == grand


@given(st.lists(cents, min_size=1, max_size=30))
def test_sums_are_exact_in_decimal(amounts):
    assert total(amounts) == sum(amounts, Decimal("0"))
    assert total(amounts) - total(amounts[:-1]) == amounts[-1]


@given(cents, st.integers(min_value=0, max_value=100))
def test_weighted_amount_never_exceeds_the_amount(amount, probability):
    value = weighted(amount, probability)
    assert Decimal("0") <= value <= amount
    assert value.as_tuple().exponent == -2


def plan_guard(parts, amount):
    """The submit guard on a contract stand-in whose plan holds ``parts``."""

    class Plan:
        def values_list(self, *args, **kwargs):
            return list(parts)

    class Stub:
        installments = Plan()

    Stub.amount = amount
    return plan_matches_amount(Stub, None)


@given(parts=st.lists(cents.filter(lambda x: x > 0), min_size=1, max_size=6), extra=cents)
def test_the_plan_guard_accepts_exact_sums_only(parts, extra):
    amount = sum(parts, Decimal("0"))
    assert plan_guard(parts, amount) is None
    if extra:
        assert plan_guard(parts, amount + extra) is not None
        assert plan_guard(parts, amount - extra) is not None


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=st.lists(line, min_size=1, max_size=5))
def test_stored_quote_totals_round_trip_exactly(rep, specs):
    opp = f.opportunity(rep)
    prod = f.product(rep, code=f"H{opp.pk}")
    q = f.quote(opp, rep, prod=prod, specs=specs)
    stored = type(q).objects.get(pk=q.pk)
    assert stored.total == sum((line_amount(*s) for s in specs), Decimal("0"))
    assert list(stored.lines.values_list("amount", flat=True)) == [line_amount(*s) for s in specs]
