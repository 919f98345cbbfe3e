# -*- coding: utf-8 -*-
# Copyright (c) the alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance probe: how does the real cloud behave where Alibaba Cloud does not document it?

It measures the value of each behaviour switch of the local twin (tests/emulator/profile.py) and writes a
profile the twin loads with `--profile FILE`. It talks to the cloud with the official SDK directly and imports
nothing from plugins/ (so that it can judge the collection too) nor from the twin.

Without --confirm-create it only reads (and asks to delete an image cache id that does not exist): the page
limit of DescribeImageCaches, the answer for an unknown id, the region check. With --confirm-create it also
creates ONE 20 GiB image cache named conformance-probe-<random> (retention 1 day, tag purpose:
conformance-probe), measures the lags and the ClientToken, image and update behaviour on it, and deletes it,
also on Ctrl-C and on failure. It never touches a cache it did not create.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import time

import yaml

# The order of the twin's switches (tests/emulator/profile.py); token_ttl (hours to days) is never measured.
SWITCH_ORDER = ('visibility_lag', 'update_lag', 'delete_lag', 'page_limit_max', 'page_limit_over', 'busy_delete', 'missing_id',
                'token_mismatch_code', 'token_after_delete', 'token_ttl', 'echo_images', 'clear_elimination', 'extra_statuses',
                'system_tags')
SDK_STATUSES = ('Preparing', 'Creating', 'Ready', 'Failed', 'Updating', 'UpdateFailed')
BUSY = ('Preparing', 'Creating', 'Updating')
PURPOSE_TAG = ('purpose', 'conformance-probe')
CACHE_SIZE = 20
RETRYABLE = ('Throttling', 'ServiceUnavailable', 'InternalError')
NOT_A_REGION = 'xx-conformance-1'
DEFAULT_IMAGE = 'registry-vpc.{region}.aliyuncs.com/eci_open/nginx:1.14.2'
DEFAULT_ECHO_IMAGE = 'nginx:1.25'  # a Docker Hub short name: its canonical form differs
COST = ('one 20 GiB image cache for a few minutes (snapshot storage billed by the hour) and its temporary ECI instance '
        'while it pulls the images: a few US cents')


class ProbeError(Exception):
    """The probe cannot go on (the message says why)."""


class ApiFailure(Exception):
    """An error answer of the cloud."""

    def __init__(self, action, code, status, message, request_id):
        super().__init__(f'{action}: {code} (HTTP {status}): {message} [request id {request_id}]')
        self.action, self.code, self.status, self.request_id = action, code, status, request_id


def log(message):
    print(message, file=sys.stderr, flush=True)


# -- connection: credentials, endpoint, calls ----------------------------------------------------------------
def parse_endpoint(value):
    """'host', 'host:port' or 'http(s)://host:port' -> (host[:port], protocol), as the collection reads ALICLOUD_*_ENDPOINT."""
    text, protocol = value.strip(), 'https'
    if '://' in text:
        protocol, text = text.split('://', 1)
        protocol = protocol.lower()
        if protocol not in ('http', 'https'):
            raise ProbeError(f'ALICLOUD_ECI_ENDPOINT: unsupported scheme in {value!r}; use http://, https:// or none')
    text = text.rstrip('/')
    if not text or any(c in text for c in '/?@ '):
        raise ProbeError(f'ALICLOUD_ECI_ENDPOINT: {value!r} is not an endpoint; give host, host:port or http(s)://host:port')
    return text, protocol


def credential_client():
    """The collection's usual chain: ALICLOUD_ACCESS_KEY/SECRET_KEY(/SECURITY_TOKEN), ALICLOUD_PROFILE, then the
    official alibabacloud-credentials default chain (ALIBABA_CLOUD_* variables, CLI profile, OIDC, ECS RAM role...)."""
    # pylint: disable=import-outside-toplevel
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.models import Config as CredentialConfig
    key, secret = os.environ.get('ALICLOUD_ACCESS_KEY') or '', os.environ.get('ALICLOUD_SECRET_KEY') or ''
    token, profile = os.environ.get('ALICLOUD_SECURITY_TOKEN') or '', os.environ.get('ALICLOUD_PROFILE') or ''
    if key or secret:
        if not (key and secret):
            raise ProbeError('set both ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY (or neither)')
        return CredentialClient(CredentialConfig(type='sts' if token else 'access_key', access_key_id=key,
                                                 access_key_secret=secret, security_token=token or None))
    if profile:
        from alibabacloud_credentials.provider import CLIProfileCredentialsProvider
        return CredentialClient(provider=CLIProfileCredentialsProvider(profile_name=profile))
    return CredentialClient()


