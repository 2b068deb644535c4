//! `supervision`: the API server and its administration commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};

use supervision::config::Settings;
use supervision::domain::calendar::feed::parse_feed;
use supervision::domain::people::{check_password, Email};
use supervision::domain::validation::bounded_text;
use supervision::http::{self, AppState};
use supervision::store::audit::Actor;
use supervision::store::{history, organisation, seed, Db};
use supervision::{auth, jobs, telemetry};

mod memory;

/// Supervision service for social-care staff: plans sessions, keeps records, sends reminders.
///
/// Settings come from defaults, then the config file, then SUPERVISION_* environment
/// variables (see README.md). With no settings at all it serves on 127.0.0.1:8080 with a
/// SQLite database in ./data/.
#[derive(Parser)]
#[command(name = "supervision", version, about, long_about)]
struct Cli {
    /// A TOML file of settings (keys as in README.md, e.g. `bind = "0.0.0.0:8080"`).
    #[arg(long, short, global = true, env = "SUPERVISION_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the API server (the default). Applies migrations first.
    Serve {
        /// Load a demo organisation into an empty database and print its sign-ins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an administrator and print a one-time password for them.
    CreateAdmin {
        /// The administrator's e-mail address.
        #[arg(long)]
        email: String,
        /// The name shown in the app.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Print a new VAPID key pair for Web Push (set `vapid_private_key` to the private half).
    VapidKeys,
    /// Public holiday data (CAL-2).
    Holidays {
        #[command(subcommand)]
        command: HolidaysCommand,
    },
    /// History from before the service (SES-6).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Record sessions already held, from a CSV file with a header row and the columns
    /// supervisee e-mail, supervisor e-mail, date (YYYY-MM-DD), kind (one_to_one, pdr,
    /// observation_debrief, ad_hoc). Each is recorded under the agreement between the two
    /// that was in force on the date; all rows or none.
    Sessions {
        /// The CSV file.
        file: PathBuf,
        /// Only show what would be recorded.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum HolidaysCommand {
    /// Import the government's bank-holiday feed (https://www.gov.uk/bank-holidays.json, saved
    /// as published): it replaces the rules and the shipped data for the years it covers, and
    /// every running instance picks it up on its next request.
    Import {
        /// The feed, a JSON file.
        file: PathBuf,
        /// Only show what would change.
        #[arg(long)]
        dry_run: bool,
    },
}

fn main() -> ExitCode {
    memory::return_large_blocks_to_the_system();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Openapi) => {
            let document = http::openapi_document()
                .to_pretty_json()
                .expect("the OpenAPI document serialises");
            println!("{document}");
            return ExitCode::SUCCESS;
        }
        Some(Command::VapidKeys) => {
            let keys = supervision::push::VapidKeys::generate();
            println!(
                "SUPERVISION_VAPID_PRIVATE_KEY={}\n# public key (served at /api/v1/push/vapid-public-key):\n# {}",
                keys.private_key(),
                keys.public_key()
            );
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_format, &settings.log_level);
    let outcome = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(settings, demo),
        Command::Migrate => connect(&settings).map(|_| ()),
        Command::CreateAdmin { email, name } => create_admin(&settings, &email, &name),
        Command::Holidays {
            command: HolidaysCommand::Import { file, dry_run },
        } => import_holidays(&settings, &file, dry_run),
        Command::Import {
            command: ImportCommand::Sessions { file, dry_run },
        } => import_sessions(&settings, &file, dry_run),
        Command::Openapi | Command::VapidKeys => unreachable!("handled above"),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error>;

/// Opens the pool and applies migrations.
fn connect(settings: &Settings) -> Result<Db, Failure> {
    let (db, applied) = Db::open(settings)?;
    tracing::info!(backend = ?db.backend(), applied, "database ready");
    Ok(db)
}

fn create_admin(settings: &Settings, email: &str, name: &str) -> Result<(), Failure> {
    let email = Email::parse("email", email)?;
    let name = bounded_text("name", name, 1, 200)?;
    let one_time = auth::password::one_time();
    check_password("password", &one_time)?;
    let db = connect(settings)?;
    let hash = auth::password::hash(&one_time);
    let admin = db.write_now(|conn| seed::create_admin(conn, email.as_str(), &name, &hash))?;
    print_once(&format!(
        "Administrator created.\n  e-mail:            {}\n  one-time password: {one_time}\n\
         They must change it at first sign-in.",
        admin.email
    ));
    Ok(())
}

/// Largest feed file read; the published feed is tens of kilobytes.
const MAX_FEED_BYTES: u64 = 4 * 1024 * 1024;

fn import_holidays(settings: &Settings, file: &Path, dry_run: bool) -> Result<(), Failure> {
    let size = std::fs::metadata(file)?.len();
    if size > MAX_FEED_BYTES {
        return Err(format!(
            "{} is {size} bytes; a feed is at most {MAX_FEED_BYTES}",
            file.display()
        )
        .into());
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(file)?)
        .map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
    let published = parse_feed(&json)?;
    let db = connect(settings)?;
    // The operator at the console: no person, no address.
    let actor = Actor::default();
    let changes =
        db.write_now(|conn| organisation::import_holidays(conn, &published, &actor, dry_run))?;
    let mut text = String::from(if dry_run {
        "Dry run: nothing changed. The import would make these changes:\n"
    } else {
        "Imported. Changes:\n"
    });
    for change in changes {
        text.push_str(&format!(
            "  {}: {} added, {} removed; data until {}\n",
            change.region.as_str(),
            change.added.len(),
            change.removed.len(),
            change.data_until
        ));
        for (sign, days) in [("+", &change.added), ("-", &change.removed)] {
            for day in days {
                text.push_str(&format!("    {sign} {} {}\n", day.date, day.title));
            }
        }
    }
    print_once(&text);
    Ok(())
}

/// Largest sessions file read: a council's history is thousands of rows, not millions.
const MAX_IMPORT_BYTES: u64 = 16 * 1024 * 1024;

fn import_sessions(settings: &Settings, file: &Path, dry_run: bool) -> Result<(), Failure> {
    let size = std::fs::metadata(file)?.len();
    if size > MAX_IMPORT_BYTES {
        return Err(format!(
            "{} is {size} bytes; a sessions file is at most {MAX_IMPORT_BYTES}",
            file.display()
        )
        .into());
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{} is not UTF-8 text: {e}", file.display()))?;
    let rows = history::parse_import(&text).map_err(rejected)?;
    let db = connect(settings)?;
    // The operator at the console: no person, no address.
    let actor = Actor::default();
    let imported = db
        .write_now(|conn| history::import(conn, &rows, &actor, dry_run))?
        .map_err(rejected)?;
    let mut text = if dry_run {
        format!(
            "Dry run: nothing changed. The import would record {} held sessions:\n",
            imported.len()
        )
    } else {
        format!("Imported {} held sessions:\n", imported.len())
    };
    for session in imported {
        text.push_str(&format!(
            "  row {}: {} at {} UTC under agreement {}\n",
            session.row,
            session.kind.as_str(),
            session.starts_at.format("%Y-%m-%d %H:%M"),
            session.agreement_id
        ));
    }
    print_once(&text);
    Ok(())
}

/// Every row's problem, one per line; nothing was written.
fn rejected(errors: Vec<history::RowError>) -> Failure {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("nothing imported:\n{}", lines.join("\n")).into()
}

/// Text for the operator's console only: stdout, never the log.
fn print_once(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "\n{text}\n");
    let _ = out.flush();
}

fn serve(mut settings: Settings, demo: bool) -> Result<(), Failure> {
    // Held until the server stops; a second server on the same SQLite data exits here.
    let _single = supervision::store::lock_single_process(&settings.database_url())?;
    let db = connect(&settings)?;
    settings.vapid_private_key = Some(settings.vapid_keys()?.private_key().to_string());
    if demo {
        let today = supervision::domain::people::organisation_today();
        let calendars = supervision::store::organisation::Calendars::default();
        match supervision::app::demo::load(&db, &calendars, today)? {
            Some(loaded) => {
                let mut text = format!(
                    "Demo organisation loaded. Every account's password is: {}\n",
                    seed::DEMO_PASSWORD
                );
                for account in loaded.accounts {
                    text.push_str(&format!("  {:<28} {}\n", account.role, account.email));
                }
                print_once(&text);
            }
            None => tracing::info!("people already exist; demo data not loaded"),
        }
    }
    if let Some((email, one_time)) = seed::bootstrap_admin(&db, &settings.admin_email)? {
        print_once(&format!(
            "No administrator existed, so one was created. This is shown once:\n  \
             e-mail:            {email}\n  one-time password: {one_time}\n\
             Sign in at POST /api/v1/auth/login, then change it at POST /api/v1/me/password."
        ));
    }
    let secret = settings.signing_secret()?;
    let state = web::Data::new(AppState::new(db.clone(), &settings, &secret));
    let workers = if settings.workers == 0 {
        std::thread::available_parallelism().map_or(2, usize::from)
    } else {
        settings.workers
    };
    memory::limit_arenas(workers);
    let blocking_threads = (settings.db_max_connections as usize)
        .div_ceil(workers)
        .max(1);
    let bind = settings.bind.clone();
    let lease = jobs::reminders::Lease::for_push_timeout(std::time::Duration::from_secs(
        settings.push_timeout_seconds,
    ));
    actix_web::rt::System::new().block_on(async move {
        let housekeeping = jobs::housekeeping::spawn(db.clone());
        let mut reminders =
            jobs::reminders::spawn(db, state.calendars.clone(), state.push.clone(), lease)
                .await
                .map_err(std::io::Error::other)?;
        let server = HttpServer::new(move || {
            let app = http::app(state.clone());
            memory::release_freed();
            app
        })
        .workers(workers)
        // The pool bounds database work anyway; more threads would only hold memory.
        .worker_max_blocking_threads(blocking_threads)
        .shutdown_timeout(30)
        .bind(&bind)?;
        tracing::info!(%bind, workers, "listening");
        // actix stops accepting on SIGTERM / SIGINT and lets requests in flight finish.
        server.run().await?;
        housekeeping.abort();
        let _ = reminders.shutdown().await;
        tracing::info!("stopped");
        Ok::<(), std::io::Error>(())
    })?;
    Ok(())
}
