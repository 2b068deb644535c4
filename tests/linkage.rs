//! The binary carries SQLite, libpq and OpenSSL inside it: a fresh machine needs no
//! `libsqlite3`, `libpq` or `libssl` package.

#[test]
fn the_binary_links_no_database_or_tls_system_library() {
    let binary = env!("CARGO_BIN_EXE_supervision");
    let output = match std::process::Command::new("ldd").arg(binary).output() {
        Ok(output) => output,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: ldd is not available here ({e})"
            );
            return;
        }
    };
    let linked = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "ldd failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for library in ["libpq", "libssl", "libcrypto", "libsqlite3"] {
        assert!(
            !linked.contains(library),
            "{binary} links {library}:\n{linked}"
        );
    }
}
