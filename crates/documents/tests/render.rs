//! Every document renders from a realistic fixture to a PDF with the CJK
//! fonts embedded and its text extractable; the decision letter states every
//! element of APL Art. 59; templates can be overridden at run time; broken
//! templates and data give errors that name the template.
//!
//! The PDFs are kept in `target/documents/` for inspection. `pdftotext` and
//! `pdffonts` (Debian's poppler-utils) and the Noto CJK fonts (fonts-noto-cjk)
//! come from `scripts/ensure-tools.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use documents::{DocError, Kind, Renderer, TemplateOrigin};
use serde_json::{Value, json};

fn fixture(kind: Kind) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{}.json", kind.code()));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| {
        Renderer::new(None).unwrap_or_else(|e| panic!("{e} (run scripts/ensure-tools.sh)"))
    })
}

/// `target/documents/`, where the PDFs of a test run are kept.
fn out_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            // The test binary is target/<profile>/deps/<name>.
            let exe = std::env::current_exe().expect("test binary path");
            exe.ancestors()
                .find(|dir| dir.file_name().is_some_and(|name| name == "deps"))
                .and_then(|deps| deps.parent()?.parent())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        }
    };
    let dir = target.join("documents");
    std::fs::create_dir_all(&dir).expect("create target/documents");
    dir
}

fn keep(name: &str, pdf: &[u8]) -> PathBuf {
    let path = out_dir().join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    path
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {tool} ({e}): install Debian's poppler-utils with scripts/ensure-tools.sh"
        )
    });
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// The text of a PDF as pdftotext extracts it.
fn pdf_text(path: &Path) -> String {
    poppler("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap(), "-"])
}

/// Text without any white space, so that line breaks do not matter.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_has(text: &str, wanted: &str, what: &str) {
    assert!(
        text.contains(&squeeze(wanted)),
        "{what}: {wanted:?} not in the extracted text:\n{text}"
    );
}

/// Every font of the PDF is embedded (a subset) and is a Noto CJK face.
fn assert_fonts_embedded(path: &Path) {
    let listing = poppler("pdffonts", &[path.to_str().unwrap()]);
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(
        !fonts.is_empty(),
        "no fonts in {}:\n{listing}",
        path.display()
    );
    for line in fonts {
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name type [encoding…] emb sub uni object ID: emb is the 5th from the end.
        let emb = columns[columns.len() - 5];
        let sub = columns[columns.len() - 4];
        assert_eq!(emb, "yes", "font not embedded: {line}");
        assert_eq!(sub, "yes", "font not subset: {line}");
        assert!(
            line.contains("NotoSerifCJK") || line.contains("NotoSansCJK"),
            "unexpected font: {line}"
        );
    }
}

fn render_fixture(kind: Kind) -> (PathBuf, String) {
    let data = fixture(kind);
    let pdf = renderer()
        .render(kind, &data)
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    assert!(pdf.starts_with(b"%PDF-"), "{kind}: not a PDF");
    let path = keep(&format!("{}.pdf", kind.code()), &pdf);
    assert_fonts_embedded(&path);
    let text = squeeze(&pdf_text(&path));
    assert_has(&text, kind.title(), "the title");
    assert_has(&text, data["agency"].as_str().unwrap(), "the agency");
    if let Some(number) = data.get("document_number").and_then(Value::as_str) {
        assert_has(&text, number, "the document number");
    }
    (path, text)
}

macro_rules! renders {
    ($($name:ident => $kind:expr),* $(,)?) => {$(
        #[test]
        fn $name() {
            render_fixture($kind);
        }
    )*};
}

renders! {
    filing_approval_renders => Kind::FilingApproval,
    inspection_record_renders => Kind::InspectionRecord,
    inquiry_record_renders => Kind::InquiryRecord,
    evidence_preservation_notice_renders => Kind::EvidencePreservationNotice,
    prior_notice_renders => Kind::PriorNotice,
    hearing_notice_renders => Kind::HearingNotice,
    hearing_record_renders => Kind::HearingRecord,
    legal_review_opinion_renders => Kind::LegalReviewOpinion,
    service_receipt_renders => Kind::ServiceReceipt,
    crime_transfer_letter_renders => Kind::CrimeTransferLetter,
    summary_decision_renders => Kind::SummaryDecision,
}

