//! The REST endpoints, declared once: each path, the methods it answers, the inputs it reads and
//! the fields it answers with.
//!
//! The table is not documentation kept beside the code; the code runs through it.
//! - Routing: an unknown path is 404 and a known path with a method it does not list is 405.
//! - Inputs: a handler can read only the inputs its route declares ([`super::input::Input`]
//!   refuses any other name as an internal error, which the REST tests would meet).
//! - Answers: fields a route does not declare are dropped from its answer.
//!
//! The OpenAPI document (`openapi.rs`) is generated from the same table, so it cannot drift.

/// The JSON type of an input or an answer's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string (inputs: numbers are taken as their text, as Zato does).
    Str,
    /// A string or null.
    StrOrNull,
    /// A boolean (inputs: also Zato's `"true"`, `"1"`, `"yes"`, ...).
    Bool,
    /// An integer (inputs: also numeric strings).
    Int,
    /// An integer or null.
    IntOrNull,
    /// A UTC timestamp as Zato writes it: `2026-12-01T16:27:10.123456`, no zone.
    Time,
    /// A timestamp or null.
    TimeOrNull,
    /// Any JSON value.
    Any,
    /// A JSON object with any members.
    Object,
    /// A list of users ([`USER`]).
    Users,
    /// A list of sessions ([`SESSION`]).
    Sessions,
    /// A list of linked accounts ([`LINKED_AUTH`]).
    LinkedAuths,
}

/// One named input or answer field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The name, as on the wire.
    pub name: &'static str,
    /// Its JSON type.
    pub kind: Kind,
    /// Inputs: the request is refused without it. Answers: every `ok` answer has it.
    pub required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: true }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: false }
}

use Kind::*;

/// How an endpoint treats codes whose reveal flag is off (spec §8.1: the verb-agnostic
/// endpoints hide them behind E005001; the verb-dispatched ones return the specific code, §10
/// O-41).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// Zato answers any method alike (login, logout, search).
    AnyMethod,
    /// One meaning per method.
    ByMethod,
}

/// One path and method (or, for [`Dispatch::AnyMethod`], every method).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The path under `/zato/sso/`.
    pub path: &'static str,
    /// The method; ignored for [`Dispatch::AnyMethod`].
    pub method: &'static str,
    /// How the method is used.
    pub dispatch: Dispatch,
    /// What it does, in one line.
    pub summary: &'static str,
    /// Whether the prelude (a known `current_app`) runs first: true except for the document
    /// describing the API itself.
    pub needs_app: bool,
    /// The inputs it reads, from the JSON body or the query string.
    pub inputs: &'static [Field],
    /// The fields of its `ok` answer, beside `cid`, `status` and `sub_status`.
    pub answer: &'static [Field],
    /// The operations of the operation table (`crate::api`) its handler runs: the same core
    /// calls behind the JavaScript methods of those names (a test checks each exists).
    pub operations: &'static [&'static str],
}

/// The methods a verb-agnostic endpoint is documented under.
pub const ANY_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// A user as readers see it (`UserRecord::view`, search rows). Which fields appear depends on
/// the reader: a regular user sees the first nine, a super-user all but `totp_key`.
pub const USER: &[Field] = &[
    opt("user_id", Str),
    opt("username", Str),
    opt("email", StrOrNull),
    opt("display_name", StrOrNull),
    opt("first_name", StrOrNull),
    opt("middle_name", StrOrNull),
    opt("last_name", StrOrNull),
    opt("is_totp_enabled", Bool),
    opt("totp_label", Str),
    opt("is_active", Bool),
    opt("is_internal", Bool),
    opt("is_super_user", Bool),
    opt("is_locked", Bool),
    opt("is_approval_needed", Bool),
    opt("approval_status", Str),
    opt("approval_status_mod_by", Str),
    opt("approval_status_mod_time", Time),
    opt("locked_time", TimeOrNull),
    opt("creation_ctx", Str),
    opt("locked_by", StrOrNull),
    opt("approv_rej_time", TimeOrNull),
    opt("approv_rej_by", StrOrNull),
    opt("password_expiry", Time),
    opt("password_is_set", Bool),
    opt("password_must_change", Bool),
    opt("password_last_set", Time),
    opt("sign_up_status", Str),
    opt("sign_up_time", Time),
    opt("is_rate_limit_active", Bool),
    opt("rate_limit_def", StrOrNull),
    opt("rate_limit_type", StrOrNull),
    opt("rate_limit_check_parent_def", Bool),
    opt("last_login_time", TimeOrNull),
];

