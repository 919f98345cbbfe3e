# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin authenticates like the cloud: ACS3-HMAC-SHA256, legacy HMAC-SHA1, keys, clock, nonces, tokens."""

from __future__ import annotations

import hashlib
import time
import uuid
from urllib.parse import parse_qsl, urlencode

import pytest

from alibabacloud_eci20180808 import models
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

from ansible_collections.alibabacloud.eci.tests.emulator import auth
from ansible_collections.alibabacloud.eci.tests.emulator.config import DEFAULT_ACCESS_KEY_ID as AK
from ansible_collections.alibabacloud.eci.tests.emulator.config import DEFAULT_ACCESS_KEY_SECRET as SECRET

EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()
# A fixed request, signed once with the SDK's own signer (alibabacloud_tea_openapi 0.4.6 Utils.get_authorization).
VECTOR_QUERY = {'RegionId': 'cn-hangzhou', 'ImageCacheName': 'demo', 'Image.1': 'nginx:1.25 alpine~x/y',
                'Tag.1.Key': 'env', 'Tag.1.Value': 'a+b=c&d'}
VECTOR_HEADERS = {'host': '127.0.0.1:8080', 'x-acs-version': '2018-08-08', 'x-acs-action': 'CreateImageCache', 'user-agent': 'test-agent',
                  'x-acs-date': '2026-11-23T10:00:00Z', 'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
                  'accept': 'application/json', 'x-acs-content-sha256': EMPTY_SHA256}
VECTOR_SIGNED = 'accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version'
VECTOR_SIGNATURE = '4a7f3aec79099d642434ac5222b4c6250d128c4405dd8f2a9d00c550d94bd27e'
RPC_VECTOR = {'Action': 'DescribeImageCaches', 'Version': '2018-08-08', 'Format': 'json', 'Timestamp': '2026-11-23T10:00:00Z',
              'SignatureNonce': 'abc', 'SignatureMethod': 'HMAC-SHA1', 'SignatureVersion': '1.0', 'AccessKeyId': AK,
              'RegionId': 'cn-hangzhou', 'Image': 'a b~c'}
RPC_SIGNATURE = 'iZQMDK63JH+FvPYr5ZVls9nsOnU='


def test_vector_matches_the_sdk_signer():
    request = DaraRequest()
    request.method, request.pathname, request.query, request.headers = 'POST', '/', dict(VECTOR_QUERY), dict(VECTOR_HEADERS)
    expected = f'ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={VECTOR_SIGNED},Signature={VECTOR_SIGNATURE}'
    assert Utils.get_authorization(request, 'ACS3-HMAC-SHA256', EMPTY_SHA256, AK, SECRET) == expected
    assert Utils.get_rpcsignature(dict(RPC_VECTOR), 'POST', SECRET) == RPC_SIGNATURE


def test_twin_computes_the_vector_from_the_wire_form():
    # The query as it travels ('+' for spaces, percent-encoding) and back.
    query = dict(parse_qsl(urlencode(VECTOR_QUERY), keep_blank_values=True))
    headers = {k: [v] for k, v in VECTOR_HEADERS.items()}
    canonical = auth.acs3_canonical_request('POST', '/', query, headers, VECTOR_SIGNED.split(';'), EMPTY_SHA256)
    assert auth.acs3_signature(SECRET, canonical) == VECTOR_SIGNATURE
    assert auth.rpc_signature('POST', dict(RPC_VECTOR, Signature='ignored'), SECRET) == RPC_SIGNATURE


def test_signed_raw_request_is_accepted(twin, helpers):
    query, headers = helpers.sign(twin, {'RegionId': 'cn-hangzhou', 'ImageCacheName': 'a b+c~d'})
    status, body = helpers.send(twin, query, headers)
    assert status == 200, body
    assert body['TotalCount'] == 0 and body['ImageCaches'] == []


def test_tampered_query_is_rejected(twin, helpers):
    query, headers = helpers.sign(twin)
    status, body = helpers.send(twin, dict(query, RegionId='cn-beijing'), headers)
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')
    assert body['Message'] == 'Specified signature is not matched with our calculation.'
    query, headers = helpers.sign(twin)
    status, body = helpers.send(twin, dict(query, Limit='5'), headers)
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def test_tampered_header_is_rejected(twin, helpers):
    query, headers = helpers.sign(twin, {'RegionId': 'cn-hangzhou', 'ImageCacheId': 'imc-x'})
    headers['x-acs-action'] = 'DeleteImageCache'
    status, body = helpers.send(twin, query, headers)
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def test_unsigned_routing_header_is_refused(twin, helpers):
    query, headers = helpers.sign(twin)
    headers['Authorization'] = headers['Authorization'].replace('x-acs-action;', '')
    status, body = helpers.send(twin, query, headers)
    assert (status, body['Code']) == (400, 'IncompleteSignature')


def test_tampered_body_is_rejected(twin, helpers):
    query, headers = helpers.sign(twin)
    status, body = helpers.send(twin, query, headers, body=b'RegionId=cn-beijing')
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')
    query, headers = helpers.sign(twin, body=b'payload')
    assert helpers.send(twin, query, headers, body=b'payload')[0] == 200
    query, headers = helpers.sign(twin, body=b'payload')
    status, body = helpers.send(twin, query, headers, body=b'pAyload')
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def test_missing_authorization(twin, helpers):
    status, body = helpers.send(twin, {'RegionId': 'cn-hangzhou'}, {'x-acs-action': 'DescribeImageCaches', 'x-acs-version': '2018-08-08'})
    assert (status, body['Code']) == (400, 'MissingAuthorization')
    assert set(body) == {'RequestId', 'Code', 'Message', 'HostId', 'Recommend'}


