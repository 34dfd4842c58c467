//! Builds the HTTP server from settings and a pool.

use std::net::TcpListener;
use std::time::Duration;

use actix_cors::Cors;
use actix_http::error::DispatchError;
use actix_http::{HttpService, KeepAlive};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::body::MessageBody;
use actix_web::dev::AppConfig;
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{ACCESS_CONTROL_REQUEST_METHOD, HeaderName, HeaderValue, LOCATION};
use actix_web::middleware::{Compress, ErrorHandlers, Next, from_fn};
use actix_web::rt::net::TcpStream;
use actix_web::{App, HttpMessage, HttpResponse, web};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::http::conditional;
use crate::api::http::rate_limit::{self, RateLimits};
use crate::api::http::response_cache::{ResponseCache, serve_from_cache};
use crate::api::http::unparsable::ProblemStream;
use crate::api::http::vary;
use crate::api::{self, http::fallback::RouteTable};
use crate::auth::checks::PasswordChecks;
use crate::config::Settings;
use crate::db::Pool;
use crate::index::Lists;
use crate::jobs::webhook_delivery::DeliveryWorker;
use crate::telemetry::RequestSpan;
use crate::{error, openapi, outbound};

/// The address partners reach the service at (`MOBILITY_PUBLIC_URL`), without a trailing
/// slash: the start of every absolute link the service writes.
pub struct PublicUrl(pub String);

/// What a partner key gets unless an admin says otherwise (`MOBILITY_RATE_LIMIT_KEY`).
pub struct KeyDefaults {
    pub requests_per_minute: u32,
}

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
    /// The metrics listener and its port, when `MOBILITY_METRICS_BIND` asks for one.
    metrics: Option<(Server, u16)>,
    /// Delivers webhooks while the server runs; stops with it.
    _deliveries: DeliveryWorker,
}

