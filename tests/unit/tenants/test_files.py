"""A tenant file that is not what a tenant file should be gets one clear line, never a traceback;
the rules for names are the API's; the output stays short however broken the file is."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import yaml

from tests.unit.tenants.test_declaration import MINIMAL, problems_of
from xietong.tenants.declaration import MAX_PROBLEMS, TenantFileError, read_file
from xietong.tenants.loader import read_all

HEADER = 'jurisdictions:\n  - code: "420000"\n    name: 湖北省\n    level: province\n'


def refused(path: Path) -> list[str]:
    with pytest.raises(TenantFileError) as caught:
        read_file(path)
    return caught.value.lines()


def write(tmp_path: Path, data: bytes | str, name: str = "hubei.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (HEADER.encode("gbk"), "is not UTF-8 (byte 0xba; GBK or GB18030?); save it as UTF-8"),
        (HEADER.encode("utf-16"), "is saved as UTF-16; save it as UTF-8"),
        (HEADER.encode("utf-16-le"), "contains NUL bytes"),
        (codecs.BOM_UTF32_LE + HEADER.encode("utf-32-le"), "is saved as UTF-32"),
    ],
    ids=["gbk", "utf-16", "utf-16-without-bom", "utf-32"],
)
def test_files_not_in_utf8_say_how_to_fix_them(tmp_path: Path, data: bytes, fragment: str) -> None:
    (line,) = refused(write(tmp_path, data))
    assert fragment in line
    assert "UTF-8编码" in line


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    doc = yaml.safe_dump(MINIMAL, allow_unicode=True)
    assert read_file(write(tmp_path, codecs.BOM_UTF8 + doc.encode())).province_code == 420000


def test_a_directory_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "hubei.yaml").mkdir()
    (line,) = refused(tmp_path / "hubei.yaml")
    assert line.startswith(f"{tmp_path / 'hubei.yaml'}: file: is a directory, not a tenant file")


def test_a_duplicate_key_is_refused_not_silently_overwritten(tmp_path: Path) -> None:
    # YAML keeps the last value: 湖北省 was once renamed by a second `name:` in its entry.
    text = HEADER + "    name: 湖南省\n"
    (line,) = refused(write(tmp_path, text))
    assert line.endswith(
        "line 5: duplicate key “name”, first at line 3（键重复，YAML会静默保留后一个值）"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: " + "[" * 5000 + "]" * 5000, "nesting depth"),
        ("a:\n" + "- " * 5000 + "x\n", "nest"),
        ("a: " + "[" * 20 + "]" * 20, "nested deeper than 16 levels"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases are not supported"),
        ("a: !!python/object:os.system x\n", "tags are not supported"),
        ("a: 1\n---\nb: 2\n", "one document per file"),
        ("a: 1" + "0" * 5000 + "\n", "cannot read the value"),
        ("a: [\n", "not valid YAML"),
        ("a: b\x00c\n", "contains NUL bytes"),
        ("a: b\x1bc\n", "not valid YAML"),
    ],
    ids=[
        "5000-deep-flow",
        "5000-deep-block",
        "20-deep",
        "aliases",
        "python-tag",
        "two-documents",
        "5000-digit-number",
        "syntax",
        "raw-nul",
        "raw-escape",
    ],
)
def test_hostile_yaml_gets_one_line(tmp_path: Path, text: str, fragment: str) -> None:
    (line,) = refused(write(tmp_path, text))
    assert fragment in line
    assert len(line) < 400


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("宣恩\x00县", "U+0000"),  # an escaped NUL ("\0") reaches the value
        ("宣恩\x1b[31m县", "U+001B"),  # an ANSI escape
        ("宣恩\n县", "U+000A"),
        ("宣" * 101, "at most 100"),
        ("\u200b\u200b", "is empty"),  # zero-width only: blank
        ("宣恩\u202e县", "bidi"),
    ],
    ids=["nul", "ansi", "newline", "too-long", "zero-width", "bidi"],
)
def test_names_follow_the_api_text_rules(name: str, fragment: str) -> None:
    doc = {**MINIMAL, "jurisdictions": [dict(j) for j in MINIMAL["jurisdictions"]]}
    doc["jurisdictions"][2]["name"] = name
    problems = problems_of(doc)
    assert any("jurisdictions[2] (422825): name:" in p and fragment in p for p in problems), (
        problems
    )


def test_keys_and_logins_are_identifiers() -> None:
    doc = {**MINIMAL, "people": [dict(p) for p in MINIMAL["people"]]}
    doc["people"][2]["login"] = "t audit"
    assert any("login: 标识不能含有空格" in p for p in problems_of(doc))


def test_two_departments_with_one_name_in_one_unit_are_refused() -> None:
    doc = {**MINIMAL, "departments": [dict(d) for d in MINIMAL["departments"]]}
    doc["departments"][1]["name"] = "宣恩县公管办"
    (problem,) = problems_of(doc)
    assert problem == (
        "tenants/test.yaml: departments[1] (t-audit): 422825 already has a department named "
        "宣恩县公管办 (t-office)（同一辖区内部门名称重复）"
    )


def test_problems_are_capped_and_counted(tmp_path: Path) -> None:
    people = "".join(
        f"  - login: p{i}\n    name: 人{i}\n    department: nowhere\n" for i in range(5000)
    )
    path = write(tmp_path, HEADER + "people:\n" + people)
    with pytest.raises(TenantFileError) as caught:
        read_all([path, path])
    error = caught.value
    assert len(error.problems) == MAX_PROBLEMS
    assert error.total == 2 * 5000
    lines = error.lines()
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1] == "… and 9,950 more problem(s)（另有9950个问题未列出）"