/// One session in a listing (spec §10 O-24: a `session_id` handle, never the UST).
pub const SESSION: &[Field] = &[
    req("session_id", Str),
    req("creation_time", Time),
    req("expiration_time", Time),
    req("remote_addr", Str),
    req("user_agent", Str),
    req("auth_type", Str),
    req("auth_principal", Str),
    req("ext_session_id", Str),
    req("session_state_change_list", Any),
];

/// One linked account (spec §3.18).
pub const LINKED_AUTH: &[Field] = &[
    req("auth_type", Str),
    req("auth_id", Str),
    req("auth_username", StrOrNull),
    req("is_active", Bool),
    req("is_internal", Bool),
    req("creation_time", Time),
    req("has_ext_principal", Bool),
    req("auth_principal", StrOrNull),
    req("auth_source", StrOrNull),
    req("user_id", Str),
];

const UST: Field = req("ust", Str);
const USER_ID: Field = req("user_id", Str);
const OPT_USER_ID: Field = opt("user_id", Str);

/// The user fields a create takes (spec §3.1), beside `ust`, `username` and `auto_approve`.
const CREATE_INPUTS: &[Field] = &[
    UST,
    req("username", Str),
    opt("password", Str),
    opt("display_name", Str),
    opt("first_name", Str),
    opt("middle_name", Str),
    opt("last_name", Str),
    opt("email", Str),
    opt("sign_up_status", Str),
    opt("rate_limit_def", Str),
    opt("totp_label", Str),
    opt("totp_key", Str),
    opt("password_must_change", Bool),
    opt("is_locked", Bool),
    opt("is_rate_limit_active", Bool),
    opt("is_totp_enabled", Bool),
    opt("auto_approve", Bool),
];

/// What a create answers (spec §8.2 POST /zato/sso/user).
const CREATE_ANSWER: &[Field] = &[
    req("user_id", Str),
    req("username", Str),
    opt("email", StrOrNull),
    opt("display_name", StrOrNull),
    opt("first_name", StrOrNull),
    opt("middle_name", StrOrNull),
    opt("last_name", StrOrNull),
    opt("is_active", Bool),
    opt("is_internal", Bool),
    opt("is_super_user", Bool),
    opt("is_approval_needed", Bool),
    opt("approval_status", Str),
    opt("approval_status_mod_time", Time),
    opt("approval_status_mod_by", Str),
    opt("is_locked", Bool),
    opt("password_is_set", Bool),
    opt("password_last_set", Time),
    opt("password_must_change", Bool),
    opt("password_expiry", Time),
    opt("sign_up_status", Str),
    opt("sign_up_time", Time),
    opt("is_totp_enabled", Bool),
    opt("totp_label", StrOrNull),
];

/// An update's fields (spec §3.6): the first eight for anyone, the rest for super-users.
const UPDATE_INPUTS: &[Field] = &[
    UST,
    OPT_USER_ID,
    opt("username", Str),
    opt("email", StrOrNull),
    opt("display_name", StrOrNull),
    opt("first_name", StrOrNull),
    opt("middle_name", StrOrNull),
    opt("last_name", StrOrNull),
    opt("is_totp_enabled", Bool),
    opt("totp_label", StrOrNull),
    opt("is_locked", Bool),
    opt("password_must_change", Bool),
    opt("password_expiry", Int),
    opt("sign_up_status", Str),
    opt("approval_status", Str),
    opt("is_rate_limit_active", Bool),
    opt("rate_limit_def", StrOrNull),
];

const SEARCH_INPUTS: &[Field] = &[
    UST,
    opt("user_id", Str),
    opt("username", Str),
    opt("email", Str),
    opt("display_name", Str),
    opt("first_name", Str),
    opt("middle_name", Str),
    opt("last_name", Str),
    opt("sign_up_status", Str),
    opt("approval_status", Str),
    opt("name_op", Str),
    opt("is_name_exact", Bool),
    opt("cur_page", Int),
    opt("page_size", Int),
];

