//! How memory is set up for a server that runs for months.
//!
//! # Why
//!
//! SQLite's page caches (a cache per pooled connection, each used from that
//! connection's own thread) allocate and free pages of a few KiB tens of
//! thousands of times a second: in WAL mode a reading connection drops its
//! whole cache whenever another connection has committed since its last
//! read, and reports arrive all the time. glibc's `malloc` gives every
//! thread that allocates an arena of its own (up to eight per core) and
//! raises its `mmap` threshold each time a large block is freed, so that
//! the arenas keep more and more freed memory: in a one-hour soak the
//! server's resident memory grew about 5 MiB a minute while the memory in
//! use stayed level (`malloc_stats`: 65 MiB in use of 120 MiB held after
//! six minutes).
//!
//! # What
//!
//! [`tune`], before any thread starts: at most [`ARENAS`] arenas, blocks of
//! [`MMAP_THRESHOLD`] and more mapped on their own (returned to the system
//! when freed), and free memory above [`TRIM_THRESHOLD`] at the top of a
//! heap given back. An operator who sets `GLIBC_TUNABLES` for
//! `glibc.malloc` keeps those settings; elsewhere than Linux with glibc,
//! nothing is done.
//!
//! Freed pages in the middle of an arena still stay with the process until
//! something gives them back: [`trim_every`] starts a thread that calls
//! `malloc_trim(0)` at an interval (the server: every minute). In a soak,
//! one such call brought the resident memory from 146 MiB back to 86 MiB,
//! the memory actually in use. With these settings the growth of about
//! 5 MiB a minute seen with glibc's defaults is gone.
//!
//! # Watching
//!
//! [`usage`] reads what the heap holds: in use and held (`mallinfo2`), and
//! SQLite's own count of its allocations (page caches, statements,
//! schemas), which `/metrics` shows as `yiwang_memory_bytes`. SQLite's part
//! rises and falls as connections drop and refill their caches and is
//! bounded by their `cache_size`; the rest is the server's own. In a
//! one-hour soak (`yiwang bench soak`) the server's own heap stayed at
//! 47–49 MiB from the first minute to the last, while the resident figure
//! moved between 79 and 102 MiB (SQLite 5–26 MiB, memory glibc kept, and
//! the executable's file-backed pages); so the soak judges the anonymous
//! pages less SQLite's count, not the resident figure. (An earlier step at
//! minute twenty came from the supervision sweep reading every open
//! report; it now reads only the due ones.)
//!
//! (Giving SQLite a page region of its own, `SQLITE_CONFIG_PAGECACHE`, was
//! tried too: level as well, but SQLite writes its free list through every
//! slot at start, so the whole region, about 105 MiB, is resident from the
//! first minute.)

/// Arenas at most (glibc's default is eight per core).
pub const ARENAS: i32 = 2;
/// Blocks this large or larger get a mapping of their own (fixed: glibc
/// otherwise raises it up to 32 MiB as blocks are freed).
pub const MMAP_THRESHOLD: i32 = 256 * 1024;
/// Free memory above this at the top of a heap is returned to the system.
pub const TRIM_THRESHOLD: i32 = 256 * 1024;

/// What [`tune`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tuned {
    /// The settings above are in force.
    Set,
    /// `GLIBC_TUNABLES` names malloc settings: they were left alone.
    Operator,
    /// Not glibc: nothing to do.
    NotGlibc,
}

/// Set the allocator up; call first thing in `main`, before any thread.
pub fn tune() -> Tuned {
    let operator = std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("glibc.malloc"));
    if operator {
        return Tuned::Operator;
    }
    glibc::tune()
}

/// Give the allocator's free pages back to the system now; `true` when
/// some memory was returned.
pub fn trim() -> bool {
    glibc::trim()
}

/// What the process's heap is made of at one moment (for `/metrics` and
/// the soak): what is in use, what the allocator holds, and SQLite's part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes handed out by the C allocator and not yet freed: Rust's heap
    /// and SQLite's together (0 where that cannot be read).
    pub in_use: u64,
    /// Bytes the C allocator holds from the system: in use, plus freed
    /// memory it has kept (0 where that cannot be read).
    pub held: u64,
    /// Bytes SQLite has allocated and not freed (its page caches, prepared
    /// statements and schemas), counted by SQLite itself.
    pub sqlite: u64,
    /// The most SQLite has had allocated at once since the process started.
    pub sqlite_peak: u64,
}

/// The heap now.
pub fn usage() -> Usage {
    let (in_use, held) = glibc::usage();
    let (sqlite, sqlite_peak) = sqlite_usage();
    Usage {
        in_use,
        held,
        sqlite,
        sqlite_peak,
    }
}

/// A figure of a `/proc/PID/status` text in kB (`VmRSS:`, `RssAnon:`, …).
pub fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's resident memory in bytes, where `/proc` has it.
pub fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some(status_kib(&status, "VmRSS:")? * 1024)
}

