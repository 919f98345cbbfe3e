# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one home of how a secret may look when a peer echoes it, and of how text from a peer is made safe to show.

A server (an API endpoint, a registry, a token service, a proxy) may put back into its answer what it received:
the Authorization header (base64 of user:password), a query string (URL-encoded), a JSON body (JSON-escaped).
secret_forms() and credential_forms() list those spellings; the modules register every one as a no_log value
(module.AlibabaCloudModule.register_secret), and every message built from a peer's answer is scrubbed of them.
printable() strips control characters (ANSI escapes, new lines, NUL) from a peer's text and cuts it to a sane
length, so that a registry cannot paint the terminal or flood the log.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Iterable
from urllib.parse import quote, quote_plus

MASK = "********"
# Values shorter than this are not masked (Ansible does not mask them either: masking them garbles every message).
MIN_SECRET_LENGTH = 3
# The most characters of a peer's text a message carries.
PEER_TEXT_MAX = 300

# ANSI/VT escape sequences (CSI ... final byte, OSC ... BEL/ST, two-character escapes), then any C0/C1 control and DEL.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def secret_forms(secret: str) -> list[str]:
    """A secret as a peer may echo it: plain, URL-encoded (each common way, the SDK's included), JSON-escaped.

    Longest first, so that replacing them in turn never leaves a part of a longer form behind."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret), quote(secret, safe="~")}
    forms.add(quote(secret, safe="~").replace("+", "%20").replace("*", "%2A").replace("%7E", "~"))
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    return sorted((form for form in forms if len(form) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def credential_forms(username: Any, password: Any) -> list[str]:
    """What an echoed HTTP Basic Authorization header of username:password looks like (standard and URL-safe
    base64, with and without padding), besides the password's own forms."""
    if password in (None, ""):
        return []
    forms = set(secret_forms(str(password)))
    if username not in (None, ""):
        raw = f"{username}:{password}".encode("utf-8")
        for encoded in (base64.b64encode(raw).decode("ascii"), base64.urlsafe_b64encode(raw).decode("ascii")):
            forms.add(encoded)
            forms.add(encoded.rstrip("="))
    return sorted((form for form in forms if len(form) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def all_forms(secrets: Iterable[Any]) -> list[str]:
    """Every form of every secret, longest first."""
    forms = set()
    for secret in secrets or ():
        if secret not in (None, "") and len(str(secret)) >= MIN_SECRET_LENGTH:
            forms.update(secret_forms(str(secret)))
    return sorted(forms, key=len, reverse=True)


def mask(text: str, secrets: Iterable[Any]) -> str:
    """text with every form of every secret replaced by MASK."""
    for form in all_forms(secrets):
        text = text.replace(form, MASK)
    return text


def printable(text: Any, limit: int = PEER_TEXT_MAX) -> str:
    """A peer's text fit to show: ANSI escapes and control characters become one space, cut to limit characters."""
    value = _CONTROL.sub(" ", _ANSI.sub("", str(text))).strip()
    if len(value) > limit:
        value = value[:limit].rstrip() + f"... ({len(value) - limit} more characters)"
    return value
