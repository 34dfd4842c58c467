//! The `mobility-directory` command: `serve` (default), `migrate`, `seed`, `openapi`,
//! `user`, `import`, and `probe` (the container's health check).

use std::io::IsTerminal;
use std::process::ExitCode;

use mobility_directory::app::Application;
use mobility_directory::config::{self, Settings};
use mobility_directory::domain::vocabulary::Role;
use mobility_directory::{api, auth, db, demo, openapi, store, telemetry};

const USAGE: &str = "usage: mobility-directory [serve|migrate|seed|openapi|probe]
       mobility-directory user add --email E --role admin|editor|contributor
       mobility-directory import FILE --source S [--dry-run] [--publish]
                                     [--accept-closed] [--charset NAME]

  serve     run the HTTP service (the default); applies migrations, and on the
            embedded default database loads the demo set when it is empty
  migrate   apply pending database migrations
  seed      load the demo set (relative to today) into the database
  openapi   print the OpenAPI document to stdout
  probe     exit 0 when the service on MOBILITY_BIND answers /readyz with 200
            (the container's health check; needs no other tool)
  user add  create a staff account; the password is read from the terminal
            (without echo) or from the first line of standard input
  import    create or update entries from a JSON or CSV file (by extension),
            as POST /api/v1/import does; a CSV file's encoding is detected
            (UTF-8 or Windows-1250) unless --charset names it; prints the
            report as JSON

Configuration comes from the environment; see README.md.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [] => "serve",
        [one] => one.as_str(),
        [first, ..] if first == "user" || first == "import" => first.as_str(),
        _ => "",
    };
    let result = match command {
        "user" => Settings::from_env().and_then(|settings| {
            telemetry::init(settings.log_format);
            add_user(&settings, &args[1..])
        }),
        "import" => Settings::from_env().and_then(|settings| {
            telemetry::init(settings.log_format);
            import(&settings, &args[1..])
        }),
        "openapi" => print_document(),
        "probe" => probe(),
        "serve" | "migrate" | "seed" => Settings::from_env().and_then(|settings| {
            telemetry::init(settings.log_format);
            match command {
                "serve" => serve(settings),
                "migrate" => migrate(&settings),
                _ => seed(&settings),
            }
        }),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the OpenAPI document; a reader that stops early (`| head`) is no error.
fn print_document() -> Result<(), String> {
    use std::io::Write;
    match std::io::stdout().write_all(openapi::document_json().as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// Asks the service on `MOBILITY_BIND` (on loopback when it listens on every address)
/// for `/readyz`, with a plain HTTP/1.1 request, and succeeds on 200.
fn probe() -> Result<(), String> {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
    use std::time::Duration;
    let bind = std::env::var("MOBILITY_BIND").unwrap_or_else(|_| config::DEFAULT_BIND.into());
    let mut address: SocketAddr = bind
        .to_socket_addrs()
        .map_err(|e| format!("MOBILITY_BIND {bind}: {e}"))?
        .next()
        .ok_or_else(|| format!("MOBILITY_BIND {bind} names no address"))?;
    if address.ip().is_unspecified() {
        address.set_ip(if address.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let timeout = Duration::from_secs(3);
    let mut stream =
        TcpStream::connect_timeout(&address, timeout).map_err(|e| format!("{address}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("{address}: {e}"))?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .map_err(|e| format!("{address}: {e}"))?;
    match &head[9..12] {
        b"200" => Ok(()),
        status => Err(format!(
            "{address}/readyz answered {}",
            String::from_utf8_lossy(status)
        )),
    }
}

fn open(settings: &Settings) -> Result<db::Pool, String> {
    db::connect(&settings.database_url, settings.pool_size)
}

fn migrate(settings: &Settings) -> Result<(), String> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let applied = db::migrate(&mut conn)?;
    tracing::info!(applied, "migrations applied");
    Ok(())
}

fn seed(settings: &Settings) -> Result<(), String> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn)?;
    let loaded = demo::load(&mut conn, chrono::Utc::now()).map_err(|e| e.to_string())?;
    tracing::info!(opportunities = loaded, "demo data loaded");
    Ok(())
}

fn add_user(settings: &Settings, args: &[String]) -> Result<(), String> {
    let (email, role) = match args {
        [add, a, x, b, y] if add == "add" => {
            let mut email = None;
            let mut role = None;
            for (flag, value) in [(a, x), (b, y)] {
                match flag.as_str() {
                    "--email" => email = Some(value.clone()),
                    "--role" => role = Role::from_slug(value),
                    _ => {}
                }
            }
            (
                email.ok_or("user add needs --email")?,
                role.ok_or("user add needs --role admin, editor or contributor")?,
            )
        }
        _ => return Err(USAGE.to_string()),
    };
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.chars().count() < auth::password::MIN_LENGTH {
        return Err(format!(
            "the password needs at least {} characters",
            auth::password::MIN_LENGTH
        ));
    }
    if !email.contains('@') {
        return Err("--email must be an e-mail address".into());
    }
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn)?;
    let hash = auth::password::hash(&password)?;
    let user = store::users::create(&mut conn, &email, &hash, role)
        .map_err(|e| format!("cannot create the account: {e}"))?;
    tracing::info!(id = %user.id, email = %user.email, role = role.slug(), "account created");
    Ok(())
}

fn import(settings: &Settings, args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut source = None;
    let mut charset = None;
    let (mut dry_run, mut publish, mut accept_closed) = (false, false, false);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--source" => source = rest.next().cloned(),
            "--charset" => charset = Some(rest.next().cloned().unwrap_or_default()),
            "--dry-run" => dry_run = true,
            "--publish" => publish = true,
            "--accept-closed" => accept_closed = true,
            other if file.is_none() && !other.starts_with("--") => file = Some(other.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let file = file.ok_or(USAGE)?;
    let source = source.ok_or("import needs --source NAME")?;
    let charset = match charset {
        None => None,
        Some(label) => Some(
            api::staff::import::encoding::named(&label)
                .ok_or(format!("--charset `{label}` is not an encoding name"))?,
        ),
    };
    let reader = std::fs::File::open(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let rows = if file.to_lowercase().ends_with(".csv") {
        api::staff::import::Rows::Csv { reader, charset }
    } else {
        api::staff::import::Rows::Json(reader)
    };
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn)?;
    let options = api::staff::import::ImportOptions {
        source,
        dry_run,
        publish,
        accept_closed,
    };
    match api::staff::import::run(&mut conn, rows, &options, None) {
        Ok(report) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Err(mobility_directory::error::ApiError::Unprocessable(issues)) => Err(issues
            .iter()
            .map(|i| format!("{}: {}", i.name, i.reason))
            .collect::<Vec<_>>()
            .join("\n")),
        Err(e) => Err(e.to_string()),
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    let pool = db::connect_lazily(&settings.database_url, settings.pool_size)?;
    match pool.get() {
        Ok(mut conn) => prepare(&settings, &mut conn)?,
        Err(e) => {
            // Serve anyway: /readyz answers 503 until the database is reachable, and the
            // preparation runs as soon as it is.
            tracing::warn!(error = %e, "the database is not reachable yet; serving 503 until it is");
            let (settings, pool) = (settings.clone(), pool.clone());
            std::thread::spawn(move || prepare_when_reachable(&settings, &pool));
        }
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings, pool)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        tracing::info!(bind = %settings.bind, port = app.port(), "serving; API docs at /docs/");
        app.run().await.map_err(|e| e.to_string())
    })
}

/// Applies pending migrations (unless turned off) and fills an empty embedded default
/// database with the demo set.
fn prepare(settings: &Settings, conn: &mut db::DbConn) -> Result<(), String> {
    if settings.migrate_on_start {
        let applied = db::migrate(conn)?;
        tracing::info!(applied, "migrations applied");
    }
    if settings.uses_default_database()
        && store::opportunities::count_all(conn).map_err(|e| e.to_string())? == 0
    {
        let loaded = demo::load(conn, chrono::Utc::now()).map_err(|e| e.to_string())?;
        tracing::info!(
            opportunities = loaded,
            "empty embedded database: demo data loaded"
        );
    }
    Ok(())
}

/// Retries [`prepare`] every few seconds until the database answers and it succeeds.
fn prepare_when_reachable(settings: &Settings, pool: &db::Pool) {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(2));
        match pool.get() {
            Ok(mut conn) => match prepare(settings, &mut conn) {
                Ok(()) => {
                    tracing::info!("the database is reachable and prepared");
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "cannot prepare the database yet"),
            },
            Err(e) => tracing::debug!(error = %e, "the database is still not reachable"),
        }
    }
}
