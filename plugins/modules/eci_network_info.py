#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eci_network_info
short_description: Network facts an Alibaba Cloud ECI image cache depends on
version_added: 0.1.0
description:
  - Reads what the temporary instance that builds an image cache needs - its vSwitches, their VPC, the security
    group, the VPC's NAT gateways with their SNAT entries, and an elastic IP - and says whether each vSwitch
    has a way out to the internet.
  - Resources that do not exist are reported as missing (C(exists=false)), not as an error.
  - With O(images), also says which images come from a registry on the internet (anything that is not Alibaba Cloud
    Container Registry reached over the VPC of the region, or one of O(private_registries)).
  - Uses the VPC 2016-04-28 and ECS 2014-05-26 APIs through the same connection options as the other modules.
author:
  - Alibaba Cloud ECI collection maintainers (@alibabacloud)
options:
  vswitch_ids:
    description:
      - vSwitches to describe, at most 10.
    type: list
    elements: str
    aliases: [vswitch_id]
  security_group_id:
    description:
      - Security group to describe.
    type: str
  eip_instance_id:
    description:
      - Elastic IP (allocation id) to describe.
    type: str
  images:
    description:
      - Images to classify as reached over the internet or not (RV(public_images)).
    type: list
    elements: str
  private_registries:
    description:
      - Registries (host or host:port) reached without the internet, for example over a VPN or a peered VPC.
        Images from them do not need a way out.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - alibabacloud.eci.common
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: Nothing changes.
notes:
  - The collection's requirements.txt lists C(alibabacloud-vpc20160428) and C(alibabacloud-ecs20140526), which
    this module needs.
"""

EXAMPLES = r"""
- name: Facts for a cache's network
  alibabacloud.eci.eci_network_info:
    vswitch_ids: [vsw-bp1xpiowfm5vo8o3c****]
    security_group_id: sg-bp1fg655nh68xyz9****
    images:
      - registry-vpc.cn-hangzhou.aliyuncs.com/acs/nginx:1.25
      - docker.io/library/redis:7
  register: net

- name: Stop when a public image has no way out
  ansible.builtin.assert:
    that: net.public_images | length == 0 or net.internet_access.vswitches_without_route | length == 0
    fail_msg: "Add an SNAT entry for {{ net.internet_access.vswitches_without_route | join(', ') }} or give an EIP."
"""

RETURN = r"""
vswitches:
  description: The vSwitches asked for, in order; a missing one has only vswitch_id and exists=false.
  returned: always
  type: list
  elements: dict
  contains:
    vswitch_id:
      description: Id of the vSwitch.
      type: str
    exists:
      description: Whether the vSwitch exists in the region.
      type: bool
    vpc_id:
      description: Its VPC.
      type: str
    zone_id:
      description: Its zone.
      type: str
    status:
      description: Available or Pending.
      type: str
    cidr_block:
      description: Its IPv4 CIDR block.
      type: str
    available_ip_address_count:
      description: Free IP addresses.
      type: int
    name:
      description: Its name.
      type: str
    tags:
      description: Its tags.
      type: dict
    snat_entry_ids:
      description: SNAT entries of the VPC's NAT gateways that cover this vSwitch.
      type: list
      elements: str
    internet_via_snat:
      description: Whether an SNAT entry gives this vSwitch a way out.
      type: bool
missing_vswitch_ids:
  description: The vSwitches asked for that do not exist.
  returned: always
  type: list
  elements: str
vpcs:
  description: The VPCs of the vSwitches and the security group (vpc_id, cidr_block, status, name, tags; exists).
  returned: always
  type: list
  elements: dict
security_group:
  description: The security group (security_group_id, exists, vpc_id, security_group_type, name, tags); {} when not asked.
  returned: always
  type: dict
nat_gateways:
  description: NAT gateways of the vSwitches' VPCs, each with its snat_entries (snat_entry_id, source_vswitch_id, source_cidr,
    snat_ip, status).
  returned: always
  type: list
  elements: dict
eip:
  description: The elastic IP (allocation_id, exists, ip_address, status, instance_type, instance_id, bound); {} when not asked.
  returned: always
  type: dict
public_images:
  description: The images of O(images) that come from a registry on the internet.
  returned: always
  type: list
  elements: str
