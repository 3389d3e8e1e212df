"""Rows as integrators and files send them: every bad field of every row, Chinese headers."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from xietong.trading.credit_code import compose
from xietong.trading.enums import ProjectCategory, TradingMethod
from xietong.trading.errors import TradingErrorCode as C
from xietong.trading.rows import MAX_BATCH, Kind, duplicates, header_map, parse_rows

TODAY = date(2026, 11, 26)
CODE = compose("9", "1", "410700", "MA47X9Y2").value


def bid(**changes: Any) -> dict[str, Any]:
    row = {
        "projectCode": "P-1",
        "bidderCreditCode": CODE,
        "bidderName": "河南建工有限公司",
        "price": "1,234,567.89",
        "submittedAt": "2026-03-20T09:00:00+08:00",
        "mac": "3c-7c-3f-0a-1b-2c",
        "ip": "10.1.2.3",
        "managerName": "张建国",
        "managerIdNumber": "11010519491231002x",
    }
    row.update(changes)
    return row


def test_a_good_row_is_typed() -> None:
    [row], problems = parse_rows(Kind.BIDS, [bid()], today=TODAY)
    assert problems == []
    assert row["price"] == 123456789
    assert row["mac"] == "3C:7C:3F:0A:1B:2C"
    assert row["bidderCreditCode"].value == CODE
    assert str(row["managerIdNumber"]) == "1101**********002X"  # never the number
    assert row["cpuSerial"] is None


def test_every_bad_field_of_every_row_is_named() -> None:
    rows = [
        bid(),
        bid(price="1.234", ip="999.1.1.1"),
        bid(bidderCreditCode=CODE[:17] + "0", submittedAt="2026-03-20 09:00"),
        bid(bidderName=" ", managerIdNumber="110105194912310021"),
    ]
    _, problems = parse_rows(Kind.BIDS, rows, today=TODAY)
    found = {(p.index, p.field, p.code) for p in problems}
    assert found == {
        (1, "price", C.INVALID_AMOUNT),
        (1, "ip", C.INVALID_VALUE),
        (2, "bidderCreditCode", C.INVALID_CREDIT_CODE),
        (2, "submittedAt", C.INVALID_VALUE),  # a time without its offset
        (3, "bidderName", C.REQUIRED),
        (3, "managerIdNumber", C.INVALID_PERSONAL_ID),
    }
    position = next(p.position for p in problems if p.code is C.INVALID_CREDIT_CODE)
    assert position == 18
    assert all("110105" not in p.message for p in problems)  # personal data stays out


def test_batches_hold_one_to_a_thousand_rows() -> None:
    for size in (0, MAX_BATCH + 1):
        _, problems = parse_rows(Kind.BIDS, [bid()] * size, today=TODAY)
        assert [p.code for p in problems] == [C.BATCH_TOO_LARGE]


def test_chinese_headers_and_values() -> None:
    headers = ["项目编号", "项目名称", "预算金额(元)", "交易方式", "项目类别", "颜色"]
    columns, unknown = header_map(Kind.PROJECTS, headers, today=TODAY)
    assert columns == {0: "projectCode", 1: "name", 2: "budget", 3: "method", 4: "category"}
    assert unknown == ["颜色"]
    [row], problems = parse_rows(
        Kind.PROJECTS,
        [
            {
                "sourceSystem": "S",
                "sourceId": "1",
                "projectCode": "P",
                "name": "新乡县第一中学宿舍楼",
                "category": "工程建设",
                "industry": "住建",
                "method": "公开招标",
                "tendererCreditCode": CODE,
                "tendererName": "T",
                "budget": "￥4,860,000",
                "classified": "是",
                "registeredAt": "2026-03-02T09:00:00+08:00",
            }
        ],
        today=TODAY,
    )
    assert problems == []
    assert row["category"] is ProjectCategory.CONSTRUCTION
    assert row["method"] is TradingMethod.OPEN_TENDER
    assert row["classified"] is True
    assert row["budget"] == 486_000_000


def test_an_impossible_approval_day_is_refused() -> None:
    _, problems = parse_rows(
        Kind.APPROVED,
        [
            {
                "approvalNumber": "A",
                "name": "N",
                "ownerName": "O",
                "investment": "1",
                "category": "other",
                "funding": "non_state",
                "approvedOn": "2026-13-01",
            }
        ],
        today=TODAY,
    )
    assert [(p.field, p.code) for p in problems] == [("approvedOn", C.INVALID_VALUE)]


@given(st.lists(st.integers(0, 5), max_size=30))
def test_duplicates_names_every_repeat_after_the_first(keys: list[int]) -> None:
    rows = [{"k": k} for k in keys]
    found = duplicates(rows, lambda r: r["k"], "k")
    assert len(found) == len(keys) - len(set(keys))
    assert all(keys[p.index] in keys[: p.index] for p in found)
