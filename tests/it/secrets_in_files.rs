//! A secret written where it does not belong is never printed: not in a diagnostic's quoted
//! source line, not in an endpoint error (#18).

use crate::common::Workspace;

#[test]
fn an_app_secret_in_dingform_yaml_is_an_error_that_never_shows_the_value() {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\napp_secret: hunter2-very-secret\nendpoint: sandbox\n",
    );
    for format in ["human", "json"] {
        let output = ws
            .offline_command(&["validate", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        let all = format!("{stdout}{stderr}");
        assert!(all.contains("unknown-key"), "{all}");
        assert!(
            !all.contains("hunter2"),
            "{format} printed the secret:\n{all}"
        );
        assert!(
            all.contains("DINGTALK_APP_SECRET"),
            "the help says where it belongs:\n{all}"
        );
    }
    let output = ws.offline_command(&["validate"]).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("app_secret: *******************"),
        "{stderr}"
    );
}

#[test]
fn credentials_in_an_endpoint_url_are_never_printed() {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\nendpoint: \"https://key:hunter2@oapi.example.com/\"\n",
    )
    .file("groups.yaml", "groups: {}\n");
    let mut command = ws.offline_command(&["plan"]);
    command
        .env("DINGTALK_APP_KEY", "k")
        .env("DINGTALK_APP_SECRET", "s");
    let run = crate::common::workspace::finish(command);
    let stderr = &run.stderr;
    assert_eq!(run.code, 1, "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert_eq!(
        stderr.matches("oapi.example.com").count(),
        1,
        "said once:\n{stderr}"
    );
    assert!(stderr.contains("key:***@"), "{stderr}");
}