impl Application {
    /// Binds `settings.bind` (port 0 picks a free port) and prepares the workers. Fails on
    /// a signing secret that is too short.
    pub fn build(settings: &Settings, pool: Pool) -> Result<Application, String> {
        let keys = web::Data::new(settings.token_keys()?);
        let password_checks = web::Data::new(PasswordChecks::start());
        let write_origins = settings.cors_origins.clone();
        let public_url = web::Data::new(PublicUrl(settings.public_url.clone()));
        let change_watch = web::Data::new(api::public::changes::ChangeWatch::default());
        let rate_limits = web::Data::new(RateLimits::new(settings.anonymous_per_minute));
        let key_defaults = web::Data::new(KeyDefaults {
            requests_per_minute: settings.key_per_minute,
        });
        let proxies = web::Data::new(settings.trusted_proxies.clone());
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let document = openapi::document();
        let routes = web::Data::new(RouteTable::from_document(&document));
        let outbound_policy = outbound::Policy::new(settings.outbound_allow.clone());
        let outbound =
            outbound::Client::new(outbound_policy.clone(), settings.outbound_network.clone());
        let outbound_policy = web::Data::new(outbound_policy);
        // The worker has a pool of its own: it never takes a connection a request waits
        // for, and its failures while the database is away stay its own. One thread uses
        // it, between network calls.
        let deliveries = crate::jobs::webhook_delivery::start(
            crate::db::connect_lazily(&settings.database_url, 1)?,
            outbound,
            settings.public_url.clone(),
        );
        let lists = web::Data::new(if settings.search_index {
            Lists::Index(Box::default())
        } else {
            Lists::Database
        });
        rebuild_old_lemmas(&pool);
        warm_search_index(lists.clone().into_inner(), pool.clone());
        let pool = web::Data::new(pool);
        let cache = web::Data::new(ResponseCache::new(settings.response_cache_mb * 1024 * 1024));
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let workers = settings.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let metrics_here = settings.metrics_bind.is_none();
        let metrics = match &settings.metrics_bind {
            Some(bind) => Some(metrics_server(bind, pool.clone())?),
            None => None,
        };
        let builder = actix_server::Server::build();
        let shutdown = builder.graceful_shutdown_signal();
        let server = builder
            .workers(workers)
            // Blocking threads beyond the pool's connections would only wait for one.
            .worker_max_blocking_threads(settings.pool_size as usize + 2)
            .shutdown_timeout(30)
            .listen("mobility-directory", listener, move || {
                let (app, _) = App::new()
                    .into_utoipa_app()
                    .app_data(pool.clone())
                    .app_data(cache.clone())
                    .app_data(lists.clone())
                    .app_data(keys.clone())
                    .app_data(password_checks.clone())
                    .app_data(proxies.clone())
                    .app_data(routes.clone())
                    .app_data(public_url.clone())
                    .app_data(outbound_policy.clone())
                    .app_data(change_watch.clone())
                    .app_data(rate_limits.clone())
                    .app_data(key_defaults.clone())
                    .app_data(web::PayloadConfig::new(api::MAX_BODY_BYTES))
                    .app_data(web::PathConfig::default().error_handler(error::path_error))
                    .service(utoipa_actix_web::scope("/api/v1").configure(api::configure_v1))
                    .configure(api::configure_operations)
                    .split_for_parts();
                let app = if metrics_here {
                    app.route("/metrics", web::get().to(api::metrics::scrape))
                } else {
                    app
                };
                let app = app
                    .service(
                        SwaggerUi::new("/docs/{_:.*}")
                            .url("/openapi.json", document.clone())
                            // Its default would have every reader's browser send the
                            // document's address to validator.swagger.io.
                            .config(utoipa_swagger_ui::Config::default().validator_url("none")),
                    )
                    .route("/docs", web::get().to(redirect_to_docs))
                    .default_service(web::to(api::http::fallback::not_routed))
                    .wrap(from_fn(conditional::tag_representation))
                    .wrap(from_fn(serve_from_cache))
                    .wrap(from_fn(conditional::answer_not_modified))
                    .wrap(from_fn(answer_head_as_get))
                    .wrap(ErrorHandlers::new().default_handler(error::problem_fallback))
                    .wrap(Compress::default())
                    .wrap(from_fn(conditional::name_coding_in_etag))
                    .wrap(from_fn(vary::name_every_negotiated_header))
                    .wrap(from_fn(rate_limit::limit_rate))
                    .wrap(cors(write_origins.clone()))
                    // What compression (406 for an `Accept-Encoding` that rules out every
                    // coding) and CORS (400 for a refused preflight) answer is a problem
                    // document too.
                    .wrap(ErrorHandlers::new().default_handler(error::problem_fallback))
                    .wrap(from_fn(refuse_nul_in_path))
                    .wrap(from_fn(refuse_long_uri))
                    .wrap(from_fn(api::metrics::count_request))
                    .wrap(from_fn(echo_request_id))
                    .wrap(TracingLogger::<RequestSpan>::new());
                let signal = shutdown.clone();
                let http = HttpService::<ProblemStream, _, _>::build()
                    .keep_alive(KeepAlive::default())
                    .client_request_timeout(Duration::from_secs(5))
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(local)
                    .graceful_shutdown_signal(move || {
                        let signal = signal.clone();
                        async move { signal.notified().await }
                    })
                    .h1(map_config(
                        app.into_factory()
                            .map_err(|e: actix_web::Error| e.error_response()),
                        |_: ()| AppConfig::default(),
                    ));
                // Every connection passes through `ProblemStream`, so that even the
                // answers of the HTTP parser are problem documents.
                fn_service(|io: TcpStream| {
                    let peer = io.peer_addr().ok();
                    std::future::ready(Ok::<_, DispatchError>((ProblemStream::new(io), peer)))
                })
                .and_then(http)
            })
            .map_err(|e| e.to_string())?
            .run();
        Ok(Application {
            server,
            port,
            metrics,
            _deliveries: deliveries,
        })
    }

    /// The port `/metrics` is served on when `MOBILITY_METRICS_BIND` gives it one of its own.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; SIGTERM and SIGINT stop it gracefully, letting
    /// requests in flight finish.
    pub async fn run(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(|(server, _)| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let served = self.server.await;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        served
    }
}

/// `/metrics` alone, on a listener of its own; it stops when the main server does.
fn metrics_server(bind: &str, pool: web::Data<Pool>) -> Result<(Server, u16), String> {
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("MOBILITY_METRICS_BIND: cannot listen on {bind}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let server = actix_web::HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .route("/metrics", web::get().to(api::metrics::scrape))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(error::ApiError::NotFound(
                    "only /metrics is served on this address".into(),
                ))
            }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok((server, port))
}

