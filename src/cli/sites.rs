//! `fxpc sites import FILE`: another tool's sites saved as fxpc's.

use std::path::Path;

use anyhow::{Context, Result};
use fxpc::sites::Config;
use fxpc::sites::import;
use fxpc::text::printable;

pub fn import(file: &Path) -> Result<()> {
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let text = String::from_utf8_lossy(&text);
    let found = import::read(&text).with_context(|| file.display().to_string())?;
    let format = found.format;
    let mut config = Config::load();
    let outcome = config.import(found.sites);
    if !outcome.added.is_empty() {
        config.save().context("saving the sites (config.toml)")?;
    }
    // Names and URLs come from a file someone else may have written.
    println!(
        "{}: {} sites imported from {format}",
        printable(&file.display().to_string()),
        outcome.added.len()
    );
    for (name, url) in &outcome.added {
        println!("  imported    {}  {}", printable(name), printable(url));
    }
    for (name, saved) in &outcome.already {
        println!(
            "  not again   {}: already saved as {}",
            printable(name),
            printable(saved)
        );
    }
    for left in &found.left_out {
        println!(
            "  left out    {}: {}",
            printable(&left.name),
            printable(&left.why)
        );
    }
    Ok(())
}
