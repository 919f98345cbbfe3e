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
from typing import Any, Iterable, Mapping

from ansible_collections.alibabacloud.eci.plugins.module_utils.image_reference import registry_host

# Addresses no registry on the internet has: RFC 1918 and the shared address space of RFC 6598
# (100.64.0.0/10, which Alibaba Cloud uses for its internal services), plus loopback and link-local.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10"))


def snat_covers(entry: Mapping[str, Any], vswitch: Mapping[str, Any]) -> bool:
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


def nat_gateway_problem(gateway: Mapping[str, Any]) -> str | None:
    """Why a NAT gateway's SNAT entries give no way to the internet, or None when they do.

    Only an Available gateway forwards traffic (Creating, Modifying, Deleting and Converting ones do not),
    and a VPC NAT gateway (NetworkType intranet) translates addresses inside private networks only.
    """
    if gateway.get("network_type") == "intranet":
        return "it is a VPC NAT gateway (NetworkType intranet), which does not reach the internet"
    if gateway.get("status") not in (None, "", "Available"):
        return f"the NAT gateway is {gateway['status']}, not Available"
    return None


# Container Registry's VPC endpoints (registry-vpc.<region>.aliyuncs.com, <instance>-registry-vpc.<region>.cr.aliyuncs.com):
# they resolve to addresses of the VPCs of their region only.
ACR_VPC_ENDPOINT = re.compile(r"^(?:registry-vpc\.(?P<personal>[a-z0-9-]+)\.aliyuncs\.com|"
                              r"[a-z0-9][a-z0-9-]*-registry-vpc\.(?P<enterprise>[a-z0-9-]+)\.cr\.aliyuncs\.com)(?::[0-9]+)?\Z")


def acr_vpc_region(registry: str) -> str | None:
    """The region of a Container Registry VPC endpoint (host[:port]), or None for any other registry."""
    match = ACR_VPC_ENDPOINT.match((registry or "").lower())
    return (match.group("personal") or match.group("enterprise")) if match else None


def acr_vpc_registry(registry: str, region: str) -> bool:
    """Whether a registry is Alibaba Cloud Container Registry reached over the VPC of region (no internet needed)."""
    return acr_vpc_region(registry) == region


def other_region_images(images: Iterable[str] | None, region: str) -> list[dict[str, str]]:
    """The images on another region's Container Registry VPC endpoint: neither on the internet nor reached from the
    VPCs of region (only from that region's VPCs, or networks joined to them), so a NAT gateway does not help.
    Each: dict(image, registry_region, message)."""
    found = []
    for image in images or []:
        other = acr_vpc_region(registry_host(image))
        if other and other != region:
            found.append(dict(image=image, registry_region=other, message=(
                f"{image} is on the VPC endpoint of Container Registry in {other}, which the VPCs of {region} cannot "
                f"reach (a NAT gateway does not help: the endpoint is not on the internet). Pull it from the endpoint of "
                f"{region} (registry-vpc.{region}.aliyuncs.com, after replicating the image there), from "
                f"registry.{other}.aliyuncs.com over the internet, or build the cache in {other}.")))
    return found


def registry_address(registry: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
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


def private_address(registry: str, vpc_cidrs: Iterable[Any] | None = ()) -> bool:
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


def public_images(images: Iterable[str] | None, region: str, private_registries: Iterable[str] | None = (),
                  vpc_cidrs: Iterable[Any] | None = ()) -> list[str]:
    """The images whose registry is reached over the internet: not a Container Registry VPC endpoint (of this region,
    or of another: other_region_images), not a private address (or one inside vpc_cidrs), not declared private."""
    private = set(registry.lower() for registry in private_registries or ())
    found: list[str] = []
    for image in images or []:
        registry = registry_host(image)
        if acr_vpc_region(registry) or registry in private or private_address(registry, vpc_cidrs):
            continue  # an ACR VPC endpoint of another region is not on the internet either: other_region_images
        found.append(image)
    return found
