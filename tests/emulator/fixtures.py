# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's fixtures: the network (VPCs, vSwitches, security groups, NAT gateways, EIPs) and image sizes, read from YAML and checked."""

from __future__ import annotations

import datetime
import ipaddress
import re
import time

import yaml

from .config import DEFAULT_FIXTURES, DEFAULT_REGION, DEFAULT_RESOURCE_GROUP_ID
from .model import iso


class FixtureError(ValueError):
    """The fixtures file is not in the expected format."""


def _items(data: dict, key: str, region: str, required: tuple = ()) -> list[dict]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise FixtureError(f'fixtures: {key} must be a list')
    result = []
    for item in items:
        if not isinstance(item, dict) or not item.get('id'):
            raise FixtureError(f'fixtures: every entry of {key} must be a mapping with an id')
        for name in required:
            if not item.get(name):
                raise FixtureError(f'fixtures: {key} entry {item["id"]} needs {name}')
        entry = dict(item)
        entry.setdefault('region', region)
        result.append(entry)
    return result


def load_fixtures(path: str | None, overrides: dict | None = None) -> dict:
    """Read and normalise a fixtures YAML file (the default one when path is None).

    overrides (from POST /_emulator/reset) replace whole top-level keys of the file.
    """
    with open(path or DEFAULT_FIXTURES, encoding='utf-8') as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict) or not isinstance(overrides or {}, dict):
        raise FixtureError('fixtures: the top level must be a mapping')
    data.update(overrides or {})
    region = str(data.get('region') or DEFAULT_REGION)
    sizes = data.get('image_sizes') or {}
    if not isinstance(sizes, dict):
        raise FixtureError('fixtures: image_sizes must be a mapping of image reference to GiB')
    caches = data.get('image_caches') or []
    if not isinstance(caches, list) or not all(isinstance(c, dict) and c.get('name') and c.get('images') for c in caches):
        raise FixtureError('fixtures: image_caches must be a list of mappings with name and images')
    for cache in caches:
        # Checked now, so that a bad fixtures file fails at start; read again at each reset (relative times).
        seed_times(cache, time.time())
    fixtures = {
        'region': region,
        'default_resource_group_id': str(data.get('default_resource_group_id') or DEFAULT_RESOURCE_GROUP_ID),
        'vpcs': _items(data, 'vpcs', region),
        'vswitches': _items(data, 'vswitches', region, ('vpc_id', 'zone_id')),
        'security_groups': _items(data, 'security_groups', region, ('vpc_id',)),
        'nat_gateways': _items(data, 'nat_gateways', region, ('vpc_id',)),
        'eips': _items(data, 'eips', region),
        'image_sizes': {str(k): float(v) for k, v in sizes.items()},
        'image_caches': caches,
        # Registry hosts (host or host:port) inside the VPCs: reached without the internet (self-hosted registries).
        'private_registries': _registries(data),
    }
    _normalise_network(fixtures)
    return fixtures


_AGO = re.compile(r'^(\d+(?:\.\d+)?) (day|hour|minute|second)s? ago\Z')
_UNIT = {'day': 86400, 'hour': 3600, 'minute': 60, 'second': 1}


