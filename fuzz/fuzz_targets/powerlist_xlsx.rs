//! `POST /api/v1/power-items/import` and `yiwang import power-list` with an
//! .xlsx file: any bytes give a table or an error, and any table gives
//! items and named bad rows, never a panic. Input starting with `PK` is the
//! file itself; anything else is a worksheet's XML (and, after a NUL byte,
//! the shared strings) put into a workbook, so the XML reading is fuzzed
//! too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = yiwang_fuzz::xlsx_from(data);
    if let Ok((headers, rows)) = powerlist::read_table("xlsx", &file) {
        let _ = powerlist::read_rows(&headers, rows, &mut |_, _| {});
    }
});