/// APL Art. 59: party; facts and evidence; type and basis of the penalty;
/// how and by when to perform; how and by when to seek reconsideration or
/// sue; agency and date. Art. 28: the order to correct.
#[test]
fn penalty_decision_states_every_article_59_element() {
    let data = fixture(Kind::PenaltyDecision);
    let (path, text) = render_fixture(Kind::PenaltyDecision);
    let s = |pointer: &str| {
        data.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("fixture has no {pointer}"))
            .to_owned()
    };
    // The document number (文号).
    assert_has(&text, "宁张政罚决字〔2026〕第12号", "document number");
    // (1) The party: name, ID number as given (masked), address.
    assert_has(&text, &s("/party/name"), "party name");
    assert_has(&text, &s("/party/id_number"), "party ID number");
    assert_has(&text, &s("/party/address"), "party address");
    // (2) The facts and the evidence.
    assert_has(&text, &s("/facts"), "facts");
    for item in data["evidence"].as_array().unwrap() {
        assert_has(&text, item.as_str().unwrap(), "evidence");
    }
    // (3) The type and basis of the penalty, and the provision violated.
    assert_has(&text, "处罚种类：罚款", "penalty type");
    assert_has(&text, &s("/penalty/items/0"), "penalty");
    assert_has(
        &text,
        &format!("依据{}的规定", s("/legal_basis")),
        "legal basis",
    );
    assert_has(
        &text,
        &format!("违反了{}的规定", s("/violation")),
        "provision violated",
    );
    // Art. 28: the order to correct.
    assert_has(
        &text,
        &format!("责令当事人{}", s("/correction")),
        "order to correct",
    );
    // (4) How and by when to perform: 15 days, where to pay (Art. 66, 67),
    // and the surcharge for late payment (Art. 72).
    assert_has(&text, "自收到本决定书之日起十五日内", "time to pay");
    assert_has(&text, &s("/performance/bank"), "bank");
    assert_has(&text, &s("/performance/account"), "account");
    assert_has(
        &text,
        "每日按罚款数额的百分之三加处罚款",
        "late-payment surcharge",
    );
    // (5) How and by when to seek reconsideration or sue.
    assert_has(
        &text,
        &format!(
            "六十日内向{}申请行政复议",
            s("/remedies/reconsideration/body")
        ),
        "reconsideration",
    );
    assert_has(
        &text,
        &format!(
            "六个月内直接向{}提起行政诉讼",
            s("/remedies/litigation/court")
        ),
        "litigation",
    );
    // (6) The agency and the date (and the seal's place).
    assert_has(&text, &s("/agency"), "agency");
    assert_has(&text, "2026年3月25日", "date");
    assert_has(&text, &s("/seal"), "seal");

    // The whole letter as pdftotext reads it (page breaks dropped), to review
    // wording changes with `cargo insta review`.
    let extracted = pdf_text(&path).replace('\u{c}', "");
    let tidy: Vec<&str> = extracted.lines().map(str::trim_end).collect();
    insta::assert_snapshot!("penalty_decision_text", tidy.join("\n").trim_end());
}

#[test]
fn an_override_template_replaces_the_builtin_one_and_is_read_at_each_render() {
    let dir = tempfile::tempdir().unwrap();
    let renderer = Renderer::new(Some(dir.path().to_path_buf())).unwrap();
    let data = fixture(Kind::PenaltyDecision);
    assert_eq!(
        renderer.template_origin(Kind::PenaltyDecision),
        TemplateOrigin::Builtin
    );

    let file = dir.path().join("penalty_decision.typ");
    std::fs::write(
        &file,
        "#import \"common.typ\": *\n#let d = sys.inputs\n#show: doc.with(d, \"行政处罚决定书\")\n本县试行的自定义模板：#(d.party.name)。\n#signature(d)\n",
    )
    .unwrap();
    assert_eq!(
        renderer.template_origin(Kind::PenaltyDecision),
        TemplateOrigin::Override(file.clone())
    );
    let pdf = renderer.render(Kind::PenaltyDecision, &data).unwrap();
    let text = squeeze(&pdf_text(&keep("override_penalty_decision.pdf", &pdf)));
    assert_has(
        &text,
        "本县试行的自定义模板：王建国。",
        "the override's text",
    );
    assert!(
        !text.contains("申请行政复议"),
        "the built-in text is gone:\n{text}"
    );

    // Edited while the renderer lives: the next document shows the edit.
    std::fs::write(
        &file,
        "#import \"common.typ\": *\n#let d = sys.inputs\n#show: doc.with(d, \"行政处罚决定书\")\n修改后的模板。\n",
    )
    .unwrap();
    let pdf = renderer.render(Kind::PenaltyDecision, &data).unwrap();
    let text = squeeze(&pdf_text(&keep(
        "override_penalty_decision_edited.pdf",
        &pdf,
    )));
    assert_has(&text, "修改后的模板。", "the edited override");

    // Other kinds keep their built-in template.
    assert_eq!(
        renderer.template_origin(Kind::PriorNotice),
        TemplateOrigin::Builtin
    );
    renderer
        .render(Kind::PriorNotice, &fixture(Kind::PriorNotice))
        .unwrap();
}