const SEARCH_ANSWER: &[Field] = &[
    req("total", Int),
    req("num_pages", Int),
    req("page_size", Int),
    req("cur_page", Int),
    req("prev_page", Int),
    req("next_page", IntOrNull),
    req("has_prev_page", Bool),
    req("has_next_page", Bool),
    req("result", Users),
];

/// The inputs of every attribute endpoint (spec §3.17): user attributes name the user by
/// `user_id` under a super-user's `ust`, session ones by `target_ust` under `current_ust`.
const USER_ATTR_INPUTS: &[Field] =
    &[UST, OPT_USER_ID, opt("name", Str), opt("value", Any), opt("data", Any), opt("expiration", Int), opt("encrypt", Bool), opt("decrypt", Bool)];
const SESSION_ATTR_INPUTS: &[Field] = &[
    req("current_ust", Str),
    opt("target_ust", Str),
    opt("name", Str),
    opt("value", Any),
    opt("data", Any),
    opt("expiration", Int),
    opt("encrypt", Bool),
    opt("decrypt", Bool),
];

/// A read of one attribute answers it with `found`; of several, `result`.
const ATTR_READ_ANSWER: &[Field] = &[
    opt("found", Bool),
    opt("name", Str),
    opt("value", Any),
    opt("creation_time", Time),
    opt("last_modified", Time),
    opt("expiration_time", Time),
    opt("is_encrypted", Bool),
    opt("result", Any),
];
const LIST_ANSWER: &[Field] = &[req("result", Any)];

const fn by(
    operations: &'static [&'static str],
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    inputs: &'static [Field],
    answer: &'static [Field],
) -> Route {
    Route { path, method, dispatch: Dispatch::ByMethod, summary, needs_app: true, inputs, answer, operations }
}

const fn any(
    operations: &'static [&'static str],
    path: &'static str,
    summary: &'static str,
    inputs: &'static [Field],
    answer: &'static [Field],
) -> Route {
    Route { path, method: "*", dispatch: Dispatch::AnyMethod, summary, needs_app: true, inputs, answer, operations }
}

/// The OpenAPI document's own path.
pub const OPENAPI_PATH: &str = "openapi.json";

