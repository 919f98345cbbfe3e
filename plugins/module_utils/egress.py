# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Egress reasoning: which images need the internet and which vSwitches have a way out.

Pure functions over the resources network.py describes (snake_case dicts); no API call here, so
eci_network_info's decisions are unit-tested without a cloud.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import registry_host

# Addresses no registry on the internet has: RFC 1918 and the shared address space of RFC 6598
# (100.64.0.0/10, which Alibaba Cloud uses for its internal services), plus loopback and link-local.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10"))


def snat_covers(entry, vswitch):
    """Whether an SNAT entry gives this vSwitch a way out (by vSwitch id, or a source CIDR that contains it)."""
    if entry.get("status") not in (None, "", "Available"):
        return False
    if entry.get("source_vswitch_id"):
        return entry["source_vswitch_id"] == vswitch["vswitch_id"]
    if entry.get("source_cidr") and vswitch.get("cidr_block"):
        try:
            return ipaddress.ip_network(vswitch["cidr_block"], strict=False).subnet_of(
                ipaddress.ip_network(entry["source_cidr"], strict=False))
        except (ValueError, TypeError):
            return False
    return False


def nat_gateway_problem(gateway):
    """Why a NAT gateway's SNAT entries give no way to the internet, or None when they do.

    Only an Available gateway forwards traffic (Creating, Modifying, Deleting and Converting ones do not),
    and a VPC NAT gateway (NetworkType intranet) translates addresses inside private networks only.
    """
    if gateway.get("network_type") == "intranet":
        return "it is a VPC NAT gateway (NetworkType intranet), which does not reach the internet"
    if gateway.get("status") not in (None, "", "Available"):
        return "the NAT gateway is %s, not Available" % gateway["status"]
    return None


def acr_vpc_registry(registry, region):
    """Whether a registry is Alibaba Cloud Container Registry reached over the VPC (no internet needed)."""
    return (registry == "registry-vpc.%s.aliyuncs.com" % region
            or re.match(r"^[a-z0-9][a-z0-9-]*-registry-vpc\.%s\.cr\.aliyuncs\.com$" % re.escape(region), registry) is not None)


def registry_address(registry):
    """The IP address of a registry given as an address ([v6]:port, v4:port or a bare address), else None."""
    host = registry
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def private_address(registry, vpc_cidrs=()):
    """Whether a registry is an IP address no one on the internet has: a private range, or inside the VPC."""
    address = registry_address(registry)
    if address is None:
        return False
    networks = list(PRIVATE_NETWORKS)
    for cidr in vpc_cidrs or ():
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except (TypeError, ValueError):
            continue
    return any(address.version == network.version and address in network for network in networks)


def public_images(images, region, private_registries=(), vpc_cidrs=()):
    """The images whose registry is reached over the internet: not ACR over the VPC, not a private address
    (or one inside vpc_cidrs), not declared private."""
    private = set(registry.lower() for registry in private_registries or ())
    found = []
    for image in images or []:
        registry = registry_host(image)
        if acr_vpc_registry(registry, region) or registry in private or private_address(registry, vpc_cidrs):
            continue
        found.append(image)
    return found
