//! A region of its own for SQLite's page caches.
//!
//! Every pooled connection has a page cache, and in WAL mode a reading
//! connection drops its whole cache whenever another connection has
//! committed since its last read: with reports arriving all the time, the
//! readers free and allocate their pages again and again, tens of thousands
//! of blocks a second, from whichever thread runs the connection. Taken
//! from `malloc`, that churn fragments its arenas; taken from one region
//! set aside at start (`SQLITE_CONFIG_PAGECACHE`), the pages come back to
//! the same slots, and the memory they use never exceeds the region. Pages
//! beyond the region still come from `malloc`.

use std::os::raw::{c_int, c_void};

use libsqlite3_sys as ffi;

/// The database page size the region is cut for (SQLite's default).
pub const PAGE_SIZE: usize = 4096;

/// What the region holds now: `(slots in use, highest ever, pages that did
/// not fit and came from malloc)`.
pub fn usage() -> (i64, i64, i64) {
    let (mut used, mut high, mut over, mut over_high) = (0i64, 0i64, 0i64, 0i64);
    // SAFETY: sqlite3_status64 writes two integers through valid pointers.
    #[allow(unsafe_code)]
    unsafe {
        ffi::sqlite3_status64(ffi::SQLITE_STATUS_PAGECACHE_USED, &mut used, &mut high, 0);
        ffi::sqlite3_status64(
            ffi::SQLITE_STATUS_PAGECACHE_OVERFLOW,
            &mut over,
            &mut over_high,
            0,
        );
    }
    (used, high, over)
}

/// Give SQLite a region of `slots` page slots. Only before SQLite is first
/// used in the process (before any connection opens): `false` otherwise.
/// The region is reserved, not touched: the system backs a slot with memory
/// the first time a page lands in it.
pub fn page_region(slots: usize) -> bool {
    let mut header: c_int = 0;
    // SAFETY: SQLITE_CONFIG_PCACHE_HDRSZ writes one int through the pointer.
    #[allow(unsafe_code)]
    let rc =
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_PCACHE_HDRSZ, &mut header as *mut c_int) };
    if rc != ffi::SQLITE_OK {
        return false;
    }
    // a slot: the page and its header, a multiple of 8 bytes
    let slot = (PAGE_SIZE + header as usize).div_ceil(8) * 8;
    let Ok(slot_c) = c_int::try_from(slot) else {
        return false;
    };
    let Ok(slots_c) = c_int::try_from(slots) else {
        return false;
    };
    // zeroed memory of this size is mapped fresh: no page of it is resident
    // until written. Kept for the life of the process, as SQLite requires.
    let region: &'static mut [u64] = Box::leak(vec![0u64; slot / 8 * slots].into_boxed_slice());
    // SAFETY: the region is 8-byte aligned, `slot * slots` bytes long and
    // never freed or touched by anything but SQLite; SQLite refuses the call
    // (SQLITE_MISUSE) once it has been initialised, and then never uses it.
    #[allow(unsafe_code)]
    let rc = unsafe {
        ffi::sqlite3_config(
            ffi::SQLITE_CONFIG_PAGECACHE,
            region.as_mut_ptr() as *mut c_void,
            slot_c,
            slots_c,
        )
    };
    rc == ffi::SQLITE_OK
}
