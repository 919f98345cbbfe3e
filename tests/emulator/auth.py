# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request authentication like the cloud's API gateway: ACS3-HMAC-SHA256 and legacy RPC HMAC-SHA1 (v1.0)."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import re
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qsl, quote, quote_plus

from .errors import ApiError

ACS3 = 'ACS3-HMAC-SHA256'
# Headers an ACS3 signature must cover, or a tampered (unsigned) header could re-route a request.
REQUIRED_SIGNED_HEADERS = ('host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256')
MAX_CLOCK_SKEW = 15 * 60  # seconds, both directions
NONCE_TTL = 20 * 60  # nonces are remembered longer than the accepted clock skew
SIGNATURE_MISMATCH = 'Specified signature is not matched with our calculation.'
_AUTH_RE = re.compile(r'^(\S+)\s+Credential=([^,\s]*),\s*SignedHeaders=([^,\s]*),\s*Signature=([0-9a-fA-F]*)\s*\Z')


@dataclass
class Identity:
    """Who sent a request and what it asks for, once the signature checked out."""

    auth_type: str
    access_key_id: str
    action: str
    version: str
    params: dict[str, str] = field(default_factory=dict)


def _encode(value: str) -> str:
    return quote(value, safe='~', encoding='utf-8')


def acs3_canonical_query(query: dict[str, str]) -> str:
    # Like the Python SDK (alibabacloud_tea_openapi.utils.get_canonical_query_string): keys sorted and
    # used as they are, values percent-encoded per RFC 3986 with '~' unreserved.
    return '&'.join(f'{key}={_encode(query[key])}' for key in sorted(query))


def acs3_canonical_request(method: str, path: str, query: dict[str, str], headers: dict[str, list[str]],
                           signed_headers: list[str], payload_hash: str) -> str:
    """The canonical request of ACS3: headers maps lower-case names to their received values."""
    lines = []
    for name in signed_headers:
        values = sorted(v.strip() for v in headers.get(name, []))
        lines.append(f'{name}:{",".join(values)}\n')
    return '\n'.join((method.upper(), path or '/', acs3_canonical_query(query), ''.join(lines),
                      ';'.join(signed_headers), payload_hash))


def acs3_signature(secret: str, canonical_request: str) -> str:
    string_to_sign = f'{ACS3}\n{hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()}'
    return hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def rpc_string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = '&'.join(f'{_encode(k)}={_encode(params[k])}' for k in sorted(params) if k != 'Signature')
    return f'{method.upper()}&%2F&{quote_plus(canonical, safe="~", encoding="utf-8")}'


