# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The event source alibabacloud.eci.acr_push, served for real on loopback and called over HTTP."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import logging
import os
import socket

import pytest

import aiohttp  # ansible-rulebook's own dependency; tests/unit/requirements.txt installs it

SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                      "extensions", "eda", "plugins", "event_source", "acr_push.py")
_spec = importlib.util.spec_from_file_location("acr_push", SOURCE)
acr_push = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(acr_push)

TOKEN = "s3cr3t-T0ken_of.more~than16"
# The body of ACR's "Manage triggers" documentation.
BODY = {
    "push_data": {"digest": "sha256:" + "ab" * 32, "pushed_at": "2026-12-07 10:25:46", "tag": "1.25"},
    "repository": {"date_created": "2026-10-28 21:31:42", "name": "nginx", "namespace": "acs", "region": "cn-hangzhou",
                   "repo_authentication_type": "NO_CERTIFIED", "repo_full_name": "acs/nginx",
                   "repo_origin_type": "NO_CERTIFIED", "repo_type": "PUBLIC"},
}
EVENT = {"acr_push": {"namespace": "acs", "name": "nginx", "tag": "1.25", "digest": "sha256:" + "ab" * 32,
                      "region": "cn-hangzhou", "repo_full_name": "acs/nginx", "pushed_at": "2026-12-07 10:25:46"}}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def serve_and_call(calls, token=TOKEN):
    """Start main() on loopback, run the coroutine function calls(session, base_url), stop; (its result, events)."""
    queue = asyncio.Queue()
    port = free_port()
    task = asyncio.ensure_future(acr_push.main(queue, {"host": "127.0.0.1", "port": port, "token": token}))
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _attempt in range(200):
                if task.done():
                    task.result()
                try:
                    async with session.get(base + "/"):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)
            result = await calls(session, base)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return result, events


def post(path, body=None, data=None, method="POST"):
    async def calls(session, base):
        payload = data if data is not None else json.dumps(BODY if body is None else body)
        async with session.request(method, base + path, data=payload, headers={"Content-Type": "application/json"}) as response:
            return response.status, await response.text()
    return calls


def test_a_push_on_the_token_path_is_one_event_with_the_seven_fields():
    (status, _text), events = asyncio.run(serve_and_call(post(f"/{TOKEN}")))
    assert status == 202
    assert events == [EVENT]


def test_a_query_string_does_not_change_the_path():
    (status, _text), events = asyncio.run(serve_and_call(post(f"/{TOKEN}?from=acr")))
    assert status == 202
    assert events == [EVENT]


@pytest.mark.parametrize("path", [
    "/", "/other", f"/{TOKEN[:-1]}", f"/{TOKEN}x", f"/{TOKEN}/", f"/{TOKEN.upper()}", f"/x/{TOKEN}", f"/{TOKEN}/x",
    f"//{TOKEN}", f"/{TOKEN}%00",
])
def test_any_other_path_is_404_and_no_event(path):
    (status, _text), events = asyncio.run(serve_and_call(post(path)))
    assert status == 404
    assert events == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_method_on_the_token_path_is_refused_and_no_event(method):
    (status, _text), events = asyncio.run(serve_and_call(post(f"/{TOKEN}", method=method)))
    assert status == 405
    assert events == []


def _without(section, field):
    body = copy.deepcopy(BODY)
    del body[section][field]
    return body


def _with(section, field, value):
    body = copy.deepcopy(BODY)
    body[section][field] = value
    return body


