"""The benchmark tenant, seeded fast (bulk_create, search keys computed), reused
when present: 20,000 customers with contacts, 20,000 leads over 20 owners in
4 teams, 100,000 activities, Chinese names."""

from __future__ import annotations

import datetime as dt
import random
import time

from bench.common import say

TENANT_NAME = "商慧基准公司"
FLOW_TENANT_NAME = "商慧基准公司-流程"
PASSWORD = "Bench-pass-2026!"

N_CUSTOMERS = 20_000
N_LEADS = 20_000
N_ACTIVITIES = 100_000
N_OWNERS = 20
N_TEAMS = 4

CITIES = (
    "北京 上海 广州 深圳 杭州 南京 成都 重庆 武汉 西安 "
    "苏州 天津 长沙 郑州 青岛 厦门 宁波 合肥 济南 昆明"
).split()
BRANDS = (
    "华信 中科 同创 瑞丰 恒达 金桥 新源 博远 鼎盛 宏图 "
    "汇通 天成 永泰 嘉禾 盛世 联合 东方 长城 海纳 启明"
).split()
TRADES = "科技 贸易 电子 软件 机械 物流 医药 食品 建材 化工 纺织 能源 传媒 咨询 环保".split()
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "实业有限公司"]
SURNAMES = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗".split()
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平".split()
NEEDS = ["需要一套客户管理系统", "希望统一管理销售线索", "关注回款与合同审批", "想要移动端拜访记录"]
SUBJECTS = ["电话沟通需求", "上门拜访", "产品演示", "发送报价邮件", "商务洽谈"]
# A search that hits a realistic number of customers: 华信科技 by its initials.
SEARCH = "hxkj"
LEAD_STATUSES = [
    ("new", 40),
    ("contacted", 25),
    ("qualified", 15),
    ("converted", 5),
    ("disqualified", 10),
    ("pooled", 5),
]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def company_names(rng: random.Random, n: int) -> list[str]:
    combos = [c + b + t + s for c in CITIES for b in BRANDS for t in TRADES for s in SUFFIXES]
    rng.shuffle(combos)
    return combos[:n]


def find_tenant(name: str):
    from crm.core.models import Tenant

    return Tenant.objects.filter(name=name).order_by("id").first()


def seeded_ok(tenant) -> bool:
    from crm.activities.models import Activity
    from crm.customers.models import Contact, Customer, Lead

    return (
        Customer.objects.filter(tenant=tenant).count() == N_CUSTOMERS
        and Contact.objects.filter(tenant=tenant).count() >= N_CUSTOMERS
        and Lead.objects.filter(tenant=tenant).count() == N_LEADS
        and Activity.objects.filter(tenant=tenant).count() == N_ACTIVITIES
    )


def make_company(name: str, username: str):
    from crm.core import services

    return services.tenant_signup(
        company=name, username=username, password=PASSWORD, email=f"{username}@bench.cn"
    )


def make_owners(admin, n_owners: int, n_teams: int, prefix: str) -> list:
    """``n_teams`` teams, each led by a sales manager, the rest sales reps."""
    from crm.core import services
    from crm.core.models import Role

    roles = {r.name: r for r in Role.objects.filter(tenant=admin.tenant)}
    owners = []
    per_team = n_owners // n_teams
    rng = random.Random(7)
    for t in range(n_teams):
        team = services.team_create(tenant=admin.tenant, actor=admin, name=f"销售{t + 1}部")
        for i in range(per_team):
            role = roles["销售经理" if i == 0 else "销售代表"]
            user = services.user_create(
                tenant=admin.tenant,
                actor=admin,
                username=f"{prefix}{t}_{i}",
                password=PASSWORD,
                email=f"{prefix}{t}_{i}@bench.cn",
                full_name=person(rng),
                team=team,
                roles=[role],
            )
            if i == 0:
                services.team_update(team, tenant=admin.tenant, actor=admin, leader=user)
            owners.append(user)
    return owners


