//! The power-list import with a .csv file: any bytes give a table or an
//! error, and any table gives items and named bad rows, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((headers, rows)) = powerlist::read_table("csv", data) {
        let _ = powerlist::read_rows(&headers, rows, &mut |_, _| {});
    }
});
