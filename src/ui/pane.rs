//! One pane's model: where it is, what it lists, the cursor, the selection,
//! the filter and the sort. Pure data and pure functions.

use std::collections::BTreeSet;

use super::side::Side;
use crate::ftp::{Entry, EntryKind};
use crate::text::printable;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    Name,
    Size,
    Time,
}

#[derive(Debug, Clone)]
pub enum Place {
    Local,
    /// The URL shown in the header (never with a password).
    Ftp {
        url: String,
    },
    /// Not connected yet (or the connection failed).
    Nowhere,
}

#[derive(Debug, Clone)]
pub struct Pane {
    pub(crate) place: Place,
    pub(crate) cwd: Vec<u8>,
    /// Sorted, directories first.
    pub entries: Vec<Entry>,
    /// Indices into `entries` that pass the filter, in order.
    pub visible: Vec<usize>,
    /// Row under the cursor: 0 is `..` when there is a parent.
    pub cursor: usize,
    /// First row shown.
    pub(crate) scroll: usize,
    /// Raw names of selected entries.
    pub selected: BTreeSet<Vec<u8>>,
    pub(crate) filter: String,
    pub(crate) filtering: bool,
    pub(crate) sort: SortKey,
    pub(crate) reverse: bool,
    pub(crate) loading: bool,
    /// The last error for this pane, shown in its footer.
    pub(crate) error: Option<String>,
    /// A name the cursor goes to when the next listing has it: the
    /// directory F7 made, the new name of a renamed file.
    pub(crate) land_on: Option<Vec<u8>>,
}

/// What a row of the pane shows.
pub(crate) enum Row<'a> {
    Parent,
    Entry(&'a Entry),
}

impl Pane {
    /// The title: which side, and where it is.
    pub(crate) fn header(&self, side: Side) -> String {
        let pane = self;
        let place = match &pane.place {
            Place::Local => format!("local:{}", String::from_utf8_lossy(&pane.cwd)),
            Place::Ftp { url } => {
                let path = String::from_utf8_lossy(&pane.cwd);
                if path.starts_with('/') {
                    format!("{url}{path}")
                } else {
                    format!("{url}/{path}")
                }
            }
            Place::Nowhere => "not connected (F2)".to_string(),
        };
        let busy = if pane.loading { " …" } else { "" };
        format!(" {}: {}{} ", side.name(), printable(&place), busy)
    }

    pub fn new(place: Place, cwd: Vec<u8>) -> Pane {
        Pane {
            place,
            cwd,
            entries: Vec::new(),
            visible: Vec::new(),
            cursor: 0,
            scroll: 0,
            selected: BTreeSet::new(),
            filter: String::new(),
            filtering: false,
            sort: SortKey::Name,
            reverse: false,
            loading: false,
            error: None,
            land_on: None,
        }
    }

    pub fn has_parent(&self) -> bool {
        !(self.cwd.is_empty() || self.cwd == b"/")
    }

    pub(crate) fn row_count(&self) -> usize {
        usize::from(self.has_parent()) + self.visible.len()
    }

