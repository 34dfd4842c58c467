//! `/api/v1/users`: accounts, managed by admins.

use actix_web::web::{Bytes, Path};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::http::database;
use crate::auth::checks::PasswordChecks;
use crate::auth::password;
use crate::db::Pool;
use crate::domain::vocabulary::Role;
use crate::error::{
    ApiError, AuthErrors, BodyErrors, CommonErrors, ConflictResponse, NotFoundResponse,
};
use crate::store::users::User;
use crate::store::{self, StoreError};

use crate::api::http::body::{Fields, check_size, is_email, parse_object};
use crate::api::http::identity::Staff;
use crate::api::http::query::QueryParams;

/// A staff account (never with its password hash).
#[derive(Serialize, ToSchema)]
pub struct UserView {
    /// The account's id.
    pub id: Uuid,
    /// The account's e-mail address.
    pub email: String,
    /// What the account may do.
    pub role: Role,
    /// A disabled account cannot sign in.
    pub disabled: bool,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            role: u.role,
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    /// Every account.
    pub items: Vec<UserView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct NewUser {
    /// The new account's e-mail address; it signs in with it.
    #[schema(example = "contributor@example.org", format = Email)]
    pub email: String,
    /// At least 12 characters.
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    /// What the account may do.
    pub role: Role,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct UserChange {
    /// The account's new role.
    pub role: Option<Role>,
    /// `true` disables the account (its tokens stop working at once); `false` enables it.
    pub disabled: Option<bool>,
}

/// The admin's view of every account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every account.", body = UserList),
        CommonErrors,
        AuthErrors,
    )
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    staff: Staff,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    staff.require(&[Role::Admin])?;
    let users = database::run(&pool, |conn| Ok(store::users::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(UserList {
        items: users.iter().map(UserView::from).collect(),
    }))
}

/// Create an account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created.", body = UserView),
        CommonErrors,
        AuthErrors,
        ConflictResponse,
        BodyErrors,
    )
)]
#[post("/users")]
pub async fn create_user(
    staff: Staff,
    body: Bytes,
    pool: web::Data<Pool>,
    checks: web::Data<PasswordChecks>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    check_size(&body)?;
    let object = parse_object(&body)?;
    let mut fields = Fields::new(&object, "", &["email", "password", "role"]);
    let email = fields.parsed("email", "a well-formed e-mail address", |v| {
        is_email(v).then(|| v.to_owned())
    });
    let email = fields.require("email", email);
    let role = fields.parsed("role", "admin, editor or contributor", Role::from_slug);
    let role = fields.require("role", role);
    let secret = match object.get("password").and_then(|v| v.as_str()) {
        Some(s) if s.chars().count() >= password::MIN_LENGTH && s.len() <= 1024 => {
            Some(s.to_owned())
        }
        _ => {
            fields.fail(
                "password",
                format!(
                    "must be a string of {} to 1024 characters",
                    password::MIN_LENGTH
                ),
            );
            None
        }
    };
    fields.finish()?;
    let (email, role, secret) = (
        email.unwrap_or_default(),
        role.unwrap_or(Role::Contributor),
        secret.unwrap_or_default(),
    );
    let hash = checks
        .slot()
        .await?
        .hash(secret)
        .await
        .map_err(ApiError::Internal)?;
    let user = database::run(&pool, move |conn| {
        store::users::create(conn, &email, &hash, role).map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::Conflict {
                detail: "an account with this e-mail exists".into(),
                existing: None,
            },
            e => e.into(),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(UserView::from(&user)))
}

/// Change an account's role, or disable or enable it. Either change ends every token
/// issued to the account before it, at once. An admin cannot demote or disable their own
/// account (409): another admin must, so the directory is never left without one.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f")),
    request_body = UserChange,
    responses(
        (status = 200, description = "Changed.", body = UserView),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        BodyErrors,
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    check_size(&body)?;
    let object = parse_object(&body)?;
    let mut fields = Fields::new(&object, "", &["role", "disabled"]);
    let role = fields.parsed("role", "admin, editor or contributor", Role::from_slug);
    let disabled = fields.boolean("disabled");
    fields.finish()?;
    let id = path.into_inner();
    let demotes_itself = role.is_some_and(|r| r != Role::Admin) || disabled == Some(true);
    if demotes_itself && Uuid::parse_str(&id).is_ok_and(|id| id == staff.id) {
        return Err(ApiError::Conflict {
            detail: "an admin cannot demote or disable their own account; another admin must"
                .into(),
            existing: None,
        });
    }
    let user = database::run(&pool, move |conn| {
        store::users::update(conn, &id, role, disabled).map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound("no account has this id".into()),
            e => e.into(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(&user)))
}
