//! The organization's directory: users, departments, and who left.

use std::future::Future;

use serde::Deserialize;
use serde_json::json;

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use super::lenient;
use crate::model::live::{DepartedUser, LiveUser};

/// Records per page of departed users (the platform's maximum).
const LEAVE_PAGE: u32 = 50;

/// Directory calls.
pub trait DirectoryApi: Send + Sync {
    /// One user.
    fn get_user(&self, userid: &str) -> impl Future<Output = Result<LiveUser, ApiError>> + Send;

    /// Userids directly in a department.
    fn department_user_ids(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;

    /// Ids of a department's direct sub-departments.
    fn sub_departments(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<Vec<i64>, ApiError>> + Send;

    /// Users who left between two instants (milliseconds since the epoch), every page.
    fn departed_users(
        &self,
        start_ms: i64,
        end_ms: Option<i64>,
    ) -> impl Future<Output = Result<Vec<DepartedUser>, ApiError>> + Send;
}

// TODO(wire): move to model::wire.
#[derive(Deserialize)]
struct UserAnswer {
    result: UserWire,
}

#[derive(Deserialize)]
struct UserWire {
    userid: String,
    #[serde(default)]
    unionid: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default, deserialize_with = "lenient::int_list")]
    dept_id_list: Vec<i64>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeavePage {
    #[serde(default)]
    records: Vec<LeaveRecord>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeaveRecord {
    user_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    leave_time: Option<String>,
}

impl DirectoryApi for HttpClient {
    fn get_user(&self, userid: &str) -> impl Future<Output = Result<LiveUser, ApiError>> + Send {
        let call = Call::post("/topapi/v2/user/get", json!({ "userid": userid }));
        async move {
            let user = self.call::<UserAnswer>(call).await?.result;
            Ok(LiveUser {
                userid: user.userid,
                unionid: user.unionid.filter(|id| !id.is_empty()),
                name: user.name,
                active: user.active,
                dept_ids: user.dept_id_list,
            })
        }
    }

    fn department_user_ids(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send {
        #[derive(Deserialize)]
        struct Answer {
            result: Ids,
        }
        #[derive(Deserialize)]
        struct Ids {
            #[serde(default, deserialize_with = "lenient::string_list")]
            userid_list: Vec<String>,
        }
        let call = Call::post("/topapi/user/listid", json!({ "dept_id": dept_id }));
        async move { Ok(self.call::<Answer>(call).await?.result.userid_list) }
    }

    fn sub_departments(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<Vec<i64>, ApiError>> + Send {
        #[derive(Deserialize)]
        struct Answer {
            result: Ids,
        }
        #[derive(Deserialize)]
        struct Ids {
            #[serde(default, deserialize_with = "lenient::int_list")]
            dept_id_list: Vec<i64>,
        }
        let call = Call::post(
            "/topapi/v2/department/listsubid",
            json!({ "dept_id": dept_id }),
        );
        async move { Ok(self.call::<Answer>(call).await?.result.dept_id_list) }
    }

    async fn departed_users(
        &self,
        start_ms: i64,
        end_ms: Option<i64>,
    ) -> Result<Vec<DepartedUser>, ApiError> {
        {
            let mut users = Vec::new();
            let mut next_token = "0".to_string();
            loop {
                let mut call = Call::get("/v1.0/contact/empLeaveRecords")
                    .query("startTime", start_ms)
                    .query("nextToken", &next_token)
                    .query("maxResults", LEAVE_PAGE);
                if let Some(end) = end_ms {
                    call = call.query("endTime", end);
                }
                let page: LeavePage = self.call(call).await?;
                users.extend(page.records.into_iter().map(|r| DepartedUser {
                    userid: r.user_id,
                    name: r.name,
                    leave_time: r.leave_time,
                }));
                match page
                    .next_token
                    .filter(|t| !t.is_empty() && *t != next_token)
                {
                    Some(token) => next_token = token,
                    None => break,
                }
            }
            Ok(users)
        }
    }
}