    pub(crate) fn row(&self, i: usize) -> Option<Row<'_>> {
        let parent = usize::from(self.has_parent());
        if i < parent {
            return Some(Row::Parent);
        }
        self.visible
            .get(i - parent)
            .map(|&e| Row::Entry(&self.entries[e]))
    }

    pub fn cursor_entry(&self) -> Option<&Entry> {
        match self.row(self.cursor) {
            Some(Row::Entry(e)) => Some(e),
            _ => None,
        }
    }

    /// Replaces the listing, keeping the cursor on the same name when it is
    /// still there, and dropping selections that vanished.
    pub fn set_entries(&mut self, mut entries: Vec<Entry>) {
        let keep = self.cursor_entry().map(|e| e.raw_name().to_vec());
        entries.retain(|e| e.name != "." && e.name != "..");
        self.entries = entries;
        self.sort_entries();
        // (A set of every name only when there is a selection to check:
        // for 100,000 entries it costs ~15 ms.)
        if !self.selected.is_empty() {
            let names: BTreeSet<&[u8]> = self.entries.iter().map(|e| e.raw_name()).collect();
            self.selected.retain(|n| names.contains(n.as_slice()));
        }
        self.refilter();
        if let Some(name) = keep {
            self.cursor_to(&name);
        }
        self.clamp_cursor();
    }

    pub fn sort_entries(&mut self) {
        let (key, reverse) = (self.sort, self.reverse);
        // Sorted through indices, each name folded once: comparing with
        // `to_lowercase()` made two Strings per comparison, and the merge
        // passes moved whole ~200-byte entries; for 100,000 entries that was
        // ~200 ms of the 300 ms a pane that size may take to appear
        // (benches/ui.rs). Same order: a stable sort of indices in listing
        // order, on the same keys.
        let entries = &self.entries;
        let folded: Vec<String> = entries
            .iter()
            .map(|e| e.name.to_lowercase().into())
            .collect();
        // Case-insensitive, as people read names; exact bytes break ties.
        let by_name = |a: usize, b: usize| {
            folded[a]
                .cmp(&folded[b])
                .then_with(|| entries[a].raw_name().cmp(entries[b].raw_name()))
        };
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            let (ea, eb) = (&entries[a], &entries[b]);
            // Directories first, whatever the order, and among themselves
            // by name: a reversed sort reverses the files only (as mc does),
            // so `..`'s neighbours do not jump to the end.
            match (ea.is_dir(), eb.is_dir()) {
                (true, true) => return by_name(a, b),
                (true, false) => return std::cmp::Ordering::Less,
                (false, true) => return std::cmp::Ordering::Greater,
                _ => {}
            }
            let by = match key {
                SortKey::Name => by_name(a, b),
                SortKey::Size => ea.size.cmp(&eb.size).then_with(|| by_name(a, b)),
                SortKey::Time => ea.modified.cmp(&eb.modified).then_with(|| by_name(a, b)),
            };
            if reverse { by.reverse() } else { by }
        });
        let mut slots: Vec<Option<Entry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(Some)
            .collect();
        self.entries = order
            .into_iter()
            .map(|i| {
                slots[i]
                    .take()
                    .expect("a permutation takes each entry once")
            })
            .collect();
    }

    /// Toggles a sort key: the same key again reverses the order.
    pub(crate) fn set_sort(&mut self, key: SortKey) {
        if self.sort == key {
            self.reverse = !self.reverse;
        } else {
            self.sort = key;
            self.reverse = false;
        }
        let keep = self.cursor_entry().map(|e| e.raw_name().to_vec());
        self.sort_entries();
        self.refilter();
        if let Some(name) = keep {
            self.cursor_to(&name);
        }
    }

    pub(crate) fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        self.visible = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| needle.is_empty() || e.name.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        self.clamp_cursor();
    }

    pub fn cursor_to(&mut self, raw_name: &[u8]) {
        let parent = usize::from(self.has_parent());
        if let Some(i) = self
            .visible
            .iter()
            .position(|&e| self.entries[e].raw_name() == raw_name)
        {
            self.cursor = parent + i;
        }
    }

    /// The first entry row (past `..`): where a kept filter leaves the cursor.
    pub(crate) fn cursor_to_first_entry(&mut self) {
        self.cursor = usize::from(self.has_parent()).min(self.row_count().saturating_sub(1));
    }

    pub(crate) fn clamp_cursor(&mut self) {
        self.cursor = self.cursor.min(self.row_count().saturating_sub(1));
    }

    pub(crate) fn move_cursor(&mut self, delta: isize) {
        let last = self.row_count().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Keeps the cursor inside a window of `height` rows.
    pub(crate) fn scroll_into_view(&mut self, height: usize) {
        if height == 0 {
            return;
        }
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + height {
            self.scroll = self.cursor + 1 - height;
        }
        let max_scroll = self.row_count().saturating_sub(height);
        self.scroll = self.scroll.min(max_scroll);
    }

    pub(crate) fn toggle_selection_at_cursor(&mut self) {
        if let Some(name) = self.cursor_entry().map(|e| e.raw_name().to_vec())
            && !self.selected.remove(&name)
        {
            self.selected.insert(name);
        }
    }

    /// `+` / `-`: select or unselect the visible entries matching a shell
    /// pattern (`*`, `?`).
    pub(crate) fn select_pattern(&mut self, pattern: &str, select: bool) -> usize {
        let mut n = 0;
        for &i in &self.visible {
            let e = &self.entries[i];
            if glob_match(pattern, &e.name) {
                n += 1;
                if select {
                    self.selected.insert(e.raw_name().to_vec());
                } else {
                    self.selected.remove(e.raw_name());
                }
            }
        }
        n
    }

    /// `*`: inverts the selection over the visible files.
    pub(crate) fn invert_selection(&mut self) {
        for &i in &self.visible {
            let name = self.entries[i].raw_name();
            if !self.selected.remove(name) {
                self.selected.insert(name.to_vec());
            }
        }
    }

    /// What an operation acts on: the selection, or else the cursor entry.
    pub(crate) fn targets(&self) -> Vec<&Entry> {
        if self.selected.is_empty() {
            self.cursor_entry().into_iter().collect()
        } else {
            self.entries
                .iter()
                .filter(|e| self.selected.contains(e.raw_name()))
                .collect()
        }
    }

    pub(crate) fn selected_bytes(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| self.selected.contains(e.raw_name()))
            .filter_map(|e| e.size)
            .sum()
    }

    /// `cwd/name`.
    pub(crate) fn child_path(&self, name: &[u8]) -> Vec<u8> {
        join(&self.cwd, name)
    }

    pub(crate) fn parent_path(&self) -> Vec<u8> {
        parent(&self.cwd)
    }

    pub(crate) fn is_openable(entry: &Entry) -> bool {
        entry.is_dir() || entry.kind == EntryKind::Link
    }
}

