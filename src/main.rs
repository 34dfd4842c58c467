//! The `mobility-directory` command: `serve` (default), `migrate`, `seed`, `openapi`.

use std::process::ExitCode;

use mobility_directory::app::Application;
use mobility_directory::config::Settings;
use mobility_directory::{db, demo, openapi, store, telemetry};

const USAGE: &str = "usage: mobility-directory [serve|migrate|seed|openapi]

  serve    run the HTTP service (the default); applies migrations, and on the
           embedded default database loads the demo set when it is empty
  migrate  apply pending database migrations
  seed     load the demo set (relative to today) into the database
  openapi  print the OpenAPI document to stdout

Configuration comes from the environment; see README.md.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [] => "serve",
        [one] => one.as_str(),
        _ => "",
    };
    let result = match command {
        "openapi" => {
            print!("{}", openapi::document_json());
            Ok(())
        }
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

fn serve(settings: Settings) -> Result<(), String> {
    let pool = open(&settings)?;
    {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        if settings.migrate_on_start {
            let applied = db::migrate(&mut conn)?;
            tracing::info!(applied, "migrations applied");
        }
        if settings.uses_default_database()
            && store::opportunities::count_all(&mut conn).map_err(|e| e.to_string())? == 0
        {
            let loaded = demo::load(&mut conn, chrono::Utc::now()).map_err(|e| e.to_string())?;
            tracing::info!(
                opportunities = loaded,
                "empty embedded database: demo data loaded"
            );
        }
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings, pool)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        tracing::info!(bind = %settings.bind, port = app.port(), "serving; API docs at /docs/");
        app.run().await.map_err(|e| e.to_string())
    })
}