def seed() -> dict:
    """Seed (or reuse) the benchmark tenant; returns what the benchmarks need."""
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from crm.activities.models import Activity
    from crm.core.models import DictionaryItem
    from crm.core.search import build_search_key
    from crm.customers.models import Contact, Customer, Lead

    with scopes_disabled():
        tenant = find_tenant(TENANT_NAME)
        if tenant is not None and seeded_ok(tenant):
            say(f"seed: reusing tenant #{tenant.pk} ({TENANT_NAME})")
            return info(tenant)
        if tenant is not None:
            say("seed: an incomplete seed exists; remove it with `python -m bench.run --reseed`")
            raise SystemExit(2)

        started = time.monotonic()
        rng = random.Random(2026)
        admin = make_company(TENANT_NAME, "bench_admin")
        tenant = admin.tenant
        owners = make_owners(admin, N_OWNERS, N_TEAMS, "bench_rep")
        sources = list(DictionaryItem.objects.filter(tenant=tenant, kind="source"))
        industries = list(DictionaryItem.objects.filter(tenant=tenant, kind="industry"))
        levels = list(DictionaryItem.objects.filter(tenant=tenant, kind="level"))
        now = dt.datetime.now(dt.UTC)

        with transaction.atomic():
            customers = []
            for i, name in enumerate(company_names(rng, N_CUSTOMERS)):
                phone = f"+86139{i:08d}"
                customers.append(
                    Customer(
                        tenant=tenant,
                        name=name,
                        kind="company",
                        industry=rng.choice(industries) if industries else None,
                        level=rng.choice(levels) if levels else None,
                        source=rng.choice(sources) if sources else None,
                        region=name[:2],
                        owner=rng.choice(owners),
                        phone=phone,
                        address=f"{name[:2]}市{rng.randint(1, 999)}号",
                        search_key=build_search_key(name, phones=(phone,)),
                        created_by=admin,
                    )
                )
            Customer.objects.bulk_create(customers, batch_size=2000)
            contacts = []
            for i, customer in enumerate(customers):
                for j in range(1 + (i % 2)):
                    name = person(rng)
                    mobile = f"+86138{(i * 2 + j):08d}"
                    contacts.append(
                        Contact(
                            tenant=tenant,
                            customer=customer,
                            name=name,
                            mobile=mobile,
                            email=f"c{i}_{j}@kehu.cn",
                            title=rng.choice(["总经理", "采购经理", "IT主管", "财务"]),
                            search_key=build_search_key(name, phones=(mobile,)),
                        )
                    )
            Contact.objects.bulk_create(contacts, batch_size=2000)
            say(f"seed: {len(customers)} customers, {len(contacts)} contacts")

            statuses = [s for s, weight in LEAD_STATUSES for _ in range(weight)]
            leads = []
            for i, name in enumerate(company_names(random.Random(99), N_LEADS)):
                status = statuses[i % len(statuses)]
                owner = None if status == "pooled" else rng.choice(owners)
                contact_name = person(rng)
                mobile = f"+86137{i:08d}"
                leads.append(
                    Lead(
                        tenant=tenant,
                        company_name=name,
                        contact_name=contact_name,
                        mobile=mobile,
                        email=f"l{i}@xiansuo.cn",
                        source=rng.choice(sources) if sources else None,
                        need=rng.choice(NEEDS),
                        owner=owner,
                        status=status,
                        search_key=build_search_key(name, contact_name, phones=(mobile,)),
                        created_by=admin,
                    )
                )
            Lead.objects.bulk_create(leads, batch_size=2000)
            say(f"seed: {len(leads)} leads")

            kinds = ["call", "visit", "meeting", "email", "other"]
            activities = []
            for i in range(N_ACTIVITIES):
                occurred = now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                if i % 5 < 3:
                    lead = leads[rng.randrange(len(leads))]
                    target = {"lead": lead, "owner": lead.owner or admin}
                else:
                    customer = customers[rng.randrange(len(customers))]
                    target = {"customer": customer, "owner": customer.owner}
                activities.append(
                    Activity(
                        tenant=tenant,
                        kind=rng.choice(kinds),
                        subject=rng.choice(SUBJECTS),
                        note="跟进记录：客户对方案感兴趣，下周再联系。",
                        occurred_at=occurred,
                        **target,
                    )
                )
            Activity.objects.bulk_create(activities, batch_size=5000)
            say(f"seed: {len(activities)} activities")

            with connection.cursor() as cursor:
                # Spread creation over the past year; the activity counters match the rows.
                for table in ("customers_customer", "customers_lead"):
                    cursor.execute(
                        f"UPDATE {table} SET created_at = now() - (id %% 365) * interval '1 day'"
                        f" - (id %% 1440) * interval '1 minute', updated_at = now()"
                        f" WHERE tenant_id = %s",
                        [tenant.pk],
                    )
                cursor.execute(
                    """
                    UPDATE customers_lead l SET activity_count = a.n, last_activity_at = a.last
                    FROM (SELECT lead_id, count(*) n, max(occurred_at) last
                          FROM activities_activity WHERE tenant_id = %s AND lead_id IS NOT NULL
                          GROUP BY lead_id) a
                    WHERE l.id = a.lead_id
                    """,
                    [tenant.pk],
                )
                cursor.execute(
                    "UPDATE customers_lead SET owned_since = created_at "
                    "WHERE tenant_id = %s AND owner_id IS NOT NULL",
                    [tenant.pk],
                )
        # What autovacuum does to a settled table: statistics, and the visibility
        # map that lets a list's count(*) be an index-only scan.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        say(f"seed: done in {time.monotonic() - started:.1f}s")
        return info(tenant)


