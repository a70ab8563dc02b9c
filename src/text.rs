//! Text for people, whatever prints it (the TUI, the command line, an
//! engine message): sizes, rates and durations in human units, and
//! [`printable`], the one door through which a server's string reaches a
//! terminal or a log. Belongs to no UI, so the engine can use it without
//! knowing one.

/// `999 B`, `12 KiB`, `4.2 GiB`: at most 4 significant characters before the unit.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// A rate in the units sizes use (`107 MiB/s`): a size and a rate side by
/// side must not mix 1000 and 1024, or a 100 MiB file at "100 MB/s" would
/// not take the second it seems to.
pub fn human_rate(bytes_per_second: f64) -> String {
    let n = if bytes_per_second.is_finite() {
        bytes_per_second.max(0.0).round() as u64
    } else {
        0
    };
    format!("{}/s", human_bytes(n))
}

/// `12s`, `3m05s`, `2h10m`.
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// A name fit for the screen: control characters (a hostile name could
/// carry escape sequences: C0, DEL and C1) and the bidi controls that
/// reorder what follows (U+202E makes `exe.txt` read `txt.exe`) shown as
/// `?`. The one escaping function for what servers say, before any
/// terminal or log.
pub fn printable(name: &str) -> String {
    name.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi { '?' } else { c }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(12 * 1024), "12 KiB");
        assert_eq!(human_bytes(4_509_715_660), "4.2 GiB");
        assert_eq!(human_rate(112_000_000.0), "107 MiB/s");
        assert_eq!(human_rate(2_900.0), "2.8 KiB/s");
        assert_eq!(human_rate(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GiB/s");
        assert_eq!(human_rate(500.4), "500 B/s");
        assert_eq!(human_rate(-1.0), "0 B/s");
        assert_eq!(human_rate(f64::NAN), "0 B/s");
        // A rate and a size of the same number read the same.
        for n in [1023, 1024, 12 * 1024, 1_900_000, 4_509_715_660] {
            assert_eq!(human_rate(n as f64), format!("{}/s", human_bytes(n)));
        }
        assert_eq!(human_duration(12), "12s");
        assert_eq!(human_duration(185), "3m05s");
        assert_eq!(human_duration(7800), "2h10m");
    }

    #[test]
    fn control_characters_are_defused() {
        assert_eq!(printable("evil\x1b[2Jname"), "evil?[2Jname");
    }
}
