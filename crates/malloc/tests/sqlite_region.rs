//! SQLite's pages land in the region set aside for them (a process of its
//! own: the region must be given before SQLite is first used).

#![allow(unsafe_code)]

use std::ffi::CString;

use libsqlite3_sys as ffi;

#[test]
fn sqlite_pages_come_from_the_region_and_it_is_given_once() {
    assert!(yiwang_malloc::page_region(1024), "refused before first use");
    assert_eq!(yiwang_malloc::sqlite_pages().0, 0, "nothing cached yet");
    let mut db: *mut ffi::sqlite3 = std::ptr::null_mut();
    let name = CString::new(":memory:").unwrap();
    let sql = CString::new(
        "CREATE TABLE t(x);
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000)
         INSERT INTO t SELECT randomblob(100) FROM c;",
    )
    .unwrap();
    // SAFETY: a fresh handle, valid C strings, closed at the end.
    unsafe {
        assert_eq!(ffi::sqlite3_open(name.as_ptr(), &mut db), ffi::SQLITE_OK);
        let rc = ffi::sqlite3_exec(
            db,
            sql.as_ptr(),
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        assert_eq!(rc, ffi::SQLITE_OK);
    }
    let (used, high, over) = yiwang_malloc::sqlite_pages();
    // about a megabyte of rows: a few hundred pages, all in the region
    assert!(used > 100, "pages in the region: {used}");
    assert!(high >= used);
    assert_eq!(over, 0, "no page went to malloc");
    assert!(
        !yiwang_malloc::page_region(1024),
        "too late once SQLite runs"
    );
    // SAFETY: the handle opened above.
    unsafe {
        ffi::sqlite3_close(db);
    }
}