internet_access:
  description: Summary of the ways out.
  returned: always
  type: dict
  contains:
    vswitches_with_route:
      description: vSwitches an SNAT entry covers.
      type: list
      elements: str
    vswitches_without_route:
      description: Existing vSwitches no SNAT entry covers.
      type: list
      elements: str
    eip_usable:
      description: Whether the EIP exists and is not bound to anything, so the temporary instance can use it.
      type: bool
"""

from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule
from ansible_collections.alibabacloud.eci.plugins.module_utils.network import (
    describe_eip,
    describe_nat_gateways,
    describe_security_group,
    describe_snat_entries,
    describe_vpc,
    describe_vswitch,
    public_images,
    snat_covers,
)


def gather(module):
    params = module.params
    connection = module.connection
    vswitches, missing = [], []
    for vswitch_id in dict.fromkeys(params["vswitch_ids"] or []):
        found = describe_vswitch(connection, vswitch_id)
        if found is None:
            missing.append(vswitch_id)
            vswitches.append(dict(vswitch_id=vswitch_id, exists=False, snat_entry_ids=[], internet_via_snat=False))
        else:
            vswitches.append(dict(found, exists=True))
    security_group = {}
    if params["security_group_id"]:
        found = describe_security_group(connection, params["security_group_id"])
        security_group = dict(found, exists=True) if found else dict(security_group_id=params["security_group_id"], exists=False)

    vpc_ids = list(dict.fromkeys([v["vpc_id"] for v in vswitches if v["exists"]] +
                                 ([security_group["vpc_id"]] if security_group.get("exists") else [])))
    vpcs = []
    for vpc_id in vpc_ids:
        found = describe_vpc(connection, vpc_id)
        vpcs.append(dict(found, exists=True) if found else dict(vpc_id=vpc_id, exists=False))

    # Only the vSwitches' VPCs matter for the way out of the temporary instance.
    nat_gateways = []
    for vpc_id in dict.fromkeys(v["vpc_id"] for v in vswitches if v["exists"]):
        for gateway in describe_nat_gateways(connection, vpc_id):
            gateway["snat_entries"] = [entry for table_id in gateway["snat_table_ids"]
                                       for entry in describe_snat_entries(connection, table_id)]
            nat_gateways.append(gateway)
    for vswitch in vswitches:
        if vswitch["exists"]:
            vswitch["snat_entry_ids"] = [entry["snat_entry_id"] for gateway in nat_gateways
                                         if gateway["vpc_id"] == vswitch["vpc_id"]
                                         for entry in gateway["snat_entries"] if snat_covers(entry, vswitch)]
            vswitch["internet_via_snat"] = bool(vswitch["snat_entry_ids"])

    eip = {}
    if params["eip_instance_id"]:
        found = describe_eip(connection, params["eip_instance_id"])
        eip = dict(found, exists=True) if found else dict(allocation_id=params["eip_instance_id"], exists=False, bound=False)

    module.exit_json(
        changed=False,
        vswitches=vswitches,
        missing_vswitch_ids=missing,
        vpcs=vpcs,
        security_group=security_group,
        nat_gateways=nat_gateways,
        eip=eip,
        public_images=public_images(params["images"], connection.region, params["private_registries"]),
        internet_access=dict(
            vswitches_with_route=[v["vswitch_id"] for v in vswitches if v["internet_via_snat"]],
            vswitches_without_route=[v["vswitch_id"] for v in vswitches if v["exists"] and not v["internet_via_snat"]],
            eip_usable=bool(eip.get("exists") and not eip.get("bound")),
        ),
    )


def main():
    module = AlibabaCloudModule(
        argument_spec=dict(
            vswitch_ids=dict(type="list", elements="str", aliases=["vswitch_id"]),
            security_group_id=dict(type="str"),
            eip_instance_id=dict(type="str"),
            images=dict(type="list", elements="str"),
            private_registries=dict(type="list", elements="str", default=[]),
        ),
        required_one_of=[("vswitch_ids", "security_group_id", "eip_instance_id")],
        supports_check_mode=True,
    )
    vswitch_ids = module.params["vswitch_ids"] or []
    if len(vswitch_ids) > 10:
        module.fail_json("vswitch_ids takes at most 10 vSwitch ids, got %d." % len(vswitch_ids))
    if any(not (v or "").strip() for v in vswitch_ids):
        module.fail_json("vswitch_ids must not contain empty strings.")
    module.run(gather)


if __name__ == "__main__":
    main()