#[test]
fn an_override_of_common_typ_changes_every_document() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = documents::builtin_templates()
        .find(|(name, _)| name == documents::COMMON_TEMPLATE)
        .unwrap()
        .1;
    let agency_line = "tracking: 0.05em, d.agency)";
    assert!(
        builtin.contains(agency_line),
        "common.typ changed: update this test"
    );
    let common = builtin.replace(
        agency_line,
        "tracking: 0.05em, d.agency + \"（本县统一页眉）\")",
    );
    std::fs::write(dir.path().join("common.typ"), common).unwrap();
    let renderer = Renderer::new(Some(dir.path().to_path_buf())).unwrap();
    let pdf = renderer
        .render(Kind::HearingNotice, &fixture(Kind::HearingNotice))
        .unwrap();
    let text = squeeze(&pdf_text(&keep("override_common_hearing_notice.pdf", &pdf)));
    assert_has(&text, "本县统一页眉", "the overridden common.typ");
}

#[test]
fn builtin_templates_written_out_render_the_same_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let written = documents::write_builtin_templates(dir.path()).unwrap();
    assert_eq!(written.len(), Kind::ALL.len() + 1);
    let from_folder = Renderer::new(Some(dir.path().to_path_buf())).unwrap();
    let data = fixture(Kind::PenaltyDecision);
    let from_files = from_folder.render(Kind::PenaltyDecision, &data).unwrap();
    let builtin = renderer().render(Kind::PenaltyDecision, &data).unwrap();
    assert!(
        from_files == builtin,
        "the same template and data give the same bytes"
    );
    // Existing files are left alone.
    assert!(
        documents::write_builtin_templates(dir.path())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_malformed_template_is_an_error_naming_the_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("penalty_decision.typ"),
        "#let d = sys.inputs\n\n#let broken = (d.party.name,\n",
    )
    .unwrap();
    let renderer = Renderer::new(Some(dir.path().to_path_buf())).unwrap();
    let err = renderer
        .render(Kind::PenaltyDecision, &fixture(Kind::PenaltyDecision))
        .unwrap_err();
    let message = err.to_string();
    let DocError::Template {
        template,
        diagnostics,
    } = &err
    else {
        panic!("expected a template error, got {err:?}");
    };
    assert!(template.contains("penalty_decision.typ"), "{message}");
    assert!(
        template.contains(&dir.path().display().to_string()),
        "names the override file: {message}"
    );
    assert!(
        diagnostics.contains("penalty_decision.typ:3:"),
        "names the line: {message}"
    );
    assert!(message.contains("penalty_decision.typ"), "{message}");
}

#[test]
fn a_field_the_data_lacks_is_named() {
    let mut data = fixture(Kind::PenaltyDecision);
    data.as_object_mut().unwrap().remove("facts");
    let err = renderer().render(Kind::PenaltyDecision, &data).unwrap_err();
    let DocError::MissingField {
        template,
        field,
        location,
    } = &err
    else {
        panic!("expected a missing field, got {err:?}");
    };
    assert_eq!(field, "facts");
    assert!(template.starts_with("penalty_decision.typ"), "{err}");
    assert!(location.starts_with("penalty_decision.typ:"), "{err}");
    assert!(err.to_string().contains("\"facts\""), "{err}");
}

#[test]
fn data_that_is_not_an_object_is_refused() {
    let err = renderer()
        .render(Kind::ServiceReceipt, &json!(["not", "an", "object"]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            DocError::NotAnObject {
                kind: Kind::ServiceReceipt,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn missing_fonts_are_named() {
    let empty = tempfile::tempdir().unwrap();
    let err = Renderer::with_font_dirs(None, &[empty.path().to_path_buf()]).unwrap_err();
    let DocError::MissingFont { family, searched } = &err else {
        panic!("expected a missing font, got {err:?}");
    };
    assert_eq!(family, "Noto Serif CJK SC");
    assert_eq!(searched, &[empty.path().to_path_buf()]);
    assert!(err.to_string().contains("fonts-noto-cjk"), "{err}");
}

#[test]
fn a_template_asking_for_an_unknown_font_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("service_receipt.typ"),
        "#set text(font: \"FangSong_GB2312\")\n送达回证\n",
    )
    .unwrap();
    let renderer = Renderer::new(Some(dir.path().to_path_buf())).unwrap();
    let err = renderer
        .render(Kind::ServiceReceipt, &fixture(Kind::ServiceReceipt))
        .unwrap_err();
    let DocError::TemplateFont { template, family } = &err else {
        panic!("expected an unknown font, got {err:?}");
    };
    assert!(template.starts_with("service_receipt.typ"), "{err}");
    assert_eq!(family.to_lowercase(), "fangsong_gb2312");
}