def rpc_signature(method: str, params: dict[str, str], secret: str) -> str:
    digest = hmac.new(f'{secret}&'.encode('utf-8'), rpc_string_to_sign(method, params).encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


def parse_timestamp(value: str, name: str) -> float:
    """ISO 8601 UTC (2026-11-23T10:00:00Z) to epoch seconds."""
    for fmt in ('%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ'):
        try:
            return float(calendar.timegm(time.strptime(value, fmt)))
        except ValueError:
            continue
    raise ApiError(400, 'InvalidTimeStamp.Format', f'Specified {name} is not valid: {value!r} (expected yyyy-MM-ddTHH:mm:ssZ in UTC).')


class Authenticator:
    """Checks requests against one access key pair (and optionally its STS security token)."""

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str | None,
                 nonce_store: Callable[[str, str, float], bool]) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token
        self.nonce_store = nonce_store  # callable(access_key_id, nonce, now) -> bool (True when new)

    def verify(self, method: str, path: str, query: dict[str, str], headers: dict[str, list[str]], body: bytes,
               now: float) -> Identity:
        """Return the caller's Identity or raise ApiError; order: format, key, clock, signature, nonce, token."""
        authorization = (headers.get('authorization') or [''])[0].strip()
        if authorization:
            return self._verify_acs3(authorization, method, path, query, headers, body, now)
        if 'Signature' in query:
            return self._verify_rpc(method, query, headers, body, now)
        raise ApiError(400, 'MissingAuthorization', 'The request is not signed: the Authorization header (ACS3) or the Signature parameter is missing.')

    def _check_key(self, access_key_id: str) -> None:
        if access_key_id != self.access_key_id:
            raise ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.')

    @staticmethod
    def _check_clock(stamp: float, now: float) -> None:
        if abs(now - stamp) > MAX_CLOCK_SKEW:
            raise ApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.')

    def _check_nonce(self, access_key_id: str, nonce: str, now: float) -> None:
        if not self.nonce_store(access_key_id, nonce, now):
            raise ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')

    def _check_token(self, token: str | None) -> None:
        if self.security_token is None:
            if token:
                # The configured key is a permanent one: a security token belongs to STS keys only.
                raise ApiError(400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed.')
            return
        if not token:
            raise ApiError(400, 'MissingSecurityToken', 'The security token is required for this access key.')
        if not hmac.compare_digest(token, self.security_token):
            raise ApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.')

    def _verify_acs3(self, authorization: str, method: str, path: str, query: dict[str, str], headers: dict[str, list[str]],
                     body: bytes, now: float) -> Identity:
        match = _AUTH_RE.match(authorization)
        if not match:
            raise ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: malformed Authorization header.')
        algorithm, access_key_id, signed, signature = match.groups()
        if algorithm != ACS3:
            raise ApiError(400, 'IncompleteSignature', f'The signature algorithm {algorithm!r} is not supported; use {ACS3}.')
        signed_headers = signed.split(';') if signed else []
        if any(h != h.lower() for h in signed_headers):
            raise ApiError(400, 'IncompleteSignature', 'SignedHeaders must be lower-case header names.')
        for name in REQUIRED_SIGNED_HEADERS:
            if name not in signed_headers or not (headers.get(name) or [''])[0]:
                raise ApiError(400, 'IncompleteSignature',
                               f'The request signature does not conform to Aliyun standards: header {name} must be sent and signed.')
        content_hash = headers['x-acs-content-sha256'][0].strip().lower()
        if content_hash != hashlib.sha256(body).hexdigest():
            raise ApiError(400, 'SignatureDoesNotMatch', f'{SIGNATURE_MISMATCH} The x-acs-content-sha256 header does not match the request body.')
        self._check_key(access_key_id)
        self._check_clock(parse_timestamp(headers['x-acs-date'][0].strip(), 'x-acs-date'), now)
        canonical = acs3_canonical_request(method, path, query, headers, signed_headers, content_hash)
        expected = acs3_signature(self.access_key_secret, canonical)
        if not hmac.compare_digest(expected, signature.lower()):
            raise ApiError(400, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH)
        self._check_nonce(access_key_id, headers['x-acs-signature-nonce'][0].strip(), now)
        token = (headers.get('x-acs-security-token') or [None])[0]
        if token is not None and 'x-acs-security-token' not in signed_headers:
            raise ApiError(400, 'IncompleteSignature', 'The header x-acs-security-token must be signed.')
        self._check_token(token)
        return Identity(ACS3, access_key_id, headers['x-acs-action'][0].strip(), headers['x-acs-version'][0].strip(), dict(query))

    def _verify_rpc(self, method: str, query: dict[str, str], headers: dict[str, list[str]], body: bytes, now: float) -> Identity:
        params = dict(query)
        content_type = (headers.get('content-type') or [''])[0]
        if body and content_type.startswith('application/x-www-form-urlencoded'):
            # The legacy signer covers form body parameters too.
            for key, value in parse_qsl(body.decode('utf-8'), keep_blank_values=True):
                params[key] = value
        for name in ('AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Action', 'Version'):
            if not params.get(name):
                raise ApiError(400, f'MissingParameter.{name}', f'The input parameter "{name}" that is mandatory for processing this request is not supplied.')
        if params['SignatureMethod'] != 'HMAC-SHA1':
            raise ApiError(400, 'InvalidParameter.SignatureMethod', f'Specified SignatureMethod {params["SignatureMethod"]!r} is not supported; use HMAC-SHA1.')
        if params['SignatureVersion'] != '1.0':
            raise ApiError(400, 'InvalidParameter.SignatureVersion', f'Specified SignatureVersion {params["SignatureVersion"]!r} is not supported; use 1.0.')
        self._check_key(params['AccessKeyId'])
        self._check_clock(parse_timestamp(params['Timestamp'], 'Timestamp'), now)
        expected = rpc_signature(method, params, self.access_key_secret)
        if not hmac.compare_digest(expected, params['Signature']):
            raise ApiError(400, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH)
        self._check_nonce(params['AccessKeyId'], params['SignatureNonce'], now)
        self._check_token(params.get('SecurityToken'))
        return Identity('HMAC-SHA1', params['AccessKeyId'], params['Action'], params['Version'], params)
