# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The messages troubleshooting.rst quotes for the role, eci_network_info and the size preflight are the code's, word for word.

A quote's variable parts are written <like this>; every fixed part between them must appear, between
the variable parts of one message of the code: a Python string of plugins/ (adjacent literals joined,
%-placeholders and f-string replacement fields as variable parts) or a string of the role's tasks (Jinja expressions as variable parts).
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
GUIDE = (ROOT / "docs" / "docsite" / "rst" / "troubleshooting.rst").read_text()
HOLE = "\x00"


def _squash(text):
    return re.sub(r"\s+", " ", text)


def _f_string_text(node):
    """An f-string's text with each replacement field as a variable part."""
    return "".join(part.value if isinstance(part, ast.Constant) else HOLE for part in node.values)


def _python_messages():
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 20:
                yield _squash(re.sub(r"%(?:\.\d+)?[sdrfg]", HOLE, node.value))
            elif isinstance(node, ast.JoinedStr) and len(_f_string_text(node)) > 20:
                yield _squash(_f_string_text(node))


def _yaml_strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _yaml_strings(value)
    elif isinstance(node, str):
        yield node


def _role_messages():
    for path in sorted((ROOT / "roles" / "image_cache" / "tasks").glob("*.yml")):
        for text in _yaml_strings(yaml.safe_load(path.read_text())):
            yield _squash(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", HOLE, text, flags=re.S))


MESSAGES = list(_python_messages()) + list(_role_messages())


def _section(title):
    start = GUIDE.index(title)
    end = GUIDE.find("\n---", GUIDE.index("\n", GUIDE.index("\n", start) + 1) + 1)
    return GUIDE[start:end if end > 0 else None]


def _quotes():
    """The long quotes of the role's section, and the size preflight's rows of the collection's table."""
    found = [q for q in re.findall(r"``([^`]+)``", _squash(_section("Messages of the role and of eci_network_info")))
             if len(q) >= 30 and " " in q]
    found += [q for q in re.findall(r"``([^`]+)``", _squash(GUIDE))
              if q.startswith(("Could not measure", "Not measured from here", "image_cache_size <N>",
                               "Could not reach registry", "<image> <is or are> not in",
                               # issue 14's refusals of eci_image_cache
                               "Image cache <id> (<name>) is Failed", "Cannot rename image cache",
                               "<option> must be a finite", "vswitch_ids: <id> listed", "images: <references> are"))]
    return found


def _fits(quote, message):
    """Whether message has the quote's fixed parts in order, with one or more variable parts where it has <...>."""
    pattern = "(?:%s)+" % HOLE
    return re.search(pattern.join(re.escape(part) for part in re.split(r"<[^<>]+>", quote)), message) is not None


@pytest.mark.parametrize("quote", _quotes())
def test_the_guide_quotes_the_code(quote):
    assert any(_fits(quote, message) for message in MESSAGES), "troubleshooting.rst quotes a message no code prints: %s" % quote


def test_the_guide_has_the_quotes():
    quotes = _quotes()
    assert len(quotes) >= 10
    assert any(q.startswith("Not measured from here") for q in quotes)


def test_a_changed_word_is_caught():
    assert not any(_fits("image_cache_size <N> GiB is more than twice the <images> it must hold", m) for m in MESSAGES)
