# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Shared connection options of every alibabacloud.eci module.
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - Alibaba Cloud AccessKey ID.
      - If not set, the environment variable E(ALICLOUD_ACCESS_KEY) is used.
      - If neither this option nor any E(ALICLOUD_*) credential variable is set, the official
        C(alibabacloud-credentials) default chain is used, in this order - E(ALIBABA_CLOUD_ACCESS_KEY_ID),
        E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) and E(ALIBABA_CLOUD_SECURITY_TOKEN); OIDC (RRSA on ACK) when
        E(ALIBABA_CLOUD_ROLE_ARN), E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and E(ALIBABA_CLOUD_OIDC_TOKEN_FILE) are set;
        the profile of the Alibaba Cloud CLI in C(~/.aliyun/config.json) (E(ALIBABA_CLOUD_PROFILE) or its current profile);
        C(~/.alibabacloud/credentials.ini); the RAM role of the ECS instance; E(ALIBABA_CLOUD_CREDENTIALS_URI).
      - Explicit options win over environment variables, which win over the default chain. The first of these
        layers that sets any credential is used whole; within it, a profile and keys together are an error.
    type: str
    aliases: [alicloud_access_key, access_key_id]
  secret_key:
    description:
      - Alibaba Cloud AccessKey secret. Required together with O(access_key).
      - If not set, the environment variable E(ALICLOUD_SECRET_KEY) is used.
    type: str
    aliases: [alicloud_secret_key, access_key_secret]
  security_token:
    description:
      - STS security token for temporary credentials, used with O(access_key) and O(secret_key).
      - If not set, the environment variable E(ALICLOUD_SECURITY_TOKEN) is used.
    type: str
    aliases: [alicloud_security_token]
  profile:
    description:
      - Name of a profile in the Alibaba Cloud CLI configuration file C(~/.aliyun/config.json).
      - If not set, the environment variable E(ALICLOUD_PROFILE) is used.
      - Mutually exclusive with O(access_key), O(secret_key) and O(security_token).
    type: str
    aliases: [alicloud_profile]
  region:
    description:
      - The region, for example V(cn-hangzhou).
      - If not set, the environment variable E(ALICLOUD_REGION) is used, then E(ALIBABA_CLOUD_REGION_ID), then the
        C(region_id) of the Alibaba Cloud CLI profile in use in C(~/.aliyun/config.json) (O(profile), E(ALICLOUD_PROFILE),
        or with the default credentials chain E(ALIBABA_CLOUD_PROFILE) or the CLI's current profile).
      - One of them is required.
    type: str
    aliases: [alicloud_region, region_id]
  eci_endpoint:
    description:
      - Endpoint of the ECI API, as V(host), V(host:port) or V(http(s\)://host:port).
      - If not set, the environment variable E(ALICLOUD_ECI_ENDPOINT) is used, then the regional
        endpoint C(eci.<region>.aliyuncs.com) over HTTPS.
    type: str
  vpc_endpoint:
    description:
      - Endpoint of the VPC API, in the same forms as O(eci_endpoint).
      - If not set, the environment variable E(ALICLOUD_VPC_ENDPOINT) is used, then C(vpc.<region>.aliyuncs.com).
    type: str
  ecs_endpoint:
    description:
      - Endpoint of the ECS API, in the same forms as O(eci_endpoint).
      - If not set, the environment variable E(ALICLOUD_ECS_ENDPOINT) is used, then C(ecs.<region>.aliyuncs.com).
    type: str
  api_retries:
    description:
      - How many times an API call is retried after throttling (C(Throttling*) codes), a server error (HTTP 5xx)
        or a connection error, with jittered exponential backoff. Other client errors are never retried.
      - V(0) turns retries off.
    type: int
    default: 5
  api_retry_max_seconds:
    description:
      - Upper bound, in seconds, on the time one API call may spend retrying. No backoff sleep is started
        that would end after this bound; the last error is reported instead.
      - A finite number, 0 or more (V(nan) and V(inf) are refused).
    type: float
    default: 60
  connect_timeout:
    description:
      - Seconds to wait for a TCP connection to an endpoint; a finite number more than 0.
    type: float
    default: 10
  read_timeout:
    description:
      - Seconds to wait for the answer to one API request; a finite number more than 0.
    type: float
    default: 60
  validate_certs:
    description:
      - Whether to verify the endpoints' TLS certificates. Turn off only for a test endpoint.
    type: bool
    default: true
requirements:
  - python >= 3.9
  - alibabacloud-tea-openapi >= 0.4.0
  - alibabacloud-credentials >= 1.0.0
notes:
  - Every environment variable the modules read is described in the collection's environment variables guide
    (module options cannot declare them the way plugin options do).
  - API calls go through the proxy of E(HTTPS_PROXY) (or E(HTTP_PROXY) for a plain HTTP endpoint) and skip it for
    the hosts listed in E(NO_PROXY); the registry preflight of O(alibabacloud.eci.eci_image_cache#module:size_check)
    follows the same variables.
  - Credentials, security tokens and passwords are never returned or logged by the modules.
  - Every failed API call is reported with the action that failed, the error code and message of the API
    and the request id, in the C(error) key of the failed result.
"""
