//! The small types every part of the UI names: which pane, and an entry
//! on its way from one pane to the other.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }
    pub(crate) fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
    pub(crate) fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
    pub(crate) fn letter(self) -> char {
        match self {
            Side::Left => 'a',
            Side::Right => 'b',
        }
    }
}

/// One entry being carried to the other pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub raw_name: Vec<u8>,
    pub name: String,
    pub is_dir: bool,
    pub size: Option<u64>,
}
