//! Directory and ordinary groups through the client against the emulator's demo
//! organization.

use crate::common::Emu;
use chrono::DateTime;
use dingform::model::live::{GroupKind, GroupSettings};
use dingform::provider::{ChatApi, DirectoryApi, ErrorKind, GroupUpdate, NewGroup};
use serde_json::json;

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[tokio::test]
async fn users_departments_and_departures_read_back() {
    let emu = Emu::start().await;
    let client = emu.client();
    let user = client.get_user("u1001").await.expect("user");
    assert_eq!(user.name, "Li Lei");
    assert_eq!(user.dept_ids, vec![2]);
    assert!(user.active);
    let mut subs = client.sub_departments(1).await.expect("sub-departments");
    subs.sort();
    assert_eq!(subs, vec![2, 3]);
    let mut members = client
        .department_user_ids(2)
        .await
        .expect("department users");
    members.sort();
    assert!(
        members.starts_with(&ids(&["u1001", "u1002"])),
        "{members:?}"
    );

    assert!(
        client
            .departed_users(DateTime::UNIX_EPOCH, None)
            .await
            .expect("none yet")
            .iter()
            .all(|u| u.userid != "u1005")
    );
    emu.admin("users/u1005/leave", json!({})).await;
    let departed = client
        .departed_users(DateTime::UNIX_EPOCH, None)
        .await
        .expect("departures");
    assert!(departed.iter().any(|u| u.userid == "u1005"), "{departed:?}");

    let error = client.get_user("nobody").await.expect_err("unknown user");
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    assert!(error.code().is_some());
}

#[tokio::test]
async fn an_internal_group_is_created_updated_and_read() {
    let emu = Emu::start().await;
    let client = emu.client();
    let created = client
        .create_group(&NewGroup {
            kind: GroupKind::Internal,
            title: "Payments team".into(),
            owner: "manager4220".into(),
            members: ids(&["manager4220", "u1001", "u1002"]),
            settings: GroupSettings {
                searchable: Some(1),
                ..GroupSettings::default()
            },
        })
        .await
        .expect("create");
    let chat_id = created.chat_id.clone().expect("a chat id");
    let update = GroupUpdate {
        title: Some("Payments".into()),
        add_members: ids(&["u1003"]),
        remove_members: ids(&["u1002"]),
        ..GroupUpdate::default()
    };
    client
        .update_group(&chat_id, &update)
        .await
        .expect("update");
    let group = client.get_group(&chat_id).await.expect("get");
    assert_eq!(group.kind, GroupKind::Internal);
    assert_eq!(group.title, "Payments");
    assert_eq!(group.open_conversation_id, created.open_conversation_id);
    assert_eq!(group.members, ids(&["manager4220", "u1001", "u1003"]));
    assert_eq!(group.settings.searchable, Some(1));
}
