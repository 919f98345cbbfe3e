# -*- coding: utf-8 -*-
# Copyright: (c) 2026, alibabacloud.eci contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from alibabacloud_eci20180808 import models

from ansible_collections.alibabacloud.eci.plugins.module_utils.client import AlibabaCloudError
from ansible_collections.alibabacloud.eci.plugins.module_utils.eci import describe_image_caches, normalize_image_cache

WIRE_CACHE = {
    "ImageCacheId": "imc-1", "ImageCacheName": "web", "Status": "Ready", "Progress": "100%",
    "Images": ["nginx:1.25"], "ImageCacheSize": 20, "SnapshotId": "s-1", "ContainerGroupId": "eci-1",
    "CreationTime": "2026-11-23T10:00:00Z", "RegionId": "cn-hangzhou", "EliminationStrategy": "",
    "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "empty", "Value": ""}],
    "Events": [{"Count": 1, "FirstTimestamp": "t1", "LastTimestamp": "t2", "Message": "ok", "Name": "web",
                "Reason": "Created", "Type": "Normal"}],
}


def test_normalize_gives_snake_case_and_tags_as_dict():
    cache = normalize_image_cache(models.DescribeImageCachesResponseBodyImageCaches().from_map(WIRE_CACHE))
    assert cache["image_cache_id"] == "imc-1" and cache["image_cache_name"] == "web"
    assert cache["tags"] == {"env": "prod", "empty": ""}
    assert cache["events"] == [dict(count=1, first_timestamp="t1", last_timestamp="t2", message="ok", name="web",
                                    reason="Created", type="Normal")]
    assert cache["expire_date_time"] is None and cache["flash_snapshot_id"] is None
    assert not any(key[0].isupper() for key in cache)


class PagedConnection:
    """Answers DescribeImageCaches from a list of pages, recording the requests."""
    region = "cn-hangzhou"

    def __init__(self, pages):
        self.pages = pages
        self.requests = []

    def call(self, service, action, method_name, request):
        assert (service, action, method_name) == ("eci", "DescribeImageCaches", "describe_image_caches_with_options")
        self.requests.append(request.to_map())
        page = self.pages[min(len(self.requests), len(self.pages)) - 1]
        if isinstance(page, Exception):
            raise page
        if callable(page):
            page = page(len(self.requests))
        if isinstance(page, models.DescribeImageCachesResponseBody):
            return page
        return models.DescribeImageCachesResponseBody().from_map(page)


def page(ids, token=None):
    body = {"RequestId": "R", "ImageCaches": [dict(WIRE_CACHE, ImageCacheId=i) for i in ids]}
    if token:
        body["NextToken"] = token
    return body


def test_every_page_is_read_with_the_filters_kept():
    connection = PagedConnection([page(["a", "b"], "t1"), page(["c"], "t2"), page([])])
    caches = describe_image_caches(connection, name="web", tags={"env": "prod"}, match_images=["x"], page_size=2)
    assert [c["image_cache_id"] for c in caches] == ["a", "b", "c"]
    assert [r.get("NextToken") for r in connection.requests] == [None, "t1", "t2"]
    for request in connection.requests:
        assert request["RegionId"] == "cn-hangzhou" and request["Limit"] == 2 and request["ImageCacheName"] == "web"
        assert request["Tag"] == [{"Key": "env", "Value": "prod"}] and request["MatchImage"] == ["x"]


def test_a_repeated_token_is_an_error_not_a_loop():
    connection = PagedConnection([page(["a"], "same"), page(["b"], "same")])
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connection)
    assert caught.value.code == "PaginationLoop"
    assert len(connection.requests) == 2


def test_the_default_page_size_is_20():
    connection = PagedConnection([page(["a"])])
    describe_image_caches(connection)
    assert connection.requests[0]["Limit"] == 20


def test_a_new_token_on_every_page_stops_at_what_total_count_allows():
    # 45 caches at 20 a page need 3 pages; 2 more are allowed for caches made meanwhile, then it is an error.
    def endless(number):
        return dict(page(["c%d-%d" % (number, i) for i in range(20)], "token-%d" % number), TotalCount=45)
    connection = PagedConnection([endless])
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connection)
    assert caught.value.code == "PaginationLimit" and len(connection.requests) == 5


def test_a_capped_page_is_followed_to_the_end():
    # The cloud asked for 100 a page sends 20 and a NextToken: every page is read.
    pages = [dict(page(["p%d-%d" % (n, i) for i in range(20 if n < 2 else 5)], "t%d" % n if n < 2 else None),
                  TotalCount=45) for n in range(3)]
    connection = PagedConnection(pages)
    assert len(describe_image_caches(connection, page_size=100)) == 45 and len(connection.requests) == 3


