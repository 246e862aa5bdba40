"""The demo company's marketing data: stock moved through the documents, the
exhibition's cost and leads, a channel with its cost per lead."""

import pytest

from crm.marketing.models import AdPlacement, MarketingEvent, StockItem
from crm.marketing.selectors import event_figures
from crm.reports.selectors.marketing import channel_figures
from fixtures import demo
from tests.marketing.helpers import D


@pytest.mark.django_db
def test_demo_marketing():
    demo.load()
    event = MarketingEvent.objects.get(name="2026 上海工博会")
    figures = event_figures([event])[event.pk]
    # 8000 + 3500 expenses, 200 brochures x 2.50 and 15 cups x 30.00 net of the return
    assert figures["cost"] == D("12450.00") and figures["goods_cost"] == D("950.00")
    assert figures["leads"] == 3
    stock = dict(
        StockItem.objects.filter(tenant=event.tenant).values_list("code", "balance__quantity")
    )
    assert stock == {"P001": D(300), "G001": D(25), "G002": D(30)}
    (baidu,) = channel_figures(AdPlacement.objects.filter(tenant=event.tenant))
    assert baidu["cost"] == D("6000.00") and baidu["leads"] == 3
    assert baidu["cost_per_lead"] == D("2000.00")