class Cloud:
    """The ECI client of one region, with one method per call used here."""

    def __init__(self, region, poll_interval):
        # pylint: disable=import-outside-toplevel
        from alibabacloud_eci20180808 import models
        from alibabacloud_eci20180808.client import Client
        from alibabacloud_tea_openapi.models import Config
        self.models, self.region, self.poll_interval = models, region, poll_interval
        endpoint = os.environ.get('ALICLOUD_ECI_ENDPOINT') or f'eci.{region}.aliyuncs.com'
        host, protocol = parse_endpoint(endpoint)
        self.endpoint = f'{protocol}://{host}'
        self.client = Client(Config(credential=credential_client(), region_id=region, endpoint=host, protocol=protocol,
                                    user_agent='alibabacloud.eci-conformance-probe', connect_timeout=10000, read_timeout=60000))

    def call(self, action, request):
        """One API call (throttling and 5xx are tried again, at most 3 times); the body, or ApiFailure."""
        from Tea.exceptions import TeaException  # pylint: disable=import-outside-toplevel
        method = getattr(self.client, ''.join('_' + c.lower() if c.isupper() else c for c in action).lstrip('_'))
        for attempt in range(4):
            try:
                return method(request).body
            except TeaException as error:
                data = error.data if isinstance(getattr(error, 'data', None), dict) else {}
                status = getattr(error, 'status_code', None) or data.get('statusCode')
                code = str(error.code or '')
                failure = ApiFailure(action, code, status, data.get('Message') or error.message, data.get('RequestId'))
                if attempt < 3 and (code.startswith(RETRYABLE) or (status or 0) >= 500):
                    time.sleep(self.poll_interval * (attempt + 1))
                    continue
                raise failure from None
        raise AssertionError('unreachable')

    def describe(self, **kwargs):
        kwargs.setdefault('region_id', self.region)
        return self.call('DescribeImageCaches', self.models.DescribeImageCachesRequest(**kwargs))

    def find(self, cache_id):
        """The cache as DescribeImageCaches shows it (a dict of the fields used here), or None when not listed."""
        for cache in self.describe(image_cache_id=cache_id).image_caches or []:
            if cache.image_cache_id == cache_id:
                return {'status': cache.status, 'images': list(cache.images or []), 'elimination': cache.elimination_strategy or '',
                        'tags': {t.key: t.value for t in cache.tags or []}, 'name': cache.image_cache_name,
                        'events': [(e.reason, e.message) for e in cache.events or []]}
        return None

    def delete(self, cache_id):
        return self.call('DeleteImageCache', self.models.DeleteImageCacheRequest(region_id=self.region, image_cache_id=cache_id))


def normalized(image):
    """Docker's canonical form: nginx:1.25 -> docker.io/library/nginx:1.25 (a missing tag is latest)."""
    name, at, digest = image.partition('@')
    tag = ''
    if ':' in name.rsplit('/', 1)[-1]:
        name, tag = name.rsplit(':', 1)
    first, sep, rest = name.partition('/')
    if sep and ('.' in first or ':' in first or first == 'localhost'):
        if first.lower() in ('docker.io', 'index.docker.io', 'registry-1.docker.io'):
            name = 'docker.io/' + (rest if '/' in rest else 'library/' + rest)
    else:
        name = 'docker.io/' + (name if sep else 'library/' + name)
    return f'{name}{":" + tag if tag else ""}@{digest}' if at else f'{name}:{tag or "latest"}'


