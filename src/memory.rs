//! Keeping the server's resident memory small. glibc's allocator keeps what a program frees
//! for reuse, in as many arenas as threads have contended for (up to eight per core); a
//! server that builds its route table once per worker and then mostly waits would hold that
//! start-up garbage for ever. Elsewhere (musl, other systems) these do nothing.

/// Every password check allocates argon2's 19 MiB block. glibc would raise its mmap
/// threshold after the first such block is freed and keep later ones on the heap, where they
/// stay resident; a fixed threshold returns each block to the system when it is freed.
/// Call first thing, before any other thread starts.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// At most `arenas` allocator arenas (one per worker serves a server whose database work is
/// bounded by its pool), unless the operator set `MALLOC_ARENA_MAX` themselves. Call before
/// the workers start.
pub fn limit_arenas(arenas: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let arenas = libc::c_int::try_from(arenas.max(1)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes allocator tuning; existing arenas stay valid.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}

/// Hands memory that was freed back to the system: after a worker has built its routes (and
/// the OpenAPI document they make, then dropped).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}