/// Every endpoint under `/zato/sso/`.
pub const ROUTES: &[Route] = &[
    any(
        &["user.login"],
        "user/login",
        "Logs a user in (spec §3.9): the UST in the answer, or in a cookie with http.cookie_sessions",
        &[
            req("username", Str),
            req("password", Str),
            opt("totp_code", Str),
            opt("new_password", Str),
            opt("remote_addr", Str),
            opt("user_agent", Str),
            opt("device_token", Str),
        ],
        &[opt("ust", Str), req("device_token", Str)],
    ),
    any(&["user.logout"], "user/logout", "Ends the session; always ok, so that nobody can probe which USTs are valid", &[UST], &[]),
    by(
        &["user.getCurrentUser", "user.getUserById"],
        "GET",
        "user",
        "The current user, or with user_id (super-users) another",
        &[UST, OPT_USER_ID],
        USER,
    ),
    by(&["user.createUser"], "POST", "user", "Creates a user (super-users; spec §3.1)", CREATE_INPUTS, CREATE_ANSWER),
    by(
        &["user.updateCurrentUser", "user.updateUserById"],
        "PATCH",
        "user",
        "Updates the current user, or with user_id (super-users) another",
        UPDATE_INPUTS,
        &[],
    ),
    by(&["user.deleteUserById"], "DELETE", "user", "Deletes a user and everything it owns (super-users)", &[UST, USER_ID], &[]),
    by(
        &["user.changePassword"],
        "PATCH",
        "user/password",
        "Changes a password: one's own with the old one, or (super-users) another's",
        &[
            UST,
            req("new_password", Str),
            opt("old_password", Str),
            OPT_USER_ID,
            opt("password_expiry", Int),
            opt("must_change", Bool),
            opt("password_must_change", Bool),
        ],
        &[],
    ),
    by(
        &["user.resetTotpKey"],
        "PATCH",
        "user/totp",
        "Sets a new TOTP key (given, or generated when empty) and label",
        &[UST, req("totp_key", Str), req("totp_label", Str), OPT_USER_ID],
        &[req("totp_key", Str)],
    ),
    by(&["user.lockUser"], "POST", "user/lock", "Locks a user (super-users)", &[UST, USER_ID], &[]),
    by(&["user.unlockUser"], "DELETE", "user/lock", "Unlocks a user (super-users)", &[UST, USER_ID], &[]),
    by(&["user.approveUser"], "POST", "user/approve", "Approves a user (super-users)", &[UST, USER_ID], &[]),
    by(&["user.rejectUser"], "POST", "user/reject", "Rejects a user (super-users)", &[UST, USER_ID], &[]),
    any(&["user.search"], "user/search", "Searches users (super-users; spec §3.13)", SEARCH_INPUTS, SEARCH_ANSWER),
    by(
        &["user.signup"],
        "POST",
        "user/signup",
        "Signs a user up (spec §3.2); sign_up_status may not be given (E008002)",
        &[opt("username", Str), opt("password", Str), opt("email", Str), opt("app_list", Any)],
        &[opt("confirm_token", Str)],
    ),
    by(&["user.confirmSignup"], "PATCH", "user/signup", "Confirms a sign-up with the token mailed to the user", &[req("confirm_token", Str)], &[]),
    by(
        &["policy"],
        "GET",
        "policy",
        "The public policy: password rules, the username limit, whether search by email works",
        &[],
        &[req("password", Object), req("username", Object), req("search", Object)],
    ),
    by(
        &["user.getLinkedAuthList"],
        "GET",
        "user/linked",
        "The caller's linked accounts, or with user_id (super-users) another's",
        &[UST, OPT_USER_ID],
        &[req("result", LinkedAuths)],
    ),
    by(
        &["user.createLinkedAuth"],
        "POST",
        "user/linked",
        "Links a user to a security definition (super-users; spec §3.18)",
        &[UST, USER_ID, req("auth_type", Str), req("auth_username", Str), opt("is_active", Bool)],
        &[req("user_id", Str), req("auth_id", Str)],
    ),
    by(
        &["user.deleteLinkedAuth"],
        "DELETE",
        "user/linked",
        "Unlinks a user from a security definition, ending the sessions it opened",
        &[UST, USER_ID, req("auth_type", Str), req("auth_username", Str)],
        &[],
    ),
    by(
        &["user.session.get"],
        "GET",
        "user/session",
        "A session by its UST (super-users)",
        &[req("current_ust", Str), opt("target_ust", Str)],
        &[req("creation_time", Time), req("expiration_time", Time), req("remote_addr", Str), req("user_agent", Str)],
    ),
    by(
        &["user.session.verify"],
        "POST",
        "user/session",
        "Whether a UST is a valid session (super-users)",
        &[req("current_ust", Str), opt("target_ust", Str)],
        &[req("is_valid", Bool)],
    ),
    by(
        &["user.session.renew"],
        "PATCH",
        "user/session",
        "Renews the session (and its cookie with http.cookie_sessions)",
        &[UST],
        &[req("expiration_time", Time)],
    ),
    by(
        &["user.session.endById"],
        "DELETE",
        "user/session",
        "Ends one session of a user by its session_id (super-users; not in Zato)",
        &[UST, USER_ID, req("session_id", Str)],
        &[],
    ),
    by(
        &["user.session.getList", "user.session.getListByUserId"],
        "GET",
        "user/session/list",
        "The caller's sessions; target_ust under a super-user's current_ust, or user_id (super-users), another user's",
        &[opt("ust", Str), opt("target_ust", Str), opt("current_ust", Str), OPT_USER_ID],
        &[req("result", Sessions)],
    ),
    by(
        &["user.attr.get", "user.attr.getMany"],
        "GET",
        "user/attr",
        "Reads user attributes (name, or data: a list of names)",
        USER_ATTR_INPUTS,
        ATTR_READ_ANSWER,
    ),
    by(
        &["user.attr.create", "user.attr.createMany"],
        "POST",
        "user/attr",
        "Creates user attributes (name and value, or data: a list)",
        USER_ATTR_INPUTS,
        &[],
    ),
    by(&["user.attr.update", "user.attr.updateMany"], "PATCH", "user/attr", "Updates user attributes", USER_ATTR_INPUTS, &[]),
    by(&["user.attr.set", "user.attr.setMany"], "PUT", "user/attr", "Creates or updates user attributes", USER_ATTR_INPUTS, &[]),
    by(&["user.attr.delete", "user.attr.deleteMany"], "DELETE", "user/attr", "Deletes user attributes", USER_ATTR_INPUTS, &[]),
    by(&["user.attr.exists", "user.attr.existsMany"], "GET", "user/attr/exists", "Whether user attributes exist", USER_ATTR_INPUTS, LIST_ANSWER),
    by(&["user.attr.names"], "GET", "user/attr/names", "The names of a user's attributes", USER_ATTR_INPUTS, LIST_ANSWER),
    by(
        &["user.session.attr.get", "user.session.attr.getMany"],
        "GET",
        "session/attr",
        "Reads session attributes",
        SESSION_ATTR_INPUTS,
        ATTR_READ_ANSWER,
    ),
    by(&["user.session.attr.create", "user.session.attr.createMany"], "POST", "session/attr", "Creates session attributes", SESSION_ATTR_INPUTS, &[]),
    by(
        &["user.session.attr.update", "user.session.attr.updateMany"],
        "PATCH",
        "session/attr",
        "Updates session attributes",
        SESSION_ATTR_INPUTS,
        &[],
    ),
    by(
        &["user.session.attr.set", "user.session.attr.setMany"],
        "PUT",
        "session/attr",
        "Creates or updates session attributes",
        SESSION_ATTR_INPUTS,
        &[],
    ),
    by(
        &["user.session.attr.delete", "user.session.attr.deleteMany"],
        "DELETE",
        "session/attr",
        "Deletes session attributes",
        SESSION_ATTR_INPUTS,
        &[],
    ),
    by(
        &["user.session.attr.exists", "user.session.attr.existsMany"],
        "GET",
        "session/attr/exists",
        "Whether session attributes exist",
        SESSION_ATTR_INPUTS,
        LIST_ANSWER,
    ),
    by(&["user.session.attr.names"], "GET", "session/attr/names", "The names of a session's attributes", SESSION_ATTR_INPUTS, LIST_ANSWER),
    by(
        &["passwordReset.createToken"],
        "POST",
        "password/reset",
        "Starts a password reset for a username or email; always ok, at once (the work runs afterwards)",
        &[req("credential", Str)],
        &[],
    ),
    by(
        &["passwordReset.accessToken"],
        "PATCH",
        "password/reset",
        "Exchanges the mailed token for a reset key",
        &[req("token", Str)],
        &[req("reset_key", Str)],
    ),
    by(
        &["passwordReset.changePassword"],
        "DELETE",
        "password/reset",
        "Sets the new password with the token and the reset key",
        &[req("token", Str), req("reset_key", Str), req("password", Str), opt("totp_code", Str)],
        &[],
    ),
    Route {
        path: OPENAPI_PATH,
        method: "GET",
        dispatch: Dispatch::ByMethod,
        summary: "This API's OpenAPI 3.1 document (with http.openapi; 404 otherwise)",
        needs_app: false,
        inputs: &[],
        answer: &[],
        operations: &[],
    },
];

/// What a path and method lead to.
pub enum Lookup {
    /// The route that answers it.
    Found(&'static Route),
    /// No such path.
    NotFound,
    /// The path exists; the method is not one of its own.
    MethodNotAllowed,
}

/// The route for `path` (under `/zato/sso/`, no trailing slash) and `method` (upper case).
pub fn lookup(path: &str, method: &str) -> Lookup {
    let mut known = false;
    for r in ROUTES.iter().filter(|r| r.path == path) {
        known = true;
        if r.dispatch == Dispatch::AnyMethod || r.method == method {
            return Lookup::Found(r);
        }
    }
    if known {
        Lookup::MethodNotAllowed
    } else {
        Lookup::NotFound
    }
}

impl Route {
    /// Whether the route reads input `name`.
    pub fn reads(&self, name: &str) -> bool {
        name == "current_app" || self.inputs.iter().any(|f| f.name == name)
    }

    /// Whether its answer may carry field `name`.
    pub fn answers(&self, name: &str) -> bool {
        self.answer.iter().any(|f| f.name == name)
    }
}
