"""Unified social credit codes (GB 32100): real published codes, and every single change to them.

Each code below was read from a public document naming its holder (listed beside it); both its
check characters are verified by our validator and the position-18 one also by python-stdnum.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from xietong.trading import credit_code
from xietong.trading.credit_code import ALPHABET, AUTHORITIES
from xietong.trading.enums import EntityKind
from xietong.trading.errors import TradingError, TradingErrorCode

REAL_CODES: dict[str, str] = {
    # enterprises (9-1)
    "914403001922038216": "华为技术有限公司 (Wikipedia infobox, 机构代码)",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司 (business-licence report: USCC = TIN)",
    "9144030071526726XG": "腾讯科技（深圳）有限公司 (e-signature account registration data)",
    "91110108551385082Q": "小米科技有限责任公司 (invoice and taxpayer records)",
    "91140106713678575D": "山西晋韵古建筑有限公司 (supplier on a 晋中市 procurement contract)",
    "91310115MA1K427762": "享道出行（上海）科技股份有限公司 (seller on an e-invoice)",
    "91330108MA27Y5XH5G": "杭州趣链科技有限公司 (buyer on a railway e-invoice)",
    "911100006000650192": "北京吉野家快餐有限公司 (seller on an e-invoice)",
    "915300007194052520": "云南溯源科技有限公司 (buyer on a railway e-invoice)",
    # public institutions (1-2)
    "12100000400000624D": "清华大学 (invoice title the university publishes)",
    "12100000470095016Q": "浙江大学 (payee in the university's disposal tender notice)",
    "12100000425006117P": "复旦大学 (buyer on a railway e-invoice)",
    "12310000425022547M": "上海工程技术大学 (invoice title the university publishes)",
    # government bodies (1-1)
    "11140800558745220K": "晋中市文化和旅游局 (purchaser on a procurement contract)",
    "11410182005291054B": "荥阳市司法局 (party in judgment （2019）豫01行终492号)",
    # social organisation (5-1)
    "51310110501144395U": "社会团体 registered by 上海市杨浦区民政局 (visit record)",
}


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass_both_checks(code: str) -> None:
    parsed = credit_code.parse(code)
    assert parsed.value == code
    assert credit_code.organisation_check_char(code[8:16]) == code[16]
    assert credit_code.check_char(code[:17]) == code[17]
    assert stdnum_uscc.is_valid(code)  # an independent implementation agrees on position 18


def test_real_codes_cover_the_interesting_cases() -> None:
    codes = list(REAL_CODES)
    assert {c[:2] for c in codes} >= {"91", "12", "11", "51"}
    assert any(c[16] == "X" for c in codes)  # organisation check 10 → X
    assert any(c[17].isalpha() for c in codes)
    assert any(c[17] == "0" for c in codes)
    assert any(c[8:10] == "MA" for c in codes)  # post-2015 codes with letters in the body


@pytest.mark.parametrize(
    ("code", "kind", "type_name"),
    [
        ("914403001922038216", EntityKind.ENTERPRISE, "企业"),
        ("12100000400000624D", EntityKind.PUBLIC_INSTITUTION, "事业单位"),
        ("51310110501144395U", EntityKind.SOCIAL_ORGANISATION, "社会团体"),
        ("11410182005291054B", EntityKind.OTHER, "机关"),
    ],
)
def test_parts_of_a_code(code: str, kind: EntityKind, type_name: str) -> None:
    parsed = credit_code.parse(code)
    assert parsed.entity_kind is kind
    assert parsed.organisation_type == type_name
    assert parsed.division == code[2:8]
    assert parsed.organisation_code == f"{code[8:16]}-{code[16]}"
    assert str(parsed) == code


def _position_of_failure(candidate: str) -> int:
    with pytest.raises(TradingError) as caught:
        credit_code.parse(candidate)
    error = caught.value
    assert error.code == TradingErrorCode.INVALID_CREDIT_CODE
    assert error.field == "creditCode"
    position = error.extensions["position"]
    assert isinstance(position, int)
    assert 1 <= position <= 19
    assert f"第{position}位" in error.message or "18位" in error.message
    assert "（" in error.message  # bilingual: Chinese, then English in parentheses
    return position


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_substitution_fails_naming_a_position(code: str) -> None:
    """All 30 other alphabet characters at each of the 18 positions: 540 changes per code."""
    failures = 0
    for index in range(len(code)):
        for char in ALPHABET:
            if char == code[index]:
                continue
            changed = code[:index] + char + code[index + 1 :]
            position = _position_of_failure(changed)
            # Caught where the change is; at the type (2) a new authority (1) does not have; at
            # the start of the division code it broke (3–8: no such province, or a national
            # 100000 changed); or by a check character at or after it (17 for 9–17, 18 for any).
            assert (
                position == index + 1
                or (position == 2 and index + 1 == 1)
                or (position == 3 and 3 <= index + 1 <= 8)
                or (position in (17, 18) and position >= index + 1)
            )
            failures += 1
    assert failures == 18 * 30


def test_the_mod_31_check_alone_catches_every_single_substitution() -> None:
    """Why the test above cannot pass by luck: 31 is prime and no weight is 0 mod 31."""
    for code in REAL_CODES:
        for index in range(17):
            for char in ALPHABET:
                if char != code[index]:
                    changed = code[:index] + char + code[index + 1 : 17]
                    assert credit_code.check_char(changed) != code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_characters_outside_the_alphabet_are_named(code: str) -> None:
    for index in range(len(code)):
        for char in "IOZSV-* ":
            changed = code[:index] + char + code[index + 1 :]
            if changed.strip() != changed:
                continue  # a blank at either end is stripped, leaving a short code
            assert _position_of_failure(changed) == index + 1


@pytest.mark.parametrize("code", REAL_CODES)
def test_transpositions_deletions_and_insertions_fail(code: str) -> None:
    for index in range(len(code) - 1):
        a, b = code[index], code[index + 1]
        if a != b:
            _position_of_failure(code[:index] + b + a + code[index + 2 :])
    for index in range(len(code)):
        assert _position_of_failure(code[:index] + code[index + 1 :]) == 18
        assert _position_of_failure(code[:index] + "1" + code[index:]) == 19


def test_a_credit_code_value_is_always_valid() -> None:
    with pytest.raises(TradingError) as caught:
        credit_code.CreditCode("914403001922038217")
    assert caught.value.extensions["position"] == 18
    with pytest.raises(TradingError):
        credit_code.compose("9", "9", "420000", "MA5H0HLK")  # 9-9 is no type


def test_input_is_stripped_and_upper_cased() -> None:
    assert credit_code.parse("  9144030071526726xg\t").value == "9144030071526726XG"
    assert credit_code.parse("12100000400000624d").value == "12100000400000624D"


@pytest.mark.parametrize(
    ("look_alike", "position"),
    [
        ("９14403001922038216", 1),  # full-width digit
        ("91440300192203821６", 18),
        ("9144030071526726ＸG", 17),  # full-width X
        ("9144030071526726XＧ", 18),
        ("9144030071526726Xg\u200b", 19),  # zero-width space after the code
        ("91440300\u0410A5H0HLK5U", 9),  # Cyrillic А
        ("9144030071526726\u03a7G", 17),  # Greek Χ
        ("91440300192203８216", 15),
        ("914403001922038216\x00", 19),  # NUL
    ],
)
def test_look_alike_characters_are_refused_not_converted(look_alike: str, position: int) -> None:
    assert _position_of_failure(look_alike) == position


def test_full_width_message_suggests_the_ascii_character() -> None:
    with pytest.raises(TradingError) as caught:
        credit_code.parse("９14403001922038216")
    assert "全角" in caught.value.message
    assert "“9”" in caught.value.message


def test_authority_and_type_table() -> None:
    valid_pairs = {(a, t) for a, auth in AUTHORITIES.items() for t in auth.types}
    assert ("9", "1") in valid_pairs
    assert ("Y", "1") in valid_pairs
    assert ("9", "9") not in valid_pairs
    assert ("Y", "2") not in valid_pairs
    body = "MA5H0HLK"
    for authority in ALPHABET:
        for kind in ALPHABET:
            first16 = authority + kind + "420000" + body
            first17 = first16 + credit_code.organisation_check_char(body)
            code = first17 + credit_code.check_char(first17)
            found = credit_code.problem(code)
            if (authority, kind) in valid_pairs:
                assert found is None
            else:
                assert found is not None
                assert found.position == (1 if authority not in AUTHORITIES else 2)


@pytest.mark.parametrize(
    ("division", "valid"),
    [
        ("420000", True),
        ("422825", True),
        ("100000", True),
        ("830000", False),
        ("101000", False),
        ("000000", False),
        ("990100", False),
    ],
)
def test_division_needs_a_province(division: str, valid: bool) -> None:
    first17 = "91" + division + "MA5H0HLK" + credit_code.organisation_check_char("MA5H0HLK")
    found = credit_code.problem(first17 + credit_code.check_char(first17))
    assert (found is None) is valid
    if found is not None:
        assert found.position == 3


def test_non_text_and_huge_input() -> None:
    for raw in (None, 914403001922038216, b"914403001922038216", "9" * 10_000):
        found = credit_code.problem(raw)
        assert found is not None
        assert found.code is TradingErrorCode.INVALID_CREDIT_CODE


_body = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
_pairs = st.sampled_from([(a, t) for a, auth in AUTHORITIES.items() for t in auth.types])
_division = st.sampled_from(["100000", "110000", "420000", "422825", "530102", "410721"])


@given(_pairs, _division, _body)
def test_composed_codes_are_valid_and_agree_with_stdnum(
    pair: tuple[str, str], division: str, body: str
) -> None:
    code = credit_code.compose(pair[0], pair[1], division, body)
    assert credit_code.is_valid(code.value)
    assert stdnum_uscc.calc_check_digit(code.value[:17]) == code.value[17]
    assert code.value[16] in "0123456789X"


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_check_character_agrees_with_stdnum(first17: str) -> None:
    assert credit_code.check_char(first17) == stdnum_uscc.calc_check_digit(first17)


@given(st.text(max_size=30))
def test_any_text_is_answered_with_a_code_or_a_named_problem(text: str) -> None:
    found = credit_code.problem(text)
    if found is None:
        assert stdnum_uscc.is_valid(text.strip().upper())
    else:
        assert found.code is TradingErrorCode.INVALID_CREDIT_CODE
        assert found.message.startswith("统一社会信用代码")


def test_organisation_check_char_known_values() -> None:
    # GB 11714: 10 → X, 11 → 0.
    assert credit_code.organisation_check_char("71526726") == "X"
    assert credit_code.organisation_check_char("19220382") == "1"
    with pytest.raises(ValueError, match="8 characters"):
        credit_code.organisation_check_char("123")
