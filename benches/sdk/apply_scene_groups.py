#!/usr/bin/env python3
"""The peer of `cargo bench --bench apply`: what a plain script on DingTalk's official SDK
(PyPI `alibabacloud-dingtalk`) takes to make the same scene groups.

Usage: apply_scene_groups.py BASE_URL GROUPS THREADS [PREFIX]

For each group: create it (with a uuid, as dingform does) and read it back for its join URL,
the two calls a person would write. A throttling answer (403 `...QpsLimit...`, the SDK raises
it) is retried after 100 ms, as DingTalk's guidance suggests for a script; nothing else is
retried. Prints one JSON line: {"wall", "groups", "requests", "throttled", "threads"}.
With DINGFORM_SDK_WAIT_FOR_GO=1 it prints `ready` once the token is fetched and starts its
clock and loop when a line comes on stdin: the bench lets it go at the same point of the
emulator's one-second window as dingform. Run by benches/apply.rs with the Python of
target/sdk-venv (installed by scripts/test).
"""
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_util import models as util_models
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_dingtalk.im_1_0 import models as im_models
from alibabacloud_dingtalk.im_1_0.client import Client as ImClient

counts = {"requests": 0, "throttled": 0}
lock = threading.Lock()


def count(key: str) -> None:
    with lock:
        counts[key] += 1


def with_throttle_retry(call):
    while True:
        count("requests")
        try:
            return call()
        except Exception as error:  # TeaException
            code = str(getattr(error, "code", ""))
            if "QpsLimit" in code or code in ("90018", "90002"):
                count("throttled")
                time.sleep(0.1)
                continue
            raise


def main() -> None:
    if len(sys.argv) not in (4, 5):
        print("usage: apply_scene_groups.py BASE_URL GROUPS THREADS [PREFIX]", file=sys.stderr)
        sys.exit(2)
    url = urlparse(sys.argv[1])
    groups, threads = int(sys.argv[2]), int(sys.argv[3])
    prefix = sys.argv[4] if len(sys.argv) == 5 else "sdk"
    cfg = open_api_models.Config(protocol=url.scheme, region_id="central", endpoint=url.netloc)
    runtime = util_models.RuntimeOptions()
    token = OAuthClient(cfg).get_access_token(
        oauth_models.GetAccessTokenRequest(app_key="demo-key", app_secret="demo-secret")
    ).body.access_token
    local = threading.local()
    if os.environ.get("DINGFORM_SDK_WAIT_FOR_GO") == "1":
        print("ready", flush=True)
        sys.stdin.readline()

    def client() -> ImClient:
        if not hasattr(local, "im"):
            local.im = ImClient(cfg)
        return local.im

    def make(n: int) -> str:
        im = client()
        created = with_throttle_retry(lambda: im.create_scene_group_with_options(
            im_models.CreateSceneGroupRequest(
                title=f"{prefix} {n:04}", template_id="tpl-default",
                owner_user_id="manager4220", user_ids=["u1001"], uuid=f"{prefix}-{n}",
            ),
            im_models.CreateSceneGroupHeaders(x_acs_dingtalk_access_token=token),
            runtime,
        ))
        info = with_throttle_retry(lambda: im.get_scene_group_info_with_options(
            im_models.GetSceneGroupInfoRequest(
                open_conversation_id=created.body.open_conversation_id),
            im_models.GetSceneGroupInfoHeaders(x_acs_dingtalk_access_token=token),
            runtime,
        ))
        return info.body.group_url

    started = time.monotonic()
    if threads <= 1:
        urls = [make(n) for n in range(groups)]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            urls = list(pool.map(make, range(groups)))
    wall = time.monotonic() - started
    if not all(urls):
        print("a group has no join URL", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"wall": wall, "groups": groups, "threads": threads, **counts}))


if __name__ == "__main__":
    main()