pub(crate) fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = dir.to_vec();
    if !p.is_empty() && !p.ends_with(b"/") {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

pub(crate) fn parent(path: &[u8]) -> Vec<u8> {
    let trimmed = if path.len() > 1 {
        path.strip_suffix(b"/").unwrap_or(path)
    } else {
        path
    };
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(0) => b"/".to_vec(),
        Some(i) => trimmed[..i].to_vec(),
        None => Vec::new(),
    }
}

/// Shell-style `*` and `?`, case-insensitive (as mc does on `+`).
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn entry(name: &str, dir: bool, size: u64) -> Entry {
        let mut entry = Entry::named(
            name.as_bytes(),
            if dir { EntryKind::Dir } else { EntryKind::File },
        );
        entry.size = (!dir).then_some(size);
        entry
    }

    fn pane() -> Pane {
        let mut p = Pane::new(Place::Local, b"/pub".to_vec());
        p.set_entries(vec![
            entry("b.txt", false, 10),
            entry("docs", true, 0),
            entry("a.iso", false, 5000),
            entry("C.PL1", false, 1),
        ]);
        p
    }

    #[test]
    fn directories_first_then_by_key() {
        let mut p = pane();
        let names = |p: &Pane| {
            p.visible
                .iter()
                .map(|&i| p.entries[i].name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&p), ["docs", "a.iso", "b.txt", "C.PL1"]);
        p.set_sort(SortKey::Size);
        assert_eq!(names(&p), ["docs", "C.PL1", "b.txt", "a.iso"]);
        p.set_sort(SortKey::Size);
        assert_eq!(
            names(&p),
            ["docs", "a.iso", "b.txt", "C.PL1"],
            "again reverses, dirs stay first"
        );
    }

    /// The index sort gives exactly the order of the plain comparison sort
    /// it replaced: every key, both directions, case, non-ASCII names
    /// (final sigma folds by context), equal names and equal sizes.
    #[test]
    fn sort_matches_the_plain_comparison_sort() {
        let names = [
            "b.txt", "B.txt", "a", "Ähnlich", "ähnlich", "ΟΔΟΣ", "οδος", "z", "Z", "日本", "a",
            "10", "9", "docs", "Docs",
        ];
        let mut entries = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let mut e = entry(n, i % 4 == 0, (i % 3) as u64);
            e.modified = chrono::NaiveDate::from_ymd_opt(2024, 1, 1 + (i % 2) as u32)
                .and_then(|d| d.and_hms_opt(0, 0, 0));
            entries.push(e);
        }
        let by_name = |a: &Entry, b: &Entry| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.raw_name().cmp(b.raw_name()))
        };
        for key in [SortKey::Name, SortKey::Size, SortKey::Time] {
            for reverse in [false, true] {
                let mut want = entries.clone();
                want.sort_by(|a, b| {
                    let by = match key {
                        SortKey::Name => by_name(a, b),
                        SortKey::Size => a.size.cmp(&b.size).then_with(|| by_name(a, b)),
                        SortKey::Time => a.modified.cmp(&b.modified).then_with(|| by_name(a, b)),
                    };
                    // Directories first and by name; the files as asked.
                    match (a.is_dir(), b.is_dir()) {
                        (true, true) => by_name(a, b),
                        (true, false) => std::cmp::Ordering::Less,
                        (false, true) => std::cmp::Ordering::Greater,
                        _ if reverse => by.reverse(),
                        _ => by,
                    }
                });
                let mut p = Pane::new(Place::Local, b"/".to_vec());
                p.entries = entries.clone();
                (p.sort, p.reverse) = (key, reverse);
                p.sort_entries();
                let got: Vec<_> = p
                    .entries
                    .iter()
                    .map(|e| (&e.name, e.is_dir(), e.size))
                    .collect();
                let want: Vec<_> = want.iter().map(|e| (&e.name, e.is_dir(), e.size)).collect();
                assert_eq!(got, want, "{key:?} reverse={reverse}");
            }
        }
    }

    #[test]
    fn filter_and_cursor() {
        let mut p = pane();
        assert_eq!(p.row_count(), 5, ".. plus four");
        p.filter = "T".into();
        p.refilter();
        assert_eq!(p.row_count(), 2);
        p.cursor_to_first_entry();
        assert_eq!(p.cursor_entry().unwrap().name, "b.txt");
        p.move_cursor(-10);
        assert!(p.cursor_entry().is_none(), "on ..");
        p.move_cursor(10);
        assert_eq!(p.cursor, 1);
    }

    #[test]
    fn selection_patterns() {
        let mut p = pane();
        assert_eq!(p.select_pattern("*.t?t", true), 1);
        assert_eq!(p.select_pattern("*.PL1", true), 1);
        assert_eq!(p.selected.len(), 2);
        assert_eq!(p.selected_bytes(), 11);
        p.invert_selection();
        assert_eq!(p.selected.len(), 2, "docs and a.iso");
        assert!(p.selected.contains(b"a.iso".as_slice()));
        p.select_pattern("*", false);
        assert!(p.selected.is_empty());
        assert!(glob_match("*", ""));
        assert!(!glob_match("a*b", "ac"));
    }

    #[test]
    fn listing_refresh_keeps_cursor_and_drops_vanished_selection() {
        let mut p = pane();
        p.cursor_to(b"b.txt");
        p.selected.insert(b"a.iso".to_vec());
        p.set_entries(vec![entry("b.txt", false, 1), entry("new", false, 1)]);
        assert_eq!(p.cursor_entry().unwrap().name, "b.txt");
        assert!(p.selected.is_empty());
    }

    #[test]
    fn scrolling_follows_the_cursor() {
        let mut p = pane();
        p.cursor = 4;
        p.scroll_into_view(2);
        assert_eq!(p.scroll, 3);
        p.cursor = 0;
        p.scroll_into_view(2);
        assert_eq!(p.scroll, 0);
    }

    #[test]
    fn paths() {
        assert_eq!(join(b"/a", b"b"), b"/a/b");
        assert_eq!(join(b"/", b"b"), b"/b");
        assert_eq!(join(b"", b"b"), b"b");
        assert_eq!(parent(b"/a/b"), b"/a");
        assert_eq!(parent(b"/a"), b"/");
        assert_eq!(parent(b"/"), b"/");
    }
}
