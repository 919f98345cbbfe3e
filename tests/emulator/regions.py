# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud region IDs: a RegionId outside this list is refused (every product, every profile).

Source: Alibaba Cloud's public "Regions and zones" and endpoint pages (public-cloud regions, the finance and
government regions; regions announced as closed are kept, since their IDs are real). The twin cannot ask
the cloud, so the list lives here; add a region when Alibaba Cloud opens one.
"""

from __future__ import annotations

from .errors import invalid

REGIONS = frozenset((
    # Chinese mainland and Hong Kong (China)
    'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai',
    'cn-nanjing', 'cn-fuzhou', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-wuhan-lr', 'cn-hongkong',
    # finance and government clouds
    'cn-hangzhou-finance', 'cn-shanghai-finance-1', 'cn-shenzhen-finance-1', 'cn-beijing-finance-1', 'cn-north-2-gov-1',
    # Asia Pacific
    'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5',
    'ap-southeast-6', 'ap-southeast-7', 'ap-south-1',
    # Americas, Europe, Middle East
    'us-east-1', 'us-west-1', 'na-south-1', 'eu-west-1', 'eu-central-1', 'me-east-1', 'me-central-1',
))


def check_region(region: str) -> str:
    """The region, or 400 InvalidParameter.RegionId.

    UNDOCUMENTED: the code the cloud answers for an unknown region is not published; the twin uses the same
    code as for any other bad parameter value (a client must not rely on it).
    """
    if region not in REGIONS:
        raise invalid('RegionId', f'{region!r} is not an Alibaba Cloud region ID (e.g. cn-hangzhou, ap-southeast-1).')
    return region
