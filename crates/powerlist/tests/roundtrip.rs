//! Import and export: a 500-row workbook with 20 broken rows, the dry run
//! naming exactly those rows, and export → import giving the same list.

use chrono::NaiveDate;
use domain::powerlist::{DiscretionTier, Field, Item, ItemKind, LegalBasis};
use powerlist::{Format, export, read_file};

fn item(i: usize) -> Item {
    let field = Field::ALL[i % 11];
    Item {
        code: format!("T-{i:04}"),
        name: format!("对第{i}类违法行为的处罚（{}）", field.zh()),
        kind: if i.is_multiple_of(7) {
            ItemKind::Inspection
        } else {
            ItemKind::Penalty
        },
        field,
        description: format!("说明 {i}"),
        legal_basis: vec![LegalBasis {
            law: "《某某管理条例》".into(),
            level: "行政法规".into(),
            article: format!("第{}条", i % 90 + 1),
            text: format!("违反本条例规定的，处{}元以下罚款。", (i % 10 + 1) * 100),
            effective: NaiveDate::from_ymd_opt(2018, 1, 1).unwrap(),
            repealed: None,
            max_fine_yuan: Some(((i % 10 + 1) * 100) as i64),
        }],
        discretion: vec![
            DiscretionTier {
                circumstance: "首次违法，及时改正".into(),
                fine_min_yuan: 0,
                fine_max_yuan: 0,
                suggested: "不予处罚".into(),
            },
            DiscretionTier {
                circumstance: "拒不改正".into(),
                fine_min_yuan: 50,
                fine_max_yuan: 200,
                suggested: "处罚款".into(),
            },
        ],
        lead_department: "宁陵县城市管理局".into(),
        cooperating_departments: vec!["宁陵县公安局".into(), "宁陵县市场监督管理局".into()],
        supervision: "县司法局行政执法监督".into(),
        responsibilities: vec!["立案责任".into(), "调查责任".into()],
        accountability: vec!["不依法履行职责的".into()],
        first_offence_no_penalty: i.is_multiple_of(3),
        steps: vec![],
    }
}

/// 500 items, the first 5 with a second (amended) basis: 505 data rows.
fn list() -> Vec<Item> {
    let mut items: Vec<Item> = (0..500).map(item).collect();
    for it in items.iter_mut().take(5) {
        it.legal_basis[0].repealed = Some(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        let mut newer = it.legal_basis[0].clone();
        newer.effective = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        newer.repealed = None;
        newer.max_fine_yuan = Some(50);
        it.legal_basis.push(newer);
    }
    items
}

#[test]
fn export_then_import_gives_the_same_list_in_every_table_format() {
    let items = list();
    let dir = tempfile::tempdir().unwrap();
    for format in [Format::Xlsx, Format::Csv] {
        let path = dir.path().join(format!("list.{}", format.extension()));
        std::fs::write(&path, export(&items, format).unwrap()).unwrap();
        let mut calls = 0;
        let report = read_file(&path, &mut |_, _| calls += 1).unwrap();
        assert!(
            report.errors.is_empty(),
            "{format:?}: {:?}",
            &report.errors[..report.errors.len().min(3)]
        );
        assert_eq!(report.rows, 505);
        assert_eq!(report.items, items, "{format:?} round trip");
        assert!(calls >= 2, "progress is reported");
        // and once more: the re-exported file is byte-identical
        assert_eq!(
            export(&report.items, format).unwrap(),
            export(&items, format).unwrap()
        );
    }
}

/// The exported rows as cells (header first).
fn table(items: &[Item]) -> Vec<Vec<String>> {
    let csv = String::from_utf8(export(items, Format::Csv).unwrap()).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn dry_run_of_a_500_row_workbook_names_exactly_the_20_broken_rows() {
    let items: Vec<Item> = (0..500).map(item).collect();
    let mut cells = table(&items);
    assert_eq!(cells.len(), 501);
    // Break 20 rows five different ways; remember their spreadsheet row numbers.
    let mut broken = Vec::new();
    for k in 0..20 {
        let idx = 20 + k * 24; // index in `cells`; spreadsheet row = idx + 1
        let rec = &mut cells[idx];
        match k % 5 {
            0 => rec[3] = "行政许可审批".into(),           // unknown kind
            1 => rec[10] = "2018-13-45".into(),            // impossible date
            2 => rec[2] = String::new(),                   // empty name
            3 => rec[13] = "情形｜一百｜200｜建议".into(), // discretion not a number
            _ => rec[4] = "天文".into(),                   // unknown field
        }
        broken.push(idx + 1);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in cells.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save(&path).unwrap();
    let report = read_file(&path, &mut |_, _| {}).unwrap();
    assert_eq!(report.rows, 500);
    let rows: Vec<usize> = report.errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, broken, "{:?}", report.errors);
    assert!(
        report.errors[0].reason.contains("未知事项类型"),
        "{}",
        report.errors[0].reason
    );
    assert!(
        report.errors[1].reason.contains("生效日期"),
        "{}",
        report.errors[1].reason
    );
    assert!(
        report.errors[2].reason.contains("事项名称"),
        "{}",
        report.errors[2].reason
    );
    assert!(
        report.errors[3].reason.contains("裁量基准"),
        "{}",
        report.errors[3].reason
    );
    assert!(
        report.errors[4].reason.contains("执法领域"),
        "{}",
        report.errors[4].reason
    );
    // Fixed, the same workbook imports all 500 items.
    let clean = dir.path().join("clean.xlsx");
    std::fs::write(&clean, export(&items, Format::Xlsx).unwrap()).unwrap();
    let report = read_file(&clean, &mut |_, _| {}).unwrap();
    assert!(report.is_clean());
    assert_eq!(report.items.len(), 500);
}

#[test]
fn headers_are_matched_by_name_and_required_columns_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("min.csv");
    // Published lists vary in column order and wording.
    std::fs::write(
        &path,
        "权力事项名称,编码,权力类型,所属领域,实施主体,依据名称,条款,施行日期\n对占道经营的处罚,X-1,行政处罚,城市管理,宁陵县城市管理局,《城市市容和环境卫生管理条例》,第三十六条,2017-03-01\n",
    )
    .unwrap();
    let r = read_file(&path, &mut |_, _| {}).unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.items[0].code, "X-1");
    assert_eq!(r.items[0].legal_basis[0].article, "第三十六条");
    std::fs::write(&path, "事项名称,事项编码\n甲,A\n").unwrap();
    let r = read_file(&path, &mut |_, _| {}).unwrap();
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].row, 1);
    assert!(
        r.errors[0].reason.contains("缺少必需的列"),
        "{}",
        r.errors[0].reason
    );
}
