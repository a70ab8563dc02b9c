//! One line of editable text, as every dialog's field edits: the cursor
//! moves (←→, Home/End, Ctrl-←→ by word), Backspace and Delete act at it,
//! Ctrl-U clears, Ctrl-W deletes the word before it. Fields used to append
//! and pop at the end only, so a typo in the middle of a 200-character name
//! meant typing it again.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TextField {
    text: String,
    /// A byte offset on a char boundary.
    cursor: usize,
}

impl TextField {
    /// The text with the cursor at its end.
    pub(crate) fn new(text: impl Into<String>) -> TextField {
        let text = text.into();
        TextField {
            cursor: text.len(),
            text,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a count of characters before it.
    pub(crate) fn cursor_chars(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    /// Replaces the text (a history entry, say); the cursor goes to its end.
    pub(crate) fn set(&mut self, text: impl Into<String>) {
        *self = TextField::new(text);
    }

    /// Edits or moves for `key`; `false` when the key is not a field's.
    pub(crate) fn key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Left if ctrl => self.cursor = self.word_start(),
            KeyCode::Right if ctrl => self.cursor = self.word_end(),
            KeyCode::Left => self.cursor = self.prev(self.cursor),
            KeyCode::Right => self.cursor = self.next(self.cursor),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('u') if ctrl => self.set(""),
            KeyCode::Char('w') if ctrl => {
                let start = self.word_start();
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            KeyCode::Backspace => {
                let start = self.prev(self.cursor);
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            KeyCode::Delete => {
                let end = self.next(self.cursor);
                self.text.replace_range(self.cursor..end, "");
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
            }
            _ => return false,
        }
        true
    }

    fn prev(&self, at: usize) -> usize {
        self.text[..at].char_indices().last().map_or(0, |(i, _)| i)
    }

    fn next(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    /// Where the word before the cursor starts (spaces, `/` and `.` end
    /// words, as a shell's Ctrl-W does with spaces).
    fn word_start(&self) -> usize {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(is_separator);
        trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| is_separator(*c))
            .map_or(0, |(i, c)| i + c.len_utf8())
    }

    fn word_end(&self) -> usize {
        let after = &self.text[self.cursor..];
        let skipped = after.len() - after.trim_start_matches(is_separator).len();
        let rest = &after[skipped..];
        let word = rest.find(is_separator).unwrap_or(rest.len());
        self.cursor + skipped + word
    }

    /// The field as shown in `width` columns with a bar at the cursor:
    /// `shown` turns the text into what may be displayed (masked,
    /// control characters defused) character for character, and the view
    /// scrolls sideways to keep the cursor in it, `…` marking cut ends.
    pub(crate) fn view(&self, width: usize, shown: impl Fn(&str) -> String) -> String {
        let chars: Vec<char> = shown(&self.text).chars().collect();
        let at = self.cursor_chars().min(chars.len());
        let w = |c: &char| c.width().unwrap_or(0);
        let cols = |range: &[char]| range.iter().map(w).sum::<usize>();
        if width < 3 {
            return "▏".into();
        }
        // The first character shown: as far left as lets the cursor fit.
        let mut start = 0;
        let more_after = usize::from(at < chars.len());
        while start < at
            && cols(&chars[start..at]) + 1 + usize::from(start > 0) + more_after > width
        {
            start += 1;
        }
        let mut out = String::new();
        let mut used = 0;
        if start > 0 {
            out.push('…');
            used += 1;
        }
        for c in &chars[start..at] {
            out.push(*c);
            used += w(c);
        }
        out.push('▏');
        used += 1;
        for (i, c) in chars[at..].iter().enumerate() {
            let last = at + i + 1 == chars.len();
            let room = if last { width } else { width - 1 };
            if used + w(c) > room {
                out.push('…');
                break;
            }
            out.push(*c);
            used += w(c);
        }
        out
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '/' || c == '.'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(f: &mut TextField, code: KeyCode) {
        f.key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn ctrl(f: &mut TextField, c: char) {
        f.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    fn typed(f: &mut TextField, text: &str) {
        for c in text.chars() {
            press(f, KeyCode::Char(c));
        }
    }

    #[test]
    fn a_long_name_is_fixed_in_the_middle() {
        let long = format!("{}-typo-{}", "a".repeat(100), "b".repeat(94));
        assert_eq!(long.chars().count(), 200);
        let mut f = TextField::new(long.clone());
        for _ in 0..(94 + 1) {
            press(&mut f, KeyCode::Left);
        }
        // Just after "typo": four Backspaces remove it, typing fixes it.
        for _ in 0..4 {
            press(&mut f, KeyCode::Backspace);
        }
        typed(&mut f, "fixed");
        assert_eq!(
            f.text(),
            format!("{}-fixed-{}", "a".repeat(100), "b".repeat(94))
        );
        press(&mut f, KeyCode::Home);
        press(&mut f, KeyCode::Delete);
        assert!(f.text().starts_with(&format!("{}-fixed", "a".repeat(99))));
        assert_eq!(f.text().chars().count(), 200);
        press(&mut f, KeyCode::End);
        press(&mut f, KeyCode::Backspace);
        assert!(f.text().ends_with(&format!("-{}", "b".repeat(93))));
    }

    #[test]
    fn ctrl_keys_clear_and_delete_words() {
        let mut f = TextField::new("ftp://host/pub/old name");
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "ftp://host/pub/old ");
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "ftp://host/pub/");
        ctrl(&mut f, 'w');
        assert_eq!(f.text(), "ftp://host/");
        ctrl(&mut f, 'u');
        assert_eq!(f.text(), "");
        assert!(!f.key(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn multibyte_characters_are_edited_whole() {
        let mut f = TextField::new("日本.txt");
        press(&mut f, KeyCode::Home);
        press(&mut f, KeyCode::Right);
        press(&mut f, KeyCode::Delete);
        assert_eq!(f.text(), "日.txt");
        press(&mut f, KeyCode::Backspace);
        assert_eq!(f.text(), ".txt");
        press(&mut f, KeyCode::Left);
        press(&mut f, KeyCode::Backspace);
        assert_eq!(f.text(), ".txt");
    }

    #[test]
    fn the_view_scrolls_to_keep_the_cursor() {
        let f = TextField::new("abcdefghij");
        assert_eq!(f.view(20, str::to_string), "abcdefghij▏");
        assert_eq!(f.view(6, str::to_string), "…ghij▏");
        let mut f = TextField::new("abcdefghij");
        press(&mut f, KeyCode::Home);
        assert_eq!(f.view(6, str::to_string), "▏abcd…");
        for _ in 0..5 {
            press(&mut f, KeyCode::Right);
        }
        let v = f.view(6, str::to_string);
        assert!(v.contains("e▏f") || v.contains("e▏"), "{v}");
        assert!(
            unicode_width::UnicodeWidthStr::width(v.as_str()) <= 6,
            "{v}"
        );
        let masked = TextField::new("secret");
        assert_eq!(
            masked.view(20, |t| "•".repeat(t.chars().count())),
            "••••••▏"
        );
    }
}
