//! Directory look-ups: users, department members, sub-departments, departed users.

use serde::{Deserialize, Serialize};

use super::lenient;

/// oapi `POST /topapi/v2/user/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserGetRequest {
    /// The user (33012 when unknown).
    pub userid: String,
    /// Language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `result` of `/topapi/v2/user/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    /// userId.
    pub userid: String,
    /// unionId.
    pub unionid: String,
    /// Name.
    pub name: String,
    /// Still in the organization.
    pub active: bool,
    /// Departments.
    pub dept_id_list: Vec<i64>,
}

/// oapi `POST /topapi/user/listid` and `/topapi/v2/department/listsubid`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeptRequest {
    /// The department (60003 when unknown).
    #[serde(deserialize_with = "lenient::int")]
    pub dept_id: i64,
}

/// `result` of `/topapi/user/listid`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserIdList {
    /// The department's direct members.
    pub userid_list: Vec<String>,
}

/// `result` of `/topapi/v2/department/listsubid`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeptIdList {
    /// Direct sub-departments.
    pub dept_id_list: Vec<i64>,
}

/// Query of api `GET /v1.0/contact/empLeaveRecords` (SDK `list_emp_leave_records`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmpLeaveRecordsQuery {
    /// ISO-8601 start.
    pub start_time: String,
    /// ISO-8601 end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Cursor (`"0"` first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size (≤50).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_int"
    )]
    pub max_results: Option<i64>,
}

/// One departure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmpLeaveRecord {
    /// userId.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// ISO-8601 time.
    pub leave_time: String,
    /// Reason.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leave_reason: String,
}

/// Answer of `GET /v1.0/contact/empLeaveRecords`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmpLeaveRecordsResponse {
    /// This page.
    pub records: Vec<EmpLeaveRecord>,
    /// Cursor for the next page, absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// oapi `POST /topapi/smartwork/hrm/employee/querydimission`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryDimissionRequest {
    /// Offset.
    #[serde(deserialize_with = "lenient::int")]
    pub offset: i64,
    /// Page size (≤50).
    #[serde(deserialize_with = "lenient::int")]
    pub size: i64,
}

/// `result` of `querydimission`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DimissionPage {
    /// Departed userIds.
    pub data_list: Vec<String>,
    /// Next offset, absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

/// oapi `POST /topapi/v2/department/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeptGetRequest {
    /// The department (60003 when unknown).
    #[serde(deserialize_with = "lenient::int")]
    pub dept_id: i64,
    /// Language of the answer (`zh_CN`, `en_US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `result` of `/topapi/v2/department/get` (the fields dingform reads).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeptInfo {
    /// Its id.
    pub dept_id: i64,
    /// Its name.
    pub name: String,
    /// Its parent (absent for the root, 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
}
