"""What a filer may attach, checked before anything is stored.

Attachments are evidence (scans, photos, documents); they are kept in PostgreSQL itself
(``complaint_attachment.content``, ``bytea``) under the same row-level security as the complaint,
never as large objects (which have no row-level security: any session of the application role
could read every county's files by number) nor in a directory (outside both walls and backups).
``docs/decisions.md`` says more.

Accepted types are recognised by their content ("magic bytes"), not by the name or the declared
type alone, and must agree with both: PDF, OFD, JPEG, PNG, Word and Excel (OOXML), plain text.
Executables and scripts are refused whatever they are called; so are macro-enabled Office files.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from xietong.complaints.errors import ComplaintError, ComplaintErrorCode

MAX_FILE_BYTES = 700 * 1024
"""Per file: base64 in a GraphQL request must fit the 1 MiB body limit."""
MAX_FILES = 10
"""Per complaint."""
MAX_TOTAL_BYTES = 5 * 1024 * 1024
"""Per complaint, all files together."""
MAX_NAME_CHARS = 100


@dataclass(frozen=True, slots=True)
class Kind:
    media_type: str
    extensions: tuple[str, ...]
    zh: str


PDF = Kind("application/pdf", (".pdf",), "PDF")
OFD = Kind("application/ofd", (".ofd",), "OFD版式文件")
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG图片")
PNG = Kind("image/png", (".png",), "PNG图片")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word"
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel"
)
TEXT = Kind("text/plain", (".txt",), "文本")
KINDS = (PDF, OFD, JPEG, PNG, DOCX, XLSX, TEXT)

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa",  # Mach-O
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O fat / Java class
    b"#!",  # scripts
)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    media_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _refused(message: str, field: str) -> ComplaintError:
    return ComplaintError(ComplaintErrorCode.ATTACHMENT_REFUSED, message, field=field)


def _sniff(content: bytes) -> Kind | None:
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        return None  # a zip: decided by the name (OOXML or OFD), checked below
    return TEXT if _is_text(content) else None


def _is_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(
        unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text
    ) and not text.startswith("#!")


def _zip_kind(content: bytes, suffix: str) -> Kind | None:
    """OOXML (docx, xlsx) and OFD are zip packages; macro-enabled ones (docm, xlsm) declare a
    vbaProject part, which we refuse."""
    if b"vbaProject" in content:
        return None
    for kind in (DOCX, XLSX, OFD):
        if suffix in kind.extensions:
            return kind
    return None


def check_name(raw: str, field: str) -> str:
    name = unicodedata.normalize("NFC", raw).strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise _refused(f"文件名须为1到{MAX_NAME_CHARS}个字符（file name length）", field)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name) or any(
        c in name for c in '/\\:*?"<>|'
    ):
        raise _refused("文件名含有不允许的字符（file name has forbidden characters）", field)
    return name


def check_file(filename: str, declared_type: str, content: bytes, field: str) -> CheckedFile:
    """The file if we accept it; ``ATTACHMENT_REFUSED`` or ``ATTACHMENT_TOO_LARGE`` otherwise."""
    name = check_name(filename, f"{field}.filename")
    if not content:
        raise _refused("附件为空（the file is empty）", f"{field}.content")
    if len(content) > MAX_FILE_BYTES:
        raise ComplaintError(
            ComplaintErrorCode.ATTACHMENT_TOO_LARGE,
            f"单个附件不得超过{MAX_FILE_BYTES // 1024} KB（each file at most "
            f"{MAX_FILE_BYTES // 1024} KiB）",
            field=f"{field}.content",
        )
    allowed = "、".join(k.zh for k in KINDS)
    if content.startswith(_EXECUTABLE_MAGIC):
        raise _refused(
            f"不接受可执行文件或脚本，可上传：{allowed}（executables are never accepted）",
            f"{field}.content",
        )
    suffix = PurePosixPath(name.lower()).suffix
    kind = _zip_kind(content, suffix) if content.startswith(b"PK\x03\x04") else _sniff(content)
    if kind is None or suffix not in kind.extensions:
        raise _refused(
            f"附件类型不被接受或与文件名不符，可上传：{allowed}"
            "（file type not accepted, or it does not match the file name）",
            f"{field}.content",
        )
    if declared_type.strip().lower() != kind.media_type:
        raise _refused(
            f"声明的类型“{declared_type[:60]}”与文件内容不符，应为 {kind.media_type}"
            "（the declared media type does not match the content）",
            f"{field}.mediaType",
        )
    return CheckedFile(name, kind.media_type, content, hashlib.sha256(content).hexdigest())


def check_all(files: list[CheckedFile], already: int = 0, already_bytes: int = 0) -> None:
    """Limits on the whole complaint (files already stored plus these)."""
    if already + len(files) > MAX_FILES:
        raise ComplaintError(
            ComplaintErrorCode.ATTACHMENT_TOO_LARGE,
            f"每件投诉举报最多{MAX_FILES}个附件（at most {MAX_FILES} files per complaint）",
            field="attachments",
        )
    if already_bytes + sum(f.size for f in files) > MAX_TOTAL_BYTES:
        raise ComplaintError(
            ComplaintErrorCode.ATTACHMENT_TOO_LARGE,
            f"附件合计不得超过{MAX_TOTAL_BYTES // (1024 * 1024)} MB（at most "
            f"{MAX_TOTAL_BYTES // (1024 * 1024)} MiB per complaint）",
            field="attachments",
        )
