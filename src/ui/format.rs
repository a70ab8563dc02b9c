//! Text for the screen: times, gauges, previews, and names cut to a
//! display width (never by bytes or chars: CJK, emoji and combining marks
//! must keep columns aligned). Sizes, rates and the escaping of server
//! strings are [`crate::text`]'s: the command line and the engine use them too.

use chrono::NaiveDateTime;
use unicode_width::UnicodeWidthStr;

use crate::text::printable;

/// `11-20` for this year's dates, `2024` for older ones: five columns.
pub(crate) fn short_time(t: Option<NaiveDateTime>, this_year: i32) -> String {
    use chrono::Datelike;
    match t {
        Some(t) if t.year() == this_year => t.format("%m-%d").to_string(),
        Some(t) => format!("{:>5}", t.year()),
        None => "     ".to_string(),
    }
}

/// Cuts `text` to at most `width` columns, marking a cut with `…`, and pads
/// with spaces to exactly `width`. Zero-width characters (combining marks)
/// stay with the character before them.
pub(crate) fn fit(text: &str, width: usize) -> String {
    let text = &printable(text);
    if text.width() <= width {
        let mut s = text.to_string();
        s.push_str(&" ".repeat(width - text.width()));
        return s;
    }
    if width == 0 {
        return String::new();
    }
    // Measured as a string, not char by char: a variation selector makes
    // `❤` (1 column) the emoji `❤️` (2), and a ZWJ sequence like `👨‍👩‍👧‍👦` is
    // 2 columns, not 8. Terminals and ratatui count them so; summing chars
    // misplaced the size and time columns after such a name (found by the
    // ui_snapshots tests). Names are short: the quadratic cost is nothing.
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if out.width() > width - 1 {
            out.pop();
            break;
        }
    }
    let mut used = out.width();
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// What the viewer shows of a file's first bytes: text lines (tabs
/// expanded, control characters defused), or a hex dump when the bytes
/// look binary.
pub(crate) fn preview_lines(bytes: &[u8]) -> Vec<String> {
    let head = &bytes[..bytes.len().min(1024)];
    if head.contains(&0) {
        return bytes
            .chunks(16)
            .take(256)
            .enumerate()
            .map(|(i, chunk)| {
                let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
                let ascii: String = chunk
                    .iter()
                    .map(|&b| {
                        if b.is_ascii_graphic() || b == b' ' {
                            b as char
                        } else {
                            '.'
                        }
                    })
                    .collect();
                format!("{:08x}  {:<47}  |{ascii}|", i * 16, hex.join(" "))
            })
            .collect();
    }
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| printable(&l.replace('\t', "    ")))
        .collect()
}

/// A text gauge of `width` cells: `███████░░░░`.
pub(crate) fn gauge(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_display_columns() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        // Each CJK character is two columns wide.
        let cut = fit("日本語ファイル.txt", 7);
        assert_eq!(cut.width(), 7, "{cut:?}");
        assert_eq!(cut, "日本語…");
        let cut = fit("日本語", 4);
        assert_eq!(cut.width(), 4, "{cut:?}");
        // Emoji and combining marks.
        assert_eq!(fit("🎉🎉🎉", 5).width(), 5);
        let combining = "e\u{301}e\u{301}e\u{301}e\u{301}";
        assert_eq!(fit(combining, 3).width(), 3);
        assert_eq!(fit(combining, 4), format!("{combining}"));
        // Emoji presentation and ZWJ sequences, cut: as wide as asked.
        for name in ["❤️❤️❤️ hearts", "👨‍👩‍👧‍👦👨‍👩‍👧‍👦 family"]
        {
            for w in 1..12 {
                assert_eq!(fit(name, w).width(), w, "{name} at {w}: {:?}", fit(name, w));
            }
        }
    }

    #[test]
    fn control_characters_are_defused() {
        assert_eq!(
            fit("a\x1bb", 10).chars().filter(|c| c.is_control()).count(),
            0,
            "fits"
        );
    }

    #[test]
    fn previews_text_and_binary() {
        assert_eq!(preview_lines(b"a\tb\r\nc\x1b[2J"), ["a    b", "c?[2J"]);
        let bin = preview_lines(b"\x00\x01ABC");
        assert_eq!(
            bin,
            [format!("00000000  {:<47}  |..ABC|", "00 01 41 42 43")]
        );
    }

    #[test]
    fn gauges() {
        assert_eq!(gauge(0.5, 4), "██░░");
        assert_eq!(gauge(2.0, 3), "███");
    }
}
