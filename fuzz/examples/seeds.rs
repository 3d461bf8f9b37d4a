//! Writes the generated part of the seed corpora (run from `fuzz/`:
//! `cargo run --example seeds`): small valid and invalid inputs for every
//! target. Files already there that it does not write (inputs kept because
//! they once found a bug, named `regression_…`) are left alone.

use std::fs;
use std::path::Path;

use rust_xlsxwriter::Workbook;
use serde_json::json;

const TOWNSHIP: &str = include_str!("../../crates/geo/tests/fixtures/township.geojson");
const CLEAN: &str = include_str!("../../crates/geo/tests/fixtures/grids_clean.geojson");
const FAULTY: &str = include_str!("../../crates/geo/tests/fixtures/grids_faulty.geojson");

/// A real (tiny) JPEG.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9,
];

fn write(target: &str, name: &str, bytes: impl AsRef<[u8]>) {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir).expect("corpus folder");
    fs::write(dir.join(name), bytes).expect("seed written");
}

fn geojson() {
    let t = "geojson_grids";
    write(t, "township.geojson", TOWNSHIP);
    write(t, "grids_clean.geojson", CLEAN);
    write(t, "grids_faulty.geojson", FAULTY);
    let feature = |props: serde_json::Value, geometry: serde_json::Value| json!({"type": "Feature", "properties": props, "geometry": geometry});
    let square = json!({"type": "Polygon", "coordinates":
        [[[115.641, 34.432], [115.643, 34.432], [115.643, 34.434], [115.641, 34.434], [115.641, 34.432]]]});
    let bowtie = json!({"type": "Polygon", "coordinates":
        [[[115.641, 34.432], [115.643, 34.434], [115.643, 34.432], [115.641, 34.434], [115.641, 34.432]]]});
    let with_hole = json!({"type": "MultiPolygon", "coordinates": [[
        [[115.650, 34.440], [115.656, 34.440], [115.656, 34.446], [115.650, 34.446], [115.650, 34.440]],
        [[115.652, 34.442], [115.652, 34.444], [115.654, 34.444], [115.654, 34.442], [115.652, 34.442]]]]});
    let outside = json!({"type": "Polygon", "coordinates":
        [[[115.659, 34.448], [115.670, 34.448], [115.670, 34.460], [115.659, 34.460], [115.659, 34.448]]]});
    let unclosed = json!({"type": "Polygon", "coordinates":
        [[[115.641, 34.432], [115.643, 34.432], [115.643, 34.434], [115.641, 34.434]]]});
    let collection = |features: Vec<serde_json::Value>| {
        json!({"type": "FeatureCollection", "features": features}).to_string()
    };
    write(
        t,
        "small_valid.geojson",
        collection(vec![
            feature(
                json!({"code": "G-1", "name": "一", "parent": "411423100"}),
                square.clone(),
            ),
            feature(json!({"code": "G-2", "parent": "411423100"}), with_hole),
        ]),
    );
    write(
        t,
        "overlap_duplicate_outside.geojson",
        collection(vec![
            feature(
                json!({"code": "G-1", "parent": "411423100"}),
                square.clone(),
            ),
            feature(json!({"code": "G-1", "parent": "411423100"}), square),
            feature(json!({"编码": "G-3", "所属": "999"}), outside),
        ]),
    );
    write(
        t,
        "bad_geometry.geojson",
        collection(vec![
            feature(json!({"code": "G-4"}), bowtie),
            feature(json!({"code": "G-5"}), unclosed),
            feature(
                json!({"code": "G-6"}),
                json!({"type": "Point", "coordinates": [115.6, 34.4]}),
            ),
            json!(42),
        ]),
    );
    write(t, "not_json.geojson", "{\"type\": \"FeatureCollection\", ");
    write(t, "wrong_type.geojson", "{\"type\": \"Topology\"}");
}

/// Two items of the demo county's list.
fn items() -> Vec<domain::powerlist::Item> {
    let mut items = powerlist::demo_list().expect("the demo list");
    items.truncate(2);
    for it in &mut items {
        it.legal_basis.truncate(2);
        for b in &mut it.legal_basis {
            b.text = b.text.chars().take(60).collect();
        }
    }
    items
}