/// Browser code on any origin may read the API; only code on `write_origins` may call the
/// operations that change something. Credentials are bearer tokens, never cookies, so no
/// credentials mode is needed, and the answer names no origin (`*`), so it does not vary
/// by origin and shared caches keep one copy.
fn cors(write_origins: Vec<String>) -> Cors {
    Cors::default()
        .allow_any_origin()
        .allowed_origin_fn(move |origin, head| {
            let method = if head.method == Method::OPTIONS {
                head.headers
                    .get(ACCESS_CONTROL_REQUEST_METHOD)
                    .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            } else {
                Some(head.method.clone())
            };
            matches!(method, Some(Method::GET | Method::HEAD))
                || write_origins
                    .iter()
                    .any(|allowed| allowed.as_bytes() == origin.as_bytes())
        })
        .send_wildcard()
        .disable_vary_header()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        // What browsers and partner code send beyond the safelisted headers: conditional
        // requests, the reader's language, the XHR marker and trace context.
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "if-modified-since",
            "accept",
            "accept-language",
            "x-requested-with",
            "traceparent",
            "tracestate",
            "x-api-key",
        ])
        .expose_headers([
            "link",
            "x-request-id",
            "etag",
            "last-modified",
            "content-language",
            "location",
            "retry-after",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
        ])
        .max_age(86_400)
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((LOCATION, "/docs/"))
        .finish()
}

/// A NUL character names no resource, and PostgreSQL cannot even compare it: such a
/// path is a 404 before any handler runs.
async fn refuse_nul_in_path(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.path().to_ascii_lowercase().contains("%00") {
        let response = actix_web::ResponseError::error_response(&error::ApiError::NotFound(
            "there is no resource at a path with a NUL character".into(),
        ));
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// A request target longer than [`api::MAX_URI_BYTES`] is a 414 before any handler reads
/// it: no query needs more, and every echo of it (errors, `Link`) stays small.
async fn refuse_long_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, actix_web::Error> {
    let length = req.path().len() + req.query_string().len() + 1;
    if length > api::MAX_URI_BYTES {
        let response = actix_web::ResponseError::error_response(&error::ApiError::UriTooLong(
            api::MAX_URI_BYTES,
        ));
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// HEAD is GET without the body (RFC 9110 §9.3.2): the request is routed as a GET, and
/// actix-http sends the same status and headers with no body, since it knows the request
/// was a HEAD.
async fn answer_head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// Logs each answered request (inside the request's span, so with its request id, method
/// and path) and returns the request id as `x-request-id`.
async fn echo_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut response = next.call(req).await?;
    tracing::info!(status = response.status().as_u16(), "answered");
    if let Some(id) = id
        && let Ok(value) = HeaderValue::from_str(&id.to_string())
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

/// Gives the search documents written before the current Slovenian lemmas theirs, before
/// the search index reads them (only those rows are read: a start with none costs one
/// indexed lookup). A failure (the database is away or not yet migrated) is logged;
/// those documents are found by their words alone until the next start.
fn rebuild_old_lemmas(pool: &Pool) {
    let rebuilt = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
        crate::store::search::rebuild_old_lemmas(&mut conn).map_err(|e| format!("{e:?}"))
    });
    match rebuilt {
        Ok(0) => {}
        Ok(documents) => tracing::info!(documents, "search documents given their lemmas"),
        Err(error) => tracing::warn!(%error, "search documents' lemmas not rebuilt at start"),
    }
}

/// Builds the search index in the background at start, so that the first list does not
/// wait for it; a request that comes first builds it itself (and this waits for it).
/// A failure (the database is away) leaves the building to the first request.
fn warm_search_index(lists: std::sync::Arc<Lists>, pool: Pool) {
    let Lists::Index(_) = &*lists else { return };
    std::thread::spawn(move || {
        let Lists::Index(index) = &*lists else { return };
        let started = std::time::Instant::now();
        let warmed = index.warm(&pool).map_err(|e| format!("{e:?}"));
        match warmed {
            Ok(()) => tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "search index built"
            ),
            Err(error) => {
                tracing::warn!(%error, "search index not built at start; lists answer from the database until it is")
            }
        }
        index.keep(&pool);
    });
}