# -- the measurements ----------------------------------------------------------------------------------
class Probe:  # pylint: disable=too-many-instance-attributes
    """Runs the measurements; rows of the table and the measured profile accumulate here."""

    def __init__(self, cloud, args):
        self.cloud, self.args = cloud, args
        self.rows = []
        self.profile = {}
        self.created = set()  # ids of caches this probe created and has not seen deleted
        self.name = None
        self.first_create = None  # the first CreateImageCache request, kept to learn a lost answer's id
        self.statuses_seen = set()

    def row(self, switch, value, how, write=True):
        self.rows.append((switch, value, how))
        if write and switch in SWITCH_ORDER:
            self.profile[switch] = value

    def _wait(self, what, check, timeout):
        """Poll check() until it returns something; (result, send time of the last poll that returned nothing)."""
        deadline, last_miss = time.monotonic() + timeout, None
        while True:
            sent = time.monotonic()
            result = check()
            if result is not None:
                return result, sent, last_miss
            if time.monotonic() > deadline:
                raise ProbeError(f'gave up after {timeout:g} s waiting for {what}')
            last_miss = sent
            time.sleep(self.args.poll_interval)

    @staticmethod
    def _lag(answered, hit, last_miss):
        """The lag between the answer and the change: the middle of the last poll without it and the first with it."""
        if last_miss is None:
            return 0.0
        return round(max(0.0, (last_miss + hit) / 2 - answered), 1)

    def _view(self, cache_id):
        view = self.cloud.find(cache_id)
        if view is not None:
            self.statuses_seen.add(view['status'])
        return view

    # -- read-only -----------------------------------------------------------------------------------
    def page_limit(self):
        big = 1000
        try:
            body = self.cloud.describe(limit=big)
        except ApiFailure as error:
            low, high = 1, big  # low: accepted, high: refused
            self.cloud.describe(limit=low)
            while high - low > 1:
                middle = (low + high) // 2
                try:
                    self.cloud.describe(limit=middle)
                    low = middle
                except ApiFailure:
                    high = middle
            self.row('page_limit_over', 'reject', f'DescribeImageCaches Limit={big}: {error.code} (HTTP {error.status})')
            self.row('page_limit_max', low, f'largest Limit accepted (bisection; {low + 1} is refused)')
            return
        returned, total = len(body.image_caches or []), body.total_count or 0
        self.row('page_limit_over', 'cap', f'DescribeImageCaches Limit={big} accepted: {returned} of {total} caches on the page')
        if returned < min(total, big):
            self.row('page_limit_max', returned, f'Limit={big} returned a page of {returned} and a NextToken')
        else:
            self.row('page_limit_max', f'>= {max(returned, 1)}', f'only {total} caches in {self.cloud.region}: the cap cannot '
                     'be seen (run the probe where more caches exist); not written', write=False)

    def missing_id(self):
        ghost = 'imc-' + secrets.token_hex(10)
        if self.cloud.describe(image_cache_id=ghost).image_caches:
            raise ProbeError(f'{ghost} exists: refusing to touch it')  # a random id: practically impossible
        try:
            self.cloud.delete(ghost)
        except ApiFailure as error:
            self.row('missing_id', 'not_found', f'DeleteImageCache of an unknown id: {error.code} (HTTP {error.status})')
            return
        self.row('missing_id', 'ignore', 'DeleteImageCache of an unknown id: 200')

    def region_check(self):
        try:
            self.cloud.describe(region_id=NOT_A_REGION)
        except ApiFailure as error:
            self.row('region check', 'refused', f'DescribeImageCaches RegionId={NOT_A_REGION}: {error.code} (HTTP {error.status})', write=False)
            return
        self.row('region check', 'accepted', f'DescribeImageCaches RegionId={NOT_A_REGION} answered 200 (the twin refuses it)', write=False)

    # -- with --confirm-create -------------------------------------------------------------------------
    def create_request(self, token, **extra):
        models, args = self.cloud.models, self.args
        tags = [models.CreateImageCacheRequestTag(key=PURPOSE_TAG[0], value=PURPOSE_TAG[1])]
        tags += [models.CreateImageCacheRequestTag(key=k, value=v) for k, v in extra.pop('tags', {}).items()]
        return models.CreateImageCacheRequest(
            region_id=self.cloud.region, image_cache_name=self.name, image=[args.image.format(region=self.cloud.region)],
            image_cache_size=CACHE_SIZE, retention_days=1, security_group_id=args.security_group_id, v_switch_id=args.vswitch_id,
            elimination_strategy='LRU', tag=tags, client_token=token, **extra)

    def create(self, request):
        cache_id = self.cloud.call('CreateImageCache', request).image_cache_id
        self.created.add(cache_id)
        return cache_id

    def lifecycle(self):  # pylint: disable=too-many-locals,too-many-statements
        self.name = 'conformance-probe-' + secrets.token_hex(4)
        token = 'conformance-probe-' + secrets.token_hex(12)
        request = self.create_request(token)
        self.first_create = request
        log(f'creating image cache {self.name} ...')
        cache_id = self.create(request)
        answered = time.monotonic()
        log(f'created {cache_id}')

        # the ClientToken again with other parameters
        try:
            other = self.create(self.create_request(token, tags={'probe-step': 'token-mismatch'}))
            how = 'replayed the first answer' if other == cache_id else f'created another cache ({other}, deleted again)'
            self.row('token_mismatch_code', '-', f'CreateImageCache, same ClientToken, other tags: no error, {how}; not written', write=False)
        except ApiFailure as error:
            self.row('token_mismatch_code', error.code, f'CreateImageCache, same ClientToken, other tags: HTTP {error.status}')

        view, hit, miss = self._wait('the new cache to be listed', lambda: self._view(cache_id), self.args.max_lag)
        self.row('visibility_lag', self._lag(answered, hit, miss), 'seconds from CreateImageCache\'s answer until DescribeImageCaches lists it')
        system = {k: v for k, v in view['tags'].items() if k.lower().startswith(('acs:', 'aliyun'))}
        self.row('system_tags', system, 'tags on the new cache that the probe did not set')

        view, _hit, _miss = self._wait('the cache to be Ready or Failed', lambda: self._settled(cache_id, ('Ready', 'Failed')), self.args.timeout)
        deleted_at = None
        if view['status'] == 'Failed':
            events = '; '.join(m for _r, m in view['events'][-2:])
            self.row('update_lag', '-', f'not measured: the cache failed ({events}); check --image and the network', write=False)
        else:
            deleted_at = self.updates(cache_id, view)
        if deleted_at is None:
            self.cloud.delete(cache_id)
            deleted_at = time.monotonic()
        log(f'deleted {cache_id}; waiting until it is no longer listed ...')
        statuses = []

        def gone():
            view = self._view(cache_id)
            if view is None:
                return True
            statuses.append(view['status'])
            return None

        _done, hit, miss = self._wait('the deleted cache to leave the list', gone, self.args.max_lag)
        self.created.discard(cache_id)
        self.row('delete_lag', self._lag(deleted_at, hit, miss), 'seconds from DeleteImageCache\'s answer until it is no longer listed'
                 + (f' (listed meanwhile as {", ".join(sorted(set(statuses)))})' if statuses else ''))
        extra = sorted(s for s in self.statuses_seen if s not in SDK_STATUSES)
        self.row('extra_statuses', extra, 'statuses seen that the SDK does not list')

        # the ClientToken of the deleted cache, with the same parameters
        try:
            again = self.create(request)
        except ApiFailure as error:
            self.row('token_after_delete', 'mismatch', f'CreateImageCache with the deleted cache\'s ClientToken: {error.code} (HTTP {error.status})')
            return
        if again == cache_id:
            self.created.discard(cache_id)
            self.row('token_after_delete', 'replay', 'CreateImageCache with the deleted cache\'s ClientToken answered its id')
        else:
            self.row('token_after_delete', 'create', f'CreateImageCache with the deleted cache\'s ClientToken created {again} (deleted again)')

    def _settled(self, cache_id, statuses):
        view = self._view(cache_id)
        return view if view is not None and view['status'] in statuses else None

    def updates(self, cache_id, before):
        """UpdateImageCache (a Docker Hub short name added, EliminationStrategy ""): update_lag, echo_images,
        clear_elimination and busy_delete. Returns when the cache was deleted (busy_delete allow) or None."""
        models = self.cloud.models
        sent = [self.args.image.format(region=self.cloud.region), self.args.echo_image]
        self.cloud.call('UpdateImageCache', models.UpdateImageCacheRequest(
            region_id=self.cloud.region, image_cache_id=cache_id, image_cache_name=self.name, image=sent, elimination_strategy=''))
        answered = time.monotonic()

        def changed():
            view = self._view(cache_id)
            if view is None:
                raise ProbeError(f'{cache_id} is no longer listed after UpdateImageCache')
            same = (view['status'], view['images'], view['elimination']) == (before['status'], before['images'], before['elimination'])
            return None if same else view

        view, hit, miss = self._wait('the update to show', changed, self.args.max_lag)
        self.row('update_lag', self._lag(answered, hit, miss), 'seconds from UpdateImageCache\'s answer until the cache shows Updating or the new settings')
        deleted_at = None
        if view['status'] == 'Updating':
            try:
                self.cloud.delete(cache_id)
                deleted_at = time.monotonic()
                self.row('busy_delete', 'allow', 'DeleteImageCache while Updating: 200')
            except ApiFailure as error:
                self.row('busy_delete', 'reject', f'DeleteImageCache while Updating: {error.code} (HTTP {error.status})')
        else:
            self.row('busy_delete', '-', f'not measured: Updating was never seen (the update ended {view["status"]} between two polls)', write=False)
        if deleted_at is None:
            view, _hit, _miss = self._wait('the update to end', lambda: self._settled(cache_id, ('Ready', 'UpdateFailed')), self.args.timeout)
        images = view['images']
        if sorted(images) == sorted(sent):
            self.row('echo_images', 'verbatim', f'{self.args.echo_image} came back as sent')
        elif sorted(images) == sorted(normalized(i) for i in sent):
            self.row('echo_images', 'normalized', f'{self.args.echo_image} came back as {normalized(self.args.echo_image)}')
        else:
            self.row('echo_images', '-', f'inconclusive: sent {sent}, listed {images}', write=False)
        clear = {'': 'applied', 'LRU': 'ignored'}.get(view['elimination'])
        self.row('clear_elimination', clear or '-', f'EliminationStrategy LRU, then "" in an update: listed {view["elimination"]!r}', write=bool(clear))
        return deleted_at

    # -- cleanup ---------------------------------------------------------------------------------------------
    def cleanup(self):
        """Delete every cache this probe created (busy ones once they can be); the ids it could not delete."""
        if self.name:
            try:  # a create whose answer was lost: find it by its unique name and the probe's tag
                for cache in self.cloud.describe(image_cache_name=self.name).image_caches or []:
                    if {t.key: t.value for t in cache.tags or []}.get(PURPOSE_TAG[0]) == PURPOSE_TAG[1]:
                        self.created.add(cache.image_cache_id)
            except Exception as error:  # pylint: disable=broad-except  # still delete the ids known
                log(f'cleanup: cannot list caches named {self.name}: {error}')
        if self.first_create is not None and not self.created:
            # Interrupted before CreateImageCache answered, and a lagging listing may not show the cache yet:
            # the same request with the same ClientToken answers the id (or creates the cache, deleted below).
            try:
                self.create(self.first_create)
            except Exception as error:  # pylint: disable=broad-except  # still report what is known
                log(f'cleanup: cannot learn the id of {self.name} from its ClientToken: {error}')
        left = []
        for cache_id in sorted(self.created):
            deadline = time.monotonic() + self.args.cleanup_timeout
            while True:
                try:
                    self.cloud.delete(cache_id)
                    log(f'cleanup: deleted {cache_id}')
                    break
                except ApiFailure as error:
                    if error.status == 404 or error.code.endswith('NotFound'):
                        break
                    if time.monotonic() > deadline:
                        log(f'cleanup: cannot delete {cache_id}: {error}')
                        left.append(cache_id)
                        break
                    time.sleep(self.args.poll_interval)  # busy (Preparing, Updating...): try again
                except Exception as error:  # pylint: disable=broad-except  # connection lost: report, do not hide
                    log(f'cleanup: cannot delete {cache_id}: {error}')
                    left.append(cache_id)
                    break
        self.created = set(left)
        return left


