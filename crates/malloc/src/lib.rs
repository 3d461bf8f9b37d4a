//! How the C allocator is set up for a server that runs for months.
//!
//! # Why
//!
//! SQLite's page caches (a cache per pooled connection, each used from that
//! connection's own thread) allocate and free pages of a few KiB tens of
//! thousands of times a second. glibc's `malloc` gives every thread that
//! allocates an arena of its own (up to eight per core) and raises its
//! `mmap` threshold each time a large block is freed, so that over hours
//! the arenas keep more and more freed memory: in a one-hour soak the
//! server's resident memory grew about 5 MiB a minute while the memory in
//! use stayed flat (`malloc_stats`: 65 MiB in use of 120 MiB held after
//! six minutes). With two arenas and fixed thresholds the same soak
//! stays flat (see `yiwang bench soak`).
//!
//! # What
//!
//! [`tune`] sets, before any thread starts: at most [`ARENAS`] arenas,
//! blocks of [`MMAP_THRESHOLD`] and more mapped on their own (returned to
//! the system when freed), and free memory above [`TRIM_THRESHOLD`] at the
//! top of a heap given back. An operator who sets `GLIBC_TUNABLES` for
//! `glibc.malloc` keeps those settings; elsewhere than Linux with glibc,
//! nothing is done.

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

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
mod glibc {
    use super::*;

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
}

#[cfg(test)]
mod tests {
    use super::*;

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