def test_a_rejected_page_size_falls_back_to_20():
    rejected = AlibabaCloudError("DescribeImageCaches", "InvalidParameter.Limit", "Limit must be 1-20", status_code=400)
    connection = PagedConnection([rejected, page(["a"])])
    assert [c["image_cache_id"] for c in describe_image_caches(connection, page_size=100)] == ["a"]
    assert [r["Limit"] for r in connection.requests] == [100, 20]


# -- issue 22: listings de-duplicated by id, malformed answers refused ------------------------------------------

def test_a_cache_repeated_across_a_page_boundary_is_listed_once():
    # A cloud that lists newest first, with cache d created between the two reads: b comes again on page 2, and the
    # last page counts d, which no page held. That is no malformed answer: the count is that of the first page.
    answers = [dict(page(["c", "b"], "t1"), TotalCount=3), dict(page(["b", "a"]), TotalCount=4)]
    connection = PagedConnection([lambda n: answers[n - 1]])
    caches = describe_image_caches(connection, page_size=2)
    assert [c["image_cache_id"] for c in caches] == ["c", "b", "a"]
    assert len(connection.requests) == 2


def test_a_cache_deleted_while_listing_is_no_error():
    # Oldest first, b deleted after the first page: the last page counts 2, the pages held 2.
    answers = [dict(page(["a"], "t1"), TotalCount=3), dict(page(["c"]), TotalCount=2)]
    connection = PagedConnection([lambda n: answers[n - 1]])
    assert [c["image_cache_id"] for c in describe_image_caches(connection)] == ["a", "c"]
    assert len(connection.requests) == 2


def test_a_repeat_alone_is_one_cache():
    connection = PagedConnection([dict(page(["c", "b"], "t1"), TotalCount=3), dict(page(["b", "a"]), TotalCount=3)])
    assert [c["image_cache_id"] for c in describe_image_caches(connection, page_size=2)] == ["c", "b", "a"]
    assert len(connection.requests) == 2


def test_the_later_view_of_a_repeated_cache_is_kept():
    first = page(["a"], "t1")
    second = page(["a"])
    second["ImageCaches"][0]["Status"] = "Updating"
    caches = describe_image_caches(PagedConnection([first, second]))
    assert [(c["image_cache_id"], c["status"]) for c in caches] == [("a", "Updating")]


def test_an_answer_without_its_list_is_an_error_naming_the_action_and_request_id():
    # The SDK's from_map turns a missing list into []; a body the SDK leaves without it stands for the raw answer
    # here (the twin's fault malformed_no_list tests the raw answer: test_eci_twin.py).
    connection = PagedConnection([models.DescribeImageCachesResponseBody(request_id="REQ-NOLIST", total_count=0)])
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connection, name="web")
    error = caught.value
    assert (error.action, error.code, error.request_id) == ("DescribeImageCaches", "MalformedResponse", "REQ-NOLIST")
    assert "DescribeImageCaches" in str(error) and "REQ-NOLIST" in str(error) and "ImageCaches" in str(error)
    assert len(connection.requests) == 1


def test_an_empty_list_is_no_caches():
    assert describe_image_caches(PagedConnection([dict(page([]), TotalCount=0)])) == []


def test_a_total_count_above_what_the_pages_gave_is_an_error_after_reading_again():
    answers = [dict(page(["a"], "t1"), TotalCount=3), dict(page(["b"]), TotalCount=3)]
    connection = PagedConnection([lambda n: answers[(n - 1) % 2]])
    with pytest.raises(AlibabaCloudError) as caught:
        describe_image_caches(connection)
    error = caught.value
    assert (error.action, error.code, error.request_id) == ("DescribeImageCaches", "MalformedResponse", "R")
    assert "TotalCount 3" in error.message and "2 distinct" in error.message
    # Read 1 + RELISTS times, each from the first page.
    assert [r.get("NextToken") for r in connection.requests] == [None, "t1"] * 3


def test_a_count_that_adds_up_when_read_again_is_no_error():
    # Someone deleted a cache between two pages: the count is short once, right the next time.
    answers = [dict(page(["a"], "t1"), TotalCount=3), dict(page(["c"]), TotalCount=3),
               dict(page(["a"], "t1"), TotalCount=2), dict(page(["c"]), TotalCount=2)]
    connection = PagedConnection([lambda n: answers[n - 1]])
    assert [c["image_cache_id"] for c in describe_image_caches(connection)] == ["a", "c"]
    assert len(connection.requests) == 4


def test_the_count_is_not_compared_when_image_match_count_cuts_the_answer():
    connection = PagedConnection([dict(page(["a"]), TotalCount=7)])
    assert len(describe_image_caches(connection, match_images=["x"], image_match_count=1)) == 1
