from __future__ import annotations

from enum import StrEnum


class NotificationKind(StrEnum):
    """What a notification says about an obligation."""

    WARNING = "warning"  # 时限已过八成: 80 % of the time has run
    LAST_DAY = "last_day"  # 仅剩一个工作日: one working day is left
    OVERDUE = "overdue"  # 已逾期: the legal due date has passed (to the owing department)
    ESCALATION = "escalation"  # 逾期督办: the office one level up hears of it
