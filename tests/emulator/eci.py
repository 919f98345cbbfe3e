# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECI 2018-08-08 actions: image caches and their tags.

Where the cloud's behaviour is not documented the stricter choice is made; each is marked STRICTER. Where it is
not documented and plausibly varies, the profile decides (profile.py; marked PROFILE). Codes no source backs are
marked UNDOCUMENTED.
"""

from __future__ import annotations

import re

from . import network
from .context import Context, decode_token, encode_token, region_of
from .errors import ApiError, invalid, missing, not_found
from .params import Params
from .model import ImageCache, new_id, normalize_image
from .registry_reader import registry_credentials

MAX_IMAGES = 20
MAX_CREDENTIALS = 10
MAX_TAGS = 20
MAX_VSWITCHES = 10
MAX_MATCH_IMAGES = 100
MAX_RESOURCE_IDS = 50
DESCRIBE_DEFAULT_LIMIT = 10
# PROFILE page_limit_max / page_limit_over: the maximum of DescribeImageCaches Limit is not documented.
TAGS_DEFAULT_LIMIT = 20
TAGS_MAX_LIMIT = 50
SIZE_RANGE = (20, 32768)  # GiB, from the ImageCache CRD; default 20
RETENTION_RANGE = (1, 65536)  # days, from the ImageCache CRD
RESOURCE_TYPES = ('ContainerGroup', 'ImageCache', 'DataCache', 'VirtualNode')
BUSY_STATUSES = ('Preparing', 'Creating', 'Updating')
# STRICTER: 2..128 characters, lower-case letters, digits and hyphens, starting and ending with a letter or digit
# (the public docs describe the name in Kubernetes DNS-label style; a trailing hyphen is refused here).
NAME_RE = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])\Z')
RESOURCE_GROUP_RE = re.compile(r'^rg-[A-Za-z0-9]+\Z')


# -- validation helpers -------------------------------------------------------------------------------
def _name(p: Params, required: bool) -> str | None:
    name = p.get_str('ImageCacheName', required=required)
    if name is not None and not NAME_RE.match(name):
        raise invalid('ImageCacheName', 'It must be 2 to 128 characters long, contain only lowercase letters, digits and hyphens (-), '
                      'and start and end with a lowercase letter or digit.')
    return name


def _images(p: Params, required: bool) -> list | None:
    images = p.get_list('Image', max_items=MAX_IMAGES)
    if not images:
        if required:
            raise missing('Image')
        return None
    for index, image in enumerate(images, 1):
        if not image.strip() or any(c.isspace() for c in image):
            raise invalid(f'Image.{index}', f'{image!r} is not an image reference.')
    return images


def check_tag_key(key: str, param: str) -> None:
    if not 1 <= len(key) <= 128:
        raise invalid(param, 'A tag key must be 1 to 128 characters long.')
    _check_tag_text(key, param, 'key')


def check_tag_value(value: str, param: str) -> None:
    if len(value) > 128:
        raise invalid(param, 'A tag value must be at most 128 characters long.')
    _check_tag_text(value, param, 'value')


def _check_tag_text(text: str, param: str, what: str) -> None:
    low = text.lower()
    if low.startswith('aliyun') or low.startswith('acs:'):
        raise invalid(param, f'A tag {what} must not start with "aliyun" or "acs:".')
    if 'http://' in low or 'https://' in low:
        raise invalid(param, f'A tag {what} must not contain "http://" or "https://".')


def _tags(p: Params, name: str = 'Tag') -> dict | None:
    """Tag.N.Key / Tag.N.Value as an ordered dict; None when no Tag.N was sent."""
    objs = p.get_objects(name, max_items=MAX_TAGS)
    if not objs:
        return None
    tags: dict = {}
    for obj in objs:
        index = obj['_index']
        key = obj.get('Key')
        if not key:
            raise missing(f'{name}.{index}.Key')
        value = obj.get('Value', '')
        check_tag_key(key, f'{name}.{index}.Key')
        check_tag_value(value, f'{name}.{index}.Value')
        if key in tags:
            raise invalid(f'{name}.{index}.Key', f'The tag key {key!r} appears more than once.')  # STRICTER
        tags[key] = value
    return tags


def _vswitches(p: Params, required: bool) -> list | None:
    value = p.get_str('VSwitchId', required=required)
    if value is None:
        return None
    ids = [v.strip() for v in value.split(',')]
    if any(not v for v in ids):
        raise invalid('VSwitchId', 'Separate vSwitch IDs with single commas, without empty entries.')
    if len(ids) > MAX_VSWITCHES:
        raise invalid('VSwitchId', f'At most {MAX_VSWITCHES} vSwitch IDs are allowed, got {len(ids)}.')
    return ids


def _credentials(p: Params) -> list | None:
    objs = p.get_objects('ImageRegistryCredential', max_items=MAX_CREDENTIALS)
    if not objs:
        return None
    result = []
    for obj in objs:
        prefix = f'ImageRegistryCredential.{obj["_index"]}'
        for field in ('Server', 'UserName', 'Password'):
            if not obj.get(field):
                raise missing(f'{prefix}.{field}')  # STRICTER: all three fields are needed to log in
        if '://' in obj['Server'] or '/' in obj['Server']:
            raise invalid(f'{prefix}.Server', 'Give the registry address without a scheme or path, e.g. registry.example.com.')
        # Passwords are never stored.
        result.append({'Server': obj['Server'], 'UserName': obj['UserName']})
    return result


def _acr(p: Params) -> list | None:
    objs = p.get_objects('AcrRegistryInfo')
    if not objs:
        return None
    for obj in objs:
        if not obj.get('InstanceId'):
            raise missing(f'AcrRegistryInfo.{obj["_index"]}.InstanceId')
    return [{k: v for k, v in obj.items() if k != '_index'} for obj in objs]


def _spec(p: Params, create: bool) -> dict:
    """Every cache setting the request carries (None = not sent), validated."""
    strategy = p.get_str('EliminationStrategy')
    if strategy is not None and strategy not in ('', 'LRU'):
        raise invalid('EliminationStrategy', 'Valid values: "" (keep) and "LRU".')
    resource_group = p.get_str('ResourceGroupId')
    if resource_group is not None and not RESOURCE_GROUP_RE.match(resource_group):
        raise invalid('ResourceGroupId', f'{resource_group!r} is not a resource group ID.')
    # STRICTER: SecurityGroupId and VSwitchId are required on create, as the API reference says
    # (the SDK does not enforce them).
    spec = {
        'name': _name(p, required=create),
        'images': _images(p, required=create),
        'size': p.get_int('ImageCacheSize', *SIZE_RANGE),
        'retention_days': p.get_int('RetentionDays', *RETENTION_RANGE),
        'elimination_strategy': strategy,
        'resource_group_id': resource_group,
        'tags': _tags(p),
        'security_group_id': p.get_str('SecurityGroupId', required=create),
        'vswitch_ids': _vswitches(p, required=create),
        'eip_instance_id': p.get_str('EipInstanceId'),
        'flash': p.get_bool('Flash'),
        'flash_copy_count': p.get_int('FlashCopyCount', 0),
        'standard_copy_count': p.get_int('StandardCopyCount', 0),
        'auto_match_image_cache': p.get_bool('AutoMatchImageCache'),
        'credentials': _credentials(p),
        'acr': _acr(p),
    }
    if create:
        spec.update(zone_id=p.get_str('ZoneId'), insecure_registry=p.get_str('InsecureRegistry'),
                    plain_http_registry=p.get_str('PlainHttpRegistry'), annotations=p.get_str('Annotations'))
    return spec


def _check_network(ctx: Context, region: str, sg_id: str | None, vswitch_ids: list | None, eip_id: str | None) -> None:
    """STRICTER: the security group, vSwitches and EIP must exist in the region, in one VPC (fixtures).

    The EIP must also be unbound (400 InvalidEipInstanceId.InUse otherwise): see network.check_eip.
    """
    state = ctx.state
    vpc = None
    if sg_id is not None:
        group = state.network('security_groups', region, sg_id)
        if group is None:
            raise not_found('InvalidSecurityGroupId.NotFound', 'security group', sg_id)
        vpc = group['vpc_id']
    for vsw_id in vswitch_ids or []:
        vswitch = state.network('vswitches', region, vsw_id)
        if vswitch is None:
            raise not_found('InvalidVSwitchId.NotFound', 'vSwitch', vsw_id)
        if vpc is not None and vswitch['vpc_id'] != vpc:
            raise ApiError(400, 'InvalidParameter.VpcMismatch',
                           f'The vSwitch {vsw_id} (VPC {vswitch["vpc_id"]}) and the security group {sg_id} (VPC {vpc}) are not in the same VPC.')
    network.check_eip(state, region, eip_id)


def _temporary_instance(ctx: Context, region: str, images: list, vswitch_ids: list | None, eip_id: str | None,
                        instance_id: str) -> str | None:
    """The temporary instance that pulls the images: it needs a free IP address in one of the vSwitches
    (400 InvalidVSwitchId.IpNotEnough, the request is refused) and a route to the internet for images on
    public registries (otherwise the request is accepted and the cache fails: the returned message)."""
    if not vswitch_ids:
        return None  # a seeded cache updated without network settings: nothing known to check
    usable = network.placement(ctx.state, region, vswitch_ids)
    return network.pull_blocker(ctx.state, region, images, usable, eip_id, instance_id)


def _find(ctx: Context, region: str, cache_id: str) -> ImageCache | None:
    """The cache, or None when it does not exist and the profile's missing_id is `ignore`.

    PROFILE missing_id: `not_found` answers 404 InvalidImageCacheId.NotFound (UNDOCUMENTED code) for
    Update/Delete of an unknown cache; `ignore` answers 200 and does nothing.
    """
    cache = ctx.state.caches.get(cache_id)
    if cache is None or cache.region != region:
        if ctx.state.profile['missing_id'] == 'ignore':
            return None
        raise not_found('InvalidImageCacheId.NotFound', 'image cache', cache_id)
    return cache


def _apply_settings(cache: ImageCache, spec: dict) -> None:
    for key in ('security_group_id', 'vswitch_ids', 'eip_instance_id', 'flash_copy_count', 'standard_copy_count',
                'auto_match_image_cache', 'credentials', 'acr', 'zone_id', 'insecure_registry', 'plain_http_registry', 'annotations'):
        if spec.get(key) is not None:
            cache.settings[key] = spec[key]


# -- actions ------------------------------------------------------------------------------------------
def create_image_cache(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    spec = _spec(p, create=True)
    _check_network(ctx, region, spec['security_group_id'], spec['vswitch_ids'], spec['eip_instance_id'])
    state = ctx.state
    # Refusals (no free IP address) come before the cache exists; a missing route to the internet does not
    # refuse the request: the cache is created and ends Failed with a Warning event (as in the cloud).
    network.placement(state, region, spec['vswitch_ids'])
    cache = state.new_cache(name=spec['name'], region=region, images=spec['images'], size=spec['size'] or SIZE_RANGE[0],
                            now=ctx.now, resource_group_id=spec['resource_group_id'])
    # PROFILE visibility_lag: DescribeImageCaches does not show the cache for that long; system_tags: the cloud's own.
    cache.visible_at = ctx.now + state.profile['visibility_lag']
    cache.system_tags = dict(state.profile['system_tags'])
    cache.retention_days = spec['retention_days']
    cache.elimination_strategy = spec['elimination_strategy'] or ''
    cache.tags = spec['tags'] or {}
    cache.flash = bool(spec['flash'])
    cache.flash_snapshot_id = new_id('s-') if cache.flash else ''
    _apply_settings(cache, spec)
    blocker = _temporary_instance(ctx, region, cache.images, spec['vswitch_ids'], spec['eip_instance_id'], cache.container_group_id)
    cache.begin('create', ctx.now, state.config.ready_after, state.total_size(cache.images, registry_credentials(p.raw)), blocker)
    return {'ImageCacheId': cache.id, 'ContainerGroupId': cache.container_group_id}


def update_image_cache(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    cache_id = p.get_str('ImageCacheId', required=True)
    spec = _spec(p, create=False)
    cache = _find(ctx, region, cache_id)
    if cache is None:
        return {}
    status, _progress = cache.current(ctx.now)
    if status not in ('Ready', 'UpdateFailed'):
        # Only Ready/UpdateFailed can be updated [doc]; 400 is ECI's status for wrong-state actions [doc, other
        # resources]; the code IncorrectStatus.ImageCache is UNDOCUMENTED.
        raise ApiError(400, 'IncorrectStatus.ImageCache',
                       f'The image cache {cache.id} is {status}: it can be updated only when it is Ready or UpdateFailed.')
    sg_id = spec['security_group_id'] or (cache.settings.get('security_group_id') if spec['vswitch_ids'] else None)
    vswitch_ids = spec['vswitch_ids'] or (cache.settings.get('vswitch_ids') if spec['security_group_id'] else None)
    _check_network(ctx, region, sg_id, vswitch_ids, spec['eip_instance_id'])
    # An update runs a temporary instance too: the same rules, with the settings the cache will have.
    eip_id = spec['eip_instance_id'] or cache.settings.get('eip_instance_id')
    blocker = _temporary_instance(ctx, region, spec['images'] or cache.images, spec['vswitch_ids'] or cache.settings.get('vswitch_ids'),
                                  eip_id, cache.container_group_id)
    # Every setting that is sent replaces the stored one. Tag.N replaces the whole tag set (the API lists
    # Tag as updatable; replacing is the reading that leaves no doubt): use TagResources/UntagResources
    # to add or remove single tags.
    profile = ctx.state.profile
    # PROFILE update_lag: DescribeImageCaches shows the cache as it was (status and settings) for that long.
    lag = profile['update_lag']
    if lag > 0:
        cache.stale, cache.stale_until = cache.shown(ctx.now, profile['echo_images']), ctx.now + lag
    # PROFILE clear_elimination: `ignored` leaves LRU in place when an update sends EliminationStrategy "".
    if spec['elimination_strategy'] == '' and profile['clear_elimination'] == 'ignored':
        spec['elimination_strategy'] = None
    for key, attr in (('name', 'name'), ('images', 'images'), ('size', 'size'), ('retention_days', 'retention_days'),
                      ('elimination_strategy', 'elimination_strategy'), ('resource_group_id', 'resource_group_id'), ('tags', 'tags')):
        if spec[key] is not None:
            setattr(cache, attr, spec[key])
    if spec['flash'] is not None:
        cache.flash = spec['flash']
        cache.flash_snapshot_id = new_id('s-') if cache.flash else ''
    _apply_settings(cache, spec)
    cache.begin('update', ctx.now, ctx.state.config.ready_after,
                ctx.state.total_size(cache.images, registry_credentials(p.raw)), blocker, delay=lag)
    ctx.state.watch(cache)
    return {}


def delete_image_cache(ctx: Context) -> dict:
    p = ctx.params
    region = region_of(p)
    cache = _find(ctx, region, p.get_str('ImageCacheId', required=True))
    if cache is None:
        return {}
    status, _progress = cache.current(ctx.now)
    if ctx.state.profile['busy_delete'] == 'reject' and status in BUSY_STATUSES:
        # PROFILE busy_delete: ECI answers wrong-state actions on other resources with 400 IncorrectStatus [doc].
        raise ApiError(400, 'IncorrectStatus',
                       f'The image cache {cache.id} is {status}: it cannot be deleted until it is Ready, Failed or UpdateFailed.')
    # PROFILE delete_lag / extra_statuses: still listed for a while (state.forget).
    ctx.state.forget(cache, ctx.now)
    return {}


def describe_image_caches(ctx: Context) -> dict:  # pylint: disable=too-many-locals
    p = ctx.params
    region = region_of(p)
    profile = ctx.state.profile
    most = profile['page_limit_max']
    limit = p.get_int('Limit', 1, default=min(DESCRIBE_DEFAULT_LIMIT, most))
    if limit > most:
        if profile['page_limit_over'] == 'reject':
            raise invalid('Limit', f'It must be an integer from 1 to {most}, got {limit}.')  # UNDOCUMENTED code
        limit = most  # cap: a shorter page and a NextToken
    ids = p.get_str('ImageCacheId')
    id_set = {i.strip() for i in ids.split(',') if i.strip()} if ids else None
    name = p.get_str('ImageCacheName')
    snapshot = p.get_str('SnapshotId')
    image = p.get_str('Image')
    resource_group = p.get_str('ResourceGroupId')
    tags = _tags(p) or {}
    match_images = p.get_list('MatchImage', max_items=MAX_MATCH_IMAGES)
    full_match = p.get_bool('ImageFullMatch', default=False)
    match_count = p.get_int('ImageMatchCountRequest', 1)
    if (full_match or match_count is not None) and not match_images:
        raise missing('MatchImage')

    # Filters look at what is shown (PROFILE update_lag: the settings from before an update); with echo_images
    # `normalized` the cloud compares references in their canonical form.
    same = normalize_image if profile['echo_images'] == 'normalized' else str

    def has(view: dict, wanted_image: str) -> bool:
        return same(wanted_image) in {same(i) for i in view['Images']}

    def wanted(view: dict) -> bool:  # pylint: disable=too-many-return-statements
        if id_set is not None and view['ImageCacheId'] not in id_set:
            return False
        if (name and view['ImageCacheName'] != name) or (snapshot and view.get('SnapshotId') != snapshot):
            return False
        if (image and not has(view, image)) or (resource_group and view['ResourceGroupId'] != resource_group):
            return False
        shown_tags = {t['Key']: t['Value'] for t in view['Tags']}
        if any(k not in shown_tags or (v and shown_tags[k] != v) for k, v in tags.items()):
            return False
        if match_images:
            # MatchImage: only Ready caches are candidates (they are the ones a container group can use);
            # ImageFullMatch=true needs all MatchImage images in the cache, otherwise at least one.
            if view['Status'] != 'Ready':
                return False
            hits = sum(1 for m in match_images if has(view, m))
            if hits < (len(match_images) if full_match else 1):
                return False
        return True

    # PROFILE list_order: `oldest_first` pages by creation order with a token naming the last cache shown (a cache
    # created while listing comes last, nothing repeats); `newest_first` pages by offset over the newest-first
    # order, so a cache created between two page reads pushes the last cache of one page onto the next one.
    newest_first = profile['list_order'] == 'newest_first'
    after = decode_token(p.get_str('NextToken'), 'imn' if newest_first else 'imc')
    filtered = id_set is not None or name or snapshot or image or resource_group or tags or match_images
    if not filtered:
        # Every cache matches: the page is read from the state's index, and only the page's views are built.
        total = ctx.state.listed_count(region, ctx.now)
        if newest_first:
            page, more = ctx.state.listed_page(region, ctx.now, limit, skip=after or 0, newest_first=True)
        else:
            page, more = ctx.state.listed_page(region, ctx.now, limit, after=after)
    else:
        rows = ctx.state.listed(region, ctx.now)
        matching = [(seq, view) for seq, view in ((seq, show()) for seq, show in rows) if wanted(view)]
        if match_images and match_count is not None:
            # ImageMatchCountRequest: "the number of image caches" to return [doc, SDK]: the best matches first
            # (most matching images, then the oldest), in listing order on the page. UNDOCUMENTED: the order.
            best = sorted(matching, key=lambda row: (-sum(1 for m in match_images if has(row[1], m)), row[0]))[:match_count]
            matching = sorted(best, key=lambda row: row[0])
        if newest_first:
            matching.reverse()
            remaining = matching[after or 0:]
        else:
            remaining = [row for row in matching if after is None or row[0] > after]
        total, page, more = len(matching), remaining[:limit], len(remaining) > limit
    if not more:
        token = ''
    elif newest_first:
        token = encode_token('imn', (after or 0) + len(page))
    else:
        token = encode_token('imc', page[-1][0])
    return {
        'TotalCount': total,
        'NextToken': token,
        'ImageCaches': [view if isinstance(view, dict) else view() for _seq, view in page],
    }


def _resources(ctx: Context, required_ids: bool = True) -> tuple[str, str, list]:
    p = ctx.params
    region = region_of(p)
    resource_type = p.get_str('ResourceType', required=True)
    if resource_type not in RESOURCE_TYPES:
        raise invalid('ResourceType', f'Valid values: {", ".join(RESOURCE_TYPES)}.')
    ids = p.get_list('ResourceId', max_items=MAX_RESOURCE_IDS)
    if required_ids and not ids:
        raise missing('ResourceId')
    caches = []
    for index, ident in enumerate(ids, 1):
        cache = ctx.state.caches.get(ident) if resource_type == 'ImageCache' else None
        if cache is None or cache.region != region:
            if required_ids and ctx.state.profile['missing_id'] == 'ignore':
                continue  # PROFILE missing_id: an unknown id is skipped, the answer is 200
            # Only image caches live in the twin: other types never exist (STRICTER than accepting them).
            raise ApiError(404, 'InvalidResourceId.NotFound', f'The specified resource "{ident}" (ResourceId.{index}, {resource_type}) does not exist.')
        caches.append(cache)
    return region, resource_type, caches


def tag_resources(ctx: Context) -> dict:
    _region_id, _type, caches = _resources(ctx)
    tags = _tags(ctx.params)
    if not tags:
        raise missing('Tag')
    for cache in caches:
        merged = dict(cache.tags, **tags)
        if len(merged) > MAX_TAGS:
            raise ApiError(400, 'QuotaExceeded.Tag', f'A resource can have at most {MAX_TAGS} tags: {cache.id} would have {len(merged)}.')
    for cache in caches:
        cache.tags.update(tags)
    return {}


def untag_resources(ctx: Context) -> dict:
    p = ctx.params
    _region_id, _type, caches = _resources(ctx)
    remove_all = p.get_bool('All', default=False)
    keys = p.get_list('TagKey', max_items=MAX_TAGS)
    for index, key in enumerate(keys, 1):
        check_tag_key(key, f'TagKey.{index}')
    if not keys and not remove_all:
        raise missing('TagKey')
    for cache in caches:
        # PROFILE system_tags: All=true removes the user's tags only; acs: keys are refused above (check_tag_key).
        if remove_all:
            cache.tags = {}
        else:
            for key in keys:
                cache.tags.pop(key, None)
    return {}


def list_tag_resources(ctx: Context) -> dict:
    p = ctx.params
    region, resource_type, caches = _resources(ctx, required_ids=False)
    limit = p.get_int('Limit', 1, TAGS_MAX_LIMIT, default=TAGS_DEFAULT_LIMIT)
    offset = decode_token(p.get_str('NextToken'), 'tag') or 0
    tags = _tags(p) or {}
    if not p.get_list('ResourceId'):
        caches = ctx.state.caches_in(region) if resource_type == 'ImageCache' else []
    rows = []
    for cache in caches:
        every = dict(cache.system_tags, **cache.tags)
        if any(k not in every or (v and every[k] != v) for k, v in tags.items()):
            continue
        rows.extend({'ResourceId': cache.id, 'ResourceType': resource_type, 'TagKey': k, 'TagValue': v} for k, v in every.items())
    page = rows[offset:offset + limit]
    more = offset + limit < len(rows)
    return {'NextToken': encode_token('tag', offset + limit) if more else '', 'TagResources': page}


ACTIONS = {
    'CreateImageCache': create_image_cache,
    'DescribeImageCaches': describe_image_caches,
    'UpdateImageCache': update_image_cache,
    'DeleteImageCache': delete_image_cache,
    'TagResources': tag_resources,
    'UntagResources': untag_resources,
    'ListTagResources': list_tag_resources,
}
# Actions that honour ClientToken: the same token and parameters replay the first answer.
TOKEN_ACTIONS = frozenset(('CreateImageCache', 'UpdateImageCache', 'DeleteImageCache', 'UntagResources'))
