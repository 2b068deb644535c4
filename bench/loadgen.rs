//! A small HTTP/1.1 load generator for `bench/run.sh`, so the benchmark needs nothing but
//! this repository: keep-alive connections on loopback, bounded in time.
//!
//! ```text
//! loadgen startup <ready-url> -- <server command...>   ms until ready-url answers 200
//! loadgen wait <ready-url>                              waits until ready-url answers 200
//! loadgen token <base-url> <email> <password>           prints an access token
//! loadgen load <url> <connections> <seconds> [header]   requests per second and latency
//! ```

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Target {
    addr: String,
    path: String,
}

fn parse(url: &str) -> Target {
    let rest = url
        .strip_prefix("http://")
        .expect("http:// URL on loopback");
    let (addr, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    Target {
        addr: addr.to_string(),
        path,
    }
}

/// One request on an open connection; returns the status and body.
async fn request(
    stream: &mut BufReader<TcpStream>,
    method: &str,
    target: &Target,
    headers: &str,
    body: &str,
) -> std::io::Result<(u16, Vec<u8>)> {
    let head = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        target.path,
        target.addr,
        body.len()
    );
    stream.get_mut().write_all(head.as_bytes()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok((status, body))
}

async fn connect(target: &Target) -> std::io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(&target.addr).await?;
    stream.set_nodelay(true)?;
    Ok(BufReader::new(stream))
}

/// Polls `ready` every millisecond until it answers 200 (30 s at most).
async fn wait(ready: &str) {
    let target = parse(ready);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut stream) = connect(&target).await {
            if let Ok((200, _)) = request(&mut stream, "GET", &target, "", "").await {
                return;
            }
        }
        assert!(Instant::now() < deadline, "server not ready within 30 s");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn startup(ready: &str, command: &[String]) {
    let started = Instant::now();
    let mut child = std::process::Command::new(&command[0])
        .args(&command[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("server starts");
    wait(ready).await;
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    println!("{:.1}", elapsed.as_secs_f64() * 1000.0);
}

async fn token(base: &str, email: &str, password: &str) {
    let target = parse(&format!("{base}/api/v1/auth/login"));
    let mut stream = connect(&target).await.expect("connects");
    let body = serde_json::json!({"email": email, "password": password}).to_string();
    let (status, body) = request(
        &mut stream,
        "POST",
        &target,
        "Content-Type: application/json\r\n",
        &body,
    )
    .await
    .expect("login answers");
    assert_eq!(
        status,
        200,
        "login failed: {}",
        String::from_utf8_lossy(&body)
    );
    let tokens: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    println!("{}", tokens["access_token"].as_str().expect("token"));
}

async fn load(url: &str, connections: usize, seconds: u64, header: Option<String>) {
    let headers = header.map(|h| format!("{h}\r\n")).unwrap_or_default();
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for _ in 0..connections {
        let target = parse(url);
        let headers = headers.clone();
        workers.push(tokio::spawn(async move {
            let mut stream = connect(&target).await.expect("connects");
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < until {
                let sent = Instant::now();
                match request(&mut stream, "GET", &target, &headers, "").await {
                    Ok((200, _)) => latencies.push(sent.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (l, e) = worker.await.expect("worker");
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{:.0} req/s  p50 {:.2} ms  p99 {:.2} ms  ok {}  errors {}",
        latencies.len() as f64 / seconds as f64,
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies.len(),
        errors
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("startup") => {
            let split = args
                .iter()
                .position(|a| a == "--")
                .expect("-- before the command");
            startup(&args[1], &args[split + 1..]).await
        }
        Some("wait") => wait(&args[1]).await,
        Some("token") => token(&args[1], &args[2], &args[3]).await,
        Some("load") => {
            load(
                &args[1],
                args[2].parse().expect("connections"),
                args[3].parse().expect("seconds"),
                args.get(4).cloned(),
            )
            .await
        }
        _ => eprintln!("usage: see bench/loadgen.rs"),
    }
}
