//! Group tabs through the real client against the emulator's `convNavTabs`: added, listed in
//! order, edited in place, removed; a tab with no URL, an unknown tab id and an unknown group
//! are refused the way the platform refuses them.

use crate::notify_support::Fixture;
use dingform::provider::{ErrorKind, Tab, TabsApi};

fn tab(title: &str, url: &str) -> Tab {
    Tab {
        title: title.into(),
        pc_url: Some(url.into()),
        mobile_url: Some(url.into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_is_added_edited_in_place_and_removed() {
    let fx = Fixture::start().await;
    let group = fx.group_with_bot().await;
    let client = fx.client();

    let dashboard = client
        .add_tab(&group, &tab("Dashboard", "https://grafana.example/d/1"))
        .await
        .unwrap();
    let runbook = client
        .add_tab(&group, &tab("Runbook", "https://runbooks.example"))
        .await
        .unwrap();
    assert_ne!(dashboard, runbook);
    let tabs = client.list_tabs(&group).await.unwrap();
    let titles: Vec<&str> = tabs.iter().map(|t| t.tab.title.as_str()).collect();
    assert_eq!(titles, ["Dashboard", "Runbook"]);

    client
        .update_tab(
            &group,
            &dashboard,
            &tab("Dashboards", "https://grafana.example/d/2"),
        )
        .await
        .unwrap();
    let tabs = client.list_tabs(&group).await.unwrap();
    assert_eq!(tabs[0].tab_id, dashboard, "edited in place: the same id");
    assert_eq!(
        tabs[0].tab,
        tab("Dashboards", "https://grafana.example/d/2")
    );

    client
        .delete_tabs(&group, std::slice::from_ref(&runbook))
        .await
        .unwrap();
    let tabs = client.list_tabs(&group).await.unwrap();
    assert_eq!(tabs.len(), 1);
    assert_eq!(tabs[0].tab_id, dashboard);

    let refused = client.delete_tabs(&group, &[runbook]).await.unwrap_err();
    assert!(refused.to_string().contains("not found"), "{refused}");
    let refused = client
        .add_tab(
            &group,
            &Tab {
                title: "Nowhere".into(),
                ..Tab::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("pcUrl or mobileUrl"),
        "{refused}"
    );
    let refused = client.list_tabs("cidNoSuchGroup").await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::NotFound, "{refused}");
}