SEVEN_ACTIONS = {
    'create_image_cache': models.CreateImageCacheRequest(region_id='cn-hangzhou', image_cache_name='x1', image=['nginx'],
                                                         security_group_id='sg-demo', v_switch_id='vsw-demo'),
    'describe_image_caches': models.DescribeImageCachesRequest(region_id='cn-hangzhou'),
    'update_image_cache': models.UpdateImageCacheRequest(region_id='cn-hangzhou', image_cache_id='imc-x'),
    'delete_image_cache': models.DeleteImageCacheRequest(region_id='cn-hangzhou', image_cache_id='imc-x'),
    'tag_resources': models.TagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=['imc-x'],
                                                tag=[models.TagResourcesRequestTag(key='k', value='v')]),
    'untag_resources': models.UntagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache', resource_id=['imc-x'], all=True),
    'list_tag_resources': models.ListTagResourcesRequest(region_id='cn-hangzhou', resource_type='ImageCache'),
}


@pytest.mark.parametrize('method', sorted(SEVEN_ACTIONS))
def test_wrong_secret_is_rejected_for_every_action(twin, make_client, helpers, method):
    bad = make_client(access_key_secret='not-the-secret')
    error = helpers.api_error(getattr(bad, method), SEVEN_ACTIONS[method])
    assert (error.status_code, error.code) == (400, 'SignatureDoesNotMatch')
    assert error.data['RequestId'] and error.data['HostId'] == 'eci.aliyuncs.com'
    assert not twin.state.caches


def test_unknown_access_key(make_client, helpers):
    error = helpers.api_error(make_client(access_key_id='LTAI5tSomebodyElse').describe_image_caches, SEVEN_ACTIONS['describe_image_caches'])
    assert (error.status_code, error.code) == (404, 'InvalidAccessKeyId.NotFound')


def test_expired_date(twin, helpers):
    old = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 20 * 60))
    status, body = helpers.send(twin, *helpers.sign(twin, date=old))
    assert (status, body['Code']) == (400, 'InvalidTimeStamp.Expired')
    future = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 20 * 60))
    assert helpers.send(twin, *helpers.sign(twin, date=future))[1]['Code'] == 'InvalidTimeStamp.Expired'
    skewed = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 10 * 60))
    assert helpers.send(twin, *helpers.sign(twin, date=skewed))[0] == 200


def test_reused_nonce(twin, helpers):
    query, headers = helpers.sign(twin, nonce='fixed-nonce-1')
    assert helpers.send(twin, query, headers)[0] == 200
    status, body = helpers.send(twin, query, headers)
    assert (status, body['Code']) == (400, 'SignatureNonceUsed')


def test_legacy_hmac_sha1(twin, make_client, helpers):
    good = make_client(signature_algorithm='v2')
    assert good.describe_image_caches(SEVEN_ACTIONS['describe_image_caches']).body.total_count == 0
    response = good.create_image_cache(helpers.create_request(image_cache_name='legacy'))
    assert response.body.image_cache_id.startswith('imc-')
    bad = make_client(signature_algorithm='v2', access_key_secret='wrong')
    error = helpers.api_error(bad.describe_image_caches, SEVEN_ACTIONS['describe_image_caches'])
    assert (error.status_code, error.code) == (400, 'SignatureDoesNotMatch')
    log = helpers.control(twin, 'GET', 'requests')[1]
    assert [e['auth'] for e in log] == ['HMAC-SHA1', 'HMAC-SHA1', None]


def test_security_token(make_twin, make_client, helpers):
    sts = make_twin(security_token='sts-token-1')
    request = SEVEN_ACTIONS['describe_image_caches']
    assert make_client(target=sts, security_token='sts-token-1').describe_image_caches(request).body.total_count == 0
    assert make_client(target=sts, security_token='sts-token-1', signature_algorithm='v2').describe_image_caches(request).body.total_count == 0
    assert helpers.api_error(make_client(target=sts).describe_image_caches, request).code == 'MissingSecurityToken'
    error = helpers.api_error(make_client(target=sts, security_token='other').describe_image_caches, request)
    assert error.code == 'InvalidSecurityToken.MismatchWithAccessKey'


def test_unknown_action_and_version(twin, helpers):
    status, body = helpers.send(twin, *helpers.sign(twin, action='DescribeNothing'))
    assert (status, body['Code']) == (404, 'InvalidAction.NotFound')
    query, headers = sign_with_version(twin, '2099-01-01')
    status, body = helpers.send(twin, query, headers)
    assert (status, body['Code']) == (400, 'InvalidVersion')
    # VPC and ECS versions are routed, but their actions come later.
    status, body = helpers.send(twin, *sign_with_version(twin, '2016-04-28'))
    assert (status, body['Code']) == (404, 'InvalidAction.NotFound')


def sign_with_version(twin, version):
    request = DaraRequest()
    request.method, request.pathname, request.query = 'POST', '/', {'RegionId': 'cn-hangzhou'}
    request.headers = {'host': twin.endpoint, 'x-acs-version': version, 'x-acs-action': 'DescribeImageCaches',
                       'x-acs-date': Utils.get_timestamp(), 'x-acs-signature-nonce': uuid.uuid4().hex, 'x-acs-content-sha256': EMPTY_SHA256}
    request.headers['Authorization'] = Utils.get_authorization(request, 'ACS3-HMAC-SHA256', EMPTY_SHA256, AK, SECRET)
    return request.query, request.headers
