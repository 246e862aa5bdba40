"""The roles list and card in the browser: the 预置角色 (default role) column names the
default role each seeded role started as, also after the admin renamed it; a role the
admin creates shows none; the card shows it and the edit form does not offer it."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from crm.core import services as core_services
from crm.core.models import Role
from tests.conftest import make_company
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def _column(table, label: str):
    """The cells of the column headed ``label``, one per row (dict: first cell -> cell)."""
    headers = [t.strip() for t in table.locator(".el-table__header th").all_inner_texts()]
    assert label in headers, headers
    index = headers.index(label)
    cells = {}
    for row in table.locator(".el-table__body tr.el-table__row").all():
        texts = [t.strip() for t in row.locator("td").all_inner_texts()]
        cells[texts[0]] = texts[index]
    return cells


def test_default_roles_show_their_preset_and_an_admin_made_role_none(page, live_server, shot):
    admin = make_company()
    with scopes_disabled():
        defaults = Role.objects.filter(tenant=admin.tenant).exclude(preset="")
        seeded = dict(defaults.values_list("name", "preset"))
        # Renamed by the admin: the column still names the default role it came from.
        rep = Role.objects.get(tenant=admin.tenant, preset="销售代表")
        core_services.role_update(rep, tenant=admin.tenant, actor=admin, name="一线销售")
    assert len(seeded) == 6, seeded  # 管理员 销售经理 销售代表 客服 市场 库管
    seeded["一线销售"] = seeded.pop("销售代表")

    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/roles")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("一线销售")

    # The admin creates a role in the browser.
    page.get_by_test_id("create").click()
    form = page.get_by_test_id("form-roles")
    expect(form.get_by_test_id("item-name")).to_be_visible()
    expect(form.get_by_test_id("item-preset")).to_have_count(0)  # not offered on create
    form.get_by_test_id("field-name").fill("线索专员")
    form.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/roles/\d+$"))
    with scopes_disabled():
        made = Role.objects.get(tenant=admin.tenant, name="线索专员")
    assert made.preset == ""

    page.goto(f"{live_server.url}/roles")
    expect(table).to_contain_text("线索专员")
    expect(table.locator(".el-table__header")).to_contain_text("预置角色")
    presets = _column(table, "预置角色")
    assert presets == {**seeded, "线索专员": ""}, presets
    assert presets["一线销售"] == "销售代表"
    shot(page, "roles-preset-column")

    # The card of the renamed default role shows its preset; the edit form does not offer it.
    page.goto(f"{live_server.url}/roles/{rep.pk}")
    card = page.get_by_test_id("card-roles")
    expect(card.get_by_test_id("card-title")).to_have_text("一线销售")
    expect(card).to_contain_text("预置角色")
    expect(card.get_by_test_id("value-preset")).to_have_text("销售代表")
    card.get_by_test_id("card-edit").click()
    form = page.get_by_test_id("form-roles")
    expect(form.get_by_test_id("field-name")).to_have_value("一线销售")
    expect(form.get_by_test_id("item-preset")).to_have_count(0)
    expect(form.get_by_test_id("field-preset")).to_have_count(0)
    expect(form).not_to_contain_text("预置角色")
    form.get_by_test_id("field-name").fill("资深销售")
    form.get_by_test_id("form-save").click()
    expect(card.get_by_test_id("card-title")).to_have_text("资深销售")
    expect(card.get_by_test_id("value-preset")).to_have_text("销售代表")
    rep.refresh_from_db()
    assert (rep.name, rep.preset) == ("资深销售", "销售代表")

    # The admin's own role: an empty preset on its card.
    page.goto(f"{live_server.url}/roles/{made.pk}")
    expect(card.get_by_test_id("card-title")).to_have_text("线索专员")
    expect(card).to_contain_text("预置角色")
    expect(card.get_by_test_id("value-preset")).to_have_text("")


def test_the_column_reads_default_role_in_english(page, live_server):
    admin = make_company()
    core_services.user_update(admin, tenant=admin.tenant, actor=admin, language="en")
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/roles")
    table = page.get_by_test_id("browse-table")
    expect(table).to_contain_text("销售代表")
    presets = _column(table, "Default role")
    assert presets["销售代表"] == "销售代表"
    assert presets["管理员"] == "管理员"
