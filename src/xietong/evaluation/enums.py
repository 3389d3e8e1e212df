from __future__ import annotations

from enum import StrEnum


class SessionState(StrEnum):
    """Where an evaluation session stands."""

    SCHEDULED = "scheduled"  # 已安排: sealed, neither side knows the other
    STARTED = "started"  # 评标中: the host holds its grant
    PAUSED = "paused"  # 暂停 (a fault)
    FINISHED = "finished"  # 评标结束: the follow-up window runs
    ABORTED = "aborted"  # 终止 (a fault not fixed in time: records sealed, re-evaluation)


class SiteRole(StrEnum):
    """主场 or 副场."""

    HOME = "home"  # 主场: the project's jurisdiction, primary
    HOST = "host"  # 副场 (评标客场): another jurisdiction, secondary


class InvestigationState(StrEnum):
    """An investigation of expert conduct."""

    OPEN = "open"  # 调查中
    ENDED = "ended"  # 调查处理结束
    COPIED = "copied"  # 已抄送客场


class ConductKind(StrEnum):
    """An expert conduct event recorded by a site's staff (each becomes a lead at the home)."""

    LATE = "late"  # 迟到
    ABSENT = "absent"  # 缺席
    PHONE = "phone"  # 使用通讯工具
    CANVASSING = "canvassing"  # 私下接触、拉票或倾向性引导
    LEFT_SEAT = "left_seat"  # 擅自离开评标席位
    OTHER = "other"  # 其他违反评标纪律的行为


CONDUCT_NAMES = {
    ConductKind.LATE: "迟到",
    ConductKind.ABSENT: "缺席",
    ConductKind.PHONE: "使用通讯工具",
    ConductKind.CANVASSING: "私下接触、拉票或倾向性引导",
    ConductKind.LEFT_SEAT: "擅自离开评标席位",
    ConductKind.OTHER: "其他违反评标纪律的行为",
}


class AttendanceKind(StrEnum):
    """An expert's attendance at a seat, recorded by the site's staff (签到、签退、缺席)."""

    ARRIVED = "arrived"  # 到场签到
    DEPARTED = "departed"  # 离场签退
    ABSENT = "absent"  # 缺席