@pytest.mark.parametrize("data,reason", [
    ("not json", "not JSON"),
    ("{\"push_data\": ", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ("\"text\"", "not a JSON object"),
    (json.dumps({"repository": BODY["repository"]}), "no object push_data"),
    (json.dumps(dict(BODY, repository=["acs/nginx"])), "no object repository"),
] + [(json.dumps(_without(section, field)), f"no string {section}.{field}") for _key, section, field in acr_push.FIELDS] + [
    (json.dumps(_with("push_data", "tag", 125)), "no string push_data.tag"),
    (json.dumps(_with("push_data", "digest", None)), "no string push_data.digest"),
    (json.dumps(_with("repository", "region", " ")), "no string repository.region"),
])
def test_a_body_that_is_not_a_push_notification_is_400_and_no_event(data, reason):
    (status, text), events = asyncio.run(serve_and_call(post(f"/{TOKEN}", data=data)))
    assert status == 400
    assert reason in text
    assert events == []


def test_a_burst_of_deliveries_is_one_event_each():
    tags = [f"v{n}" for n in range(60)]

    async def calls(session, base):
        async def one(tag):
            async with session.post(f"{base}/{TOKEN}", data=json.dumps(_with("push_data", "tag", tag))) as response:
                return response.status
        return await asyncio.gather(*(one(tag) for tag in tags + tags[:10]))

    statuses, events = asyncio.run(serve_and_call(calls))
    assert statuses == [202] * 70
    assert sorted(event["acr_push"]["tag"] for event in events) == sorted(tags + tags[:10])


def test_the_path_is_compared_in_constant_time(mocker):
    compare = mocker.spy(acr_push.hmac, "compare_digest")
    asyncio.run(serve_and_call(post("/wrong")))
    asyncio.run(serve_and_call(post(f"/{TOKEN}")))
    assert (b"/wrong", f"/{TOKEN}".encode()) in [call.args for call in compare.call_args_list]
    assert (f"/{TOKEN}".encode(), f"/{TOKEN}".encode()) in [call.args for call in compare.call_args_list]


def test_the_token_never_reaches_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    asyncio.run(serve_and_call(post(f"/{TOKEN}")))
    asyncio.run(serve_and_call(post(f"/{TOKEN}", data="bad")))
    asyncio.run(serve_and_call(post(f"/{TOKEN}x")))
    assert "acr_push: push of acs/nginx:1.25" in caplog.text
    assert "(400)" in caplog.text and "(404)" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("args,option", [
    ({"port": 5080}, "token"),
    ({"port": 5080, "token": "short-token"}, "token"),
    ({"port": 5080, "token": TOKEN + "/x"}, "token"),
    ({"port": 5080, "token": TOKEN + " "}, "token"),
    ({"port": 5080, "token": 1234567890123456789}, "token"),
    ({"token": TOKEN}, "port"),
    ({"port": 0, "token": TOKEN}, "port"),
    ({"port": 65536, "token": TOKEN}, "port"),
    ({"port": True, "token": TOKEN}, "port"),
    ({"port": "http", "token": TOKEN}, "port"),
    ({"port": 5080, "token": TOKEN, "host": ["0.0.0.0"]}, "host"),
])
def test_bad_arguments_are_refused_naming_the_argument(args, option):
    with pytest.raises(ValueError) as error:
        asyncio.run(acr_push.main(asyncio.Queue(), args))
    assert str(error.value).startswith(f"acr_push: {option} ")
    if isinstance(args.get("token"), str):
        assert args["token"] not in str(error.value)


def test_arguments_from_env_vars_are_strings_and_work():
    assert acr_push.check_args({"port": "5080", "token": TOKEN}) == ("127.0.0.1", 5080, TOKEN)
    assert acr_push.check_args({"host": "0.0.0.0", "port": 5080, "token": TOKEN}) == ("0.0.0.0", 5080, TOKEN)


def test_the_documentation_names_the_arguments_the_source_reads():
    import yaml
    doc = yaml.safe_load(acr_push.DOCUMENTATION)
    assert sorted(doc["options"]) == ["host", "port", "token"]
    assert doc["options"]["host"]["default"] == "127.0.0.1"
    assert doc["options"]["token"]["required"] and doc["options"]["port"]["required"]
    examples = yaml.safe_load(acr_push.EXAMPLES)
    assert "alibabacloud.eci.acr_push" in examples[0]["sources"][0]
