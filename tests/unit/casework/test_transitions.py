"""The casework transition tables: every (move, state, side) is either the table's transition or
a coded refusal — the wrong side first, then an illegal state."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.casework.enums import LetterMove, LetterStatus, TransferMove, TransferStatus
from xietong.casework.errors import CaseworkError, CaseworkErrorCode
from xietong.casework.transitions import (
    LEAD_MOVES,
    LETTER_MOVES,
    TRANSFER_MOVES,
    LeadMove,
    Side,
    check,
    check_lead,
)

SIDES = [Side.SENDER, Side.RECEIVER, None]


@given(
    st.sampled_from(list(TransferMove)),
    st.sampled_from(list(TransferStatus)),
    st.sampled_from(SIDES),
)
def test_transfer_moves(move: TransferMove, state: TransferStatus, side: Side | None) -> None:
    transition = TRANSFER_MOVES[move]
    if side is not transition.side:
        with pytest.raises(CaseworkError) as refused:
            check(TRANSFER_MOVES, move, state, side)
        assert refused.value.error_code is CaseworkErrorCode.NOT_YOUR_MOVE
    elif state not in transition.sources:
        with pytest.raises(CaseworkError) as refused:
            check(TRANSFER_MOVES, move, state, side)
        assert refused.value.error_code is CaseworkErrorCode.ILLEGAL_TRANSITION
    else:
        assert check(TRANSFER_MOVES, move, state, side).target == transition.target


@given(
    st.sampled_from(list(LetterMove)),
    st.sampled_from(list(LetterStatus)),
    st.sampled_from(SIDES),
)
def test_letter_moves(move: LetterMove, state: LetterStatus, side: Side | None) -> None:
    transition = LETTER_MOVES[move]
    if side is transition.side and state in transition.sources:
        assert check(LETTER_MOVES, move, state, side).target == transition.target
    else:
        with pytest.raises(CaseworkError):
            check(LETTER_MOVES, move, state, side)


def test_only_the_sender_closes_and_closed_is_final() -> None:
    assert TRANSFER_MOVES[TransferMove.CLOSE].side is Side.SENDER
    assert LETTER_MOVES[LetterMove.CLOSE].side is Side.SENDER
    assert all(TransferStatus.CLOSED not in t.sources for t in TRANSFER_MOVES.values())
    assert all(LetterStatus.CLOSED not in t.sources for t in LETTER_MOVES.values())
    # every state but the first is reached by exactly the moves that name it
    reached = {t.target for t in TRANSFER_MOVES.values()}
    assert reached == set(TransferStatus) - {TransferStatus.SENT}


def test_a_disposed_lead_moves_no_more() -> None:
    for move in LeadMove:
        with pytest.raises(CaseworkError):
            check_lead(move, "disposed")
    assert all("disposed" not in sources for sources in LEAD_MOVES.values())
