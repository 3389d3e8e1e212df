"""Reading a tenant file's YAML strictly, in bounded time and memory.

A tenant file is plain data, so the reader refuses what plain data never needs and what makes
mistakes silent or loading dangerous:

- anything but UTF-8 (a GBK or UTF-16 file gets a message saying how to save it);
- duplicate keys (YAML keeps the last one silently: 湖北省 was once renamed that way);
- anchors, aliases and tags (no file needs them; aliases can multiply a small file's size);
- nesting deeper than ``MAX_DEPTH`` and files larger than ``MAX_BYTES``.

It builds the data from the parser's events (libyaml's when installed) without keeping the
intermediate node graph, which costs dozens of times the file's size, and without recursion.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from xietong.inputs import preview

MAX_BYTES = 16 * 1024 * 1024  # a province's file is well under a megabyte
MAX_DEPTH = 16  # tenant files nest four levels deep

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAGS = {None, "!", "tag:yaml.org,2002:map"}
_SEQ_TAGS = {None, "!", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
}
_NO_KEY = object()
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class YamlProblem(Exception):
    """The file cannot be read as a tenant file; ``message`` says why and where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(message)


def read(path: Path) -> Any:
    """The data in ``path``, or ``YamlProblem``."""
    return parse(_text(path))


def parse(text: str) -> Any:
    loader = _Loader(text)
    try:
        return _Builder(loader).document()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlProblem(
            f"not valid YAML: {exc.problem or exc.context}（YAML格式错误）", line
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {str(exc)[:200]}（YAML格式错误）") from None
    except RecursionError:  # only the pure-Python parser recurses
        raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels（嵌套层级过深）") from None
    finally:
        loader.dispose()


def _text(path: Path) -> str:
    try:
        if path.is_dir():
            raise YamlProblem("is a directory, not a tenant file（这是目录，不是租户文件）")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlProblem(
                f"is {size:,} bytes; a tenant file is at most {MAX_BYTES:,}（文件过大）"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise YamlProblem("no such file（文件不存在）") from None
    except PermissionError:
        raise YamlProblem("cannot be read: permission denied（无权读取该文件）") from None
    except OSError as exc:
        raise YamlProblem(f"cannot be read: {exc.strerror}（无法读取该文件）") from None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise YamlProblem(_encoding_advice(f"is saved as {encoding}"))
    if b"\x00" in data:
        raise YamlProblem(
            _encoding_advice("contains NUL bytes (UTF-16 without a byte-order mark?)")
        )
    try:
        return data.decode("utf-8-sig")  # a UTF-8 byte-order mark is harmless
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(
            _encoding_advice(f"is not UTF-8 (byte 0x{data[exc.start]:02x}; GBK or GB18030?)"), line
        ) from None


def _encoding_advice(what: str) -> str:
    return f"{what}; save it as UTF-8（文件须为UTF-8编码，请另存为UTF-8）"


@dataclass(slots=True)
class _Frame:
    container: dict[Any, Any] | list[Any]
    key: Any = _NO_KEY
    lines: dict[Any, int] = field(default_factory=dict)


class _Builder:
    def __init__(self, loader: Any) -> None:
        self.loader = loader  # PyYAML's stubs do not type the event API
        self.stack: list[_Frame] = []
        self.root: Any = None

    def document(self) -> Any:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None  # an empty file
        loader.get_event()  # DocumentStart
        while not loader.check_event(yaml.DocumentEndEvent):
            self._event(loader.get_event())
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise YamlProblem("one document per file（每个文件只能有一个文档）", _line(event))
        return self.root

    def _event(self, event: Any) -> None:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(
                "anchors and aliases are not supported（不支持锚点与别名）", _line(event)
            )
        if isinstance(event, yaml.ScalarEvent):
            self._add(self._scalar(event), event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            mapping = isinstance(event, yaml.MappingStartEvent)
            if event.tag not in (_MAP_TAGS if mapping else _SEQ_TAGS):
                raise YamlProblem(
                    f"tags are not supported（不支持标签 {preview(event.tag)}）", _line(event)
                )
            if len(self.stack) >= MAX_DEPTH:
                raise YamlProblem(
                    f"nested deeper than {MAX_DEPTH} levels（嵌套层级过深）", _line(event)
                )
            container: dict[Any, Any] | list[Any] = {} if mapping else []
            self._add(container, event)
            self.stack.append(_Frame(container))
        else:  # MappingEnd, SequenceEnd
            self.stack.pop()

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        construct = self.loader.yaml_constructors.get(tag)
        if construct is None or tag not in _SCALAR_TAGS:
            raise YamlProblem(
                f"tags are not supported（不支持标签 {preview(event.tag)}）", _line(event)
            )
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return construct(self.loader, node)
        except ValueError:  # e.g. an integer of thousands of digits
            raise YamlProblem(
                f"cannot read the value {preview(event.value)}（无法读取该值）", _line(event)
            ) from None

    def _add(self, value: Any, event: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
            return
        if frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise YamlProblem("a key must be plain text（键须为文本）", _line(event))
            if value in frame.lines:
                raise YamlProblem(
                    f"duplicate key {preview(value)}, first at line {frame.lines[value]}"
                    "（键重复，YAML会静默保留后一个值）",
                    _line(event),
                )
            frame.lines[value] = _line(event)
            frame.key = value
            return
        frame.container[frame.key] = value
        frame.key = _NO_KEY


def _line(event: Any) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 0
