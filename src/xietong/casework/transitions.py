"""The transition tables: for each move of a transfer or letter, the states it leaves from, the
state it reaches, and the side that makes it. A move not in the table is refused
(``ILLEGAL_TRANSITION``); a move by the wrong side is refused (``NOT_YOUR_MOVE``). A return
without written reasons is not a move at all: the service refuses it before the table is asked
(``REASON_REQUIRED``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xietong.casework.enums import (
    LeadStatus,
    LetterMove,
    LetterStatus,
    TransferMove,
    TransferStatus,
)
from xietong.casework.errors import CaseworkError
from xietong.casework.errors import CaseworkErrorCode as C


class Side(StrEnum):
    SENDER = "sender"  # 移送部门 / 发函部门
    RECEIVER = "receiver"  # 接受移送的部门 / 协助办理部门


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[str]
    target: str
    side: Side


T = TransferStatus
L = LetterStatus

TRANSFER_MOVES: dict[TransferMove, Transition] = {
    TransferMove.RECEIVE: Transition(frozenset({T.SENT}), T.RECEIVED, Side.RECEIVER),
    TransferMove.ACCEPT: Transition(frozenset({T.RECEIVED}), T.ACCEPTED, Side.RECEIVER),
    TransferMove.RETURN: Transition(frozenset({T.RECEIVED}), T.RETURNED, Side.RECEIVER),
    TransferMove.FORWARD: Transition(frozenset({T.RECEIVED}), T.FORWARDED, Side.RECEIVER),
    TransferMove.REPORT: Transition(frozenset({T.ACCEPTED}), T.REPORTED, Side.RECEIVER),
    TransferMove.CLOSE: Transition(
        frozenset({T.RETURNED, T.FORWARDED, T.REPORTED}), T.CLOSED, Side.SENDER
    ),
}
"""签收 → 受理 / 退回 / 转送 → 回告结果 → 办结 (ZENGDU 13-15). The sender closes: after a
return (it signs for the materials back), a forwarding (it was told where the case went), or
the result; closing ends the receiver's grant."""

LETTER_MOVES: dict[LetterMove, Transition] = {
    LetterMove.RECEIVE: Transition(frozenset({L.SENT}), L.RECEIVED, Side.RECEIVER),
    LetterMove.RETURN: Transition(frozenset({L.RECEIVED}), L.RETURNED, Side.RECEIVER),
    LetterMove.ANSWER: Transition(frozenset({L.RECEIVED}), L.ANSWERED, Side.RECEIVER),
    LetterMove.CLOSE: Transition(frozenset({L.RETURNED, L.ANSWERED}), L.CLOSED, Side.SENDER),
}
"""签收 → 退回 (超出职能, 5 working days, with reasons) / 复函 → 办结 (ZENGDU 16-17)."""


def check(
    table: dict[TransferMove, Transition] | dict[LetterMove, Transition],
    move: StrEnum,
    state: str,
    side: Side | None,
) -> Transition:
    """The transition, or the coded refusal: the wrong side first (so a third party learns
    nothing of the state), then an illegal move."""
    transition: Transition = table[move]  # type: ignore[index]
    if side is not transition.side:
        who = "移送（发函）部门" if transition.side is Side.SENDER else "接收（协助）部门"
        raise CaseworkError(C.NOT_YOUR_MOVE, f"该操作由{who}办理（the other side's move）")
    if state not in transition.sources:
        raise CaseworkError(
            C.ILLEGAL_TRANSITION,
            f"当前状态不允许该操作（move {move.value} not allowed from {state}）",
        )
    return transition


class LeadMove(StrEnum):
    TRANSFER = "transfer"  # 移交主管部门 (the office)
    VERIFY_JOINTLY = "verify_jointly"  # 组织联合核查 (the office)
    RECORD_FINDING = "record_finding"  # 提出核查意见 (a participant)
    DISPOSE = "dispose"  # 处置 (the office, or the competent department)


LEAD_MOVES: dict[LeadMove, frozenset[str]] = {
    LeadMove.TRANSFER: frozenset({LeadStatus.REGISTERED}),
    LeadMove.VERIFY_JOINTLY: frozenset({LeadStatus.REGISTERED, LeadStatus.TRANSFERRED}),
    LeadMove.RECORD_FINDING: frozenset({LeadStatus.VERIFYING}),
    LeadMove.DISPOSE: frozenset(
        {LeadStatus.REGISTERED, LeadStatus.TRANSFERRED, LeadStatus.VERIFYING}
    ),
}
"""The states each lead move leaves from: 登记 → 移交 → (联合核查 → 各方意见) → 处置."""


def check_lead(move: LeadMove, state: str) -> None:
    if state not in LEAD_MOVES[move]:
        raise CaseworkError(
            C.ILLEGAL_TRANSITION,
            f"当前状态不允许该操作（move {move.value} not allowed from {state}）",
        )
