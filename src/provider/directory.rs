//! The organization's directory: users, departments, and who left.

use std::future::Future;

use chrono::{DateTime, SecondsFormat, Utc};

use super::call::Call;
use super::error::ApiError;
use super::http::HttpClient;
use crate::model::live::{DepartedUser, LiveUser};
use crate::model::wire::directory::{
    DeptGetRequest, DeptIdList, DeptInfo, DeptRequest, EmpLeaveRecordsResponse, UserGetRequest,
    UserIdList, UserInfo,
};
use crate::model::wire::scene_group::OapiResult;

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

    /// Users who left since `since` (until `until`, or now), every page.
    fn departed_users(
        &self,
        since: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<DepartedUser>, ApiError>> + Send;

    /// One department's name (`/topapi/v2/department/get`; 60003 when unknown).
    fn department_name(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<String, ApiError>> + Send;
}

impl DirectoryApi for HttpClient {
    fn get_user(&self, userid: &str) -> impl Future<Output = Result<LiveUser, ApiError>> + Send {
        let body = UserGetRequest {
            userid: userid.to_string(),
            language: None,
        };
        let call = Call::post("/topapi/v2/user/get", body);
        async move {
            let user = self.call::<OapiResult<UserInfo>>(call).await?.result;
            Ok(LiveUser {
                userid: user.userid,
                unionid: Some(user.unionid).filter(|id| !id.is_empty()),
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
        let call = Call::post("/topapi/user/listid", DeptRequest { dept_id });
        async move {
            Ok(self
                .call::<OapiResult<UserIdList>>(call)
                .await?
                .result
                .userid_list)
        }
    }

    fn sub_departments(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<Vec<i64>, ApiError>> + Send {
        let call = Call::post("/topapi/v2/department/listsubid", DeptRequest { dept_id });
        async move {
            Ok(self
                .call::<OapiResult<DeptIdList>>(call)
                .await?
                .result
                .dept_id_list)
        }
    }

    async fn departed_users(
        &self,
        since: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Vec<DepartedUser>, ApiError> {
        // The API takes ISO-8601 instants.
        let iso = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut users = Vec::new();
        let mut next_token = "0".to_string();
        loop {
            let mut call = Call::get("/v1.0/contact/empLeaveRecords")
                .query("startTime", iso(since))
                .query("nextToken", &next_token)
                .query("maxResults", LEAVE_PAGE);
            if let Some(until) = until {
                call = call.query("endTime", iso(until));
            }
            let page: EmpLeaveRecordsResponse = self.call(call).await?;
            users.extend(page.records.into_iter().map(|record| DepartedUser {
                userid: record.user_id,
                name: Some(record.name).filter(|name| !name.is_empty()),
                leave_time: Some(record.leave_time).filter(|time| !time.is_empty()),
            }));
            match page
                .next_token
                .filter(|token| !token.is_empty() && *token != next_token)
            {
                Some(token) => next_token = token,
                None => break,
            }
        }
        Ok(users)
    }

    fn department_name(
        &self,
        dept_id: i64,
    ) -> impl Future<Output = Result<String, ApiError>> + Send {
        let body = DeptGetRequest {
            dept_id,
            language: None,
        };
        let call = Call::post("/topapi/v2/department/get", body);
        async move { Ok(self.call::<OapiResult<DeptInfo>>(call).await?.result.name) }
    }
}
