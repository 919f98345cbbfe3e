# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.alibabacloud.eci.plugins.module_utils import network


class _Model:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class _Answer:
    def __init__(self, body):
        self.body = body

    def to_map(self):
        return self.body


class _Connection:
    """Answers DescribeSecurityGroups pages by NextToken and records each request's paging fields."""

    region = "cn-hangzhou"

    def __init__(self, pages):
        self.pages = pages
        self.sent = []

    def call(self, service, action, method_name, request):
        self.sent.append(dict(service=service, action=action, next_token=getattr(request, "next_token", None),
                              max_results=getattr(request, "max_results", None),
                              page_number=getattr(request, "page_number", None)))
        return _Answer(self.pages[getattr(request, "next_token", None) or ""])


def test_security_groups_page_with_next_token(monkeypatch):
    monkeypatch.setattr(network, "_ecs_models", lambda: _Model(DescribeSecurityGroupsRequest=_Model))
    connection = _Connection({
        "": {"NextToken": "t1", "SecurityGroups": {"SecurityGroup": [{"SecurityGroupId": "sg-a", "VpcId": "vpc-a"}]}},
        "t1": {"NextToken": "", "SecurityGroups": {"SecurityGroup": [
            {"SecurityGroupId": "sg-b", "VpcId": "vpc-b", "Tags": {"Tag": [{"TagKey": "k", "TagValue": "v"}]}}]}},
    })
    found = network.describe_security_group(connection, "sg-b")
    assert found["vpc_id"] == "vpc-b" and found["tags"] == {"k": "v"}
    assert [(s["next_token"], s["max_results"], s["page_number"]) for s in connection.sent] == [
        (None, network.MAX_RESULTS, None), ("t1", network.MAX_RESULTS, None)]


def test_a_repeated_next_token_ends_the_listing(monkeypatch):
    monkeypatch.setattr(network, "_ecs_models", lambda: _Model(DescribeSecurityGroupsRequest=_Model))
    connection = _Connection({"": {"NextToken": "same", "SecurityGroups": {"SecurityGroup": []}},
                              "same": {"NextToken": "same", "SecurityGroups": {"SecurityGroup": []}}})
    assert network.describe_security_group(connection, "sg-x") is None
    assert len(connection.sent) == 2


def test_missing_sdks_names_the_pip_packages(monkeypatch):
    monkeypatch.setattr(network.importlib.util, "find_spec", lambda name: None if name == "alibabacloud_ecs20140526" else object())
    assert network.missing_sdks() == ["alibabacloud-ecs20140526"]