fn powerlist_files() {
    let items = items();
    let xlsx = powerlist::export(&items, powerlist::Format::Xlsx).expect("xlsx export");
    write("powerlist_xlsx", "two_items.xlsx", &xlsx);
    write("powerlist_xlsx", "truncated.xlsx", &xlsx[..xlsx.len() / 2]);
    write("powerlist_xlsx", "not_a_zip.xlsx", "事项编码,事项名称\n");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "事项编码",
        "事项名称",
        "事项类型",
        "生效日期",
        "最高罚款（元）",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    ws.write_string(1, 0, "X-1").expect("cell");
    ws.write_number(1, 3, 45_000.5).expect("a date serial");
    ws.write_number(1, 4, -1.0).expect("a negative fine");
    ws.write_boolean(2, 1, true).expect("a boolean");
    write(
        "powerlist_xlsx",
        "bad_rows.xlsx",
        wb.save_to_buffer().expect("workbook"),
    );

    let csv = powerlist::export(&items, powerlist::Format::Csv).expect("csv export");
    write("powerlist_csv", "two_items.csv", &csv);
    let (headers, rows) = powerlist::read_table("csv", &csv).expect("the exported CSV");
    let sheet = yiwang_fuzz::sample_sheet(&headers, &rows);
    write("powerlist_xlsx", "two_items_sheet.xml", &sheet);
    let odd = String::from_utf8(sheet)
        .expect("UTF-8")
        .replacen(
            "</sheetData>",
            r#"<row r="9"><c r="A9" t="b"><v>1</v></c><c r="B9" t="e"><v>#N/A</v></c><c r="C9"><v>1e308</v></c><c r="D9" s="1"><v>-5</v></c></row></sheetData>"#,
            1,
        );
    write("powerlist_xlsx", "odd_cells_sheet.xml", odd);
    let text = String::from_utf8(csv).expect("UTF-8");
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    write(
        "powerlist_csv",
        "bad_rows.csv",
        format!(
            "{header}\n1,X-1,名称,不是类型,不是领域,,,,,,2020-13-01,昨天,-5,太少｜1,,,,,,也许\n\"unclosed,\n"
        ),
    );
    write(
        "powerlist_csv",
        "missing_columns.csv",
        "\u{feff}事项编码,名称\nA,B\n",
    );
}

const HOTLINE_HEADERS: [&str; 8] = [
    "工单编号",
    "受理时间",
    "诉求内容",
    "事发地址",
    "经度",
    "纬度",
    "坐标系",
    "诉求类型",
];

