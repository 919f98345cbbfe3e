# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors the twin answers with, shaped like the cloud's."""

from __future__ import annotations


class ApiError(Exception):
    """An error answer: HTTP status, error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f'{status} {code}: {message}')
        self.status = status
        self.code = code
        self.message = message


def missing(name: str) -> ApiError:
    """MissingParameter.<Name>: a required parameter is absent or empty."""
    return ApiError(400, f'MissingParameter.{name.split(".")[0]}',
                    f'The input parameter "{name}" that is mandatory for processing this request is not supplied.')


def invalid(name: str, why: str = '') -> ApiError:
    """InvalidParameter.<Name>: a parameter breaks a rule of the service."""
    text = f'The specified parameter "{name}" is not valid.'
    if why:
        text = f'{text} {why}'
    return ApiError(400, f'InvalidParameter.{name.split(".")[0]}', text)


def malformed(name: str, value: str, kind: str) -> ApiError:
    """InvalidParameter: a value of the wrong type (the gateway's type check)."""
    return ApiError(400, 'InvalidParameter', f'The specified parameter "{name}" is not valid: {value!r} is not {kind}.')


def not_found(code: str, what: str, ident: str) -> ApiError:
    """404 <Thing>.NotFound."""
    return ApiError(404, code, f'The specified {what} "{ident}" does not exist.')