def seed_time(value: object, now: float, key: str, name: str) -> float | None:
    """A seeded cache's creation_time or last_matched_time as epoch seconds: ISO 8601 (2026-11-01T08:00:00Z, or a
    YAML timestamp) or relative to the reset (`40 days ago`, `3 hours ago`); None when not given."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        return stamp.timestamp()
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc).timestamp()
    text = str(value).strip()
    ago = _AGO.match(text)
    if ago:
        return now - float(ago.group(1)) * _UNIT[ago.group(2)]
    try:
        stamp = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        raise FixtureError(f'fixtures: image cache {name}: {key} {value!r} is neither ISO 8601 (2026-11-01T08:00:00Z) '
                           'nor "N days ago" (days, hours, minutes or seconds)') from None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)).timestamp()


def seed_times(cache: dict, now: float) -> tuple[float | None, float | None]:
    """(creation, last matched) of a seeded cache; a match before the creation is refused."""
    name = str(cache.get('name'))
    created = seed_time(cache.get('creation_time'), now, 'creation_time', name)
    matched = seed_time(cache.get('last_matched_time'), now, 'last_matched_time', name)
    if matched is not None and matched < (created if created is not None else now):
        raise FixtureError(f'fixtures: image cache {name}: last_matched_time is before its creation_time '
                           '(the creation time is the reset when not given)')
    return created, matched


def _registries(data: dict) -> list:
    registries = data.get('private_registries') or []
    if not isinstance(registries, list) or not all(isinstance(r, str) and r for r in registries):
        raise FixtureError('fixtures: private_registries must be a list of registry hosts (host or host:port)')
    return [r.lower() for r in registries]


def _tags_of(item: dict, key: str) -> dict:
    tags = item.get('tags') or {}
    if not isinstance(tags, dict):
        raise FixtureError(f'fixtures: {key} entry {item["id"]}: tags must be a mapping of key to value')
    return {str(k): '' if v is None else str(v) for k, v in tags.items()}


def _free_ips(cidr: str | None) -> int:
    """Free addresses of a new vSwitch: the block minus the 4 addresses Alibaba Cloud reserves (252 for a /24)."""
    try:
        return max(0, ipaddress.ip_network(cidr or '192.168.0.0/24', strict=False).num_addresses - 4)
    except ValueError as exc:
        raise FixtureError(f'fixtures: {cidr!r} is not a CIDR block') from exc


def _check_cidr(item: dict, key: str, name: str) -> None:
    if item.get(name):
        try:
            ipaddress.ip_network(str(item[name]), strict=False)
        except ValueError as exc:
            raise FixtureError(f'fixtures: {key} entry {item["id"]}: {name} {item[name]!r} is not a CIDR block') from exc


def _normalise_network(fixtures: dict) -> None:
    """Fill the defaults the VPC/ECS read actions and the CreateImageCache checks rely on.

    Every entry gets status, tags, resource group and creation time; vSwitches their free IP count (from the
    CIDR block when not given); security groups their type; NAT gateways their SNAT table id
    (`stb-` + the gateway id without `ngw-`, unless `snat_table_id` is given) and normalised SNAT entries;
    EIPs their status (InUse when bound to an instance, Available otherwise).
    """
    created = iso(time.time())
    group = fixtures['default_resource_group_id']
    for key in ('vpcs', 'vswitches', 'security_groups', 'nat_gateways', 'eips'):
        for item in fixtures[key]:
            item['id'] = str(item['id'])
            item['tags'] = _tags_of(item, key)
            item.setdefault('resource_group_id', group)
            item['creation_time'] = str(item.get('creation_time') or created)
            item.setdefault('name', '')
            item.setdefault('description', '')
    for vpc in fixtures['vpcs']:
        _check_cidr(vpc, 'vpcs', 'cidr_block')
        vpc.setdefault('status', 'Available')
    for vsw in fixtures['vswitches']:
        _check_cidr(vsw, 'vswitches', 'cidr_block')
        vsw.setdefault('status', 'Available')
        count = vsw.get('available_ip_address_count')
        vsw['available_ip_address_count'] = _free_ips(vsw.get('cidr_block')) if count is None else int(count)
    for sg in fixtures['security_groups']:
        sg.setdefault('type', 'normal')
        if sg['type'] not in ('normal', 'enterprise'):
            raise FixtureError(f'fixtures: security group {sg["id"]}: type must be normal or enterprise')
    for gateway in fixtures['nat_gateways']:
        _normalise_gateway(gateway, fixtures['vswitches'])
    for eip in fixtures['eips']:
        eip.setdefault('ip_address', '')
        eip['instance_type'] = str(eip.get('instance_type') or '')
        eip['instance_id'] = str(eip.get('instance_id') or '')
        eip.setdefault('status', 'InUse' if eip['instance_id'] else 'Available')


def _normalise_gateway(gateway: dict, vswitches: list) -> None:
    ident = gateway['id']
    gateway.setdefault('status', 'Available')
    gateway['snat_table_id'] = str(gateway.get('snat_table_id') or 'stb-' + (ident[4:] if ident.startswith('ngw-') else ident))
    entries = gateway.get('snat_entries') or []
    if not isinstance(entries, list):
        raise FixtureError(f'fixtures: NAT gateway {ident}: snat_entries must be a list')
    normalised = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise FixtureError(f'fixtures: NAT gateway {ident}: every SNAT entry must be a mapping')
        entry = dict(entry)
        entry['id'] = str(entry.get('id') or f'snat-{gateway["snat_table_id"][4:]}-{index}')
        vsw_id = str(entry.get('source_vswitch_id') or '')
        cidr = str(entry.get('source_cidr') or '')
        if not cidr and vsw_id:
            # A vSwitch-granular entry covers the vSwitch's CIDR block (the cloud shows it as SourceCIDR).
            vsw = next((v for v in vswitches if v['id'] == vsw_id and v['region'] == gateway['region']), None)
            cidr = str((vsw or {}).get('cidr_block') or '')
        if not cidr and not vsw_id:
            raise FixtureError(f'fixtures: SNAT entry {entry["id"]} of {ident} needs source_vswitch_id or source_cidr')
        entry.update(source_vswitch_id=vsw_id, source_cidr=cidr, snat_ip=str(entry.get('snat_ip') or ''),
                     name=str(entry.get('name') or ''), status=str(entry.get('status') or 'Available'))
        _check_cidr(entry, 'snat_entries', 'source_cidr')
        normalised.append(entry)
    gateway['snat_entries'] = normalised
