//! The flowchart of an item's procedure, drawn as SVG from its steps — no
//! hand-drawn images, so it always matches the steps.

use super::Step;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Split text into lines of at most `n` characters.
fn wrap(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// A vertical flowchart: one box per step (name, role, time limit), arrows between.
pub fn flowchart_svg(title: &str, steps: &[Step], english: bool) -> String {
    const W: i32 = 560;
    const BOX_W: i32 = 440;
    const GAP: i32 = 30;
    const TOP: i32 = 56;
    let x = (W - BOX_W) / 2;
    let mut y = TOP;
    let mut body = String::new();
    for (i, s) in steps.iter().enumerate() {
        let name = if english && !s.name_en.is_empty() {
            &s.name_en
        } else {
            &s.name
        };
        let mut lines = vec![(format!("{}. {}", i + 1, name), "step-name")];
        for l in wrap(&s.role, 26) {
            lines.push((l, "step-role"));
        }
        if let Some(d) = s.time_limit_days {
            let limit = if english {
                format!("Time limit: {d} days")
            } else {
                format!("时限：{d} 日")
            };
            lines.push((limit, "step-limit"));
        }
        let h = 16 + 20 * lines.len() as i32;
        body.push_str(&format!(
            "<g class=\"step\" data-step=\"{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{h}\" rx=\"8\" fill=\"#fff\" stroke=\"#b71c1c\" stroke-width=\"1.5\"/>",
            i + 1
        ));
        for (j, (text, class)) in lines.iter().enumerate() {
            let (size, weight, color) = match *class {
                "step-name" => (16, "700", "#1d2733"),
                "step-limit" => (13, "400", "#b71c1c"),
                _ => (13, "400", "#5b6776"),
            };
            body.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{size}\" font-weight=\"{weight}\" fill=\"{color}\" class=\"{class}\">{}</text>",
                W / 2,
                y + 24 + 20 * j as i32,
                esc(text)
            ));
        }
        body.push_str("</g>");
        y += h;
        if i + 1 < steps.len() {
            let (x0, y0, y1) = (W / 2, y + 2, y + GAP - 2);
            body.push_str(&format!(
                "<line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x0}\" y2=\"{}\" stroke=\"#5b6776\" stroke-width=\"1.5\"/><polygon points=\"{},{} {},{} {x0},{y1}\" fill=\"#5b6776\"/>",
                y1 - 6,
                x0 - 5,
                y1 - 8,
                x0 + 5,
                y1 - 8
            ));
            y += GAP;
        }
    }
    let height = y + 24;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-label=\"{t}\" font-family=\"Noto Sans CJK SC, Source Han Sans SC, sans-serif\"><title>{t}</title><text x=\"{}\" y=\"30\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"700\" fill=\"#b71c1c\">{t}</text>{body}</svg>",
        W / 2,
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::powerlist::{ItemKind, standard_steps};

    #[test]
    fn one_box_per_step_in_order_and_escaped() {
        let steps = standard_steps(ItemKind::Penalty);
        let svg = flowchart_svg("对<占道>经营的处罚", &steps, false);
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("class=\"step\"").count(), steps.len());
        assert_eq!(svg.matches("<line").count(), steps.len() - 1);
        assert!(svg.contains("&lt;占道&gt;"));
        let first = svg.find("1. 立案").unwrap();
        let last = svg.find(&format!("{}. 结案归档", steps.len())).unwrap();
        assert!(first < last);
        assert!(svg.contains("时限：90 日"));
        assert!(flowchart_svg("t", &steps, true).contains("1. Filing"));
    }
}
