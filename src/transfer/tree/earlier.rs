//! What an interrupted run left at a resumed tree's destinations: a tree
//! walked again on `fxpc queue resume` skips a file that verified and
//! continues one that was being written.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::transfer::sessions::site::Location;

/// What an interrupted run left, by destination (site key, path): a file
/// that verified (`true`: not copied again) or that it had started writing
/// (`false`: continued from its size), for trees walked again on resume.
/// A place at a destination: its site's key (`None`: the local disk) and
/// path.
type Spot = (Option<String>, Vec<u8>);

#[derive(Default)]
pub(crate) struct Earlier {
    by_destination: Mutex<HashMap<Spot, bool>>,
}

impl Earlier {
    pub(crate) fn note(&self, destination: &Location, verified: bool) {
        let key = (destination.site.key(), destination.path.clone());
        self.lock().insert(key, verified);
    }

    pub(crate) fn of(&self, destination: &Location) -> Option<bool> {
        let key = (destination.site.key(), destination.path.clone());
        self.lock().get(&key).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Spot, bool>> {
        self.by_destination.lock().expect("earlier lock")
    }
}