fn hotline() {
    let t = "hotline";
    let header = HOTLINE_HEADERS.join(",");
    write(
        t,
        "two_records.csv",
        format!(
            "{header}\n\
             12345-0001,2026-11-28 09:30,城关镇北街有人占道经营,北街 12 号,115.6512,34.4402,gcj02,市容\n\
             12345-0002,2026-11-28T10:05:00+08:00,夜间施工噪声扰民,,115.65,34.44,wgs84,噪声\n"
        ),
    );
    write(
        t,
        "bad_rows.csv",
        format!(
            "{header}\n\
             12345-0001,昨天,,,200,34.44,mercator,\n\
             12345-0001,2026-11-28 09:30,重复的工单,,115.65,34.44,,\n\
             ,,,,,,,\n"
        ),
    );
    write(
        t,
        "english_headers.csv",
        "ticket,received_at,content,lon,lat\nT1,2026/11/28 09:30:00,x,115.65,34.44\n",
    );
    write(t, "missing_columns.csv", "工单编号,内容\n1,2\n");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HOTLINE_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let row = [
        "12345-0003",
        "2026-11-28 11:00",
        "垃圾焚烧",
        "南关",
        "",
        "",
        "bd09",
        "环境",
    ];
    for (c, v) in row.iter().enumerate() {
        ws.write_string(1, c as u16, *v).expect("cell");
    }
    ws.write_number(1, 4, 115.66).expect("lon");
    ws.write_number(1, 5, 34.45).expect("lat");
    write(t, "one_record.xlsx", wb.save_to_buffer().expect("workbook"));
    let headers: Vec<String> = HOTLINE_HEADERS.iter().map(|h| h.to_string()).collect();
    let row: Vec<String> = [
        "=123450004",
        "date:46354.4375",
        "路灯不亮",
        "西关",
        "=115.655",
        "=34.445",
        "",
        "市政",
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    write(
        t,
        "one_record_sheet.xml",
        yiwang_fuzz::sample_sheet(&headers, &[row]),
    );
}

fn webhook() {
    use base64_like::encode;
    let t = "camera_webhook";
    let alert = |v: serde_json::Value| v.to_string();
    write(
        t,
        "valid.json",
        alert(
            json!({"camera": "NL-CG-001", "event": "占道经营", "description": "北街东侧",
            "occurred_at": "2026-11-28T09:30:00+08:00",
            "snapshot": format!("data:image/jpeg;base64,{}", encode(JPEG)), "event_id": "evt-1"}),
        ),
    );
    write(
        t,
        "minimal.json",
        alert(json!({"camera": "NL-CG-001", "event": "焚烧垃圾", "event_id": "evt-2"})),
    );
    write(
        t,
        "blank_fields.json",
        alert(json!({"camera": " ", "event": "", "event_id": "evt-3"})),
    );
    write(
        t,
        "wrong_types.json",
        alert(json!({"camera": 7, "event": ["x"], "event_id": null})),
    );
    write(
        t,
        "bad_snapshot.json",
        alert(
            json!({"camera": "C", "event": "e", "event_id": "x", "snapshot": "data:image/png;base64,@@@"}),
        ),
    );
    write(t, "not_json.txt", "sha256=00ff");
}

/// Standard base64 with padding, enough for a seed.
mod base64_like {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

/// The valid seeds are read back through the importers: clean, with what
/// they hold.
fn check() {
    let read = |t: &str, n: &str| fs::read(Path::new("corpus").join(t).join(n)).expect("seed");
    let text = String::from_utf8(read("geojson_grids", "small_valid.geojson")).expect("UTF-8");
    let features =
        yiwang_geo::shape::read_features(&text, &Default::default()).expect("GeoJSON seed");
    assert!(
        features
            .iter()
            .all(|f| f.geometry.is_ok() && f.code.is_some())
    );
    for (name, ext, want) in [("two_items.xlsx", "xlsx", 2), ("two_items.csv", "csv", 2)] {
        let target = format!("powerlist_{ext}");
        let (h, rows) = powerlist::read_table(ext, &read(&target, name)).expect("table");
        let report = powerlist::read_rows(&h, rows, &mut |_, _| {});
        assert!(report.is_clean(), "{name}: {:?}", report.errors);
        assert_eq!(report.items.len(), want, "{name}");
    }
    for (name, ext, want) in [
        ("two_records.csv", "csv", 2),
        ("english_headers.csv", "csv", 1),
        ("one_record.xlsx", "xlsx", 1),
        ("one_record_sheet.xml", "xlsx", 1),
    ] {
        let bytes = read("hotline", name);
        let bytes = if ext == "xlsx" {
            yiwang_fuzz::xlsx_from(&bytes)
        } else {
            bytes
        };
        let (h, rows) = powerlist::read_table(ext, &bytes).expect("table");
        let (records, errors) = domain::report::hotline::parse(&h, &rows);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert_eq!(records.len(), want, "{name}");
    }
    for name in ["valid.json", "minimal.json"] {
        let alert = domain::camera::parse_alert(&read("camera_webhook", name)).expect(name);
        if let Some(s) = alert.snapshot {
            assert_eq!(domain::camera::decode_snapshot(&s).expect("snapshot"), JPEG);
        }
    }
}

fn main() {
    geojson();
    powerlist_files();
    hotline();
    webhook();
    check();
    println!("seeds written under corpus/ and the valid ones read back clean");
}
