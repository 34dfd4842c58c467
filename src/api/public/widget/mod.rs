//! `GET /widget.js`: a script a partner site includes to show calls from any search, with
//! one `<script>` tag and one `<div data-mobility-directory data-query="…">`. Plain
//! JavaScript, no framework; it renders a list of links with the organizer, the type and
//! the deadline in the reader's local time, in the page's language (sl or en).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get};

use crate::api::http::query::QueryParams;
use crate::error::ApiError;

const SCRIPT: &str = include_str!("widget.js");

/// The embeddable widget's script.
///
/// Put `<div data-mobility-directory data-query="discipline=dance&eligible_country=SI"
/// data-limit="5"></div>` where the calls should appear, and
/// `<script src="…/widget.js" async></script>` anywhere after it. `data-query` takes the
/// filters of `GET /api/v1/opportunities`; `data-lang` (`sl` or `en`) overrides the
/// page's language.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "The script.", content_type = "text/javascript", body = String,
            headers(
                ("etag" = String, description = "A strong tag of the script."),
                ("cache-control" = String, description = "`public, max-age=3600`."),
            )),
        (status = 400, description = "A query parameter was given; this takes none."),
    )
)]
#[get("/widget.js")]
pub async fn widget_js(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    QueryParams::parse_public(req.query_string(), &[]).finish()?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(SCRIPT))
}