# -- command line ----------------------------------------------------------------------------------------
def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m tests.conformance', description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--region', required=True, help='region to probe, e.g. cn-hangzhou')
    parser.add_argument('--confirm-create', action='store_true',
                        help='also create (and delete) one 20 GiB image cache to measure the lags, tokens and updates')
    parser.add_argument('--output', metavar='FILE', help='write the measured profile (YAML) there; default: print it')
    parser.add_argument('--vswitch-id', help='vSwitch for the cache\'s temporary instance (needed with --confirm-create)')
    parser.add_argument('--security-group-id', help='security group in the vSwitch\'s VPC (needed with --confirm-create)')
    parser.add_argument('--image', default=DEFAULT_IMAGE, help='image of the cache, reachable from the vSwitch (default %(default)s)')
    parser.add_argument('--echo-image', default=DEFAULT_ECHO_IMAGE, help='Docker Hub short name added by the update (default %(default)s)')
    parser.add_argument('--poll-interval', type=float, default=1.0, help='seconds between two reads (default 1)')
    parser.add_argument('--max-lag', type=float, default=300.0, help='longest lag waited for, seconds (default 300)')
    parser.add_argument('--timeout', type=float, default=1800.0, help='longest wait for Ready, seconds (default 1800)')
    parser.add_argument('--cleanup-timeout', type=float, default=900.0, help='how long a busy cache is waited for before giving up its deletion (default 900)')
    args = parser.parse_args(argv)
    if args.confirm_create and not (args.vswitch_id and args.security_group_id):
        parser.error('--confirm-create needs --vswitch-id and --security-group-id (where the temporary instance runs)')
    if min(args.poll_interval, args.max_lag, args.timeout, args.cleanup_timeout) <= 0:
        parser.error('--poll-interval, --max-lag, --timeout and --cleanup-timeout must be > 0')
    return args


