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
  - Reads the network an image cache is built in - its vSwitches, their VPC, the security group, the VPC's NAT gateways
    with their SNAT entries, and an elastic IP - and says whether each vSwitch has a way out to the internet.
  - Use it to check a cache's network before creating the cache; the role C(alibabacloud.eci.image_cache) asserts over
    its facts.
  - Resources that do not exist are reported as missing (C(exists=false)), not as an error.
  - With O(images), also says which images come from a registry on the internet (RV(public_images)) and which are on
    another region's Container Registry VPC endpoint, which this region's VPCs cannot reach (RV(other_region_images)).
  - Only an C(Available) internet NAT gateway gives a way out; the SNAT entries of others are listed with the reason in
    RV(vswitches[].unusable_snat_entries). A vSwitch with fewer than O(min_free_ips) free IP addresses gets a warning
    when another has room.
  - What counts as a registry on the internet, and every check, are in the collection's guide
    R(Network prerequisites and the image_cache role,ansible_collections.alibabacloud.eci.docsite.network_prerequisites).
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
  min_free_ips:
    description:
      - Free IP addresses a vSwitch needs to have room for the temporary instance (RV(vswitches_with_room)).
    type: int
    default: 1
requirements:
  - alibabacloud-vpc20160428 >= 7.0.0
  - alibabacloud-ecs20140526 >= 7.0.0
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
    this module needs; without them it fails with the standard missing-library message before any call.
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
    unusable_snat_entries:
      description: SNAT entries that cover this vSwitch but give no way to the internet, each with snat_entry_id,
        nat_gateway_id and reason (the gateway is not Available, or is a VPC NAT gateway).
      type: list
      elements: dict
vswitches_with_room:
  description: Existing vSwitches with at least O(min_free_ips) free IP addresses.
  returned: always
  type: list
  elements: str
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
  description: NAT gateways of the vSwitches' VPCs (nat_gateway_id, vpc_id, name, status, network_type, problem - why it
    gives no way to the internet, or null), each with its snat_entries (snat_entry_id, source_vswitch_id, source_cidr,
    snat_ip, status).
  returned: always
  type: list
  elements: dict
eip:
  description: The elastic IP (allocation_id, exists, ip_address, status, instance_type, instance_id, bound); {} when not asked.
  returned: always
  type: dict
public_images:
  description: The images of O(images) that come from a registry on the internet (see the description).
  returned: always
  type: list
  elements: str
other_region_images:
  description:
    - The images of O(images) on the Container Registry VPC endpoint of another region - not on the internet, and
      not reached from this region's VPCs - each with C(image), C(registry_region) and C(message) (what to do).
  returned: always
  type: list
  elements: dict
internet_access:
  description: Summary of the ways out.
  returned: always
  type: dict
  contains:
    vswitches_with_route:
      description: vSwitches an SNAT entry of an Available internet NAT gateway covers.
      type: list
      elements: str
    vswitches_without_route:
      description: Existing vSwitches no such SNAT entry covers.
      type: list
      elements: str
    eip_usable:
      description: Whether the EIP exists and is not bound to anything, so the temporary instance can use it.
      type: bool
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.alibabacloud.eci.plugins.module_utils.module import AlibabaCloudModule
from ansible_collections.alibabacloud.eci.plugins.module_utils.egress import nat_gateway_problem, other_region_images, public_images, snat_covers
from ansible_collections.alibabacloud.eci.plugins.module_utils.network import (
    describe_eip,
    describe_nat_gateways,
    describe_security_group,
    describe_snat_entries,
    describe_vpc,
    describe_vswitch,
    missing_sdks,
)