#[allow(unsafe_code)]
fn sqlite_usage() -> (u64, u64) {
    // SAFETY: both only read SQLite's global memory statistics (under its
    // own mutex); they are valid before and after SQLite is initialised.
    let (now, peak) = unsafe {
        (
            libsqlite3_sys::sqlite3_memory_used(),
            libsqlite3_sys::sqlite3_memory_highwater(0),
        )
    };
    (now.max(0) as u64, peak.max(0) as u64)
}

/// Call [`trim`] every `interval` from a thread of its own, for as long as
/// the process runs.
pub fn trim_every(interval: std::time::Duration) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("malloc-trim".into())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                trim();
            }
        })
        .map(drop)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
mod glibc {
    use super::*;

    pub fn trim() -> bool {
        // SAFETY: malloc_trim takes the arenas' locks itself; it may be
        // called from any thread at any time.
        unsafe { libc::malloc_trim(0) == 1 }
    }

    pub fn usage() -> (u64, u64) {
        // SAFETY: mallinfo2 only reads the arenas' statistics, taking their
        // locks itself.
        let m = unsafe { libc::mallinfo2() };
        let mapped = m.hblkhd as u64;
        (m.uordblks as u64 + mapped, m.arena as u64 + mapped)
    }

    pub fn tune() -> Tuned {
        // SAFETY: mallopt only changes the allocator's parameters; it is
        // called before any other thread exists, so nothing allocates
        // concurrently. A refused setting (0) leaves glibc's default.
        let all = unsafe {
            [
                libc::mallopt(libc::M_ARENA_MAX, ARENAS),
                libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            ]
        };
        debug_assert!(all.iter().all(|&ok| ok == 1), "mallopt refused {all:?}");
        Tuned::Set
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod glibc {
    use super::*;

    pub fn tune() -> Tuned {
        Tuned::NotGlibc
    }

    pub fn trim() -> bool {
        false
    }

    pub fn usage() -> (u64, u64) {
        (0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn freed_memory_is_given_back() {
        // many small blocks, most freed, leave free pages inside the heap
        let mut blocks: Vec<Vec<u8>> = (0..20_000).map(|i| vec![i as u8; 4000]).collect();
        let kept: Vec<Vec<u8>> = blocks.iter().step_by(64).cloned().collect();
        blocks.clear();
        blocks.shrink_to_fit();
        assert!(trim(), "malloc_trim returned nothing of ~80 MB freed");
        assert_eq!(kept.len(), 313);
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn usage_counts_what_is_allocated_and_freed() {
        let before = usage();
        let block = vec![7u8; 64 << 20];
        let during = usage();
        assert!(
            during.in_use >= before.in_use + (64 << 20),
            "64 MiB allocated: {before:?} -> {during:?}"
        );
        assert!(during.held >= during.in_use, "{during:?}");
        drop(block);
        let after = usage();
        assert!(
            after.in_use + (32 << 20) < during.in_use,
            "64 MiB freed: {during:?} -> {after:?}"
        );
    }

    #[test]
    fn status_figures_are_read_in_kib() {
        let status = "Name:\tyiwang\nVmRSS:\t  102400 kB\nRssAnon:\t   69632 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), Some(102400));
        assert_eq!(status_kib(status, "RssAnon:"), Some(69632));
        assert_eq!(status_kib(status, "RssFile:"), None);
        if cfg!(target_os = "linux") {
            assert!(resident().is_some_and(|b| b > 1 << 20));
        }
    }

    #[test]
    #[allow(unsafe_code)]
    fn sqlite_memory_is_counted_by_sqlite() {
        use libsqlite3_sys as ffi;
        let before = usage().sqlite;
        let mut db: *mut ffi::sqlite3 = std::ptr::null_mut();
        // SAFETY: a private in-memory database, opened, used and closed on
        // this thread; the SQL is a NUL-terminated literal.
        let during = unsafe {
            assert_eq!(ffi::sqlite3_open(c":memory:".as_ptr(), &mut db), 0);
            let sql = c"CREATE TABLE t(x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20000) INSERT INTO t SELECT randomblob(200) FROM n;";
            let rc = ffi::sqlite3_exec(
                db,
                sql.as_ptr(),
                None,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            assert_eq!(rc, 0);
            let during = usage();
            assert_eq!(ffi::sqlite3_close(db), 0);
            during
        };
        // 20,000 rows of 200 bytes live in the in-memory database's pages
        assert!(
            during.sqlite >= before + (4 << 20),
            "{before} -> {during:?}"
        );
        assert!(during.sqlite_peak >= during.sqlite, "{during:?}");
        assert!(
            usage().sqlite + (4 << 20) <= during.sqlite,
            "closing frees it"
        );
    }

    #[test]
    fn the_settings_are_accepted_where_glibc_runs() {
        let want = if cfg!(all(target_os = "linux", target_env = "gnu")) {
            Tuned::Set
        } else {
            Tuned::NotGlibc
        };
        if std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("glibc.malloc")) {
            assert_eq!(tune(), Tuned::Operator);
        } else {
            assert_eq!(tune(), want);
        }
    }
}
