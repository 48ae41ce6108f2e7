//! `ttb-verifier-server`: reads the configuration from the environment, starts logging, and
//! serves until SIGTERM or Ctrl-C. `ttb-verifier-server healthcheck` asks a running server's
//! `/health` (the container's HEALTHCHECK, with no HTTP client installed in the image).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use ttb_verifier_server::config::{self, Config, LogFormat};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-h" | "--help") => {
            print_help();
            return ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("ttb-verifier-server {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some("healthcheck") => return healthcheck(),
        Some(other) => {
            eprintln!("error: unknown argument {other:?}; see --help");
            return ExitCode::from(2);
        }
        None => {}
    }
    limit_openmp_threads();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    start_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        ttb_verifier_server::run(listener, config, shutdown_signal()).await.map_err(|e| e.to_string())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "ttb-verifier-server {}: verifies label images over HTTP (see GET /openapi.json)\n\n\
         usage: ttb-verifier-server             serve\n       \
         ttb-verifier-server healthcheck  exit 0 when the local server's /health answers 200\n\n\
         configuration (environment):",
        env!("CARGO_PKG_VERSION")
    );
    for (name, meaning, default) in config::VARIABLES {
        println!("  {name:<30} {meaning} [default: {default}]");
    }
}

fn start_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Ctrl-C or SIGTERM (what `docker stop` sends).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: finishing requests in flight"),
        () = terminate => tracing::info!("SIGTERM: finishing requests in flight"),
    }
}

/// GET /health on the local server: exit 0 on 200 (healthy or degraded), 1 otherwise.
fn healthcheck() -> ExitCode {
    let listen = std::env::var("TTB_LISTEN").unwrap_or_else(|_| "0.0.0.0:8000".into());
    let port = listen.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).unwrap_or(8000);
    let host = listen.rsplit_once(':').map(|(h, _)| h.trim_matches(['[', ']'])).unwrap_or("");
    let host = if host.is_empty() || host == "0.0.0.0" || host == "::" { "127.0.0.1" } else { host };
    let Some(addr) = (host, port).to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        eprintln!("unhealthy: cannot resolve {host}:{port}");
        return ExitCode::FAILURE;
    };
    match get_health(addr) {
        Ok(status_line) if status_line.split_whitespace().nth(1) == Some("200") => ExitCode::SUCCESS,
        Ok(status_line) => {
            eprintln!("unhealthy: {status_line}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("unhealthy: {addr}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn get_health(addr: SocketAddr) -> std::io::Result<String> {
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head)?;
    let text = String::from_utf8_lossy(&head[..read]);
    Ok(text.lines().next().unwrap_or("").to_string())
}

/// Tesseract's OpenMP threads fight over a small machine's cores; parallelism comes from one
/// engine per worker instead. libgomp reads `OMP_THREAD_LIMIT` when it is loaded, before
/// `main`, so the variable is set by starting the program again with it. (The container image
/// sets it, so this only happens outside containers.)
fn limit_openmp_threads() {
    #[cfg(unix)]
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let error =
                std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("OMP_THREAD_LIMIT", "1").exec();
            eprintln!("warning: could not restart with OMP_THREAD_LIMIT=1 ({error}); OCR may be slow");
        }
    }
}
