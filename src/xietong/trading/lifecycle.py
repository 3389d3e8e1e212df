"""A project's lifecycle as one explicit transition table (state, action → next state, who may).

The table is the rule and its documentation (``docs/trading.md`` prints it): nothing here decides
a move with if/elif. Suspension remembers where the project was and ``resume`` returns there.
Every move is dated (China time) and kept, so the project archive's timeline is the list of moves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from xietong.access.roles import Role
from xietong.deadlines.clock import china_time
from xietong.trading.enums import ProjectAction, ProjectState
from xietong.trading.errors import TradingError, TradingErrorCode

A = ProjectAction
S = ProjectState

TRADING = frozenset({Role.TRADING_CENTRE, Role.INTEGRATOR})
"""The trading centre, directly or through its trading system's API key, records trading steps."""
PERFORMANCE = TRADING | {Role.INDUSTRY_SUPERVISOR}
"""Contract and performance are also reported by the industry department (R-4)."""
SUSPENSION = TRADING | {Role.INDUSTRY_SUPERVISOR}
"""The supervising department orders a suspension; the centre records one it was told of."""

SUSPENDABLE = frozenset({S.ANNOUNCED, S.BIDDING, S.EVALUATING, S.AWARDED})
TERMINAL = frozenset({S.CLOSED, S.FAILED, S.CANCELLED})


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table."""

    source: ProjectState
    action: ProjectAction
    target: ProjectState | None
    """``None``: back to the state the project was suspended from."""
    roles: frozenset[Role]
    clock: str | None = None
    """The statutory clock this move starts, stops or pauses (the deadline engine reads it)."""
    basis: str = ""


_SUSPEND_BASIS = (
    "招标投标法实施条例第五十四条、第六十二条；政府采购质疑和投诉办法（财政部令第94号）第二十八条"
)
_CANCEL_BASIS = "招标投标法实施条例第三十一条（终止招标）；政府采购法第三十六条"

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.REGISTERED, A.ANNOUNCE, S.ANNOUNCED, TRADING, basis="招标投标法第十六条"),
    Transition(S.ANNOUNCED, A.OPEN_BIDDING, S.BIDDING, TRADING),
    Transition(S.BIDDING, A.OPEN_BIDS, S.EVALUATING, TRADING, basis="招标投标法第三十四条"),
    Transition(
        S.EVALUATING,
        A.AWARD,
        S.AWARDED,
        TRADING,
        clock="starts: sign the contract within 30 days of the award notice",
        basis="招标投标法第四十五条、第四十六条；政府采购法第四十六条",
    ),
    Transition(
        S.AWARDED,
        A.SIGN_CONTRACT,
        S.CONTRACTED,
        PERFORMANCE,
        clock="stops: sign the contract within 30 days of the award notice",
        basis="招标投标法第四十六条；政府采购法第四十六条",
    ),
    Transition(S.CONTRACTED, A.START_PERFORMANCE, S.PERFORMING, PERFORMANCE, basis="R-4"),
    Transition(S.PERFORMING, A.CLOSE, S.CLOSED, PERFORMANCE, basis="R-4（履约验收、项目归档）"),
    *(
        Transition(
            state,
            A.SUSPEND,
            S.SUSPENDED,
            SUSPENSION,
            clock="pauses: the project's running clocks",
            basis=_SUSPEND_BASIS,
        )
        for state in (S.ANNOUNCED, S.BIDDING, S.EVALUATING, S.AWARDED)
    ),
    Transition(
        S.SUSPENDED,
        A.RESUME,
        None,
        SUSPENSION,
        clock="resumes: the clocks paused by the suspension",
        basis=_SUSPEND_BASIS,
    ),
    Transition(
        S.BIDDING, A.FAIL, S.FAILED, TRADING, basis="招标投标法实施条例第四十四条（投标人少于3个）"
    ),
    Transition(
        S.EVALUATING,
        A.FAIL,
        S.FAILED,
        TRADING,
        basis="招标投标法第四十二条（否决所有投标）；政府采购法第三十六条（废标）",
    ),
    *(
        Transition(state, A.CANCEL, S.CANCELLED, TRADING, basis=_CANCEL_BASIS)
        for state in (S.REGISTERED, S.ANNOUNCED, S.BIDDING, S.EVALUATING, S.SUSPENDED)
    ),
)

TABLE: dict[tuple[ProjectState, ProjectAction], Transition] = {
    (t.source, t.action): t for t in TRANSITIONS
}
if len(TABLE) != len(TRANSITIONS):  # pragma: no cover - a duplicated row is a programming error
    raise AssertionError("the lifecycle table has a repeated (state, action) row")
assert set(SUSPENDABLE) == {t.source for t in TRANSITIONS if t.action is A.SUSPEND}

REGISTRATION_ROLES = TRADING
"""Who may register a project (the move that starts every lifecycle)."""


@dataclass(frozen=True, slots=True)
class Move:
    """One dated step in a project's life."""

    action: ProjectAction
    source: ProjectState | None
    """``None`` for the registration that starts the lifecycle."""
    target: ProjectState
    at: datetime
    """China time (Asia/Shanghai)."""
    by: Role
    note: str | None = None

    @property
    def on(self) -> date:
        """The China date of the move."""
        return self.at.date()


