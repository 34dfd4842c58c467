//! Who is calling: the `Staff` extractor checks the bearer token and the account behind it.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use uuid::Uuid;

use crate::api::http::database;
use crate::auth::token::TokenKeys;
use crate::db::Pool;
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, FieldIssue};
use crate::store::{self, StoreError};

/// A signed-in staff member whose account is enabled and whose role is the one in the token.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: Uuid,
    pub role: Role,
}

impl Staff {
    /// Passes when the caller has one of `roles`; 403 otherwise.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this operation needs the role {}",
                roles
                    .iter()
                    .map(|r| r.slug())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }

    pub fn is_editor(&self) -> bool {
        matches!(self.role, Role::Editor | Role::Admin)
    }
}

fn unauthorized() -> ApiError {
    ApiError::Unauthorized("a valid bearer token is required".into())
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Staff, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if req
            .headers()
            .get_all(header::AUTHORIZATION)
            .nth(1)
            .is_some()
        {
            let refused = Err(ApiError::InvalidInput(vec![FieldIssue::new(
                "authorization",
                "may be given only once: a request carries one identity",
            )]));
            return Box::pin(async move { refused });
        }
        let token = bearer(req);
        let keys = req.app_data::<web::Data<TokenKeys>>().cloned();
        let pool = req.app_data::<web::Data<Pool>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(keys), Some(pool)) = (token, keys, pool) else {
                return Err(unauthorized());
            };
            let claims = keys.verify(&token).ok_or_else(unauthorized)?;
            let user = database::run(&pool, move |conn| {
                Ok(store::users::find(conn, &claims.sub).map(|u| (u, claims)))
            })
            .await?;
            match user {
                Ok((user, claims))
                    if !user.disabled
                        && user.role == claims.role
                        && user.token_generation == claims.generation =>
                {
                    Ok(Staff {
                        id: user.id,
                        role: user.role,
                    })
                }
                Ok(_) | Err(StoreError::NotFound) => Err(unauthorized()),
                Err(e) => Err(e.into()),
            }
        })
    }
}
