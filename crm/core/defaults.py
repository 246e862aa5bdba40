"""What a new company starts with: default roles and dictionary data.

Role and dictionary labels are data in the tenant's own language (Chinese by
default) and editable by the admin, so they are not translation strings.
"""

from __future__ import annotations

from crm.core.models import DataScope
from crm.core.permissions import (
    ADMIN,
    MARKETING,
    SALES_MANAGER,
    SALES_REP,
    SERVICE,
    registry,
)

ROLE_SCOPES = {
    ADMIN: DataScope.ALL,
    SALES_MANAGER: DataScope.TEAM,
    SALES_REP: DataScope.OWN,
    SERVICE: DataScope.ALL,
    MARKETING: DataScope.OWN,
}


def default_roles() -> list[dict]:
    """The roles of a new company; each app grants its codes in its permissions module."""
    return [
        {
            "name": name,
            "preset": name,  # the template it comes from, kept if the admin renames it
            "data_scope": scope,
            "permissions": registry.default_codes(name),
        }
        for name, scope in ROLE_SCOPES.items()
    ]


ADMIN_ROLE = ADMIN

DICTIONARY = {
    "industry": [
        ("manufacturing", "制造业"),
        ("it", "信息技术/互联网"),
        ("finance", "金融"),
        ("education", "教育"),
        ("healthcare", "医疗健康"),
        ("retail", "批发零售"),
        ("construction", "建筑/房地产"),
        ("services", "商务服务"),
        ("other", "其他"),
    ],
    "source": [
        ("website", "官网"),
        ("phone", "电话咨询"),
        ("exhibition", "展会"),
        ("referral", "客户转介绍"),
        ("advertising", "广告"),
        ("campaign", "市场活动"),
        ("other", "其他"),
    ],
    "level": [("a", "A 重点客户"), ("b", "B 普通客户"), ("c", "C 一般客户")],
    "loss_reason": [
        ("price", "价格过高"),
        ("competitor", "选择了竞争对手"),
        ("no_budget", "没有预算"),
        ("no_need", "需求取消"),
        ("other", "其他"),
    ],
    "disqualify_reason": [
        ("invalid_contact", "联系方式无效"),
        ("no_need", "没有需求"),
        ("duplicate", "重复线索"),
        ("other", "其他"),
    ],
}