def _refuse_role(action: ProjectAction, by: Role, roles: frozenset[Role]) -> TradingError:
    may = "、".join(sorted(r.value for r in roles))
    return TradingError(
        TradingErrorCode.FORBIDDEN,
        f"角色 {by.value} 不能对项目执行“{action.zh}”，可执行的角色：{may}"
        f"（role {by.value} may not {action.value} a project）",
        action=action.value,
    )


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Where a project stands and how it got there."""

    state: ProjectState
    suspended_from: ProjectState | None
    moves: tuple[Move, ...]

    @classmethod
    def register(cls, *, at: datetime, by: Role, note: str | None = None) -> Lifecycle:
        if by not in REGISTRATION_ROLES:
            raise _refuse_role(A.REGISTER, by, REGISTRATION_ROLES)
        move = Move(A.REGISTER, None, S.REGISTERED, china_time(at), by, note)
        return cls(S.REGISTERED, None, (move,))

    @classmethod
    def replay(cls, steps: Iterable[tuple[ProjectAction, datetime, Role]]) -> Lifecycle:
        """Rebuild a lifecycle from stored ``(action, at, by)`` steps, registration first."""
        iterator = iter(steps)
        first = next(iterator, None)
        if first is None or first[0] is not A.REGISTER:
            raise TradingError(
                TradingErrorCode.ILLEGAL_TRANSITION,
                "项目生命周期须以“登记”开始（a lifecycle starts with register）",
                action=None if first is None else first[0].value,
            )
        lifecycle = cls.register(at=first[1], by=first[2])
        for action, at, by in iterator:
            lifecycle = lifecycle.apply(action, at=at, by=by)
        return lifecycle

    def allowed_actions(self) -> tuple[ProjectAction, ...]:
        return tuple(t.action for t in TRANSITIONS if t.source is self.state)

    def apply(
        self, action: ProjectAction, *, at: datetime, by: Role, note: str | None = None
    ) -> Lifecycle:
        """The lifecycle after ``action`` at ``at`` by a holder of ``by``; or ``TradingError``
        ``ILLEGAL_TRANSITION`` (state does not allow it), ``FORBIDDEN`` (not this role's move),
        ``MOVE_OUT_OF_ORDER`` (dated before the previous move); a time without a zone is refused
        by ``deadlines.clock.china_time`` (``NAIVE_INSTANT``)."""
        transition = TABLE.get((self.state, action))
        if transition is None:
            allowed = "、".join(a.zh for a in self.allowed_actions()) or "无（已结束）"
            raise TradingError(
                TradingErrorCode.ILLEGAL_TRANSITION,
                f"项目处于“{self.state.zh}”状态，不能“{action.zh}”；此时可以：{allowed}"
                f"（illegal transition: {action.value} in state {self.state.value}）",
                state=self.state.value,
                action=action.value,
                allowed=[a.value for a in self.allowed_actions()],
            )
        if by not in transition.roles:
            raise _refuse_role(action, by, transition.roles)
        when = china_time(at)
        previous = self.moves[-1].at
        if when < previous:
            raise TradingError(
                TradingErrorCode.MOVE_OUT_OF_ORDER,
                f"“{action.zh}”的时间早于上一步（{previous:%Y-%m-%d %H:%M}）"
                f"（a move cannot be dated before the previous one）",
                field="at",
            )
        if transition.target is None:
            assert self.suspended_from is not None  # only SUSPENDED has a return row
            target, suspended_from = self.suspended_from, None
        elif transition.target is S.SUSPENDED:
            target, suspended_from = S.SUSPENDED, self.state
        else:
            target, suspended_from = transition.target, None
        move = Move(action, self.state, target, when, by, note)
        return replace(self, state=target, suspended_from=suspended_from, moves=(*self.moves, move))

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL
