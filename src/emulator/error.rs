//! What the emulator refuses, and how each host spells it: the api host (`/v1.0/…`) answers
//! HTTP 4xx/5xx `{"code","message","requestid"}`, the oapi host HTTP 200
//! `{"errcode","errmsg","request_id"}` (`dingtalk-api.md`, "Errors").

use axum::http::StatusCode;

use crate::model::limits;

/// A refusal, in the platform's terms. Each variant knows its api-host status and code and
/// its oapi errcode; the message is the `Display` text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A parameter is malformed or out of range.
    #[error("invalid parameter: {0}")]
    BadParameter(String),
    /// A required parameter is missing.
    #[error("missing parameter: {0}")]
    MissingParameter(String),
    /// A v1.0 call carried `?access_token=` instead of the header, or no token at all.
    #[error("the access token must be sent in the x-acs-dingtalk-access-token header")]
    TokenMissing,
    /// Unknown token.
    #[error("invalid access token")]
    TokenInvalid,
    /// Token past its 7200 s.
    #[error("access token expired")]
    TokenExpired,
    /// Wrong app key or secret (the secret itself is never repeated).
    #[error("invalid appKey or appSecret")]
    BadCredentials,
    /// The scene-group template does not exist (`groupTemplate.notFound`).
    #[error("group template `{0}` not found")]
    TemplateNotFound(String),
    /// A user is not (or no longer) in the organization.
    #[error("user `{0}` not found in the organization")]
    UserNotFound(String),
    /// Over [`limits::GROUP_MEMBERS`] members.
    #[error(
        "a group has at most {max} members; this would make {0}",
        max = limits::GROUP_MEMBERS
    )]
    MemberExceed(usize),
    /// Over [`limits::GROUP_ADMINS`] sub-admins.
    #[error(
        "a group has at most {max} sub-admins; this would make {0}",
        max = limits::GROUP_ADMINS
    )]
    SubAdminExcessive(usize),
    /// A user is not a member of the group.
    #[error("user `{0}` is not a member of the group")]
    UserNotInGroup(String),
    /// No such group.
    #[error("group `{0}` not found")]
    GroupNotFound(String),
    /// The group is disbanded.
    #[error("the group is disbanded")]
    GroupDisbanded,
    /// The operation is not allowed (e.g. removing the owner).
    #[error("permission check failed: {0}")]
    PermissionDenied(String),
    /// The same ids are both added and removed (`/chat/update`, 49004).
    #[error("user `{0}` is both added and removed")]
    AddDelOverlap(String),
    /// Unknown robotCode (bots are known from the seed only: `bot-needs-console`).
    #[error("robot `{0}` does not exist")]
    RobotNotFound(String),
    /// The bot is not in the group.
    #[error("robot `{0}` is not in the group")]
    RobotNotInGroup(String),
    /// Unknown msgKey.
    #[error("msgKey `{0}` is invalid")]
    MsgKeyInvalid(String),
    /// Bad msgParam.
    #[error("msgParam is invalid: {0}")]
    MsgParamInvalid(String),
    /// Unknown webhook token (400101).
    #[error("robot webhook token does not exist")]
    WebhookTokenUnknown,
    /// A signing robot's request without a valid `timestamp` + `sign` (310000,
    /// `webhook-signature`).
    #[error("signature check failed: {0}")]
    WebhookSignature(String),
    /// A media id this emulator never issued (40007).
    #[error("media_id `{0}` does not exist")]
    MediaNotFound(String),
    /// Webhook over 20 messages a minute (410100).
    #[error(
        "sending too fast: a bot sends at most {} messages a minute",
        limits::WEBHOOK_PER_MINUTE
    )]
    SendTooFast,
    /// Group plugins can be neither edited nor deleted (`plugin-immutable`).
    #[error("group plugins can be neither edited nor deleted")]
    PluginImmutable,
    /// agent_id is not the app's (40056).
    #[error("agent_id {0} does not belong to this app")]
    BadAgent(i64),
    /// Over 5,000 (1,000 third-party) users in one request (41029).
    #[error("a work notification reaches at most {limit} users per request; got {count}")]
    TooManyRecipients {
        /// How many were asked for.
        count: usize,
        /// The app's limit.
        limit: usize,
    },
    /// A request whose departments (with their sub-departments) and userids reach more people
    /// than one request may (41029, `recipients-per-request`).
    #[error(
        "a work notification reaches at most {limit} users per request; its departments and userids reach {count}"
    )]
    DepartmentRecipients {
        /// The people the request would reach.
        count: usize,
        /// The app's limit.
        limit: usize,
    },
    /// An OA status bar goes to ≤5 userids, no departments, not to all (41052).
    #[error(
        "an OA message with a status bar goes to at most 5 userids, without departments or to_all_user"
    )]
    StatusBarRecipients,
    /// The fourth `to_all_user` of the day (41045).
    #[error(
        "to_all_user is allowed at most {} times a day",
        limits::TO_ALL_USER_PER_DAY
    )]
    ToAllUserDaily,
    /// No such task, or older than 24 h (400002).
    #[error(
        "task {0} not found or older than {hours} hours",
        hours = limits::DELIVERY_RESULT_WINDOW_HOURS
    )]
    TaskNotFound(i64),
    /// Unknown department (60003).
    #[error("department {0} not found")]
    DepartmentNotFound(i64),
    /// A user who left the organization, looked up in the directory (60121).
    #[error("user `{0}` left the organization")]
    UserDeparted(String),
    /// Unknown userid in the directory (33012).
    #[error("userid `{0}` not found")]
    DirectoryUserNotFound(String),
    /// No such endpoint.
    #[error("no such API: {0}")]
    NoSuchApi(String),
    /// Per app per API QPS limit (fault `qps_limit`).
    #[error("QPS limit for appkey and api exceeded")]
    QpsLimit,
    /// Injected: the platform's global per-API QPS limit.
    #[error("QPS limit for api exceeded")]
    QpsLimitForApi,
    /// Injected: system busy.
    #[error("system busy, retry later")]
    SystemBusy,
    /// Injected or real: a server error.
    #[error("system error: {0}")]
    SystemError(String),
}