def info(tenant) -> dict:
    from crm.core.models import User
    from crm.customers.models import Lead

    admin = User.objects.filter(tenant=tenant, username="bench_admin").get()
    owners = list(User.objects.filter(tenant=tenant, username__startswith="bench_rep"))
    lead_ids = list(
        Lead.objects.filter(tenant=tenant, status="contacted").values_list("id", flat=True)[:200]
    )
    return {"tenant": tenant, "admin": admin, "owners": owners, "lead_ids": lead_ids}


def flow_tenant() -> dict:
    """A second company for the write benchmarks (transitions, reminders)."""
    from crm.core import services
    from crm.core.models import User

    tenant = find_tenant(FLOW_TENANT_NAME)
    if tenant is None:
        admin = make_company(FLOW_TENANT_NAME, "flow_admin")
        tenant = admin.tenant
        make_owners(admin, 8, 2, "flow_rep")
        services.tenant_settings_update(tenant=tenant, actor=admin, daily_claim_cap=10_000)
    admin = User.objects.get(tenant=tenant, username="flow_admin")
    owners = list(User.objects.filter(tenant=tenant, username__startswith="flow_rep"))
    return {"tenant": tenant, "admin": admin, "owners": owners}


def reseed() -> None:
    """Delete the benchmark tenants (raw SQL: fast) so the next run seeds again."""
    from django.db import connection

    from crm.core.models import Tenant

    ids = list(
        Tenant.objects.filter(name__in=[TENANT_NAME, FLOW_TENANT_NAME]).values_list("id", flat=True)
    )
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE column_name = 'tenant_id' AND table_schema = 'public'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET session_replication_role = replica")  # skip FK checks
        try:
            for table in ("core_apitoken", "core_usersession", "core_user_roles"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE user_id IN "
                    "(SELECT id FROM core_user WHERE tenant_id = ANY(%s))",
                    [ids],
                )
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = ANY(%s)', [ids])
            cursor.execute("DELETE FROM core_tenant WHERE id = ANY(%s)", [ids])
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    say(f"seed: removed tenants {ids}")
