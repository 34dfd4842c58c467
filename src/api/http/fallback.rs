//! Answers for requests no route takes: 405 with `Allow` when the path exists under
//! another method, 404 otherwise. Both come from the OpenAPI document, so they agree with it.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// The path templates of the document with the methods each answers.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let json = serde_json::to_value(&doc.paths.paths).unwrap_or_default();
        let mut routes = Vec::new();
        if let Some(paths) = json.as_object() {
            for (path, item) in paths {
                let methods: Vec<String> = item
                    .as_object()
                    .map(|ops| {
                        ops.keys()
                            .filter(|m| {
                                ["get", "put", "post", "delete", "patch", "head", "options"]
                                    .contains(&m.as_str())
                            })
                            .map(|m| m.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                routes.push((segments(path), with_head(methods)));
            }
        }
        routes.push((segments("/openapi.json"), with_head(vec!["GET".into()])));
        RouteTable { routes }
    }

    fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let wanted = segments(path);
        self.routes
            .iter()
            .find(|(template, _)| {
                template.len() == wanted.len()
                    && template
                        .iter()
                        .zip(&wanted)
                        .all(|(t, w)| t == w || (t.starts_with('{') && !w.is_empty()))
            })
            .map(|(_, methods)| methods.clone())
    }
}

/// Every resource that answers GET answers HEAD too (see `answer_head_as_get` in app.rs).
fn with_head(mut methods: Vec<String>) -> Vec<String> {
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".into());
    }
    methods
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').map(str::to_owned).collect()
}

pub async fn not_routed(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) if !allow.iter().any(|m| m == req.method().as_str()) => {
            ApiError::MethodNotAllowed { allow }
        }
        _ => ApiError::NotFound(format!(
            "there is no resource at {}",
            req.path().chars().take(200).collect::<String>()
        )),
    })
}
