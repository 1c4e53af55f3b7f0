#!/usr/bin/env python3
"""Drive the dingform emulator with the official DingTalk SDK (PyPI `alibabacloud-dingtalk`).

Usage: sdk_compat.py BASE_URL   (e.g. http://127.0.0.1:41799)

Calls oauth2 accessToken, scene group create + query, bot add + group send (what CI requires),
then the rest dingform uses on the api host (corp token, update, members, sub-admins (PUT),
queryDetail, bots in a group, message status, plugins, departures), and checks the
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
from alibabacloud_dingtalk.cool_app_1_0 import models as cool_models
from alibabacloud_dingtalk.cool_app_1_0.client import Client as CoolAppClient
from alibabacloud_dingtalk.contact_1_0 import models as contact_models
from alibabacloud_dingtalk.contact_1_0.client import Client as ContactClient


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

    more(cfg, runtime, access_token, open_conversation_id, sent.body.process_query_key)

    print(json.dumps({"open_conversation_id": open_conversation_id,
                      "process_query_key": sent.body.process_query_key}))


def more(cfg, runtime, access_token, open_conversation_id, process_query_key) -> None:
    """The rest of what dingform calls on the api host, through the SDK."""
    im = ImClient(cfg)
    corp = OAuthClient(cfg).get_token_with_options(
        "dingdemo",
        oauth_models.GetTokenRequest(
            client_id="demo-key", client_secret="demo-secret", grant_type="client_credentials"
        ),
        {},
        runtime,
    )
    check(corp.body.access_token == access_token, "corp token is the app's current token")

    updated = im.update_scene_group_with_options(
        im_models.UpdateSceneGroupRequest(
            open_conversation_id=open_conversation_id,
            title="SDK Group 2",
            management_options=im_models.UpdateSceneGroupRequestManagementOptions(
                validation_type=1
            ),
        ),
        im_models.UpdateSceneGroupHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(updated.body.success is True, "update_scene_group")

    added = im.add_scene_group_member_with_options(
        im_models.AddSceneGroupMemberRequest(
            open_conversation_id=open_conversation_id, user_ids=["u1003"]
        ),
        im_models.AddSceneGroupMemberHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(added.body.success is True, "add_scene_group_member")

    members = im.batch_query_group_member_with_options(
        im_models.BatchQueryGroupMemberRequest(
            open_conversation_id=open_conversation_id, max_results=10
        ),
        im_models.BatchQueryGroupMemberHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(
        members.body.member_user_ids == ["manager4220", "u1001", "u1002", "u1003"],
        f"batch_query_group_member {members.body.member_user_ids}",
    )

    admins = im.update_group_sub_admin_with_options(
        im_models.UpdateGroupSubAdminRequest(
            open_conversation_id=open_conversation_id, role=2, user_ids=["u1003"]
        ),
        im_models.UpdateGroupSubAdminHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(admins.body.success is True, "update_group_sub_admin (PUT)")

    detail = im.get_scene_group_detail_info_with_options(
        im_models.GetSceneGroupDetailInfoRequest(open_conversation_id=open_conversation_id),
        im_models.GetSceneGroupDetailInfoHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(detail.body.title == "SDK Group 2", "queryDetail title")
    check(sorted(detail.body.sub_admin_staff_ids) == ["u1001", "u1003"], "queryDetail admins")
    check(detail.body.management_options.validation_type == "1", "queryDetail settings")

    robot = RobotClient(cfg)
    bots = robot.get_bot_list_in_group_with_options(
        robot_models.GetBotListInGroupRequest(open_conversation_id=open_conversation_id),
        robot_models.GetBotListInGroupHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(
        [bot.robot_code for bot in bots.body.chatbot_instance_volist] == ["dingbot-alerts"],
        "get_bot_list_in_group",
    )
    status = robot.org_group_query_with_options(
        robot_models.OrgGroupQueryRequest(
            open_conversation_id=open_conversation_id,
            robot_code="dingbot-alerts",
            process_query_key=process_query_key,
            max_results=10,
        ),
        robot_models.OrgGroupQueryHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(status.body.send_status == "SUCCESS", "org_group_query")

    cool = CoolAppClient(cfg)
    installed = cool.install_cool_app_to_group_with_options(
        cool_models.InstallCoolAppToGroupRequest(
            conversation_id=open_conversation_id, operate_cool_app_code="COOLAPP-sdk"
        ),
        cool_models.InstallCoolAppToGroupHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(installed.body.success is True, "install_cool_app_to_group")
    apps = cool.query_installed_cool_apps_in_conversation_with_options(
        cool_models.QueryInstalledCoolAppsInConversationRequest(
            open_conversation_id=open_conversation_id
        ),
        cool_models.QueryInstalledCoolAppsInConversationHeaders(
            x_acs_dingtalk_access_token=access_token
        ),
        runtime,
    )
    check(apps.body.result.cool_apps[0].cool_app_code == "COOLAPP-sdk", "installed cool apps")

    leavers = ContactClient(cfg).list_emp_leave_records_with_options(
        contact_models.ListEmpLeaveRecordsRequest(
            start_time="2000-01-01T00:00:00Z", next_token="0", max_results=50
        ),
        contact_models.ListEmpLeaveRecordsHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(
        [record.user_id for record in leavers.body.records] == ["u1099"],
        "list_emp_leave_records (GET with a query)",
    )

    templates = im.list_group_templates_by_org_id_with_options(
        im_models.ListGroupTemplatesByOrgIdRequest(page_number=1, page_size=100),
        im_models.ListGroupTemplatesByOrgIdHeaders(x_acs_dingtalk_access_token=access_token),
        runtime,
    )
    check(
        [model.template_id for model in templates.body.scene_group_detail_models]
        == ["tpl-default", "tpl-oncall"]
        and templates.body.count == 2,
        "list_group_templates_by_org_id (unknown-template reads this)",
    )


if __name__ == "__main__":
    main()
