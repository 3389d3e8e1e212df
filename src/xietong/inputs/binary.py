"""Files sent inside a request: standard base64 (RFC 4648, with padding), bounded.

A file travels in a GraphQL variable as base64 text; this rule decodes it strictly (no line
breaks, no URL-safe alphabet, no characters outside the alphabet) and refuses anything larger than
``MAX_BASE64_BYTES`` decoded, before any resolver sees it. What kinds of file a context accepts
is its own rule (``complaints.attachments``).
"""

from __future__ import annotations

import base64
import binascii

from xietong.inputs.errors import InputRejected

MAX_BASE64_BYTES = 1024 * 1024
"""Decoded size; the request body limit (1 MiB by default) keeps real ones smaller still."""


def base64_bytes(value: object, max_bytes: int = MAX_BASE64_BYTES) -> bytes:
    if not isinstance(value, str):
        raise InputRejected("应为base64文本（expected base64 text）", reason="NOT_TEXT")
    if len(value) > (max_bytes + 2) // 3 * 4:
        raise InputRejected(
            f"文件过大：不得超过{max_bytes // 1024} KB（file larger than {max_bytes // 1024} KiB）",
            reason="TOO_LARGE",
        )
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise InputRejected(
            "不是有效的base64编码（not valid standard base64）", reason="INVALID_BASE64"
        ) from None