def table(rows):
    widths = [max(len(str(r[i])) for r in rows + [('switch', 'value', 'how')]) for i in range(2)]
    lines = [f'{"switch":<{widths[0]}}  {"value":<{widths[1]}}  how']
    lines += [f'{s:<{widths[0]}}  {str(v):<{widths[1]}}  {h}' for s, v, h in rows]
    return '\n'.join(lines)


def profile_text(probe, args):
    header = [f'# Measured by python -m tests.conformance --region {args.region}'
              f'{" --confirm-create" if args.confirm_create else ""} on {time.strftime("%Y-%m-%d", time.gmtime())}',
              f'# against {probe.cloud.endpoint}. Load it with: python -m tests.emulator --profile FILE',
              '# Keys not measured are left out (the twin takes them from its default profile); token_ttl never is.']
    ordered = {k: probe.profile[k] for k in SWITCH_ORDER if k in probe.profile}
    return '\n'.join(header) + '\n' + (yaml.safe_dump(ordered, sort_keys=False, default_flow_style=False) if ordered else '{}\n')


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None):  # pylint: disable=too-many-branches
    args = parse_args(argv)
    plan = ['The probe reads DescribeImageCaches (page limit, region check) and asks to delete an image cache id that '
            'does not exist (the answer for an unknown id).']
    if args.confirm_create:
        plan.append(f'It then creates ONE image cache conformance-probe-<random> ({CACHE_SIZE} GiB, retention 1 day, tag '
                    f'{PURPOSE_TAG[0]}: {PURPOSE_TAG[1]}) in {args.region}, updates it once, deletes it, and asks for it again with '
                    'its ClientToken (if that creates a cache, it is deleted at once). Cost: ' + COST + '. It never touches '
                    'another cache; it deletes its own also on Ctrl-C or failure.')
    else:
        plan.append('Nothing is created (add --confirm-create to measure the lags, tokens and updates).')
    log('\n'.join(plan))
    try:
        cloud = Cloud(args.region, args.poll_interval)
    except ProbeError as error:
        log(f'conformance: {error}')
        return 2
    probe = Probe(cloud, args)
    failed, interrupted = None, False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        probe.page_limit()
        probe.missing_id()
        probe.region_check()
        if args.confirm_create:
            probe.lifecycle()
    except KeyboardInterrupt:
        interrupted = True
        log('interrupted: cleaning up')
    except (ProbeError, ApiFailure) as error:
        failed = error
    except Exception as error:  # pylint: disable=broad-except  # any failure: clean up and report
        failed = error
    finally:
        signal.signal(signal.SIGINT, lambda *_: log('cleaning up, please wait'))
        try:
            left = probe.cleanup()
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)
    for cache_id in left:
        log(f'NOT DELETED: {cache_id}. Delete it with: aliyun eci DeleteImageCache --region {args.region} '
            f'--RegionId {args.region} --ImageCacheId {cache_id}')
    if failed is not None:
        log(f'conformance: stopped: {failed}')
    print(table(probe.rows))
    text = profile_text(probe, args)
    if args.output:
        with open(args.output, 'w', encoding='utf-8') as handle:
            handle.write(text)
        print(f'profile written to {args.output}')
    else:
        print(text, end='')
    if interrupted:
        return 130
    return 1 if failed is not None or left else 0
