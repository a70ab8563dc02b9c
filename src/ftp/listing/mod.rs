// Placeholder until the listing parsers land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind { File, Dir, Link, Special(char), Other(String), Unparsed }
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String, pub raw_name: Vec<u8>, pub kind: EntryKind, pub size: Option<u64>,
    pub modified: Option<chrono::NaiveDateTime>, pub perm: Option<String>, pub unique: Option<String>,
    pub link_target: Option<String>, pub raw: Option<String>,
}
pub fn parse_mlsd(_data: &[u8]) -> Vec<Entry> { Vec::new() }
pub fn parse_list(_data: &[u8], _today: chrono::NaiveDate) -> Vec<Entry> { Vec::new() }