def gather(module: AlibabaCloudModule) -> None:
    params = module.params
    connection = module.connection
    vswitches, missing = [], []
    for vswitch_id in dict.fromkeys(params["vswitch_ids"] or []):
        found = describe_vswitch(connection, vswitch_id)
        if found is None:
            missing.append(vswitch_id)
            vswitches.append(dict(vswitch_id=vswitch_id, exists=False, snat_entry_ids=[], unusable_snat_entries=[],
                                  internet_via_snat=False))
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
            gateway["problem"] = nat_gateway_problem(gateway)
            nat_gateways.append(gateway)
    for vswitch in vswitches:
        if vswitch["exists"]:
            covering = [(gateway, entry) for gateway in nat_gateways if gateway["vpc_id"] == vswitch["vpc_id"]
                        for entry in gateway["snat_entries"] if snat_covers(entry, vswitch)]
            vswitch["snat_entry_ids"] = [entry["snat_entry_id"] for gateway, entry in covering if not gateway["problem"]]
            vswitch["unusable_snat_entries"] = [
                dict(snat_entry_id=entry["snat_entry_id"], nat_gateway_id=gateway["nat_gateway_id"], reason=gateway["problem"])
                for gateway, entry in covering if gateway["problem"]]
            vswitch["internet_via_snat"] = bool(vswitch["snat_entry_ids"])
    existing = [v for v in vswitches if v["exists"]]
    with_room = [v["vswitch_id"] for v in existing if (v.get("available_ip_address_count") or 0) >= params["min_free_ips"]]
    full = [v for v in existing if v["vswitch_id"] not in with_room]
    if with_room and full:
        module.warn(f"vSwitch {', '.join(v['vswitch_id'] for v in full)} has too few free IP addresses "
                    f"({', '.join(str(v.get('available_ip_address_count')) for v in full)}; the temporary instance needs "
                    f"{params['min_free_ips']}); the cloud places it in vSwitch {', '.join(with_room)}, which has room.")

    eip = {}
    if params["eip_instance_id"]:
        found = describe_eip(connection, params["eip_instance_id"])
        eip = dict(found, exists=True) if found else dict(allocation_id=params["eip_instance_id"], exists=False, bound=False)

    module.exit_json(
        changed=False,
        vswitches=vswitches,
        vswitches_with_room=with_room,
        missing_vswitch_ids=missing,
        vpcs=vpcs,
        security_group=security_group,
        nat_gateways=nat_gateways,
        eip=eip,
        public_images=public_images(params["images"], connection.region, params["private_registries"],
                                    [vpc["cidr_block"] for vpc in vpcs if vpc.get("cidr_block")]),
        other_region_images=other_region_images(params["images"], connection.region),
        internet_access=dict(
            vswitches_with_route=[v["vswitch_id"] for v in vswitches if v["internet_via_snat"]],
            vswitches_without_route=[v["vswitch_id"] for v in vswitches if v["exists"] and not v["internet_via_snat"]],
            eip_usable=bool(eip.get("exists") and not eip.get("bound")),
        ),
    )


def main() -> None:
    module = AlibabaCloudModule(
        argument_spec=dict(
            vswitch_ids=dict(type="list", elements="str", aliases=["vswitch_id"]),
            security_group_id=dict(type="str"),
            eip_instance_id=dict(type="str"),
            images=dict(type="list", elements="str"),
            private_registries=dict(type="list", elements="str", default=[]),
            min_free_ips=dict(type="int", default=1),
        ),
        required_one_of=[("vswitch_ids", "security_group_id", "eip_instance_id")],
        supports_check_mode=True,
    )
    missing = missing_sdks()
    if missing:
        module.fail_json(missing_required_lib(" and ".join(missing)))
    vswitch_ids = module.params["vswitch_ids"] or []
    if len(vswitch_ids) > 10:
        module.fail_json(f"vswitch_ids takes at most 10 vSwitch ids, got {len(vswitch_ids)}.")
    if any(not (v or "").strip() for v in vswitch_ids):
        module.fail_json("vswitch_ids must not contain empty strings.")
    if module.params["min_free_ips"] < 0:
        module.fail_json(f"min_free_ips must be 0 or more, got {module.params['min_free_ips']}.")
    module.run(gather)


if __name__ == "__main__":
    main()