impl Refusal {
    /// HTTP status and `code` on the api host.
    pub fn api(&self) -> (StatusCode, &'static str) {
        use Refusal::*;
        let bad = StatusCode::BAD_REQUEST;
        match self {
            BadParameter(_)
            | BadAgent(_)
            | TooManyRecipients { .. }
            | DepartmentRecipients { .. }
            | StatusBarRecipients
            | ToAllUserDaily
            | TaskNotFound(_)
            | DepartmentNotFound(_)
            | AddDelOverlap(_) => (bad, "parameter.invalid"),
            MissingParameter(_) => (bad, "MissingParameter"),
            TokenMissing => (bad, "AuthenticationFailed.MissingParameter"),
            TokenInvalid | TokenExpired => (bad, "InvalidAuthentication"),
            BadCredentials => (bad, "invalidClientIdOrSecret"),
            TemplateNotFound(_) => (bad, "groupTemplate.notFound"),
            UserNotFound(_) | DirectoryUserNotFound(_) | UserDeparted(_) => {
                (bad, "member.notFound")
            }
            MemberExceed(_) => (bad, "member.exceed"),
            SubAdminExcessive(_) => (bad, "subAdminNumberExcessive"),
            UserNotInGroup(_) => (bad, "userNotInGroup"),
            GroupNotFound(_) => (bad, "invalid.openConversationId"),
            GroupDisbanded => (bad, "group.disbanded"),
            PermissionDenied(_) => (bad, "permession.checkFailed"),
            RobotNotFound(_) => (bad, "invalidParameter.robotCode.notExist"),
            RobotNotInGroup(_) => (bad, "invalidParameter.robotCode.notInGroup"),
            MsgKeyInvalid(_) => (bad, "invalidParameter.msgKey.invalid"),
            MsgParamInvalid(_) => (bad, "invalidParameter.msgParam.invalid"),
            WebhookTokenUnknown => (bad, "invalidParameter.token.notExist"),
            WebhookSignature(_) => (bad, "sign.invalid"),
            MediaNotFound(_) => (bad, "invalidParameter.mediaId.notExist"),
            SendTooFast => (bad, "send.too.fast"),
            PluginImmutable => (StatusCode::FORBIDDEN, "plugin.immutable"),
            NoSuchApi(_) => (StatusCode::NOT_FOUND, "InvalidAction.NotFound"),
            QpsLimit => (
                StatusCode::FORBIDDEN,
                "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
            ),
            QpsLimitForApi => (
                StatusCode::FORBIDDEN,
                "Forbidden.AccessDenied.QpsLimitForApi",
            ),
            SystemBusy => (StatusCode::TOO_MANY_REQUESTS, "systemBusy"),
            SystemError(_) => (StatusCode::INTERNAL_SERVER_ERROR, "system.error"),
        }
    }

    /// `errcode` on the oapi host.
    pub fn oapi(&self) -> i64 {
        use Refusal::*;
        match self {
            BadParameter(_) | MissingParameter(_) | SubAdminExcessive(_) | MsgKeyInvalid(_)
            | MsgParamInvalid(_) | RobotNotInGroup(_) => 40035,
            TokenMissing | TokenInvalid => 40014,
            TokenExpired => 42001,
            BadCredentials => 40096,
            TemplateNotFound(_) => 665036,
            UserNotFound(_) => 660041,
            MemberExceed(_) => 665033,
            UserNotInGroup(_) => 60124,
            GroupNotFound(_) => 40016,
            GroupDisbanded => 400013,
            PermissionDenied(_) | PluginImmutable => 400020,
            AddDelOverlap(_) => 49004,
            RobotNotFound(_) | WebhookTokenUnknown => 400101,
            SendTooFast => 410100,
            WebhookSignature(_) => 310000,
            MediaNotFound(_) => 40007,
            BadAgent(_) => 40056,
            TooManyRecipients { .. } | DepartmentRecipients { .. } => 41029,
            StatusBarRecipients => 41052,
            ToAllUserDaily => 41045,
            TaskNotFound(_) => 400002,
            DepartmentNotFound(_) => 60003,
            DirectoryUserNotFound(_) => 33012,
            UserDeparted(_) => 60121,
            NoSuchApi(_) => 404,
            QpsLimit => 90018,
            QpsLimitForApi => 90002,
            SystemBusy | SystemError(_) => -1,
        }
    }
}
