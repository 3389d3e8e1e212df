"""Input rules in one place: what a well-formed code, text, instant or day is.

Plain functions with no GraphQL and no database. The GraphQL scalars (``xietong.api.scalars``),
the tenant loader and any later importer call the same rules, so a rule about input is written
once. Each rule returns the clean value or raises ``InputRejected``, whose bilingual message
(Chinese first, English in parentheses) never echoes more than a short, escaped preview of the
input.
"""

from xietong.inputs.binary import MAX_BASE64_BYTES, base64_bytes
from xietong.inputs.codes import InvalidCode, jurisdiction_code
from xietong.inputs.errors import InputRejected, preview
from xietong.inputs.temporal import (
    CHINA,
    aware_datetime,
    china_day,
    end_of_china_day,
    start_of_china_day,
)
from xietong.inputs.text import (
    IDENTIFIER,
    LONG_TEXT,
    SHORT_TEXT,
    TextRule,
    clean_text,
    is_blank,
)

__all__ = [
    "CHINA",
    "IDENTIFIER",
    "LONG_TEXT",
    "MAX_BASE64_BYTES",
    "SHORT_TEXT",
    "InputRejected",
    "InvalidCode",
    "TextRule",
    "aware_datetime",
    "base64_bytes",
    "china_day",
    "clean_text",
    "end_of_china_day",
    "is_blank",
    "jurisdiction_code",
    "preview",
    "start_of_china_day",
]
