#!/usr/bin/env python3
"""Drive the dingform emulator with the official DingTalk SDK (PyPI `alibabacloud-dingtalk`).

Usage: sdk_compat.py BASE_URL   (e.g. http://127.0.0.1:41799)

Calls oauth2 accessToken, scene group create + query, bot add + group send, and checks the
answers the SDK parsed. Exits non-zero (with the reason on stderr) when the SDK cannot talk to
the emulator: then the emulator's wire format is wrong. Run by tests/emulator_sdk.rs.
"""
import json
import sys
from urllib.parse import urlparse

from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_util import models as util_models
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_dingtalk.im_1_0 import models as im_models
from alibabacloud_dingtalk.im_1_0.client import Client as ImClient
from alibabacloud_dingtalk.robot_1_0 import models as robot_models
from alibabacloud_dingtalk.robot_1_0.client import Client as RobotClient


def config(base_url: str) -> open_api_models.Config:
    url = urlparse(base_url)
    return open_api_models.Config(protocol=url.scheme, region_id="central", endpoint=url.netloc)


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"sdk_compat: {message}", file=sys.stderr)
        sys.exit(1)


def main() -> None:
    if len(sys.argv) != 2:
        print("usage: sdk_compat.py BASE_URL", file=sys.stderr)
        sys.exit(2)
    cfg = config(sys.argv[1])
    runtime = util_models.RuntimeOptions()

    token = OAuthClient(cfg).get_access_token(
        oauth_models.GetAccessTokenRequest(app_key="demo-key", app_secret="demo-secret")
    )
    check(token.status_code == 200, f"accessToken status {token.status_code}")
    access_token = token.body.access_token
    check(bool(access_token) and token.body.expire_in == 7200, "accessToken body")

    im = ImClient(cfg)
    created = im.create_scene_group_with_options(
        im_models.CreateSceneGroupRequest(
            title="SDK Group",
            template_id="tpl-default",
            owner_user_id="manager4220",
            user_ids=["u1001", "u1002"],
            subadmin_ids=["u1001"],
            uuid="sdk-compat-1",
            management_options=im_models.CreateSceneGroupRequestManagementOptions(searchable=1),
        ),
        im_models.CreateSceneGroupHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    open_conversation_id = created.body.open_conversation_id
    check(bool(open_conversation_id) and bool(created.body.chat_id), "create_scene_group body")

    info = im.get_scene_group_info_with_options(
        im_models.GetSceneGroupInfoRequest(open_conversation_id=open_conversation_id),
        im_models.GetSceneGroupInfoHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(info.body.title == "SDK Group", f"query title {info.body.title!r}")
    check(info.body.owner_user_id == "manager4220", "query owner")
    check(info.body.template_id == "tpl-default", "query template")
    check(bool(info.body.group_url), "query groupUrl")
    check(info.body.status == 1, "query status")

    added = im.add_robot_to_conversation_with_options(
        im_models.AddRobotToConversationRequest(
            open_conversation_id=open_conversation_id, robot_code="dingbot-alerts"
        ),
        im_models.AddRobotToConversationHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(bool(added.body.chat_bot_user_id), "add robot body")

    sent = RobotClient(cfg).org_group_send_with_options(
        robot_models.OrgGroupSendRequest(
            robot_code="dingbot-alerts",
            open_conversation_id=open_conversation_id,
            msg_key="sampleMarkdown",
            msg_param=json.dumps({"title": "SDK", "text": "## from the SDK"}),
        ),
        robot_models.OrgGroupSendHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(bool(sent.body.process_query_key), "group send body")

    # A refusal reaches the SDK as its own exception with the platform's code.
    try:
        im.get_scene_group_info_with_options(
            im_models.GetSceneGroupInfoRequest(open_conversation_id="cid-missing"),
            im_models.GetSceneGroupInfoHeaders(x_acs_dingtalk_access_token=access_token),
            runtime,
        )
        check(False, "an unknown group must be refused")
    except Exception as error:  # the SDK raises TeaException
        check(getattr(error, "code", None) == "invalid.openConversationId", f"error code {error!r}")

    print(json.dumps({"open_conversation_id": open_conversation_id,
                      "process_query_key": sent.body.process_query_key}))


if __name__ == "__main__":
    main()
