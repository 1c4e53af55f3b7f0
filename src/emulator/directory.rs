//! Directory look-ups from the seed: `/topapi/v2/user/get` (33012 unknown, 60121 departed),
//! `/topapi/user/listid` and `/topapi/v2/department/listsubid` (60003 unknown department),
//! departed users (`GET /v1.0/contact/empLeaveRecords`, legacy
//! `/topapi/smartwork/hrm/employee/querydimission`). unionIds are `union_<userid>`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;

use super::AppState;
use super::clock;
use super::error::Refusal;
use super::host::{Api, ApiError, Oapi, OapiError, oapi_ok, refuse};
use crate::model::wire::directory::*;
use crate::model::wire::scene_group::OapiResult;

/// `POST /topapi/v2/user/get`.
pub async fn user_get(
    State(state): State<AppState>,
    call: Oapi<UserGetRequest>,
) -> Result<Response, OapiError> {
    let userid = call.body.userid;
    let user = state
        .store
        .read(|world| {
            let user = world
                .seed
                .users
                .iter()
                .find(|user| user.userid == userid)
                .ok_or_else(|| Refusal::DirectoryUserNotFound(userid.clone()))?;
            if !world.is_active_user(&userid) {
                // The platform no longer finds a user who left.
                return Err(Refusal::UserDeparted(userid.clone()));
            }
            Ok(UserInfo {
                userid: user.userid.clone(),
                unionid: format!("union_{}", user.userid),
                name: user.name.clone(),
                active: true,
                dept_id_list: user.departments.clone(),
            })
        })
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiResult { result: user }))
}

/// Whether department `id` exists (60003 when not).
pub(super) fn check_department(world: &super::world::World, id: i64) -> Result<(), Refusal> {
    // Department 1 is the root in DingTalk; the seed's top-level departments hang under it.
    if id == 1
        || world
            .seed
            .departments
            .iter()
            .any(|department| department.id == id)
    {
        Ok(())
    } else {
        Err(Refusal::DepartmentNotFound(id))
    }
}

/// `POST /topapi/user/listid`: the department's direct, current members.
pub async fn user_list_id(
    State(state): State<AppState>,
    call: Oapi<DeptRequest>,
) -> Result<Response, OapiError> {
    let id = call.body.dept_id;
    let list = state
        .store
        .read(|world| {
            check_department(world, id)?;
            Ok(world
                .seed
                .users
                .iter()
                .filter(|user| user.departments.contains(&id) && world.is_active_user(&user.userid))
                .map(|user| user.userid.clone())
                .collect())
        })
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiResult {
        result: UserIdList { userid_list: list },
    }))
}

/// `POST /topapi/v2/department/listsubid`: direct sub-departments.
pub async fn dept_list_sub(
    State(state): State<AppState>,
    call: Oapi<DeptRequest>,
) -> Result<Response, OapiError> {
    let id = call.body.dept_id;
    let list = state
        .store
        .read(|world| {
            check_department(world, id)?;
            Ok(world
                .seed
                .departments
                .iter()
                .filter(|department| department.parent == Some(id))
                .map(|department| department.id)
                .collect())
        })
        .map_err(refuse(call.topapi))?;
    Ok(oapi_ok(OapiResult {
        result: DeptIdList { dept_id_list: list },
    }))
}

/// Departed users, oldest departure first.
fn departures(world: &super::world::World) -> Vec<(String, String, clock::Millis)> {
    let mut list: Vec<_> = world
        .departed
        .iter()
        .map(|(userid, at)| {
            let name = world
                .seed
                .users
                .iter()
                .find(|user| &user.userid == userid)
                .map(|user| user.name.clone())
                .unwrap_or_default();
            (userid.clone(), name, *at)
        })
        .collect();
    list.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
    list
}

/// `GET /v1.0/contact/empLeaveRecords?startTime=&endTime=&nextToken=&maxResults=`.
pub async fn leave_records(
    State(state): State<AppState>,
    call: Api<EmpLeaveRecordsQuery>,
) -> Result<Json<EmpLeaveRecordsResponse>, ApiError> {
    let query = call.body;
    let start = clock::parse(&query.start_time).ok_or_else(|| {
        Refusal::BadParameter(format!(
            "startTime `{}` is not an ISO-8601 time",
            query.start_time
        ))
    })?;
    let end = match &query.end_time {
        Some(text) => clock::parse(text).ok_or_else(|| {
            Refusal::BadParameter(format!("endTime `{text}` is not an ISO-8601 time"))
        })?,
        None => i64::MAX,
    };
    let size = query.max_results.unwrap_or(50);
    if !(1..=50).contains(&size) {
        return Err(Refusal::BadParameter("maxResults must be 1 to 50".to_owned()).into());
    }
    let offset: usize = match query.next_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token
            .parse()
            .map_err(|_| Refusal::BadParameter(format!("nextToken `{token}` is not valid")))?,
    };
    let list: Vec<_> = state
        .store
        .read(departures)
        .into_iter()
        .filter(|(_, _, at)| (start..=end).contains(at))
        .collect();
    let records: Vec<EmpLeaveRecord> = list
        .iter()
        .skip(offset)
        .take(size as usize)
        .map(|(userid, name, at)| EmpLeaveRecord {
            user_id: userid.clone(),
            name: name.clone(),
            leave_time: clock::rfc3339(*at),
            leave_reason: String::new(),
        })
        .collect();
    let next = offset + records.len();
    Ok(Json(EmpLeaveRecordsResponse {
        records,
        next_token: (next < list.len()).then(|| next.to_string()),
    }))
}

/// `POST /topapi/smartwork/hrm/employee/querydimission`.
pub async fn query_dimission(
    State(state): State<AppState>,
    call: Oapi<QueryDimissionRequest>,
) -> Result<Response, OapiError> {
    let body = call.body;
    if !(1..=50).contains(&body.size) || body.offset < 0 {
        return Err(refuse(call.topapi)(Refusal::BadParameter(
            "size must be 1 to 50 and offset not negative".to_owned(),
        )));
    }
    let list = state.store.read(departures);
    let offset = body.offset as usize;
    let data_list: Vec<String> = list
        .iter()
        .skip(offset)
        .take(body.size as usize)
        .map(|(userid, _, _)| userid.clone())
        .collect();
    let next = offset + data_list.len();
    Ok(oapi_ok(OapiResult {
        result: DimissionPage {
            data_list,
            next_cursor: (next < list.len()).then_some(next as i64),
        },
    }))
}
