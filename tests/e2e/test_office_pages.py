"""The daily office in the browser, in Chinese (issue 13): the rep's morning on the
workbench (complete a task there), quick create of a customer with its contact and
lead in one form landing on the 360 card, the signed contract scan attached and
previewed, a task from the contract card in one click, an announcement read (and its
receipts), and the leader reviewing a submitted daily plan from the workbench."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.activities.models import Task, WorkPlan
from crm.activities.services.plans import plan_create
from crm.activities.services.tasks import task_create
from crm.core import services as core_services
from crm.customers.models import Contact, Customer, Lead
from crm.office.models import Announcement, AnnouncementRead, Attachment
from crm.office.services import announcement_create
from tests.conftest import make_company, make_user
from tests.e2e.helpers import login
from tests.e2e.test_activities_pages import wait_for
from tests.sales import factories as f
from workflows.engine import transition

pytestmark = pytest.mark.django_db(transaction=True)

# A 16 x 16 RGB PNG: the signed contract's "scan".
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000010000000100802000000909168360000001649444154789c63d0eb0e"
    "2709318c6a18d5307c3500007270101085e1ee270000000049454e44ae426082"
)


def _team(admin):
    leader = make_user(admin, "销售经理", name="王经理")
    team = core_services.team_create(
        tenant=admin.tenant, actor=admin, name="销售一部", leader=leader
    )
    core_services.user_update(leader, tenant=admin.tenant, actor=admin, team=team)
    leader.refresh_from_db()
    rep = make_user(admin, "销售代表", team=team, name="李销售")
    return leader, rep


def _logout(page):
    page.context.clear_cookies()


def test_complete_a_task_from_the_workbench(page, live_server, shot):
    admin = make_company()
    task = task_create(
        tenant=admin.tenant,
        actor=admin,
        title="给华东客户回电话",
        due_at=timezone.now() - dt.timedelta(hours=1),
    )
    login(page, live_server.url, admin.username)
    panel = page.get_by_test_id("workbench-tasks")
    expect(panel).to_contain_text("给华东客户回电话")
    expect(panel).to_contain_text("已逾期 1 项")
    shot(page, "80-workbench")
    panel.get_by_test_id(f"workbench-complete-{task.pk}").click()
    assert wait_for(lambda: Task.objects.get(pk=task.pk).status == "done")
    # The panel reloads without it.
    expect(panel).not_to_contain_text("给华东客户回电话")


def test_quick_create_customer_contact_and_lead_in_one_form(page, live_server, shot):
    admin = make_company()
    login(page, live_server.url, admin.username)
    page.get_by_test_id("workbench-quick-create").click()
    expect(page.get_by_test_id("quick-create-page")).to_be_visible()
    customer = page.get_by_test_id("qc-customer")
    contact = page.get_by_test_id("qc-contact")
    customer.get_by_test_id("field-name").fill("苏州云杉科技有限公司")
    contact.get_by_test_id("field-name").fill("周经理")
    contact.get_by_test_id("field-mobile").fill("13900139001")
    # A bad e-mail is refused under the contact's e-mail field, and nothing is written.
    contact.get_by_test_id("field-email").fill("不是邮箱")
    page.get_by_test_id("qc-save").click()
    error = page.get_by_test_id("item-contact-email").locator(".el-form-item__error")
    expect(error).to_be_visible()
    expect(page.get_by_test_id("item-customer-name").locator(".el-form-item__error")).to_have_count(
        0
    )
    assert not Customer.objects.filter(name="苏州云杉科技有限公司").exists()
    contact.get_by_test_id("field-email").fill("zhou@yunshan.cn")
    page.get_by_test_id("qc-lead").get_by_test_id("field-need").fill("50 人销售团队上 CRM")
    page.get_by_test_id("qc-save").click()

    # The new customer's card, with its 360 panel counting the contact and the lead.
    expect(page.get_by_test_id("card-customers")).to_be_visible()
    cust = wait_for(lambda: Customer.objects.filter(name="苏州云杉科技有限公司").first())
    assert page.url.endswith(f"/customers/{cust.pk}")
    overview = page.get_by_test_id("customer-overview")
    expect(overview.get_by_test_id("overview-count-contacts")).to_have_text("1")
    expect(overview.get_by_test_id("overview-count-leads")).to_have_text("1")
    expect(overview.get_by_test_id("overview-count-opportunities")).to_have_text("0")
    expect(overview.get_by_test_id("overview-leads")).to_contain_text("苏州云杉科技有限公司")
    lead = Lead.objects.get(customer=cust)
    assert lead.contact_name == "周经理" and lead.mobile.endswith("13900139001")
    assert Contact.objects.get(customer=cust).email == "zhou@yunshan.cn"
    shot(page, "81-customer-360")
    # A section's count opens the list filtered on the customer.
    overview.get_by_test_id("overview-link-leads").click()
    expect(page.get_by_test_id("browse-leads")).to_be_visible()
    assert f"customer={cust.pk}" in page.url
    expect(page.get_by_test_id("browse-leads").locator(".el-table__row")).to_have_count(1)

    # The same company again: refused naming the duplicate, then put on it.
    page.goto(f"{live_server.url}/customers/quick-create")
    page.get_by_test_id("qc-customer").get_by_test_id("field-name").fill("苏州云杉科技有限公司")
    page.get_by_test_id("qc-contact").get_by_test_id("field-name").fill("吴工")
    page.get_by_test_id("qc-save").click()
    duplicate = page.get_by_test_id("qc-duplicate")
    expect(duplicate).to_contain_text("苏州云杉科技有限公司")
    expect(page.get_by_test_id("qc-duplicate-link")).to_have_attribute(
        "href", f"/customers/{cust.pk}"
    )
    assert Customer.objects.filter(name="苏州云杉科技有限公司").count() == 1
    page.get_by_test_id("qc-link-to").click()
    expect(page.get_by_test_id("card-customers")).to_be_visible()
    expect(page.get_by_test_id("overview-count-contacts")).to_have_text("2")
    expect(page.get_by_test_id("overview-count-leads")).to_have_text("2")
    assert Customer.objects.filter(name="苏州云杉科技有限公司").count() == 1


def test_attach_the_signed_contract_scan_and_preview_it(
    page, live_server, shot, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = make_company()
    contract = f.contract(admin)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/contracts/{contract.pk}")
    panel = page.get_by_test_id("attachments-panel")
    expect(panel).to_be_visible()
    scan = tmp_path / "合同签字页.png"
    scan.write_bytes(PNG)
    panel.get_by_test_id("attachment-input").set_input_files(str(scan))
    preview = panel.get_by_test_id("attachment-preview")
    expect(preview).to_be_visible()
    expect(panel.get_by_test_id("attachment-download")).to_have_text("合同签字页.png")
    att = Attachment.objects.get(contract=contract)
    assert att.content_type == "image/png"
    # The thumbnail is the image itself, served to this user and decoded by the browser.
    image = preview.locator("img")
    expect(image).to_have_attribute("src", f"/api/v1/attachments/{att.pk}/preview/")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 16
    # A click opens the large preview.
    image.click()
    expect(page.locator(".el-image-viewer__wrapper")).to_be_visible()
    shot(page, "82-attachment-preview")
    page.keyboard.press("Escape")

    # A task about this contract in one click: the form comes preset with it.
    page.get_by_test_id("new-task").click()
    form = page.get_by_test_id("form-tasks")
    expect(form).to_be_visible()
    form.get_by_test_id("field-title").fill("催客户寄回合同原件")
    form.get_by_test_id("form-save").click()
    task = wait_for(lambda: Task.objects.filter(title="催客户寄回合同原件").first())
    assert task is not None and task.contract_id == contract.pk


def test_read_an_announcement_and_see_the_receipts(page, live_server, shot):
    admin = make_company()
    _leader, rep = _team(admin)
    note = announcement_create(
        tenant=admin.tenant,
        actor=admin,
        title="国庆假期值班安排",
        body="10 月 1 日至 7 日每天两人值班。",
        audience="all",
        pinned=True,
    )
    transition(model=Announcement, pk=note.pk, name="publish", tenant=admin.tenant, actor=admin)

    login(page, live_server.url, rep.username)
    pinned = page.get_by_test_id("workbench-announcements")
    expect(pinned).to_contain_text("国庆假期值班安排")
    pinned.get_by_role("link", name="国庆假期值班安排").click()
    expect(page.get_by_test_id("card-announcements")).to_be_visible()
    expect(page.get_by_test_id("value-body")).to_contain_text("每天两人值班")
    assert wait_for(lambda: AnnouncementRead.objects.filter(announcement=note, user=rep).exists())
    # The reader does not see who else has read it.
    expect(page.get_by_test_id("receipts-counts")).to_have_count(0)

    _logout(page)
    login(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/announcements/{note.pk}")
    counts = page.get_by_test_id("receipts-counts")
    expect(counts).to_be_visible()
    page.get_by_test_id("announcement-panel").get_by_text("已读 (", exact=False).click()
    expect(page.get_by_test_id("receipts-table")).to_contain_text("李销售")
    expect(page.get_by_test_id("receipts-table")).not_to_contain_text("王经理")
    shot(page, "83-announcement-receipts")


def test_the_leader_reviews_a_submitted_daily_plan(page, live_server, shot):
    admin = make_company()
    leader, rep = _team(admin)
    today = timezone.localdate()
    plan = plan_create(
        tenant=admin.tenant,
        actor=rep,
        kind="daily",
        period=today,
        items=[{"text": "拜访苏州云杉科技"}, {"text": "准备报价单"}],
    )
    transition(model=WorkPlan, pk=plan.pk, name="submit", tenant=admin.tenant, actor=rep)

    login(page, live_server.url, leader.username)
    approvals = page.get_by_test_id("workbench-approvals")
    expect(approvals).to_contain_text("李销售")
    approvals.get_by_role("link", name="李销售", exact=False).first.click()
    expect(page.get_by_test_id("card-plans")).to_be_visible()
    expect(page.get_by_test_id("panel-items")).to_contain_text("拜访苏州云杉科技")
    page.get_by_test_id("transition-review").click()
    dialog = page.get_by_test_id("transition-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("field-review_comment").fill("先把云杉的报价发出去")
    page.get_by_test_id("transition-confirm").click()
    assert wait_for(lambda: WorkPlan.objects.get(pk=plan.pk).status == "reviewed")
    plan.refresh_from_db()
    assert plan.reviewer_id == leader.pk and plan.review_comment == "先把云杉的报价发出去"
    expect(page.get_by_test_id("value-review_comment")).to_contain_text("先把云杉的报价发出去")
    shot(page, "84-plan-reviewed")


def test_the_leader_looks_at_the_team_calendar_and_one_member(page, live_server):
    from zoneinfo import ZoneInfo

    from crm.activities.services.events import event_create
    from tests.e2e.helpers import choose

    admin = make_company()
    leader, rep = _team(admin)
    other = make_user(admin, "销售代表", team=rep.team, name="赵销售")
    day = timezone.localdate() + dt.timedelta(days=2)
    sh = ZoneInfo("Asia/Shanghai")
    for owner, title, hour in ((rep, "李销售拜访客户", 10), (other, "赵销售产品演示", 14)):
        event_create(
            tenant=admin.tenant,
            actor=owner,
            title=title,
            start=dt.datetime.combine(day, dt.time(hour), tzinfo=sh),
            end=dt.datetime.combine(day, dt.time(hour + 1), tzinfo=sh),
        )
    login(page, live_server.url, leader.username)
    # The address opens a day (the workbench's events link does the same).
    page.goto(f"{live_server.url}/events/calendar?view=day&date={day.isoformat()}")
    calendar = page.get_by_test_id("calendar-page")
    expect(calendar).to_be_visible()
    expect(calendar).not_to_contain_text("李销售拜访客户")  # my own calendar: empty
    choose(page, "calendar-team", "销售一部")
    expect(calendar).to_contain_text("李销售拜访客户")
    expect(calendar).to_contain_text("赵销售产品演示")
    choose(page, "calendar-member", "李销售")
    expect(calendar).to_contain_text("李销售拜访客户")
    expect(calendar).not_to_contain_text("赵销售产品演示")
