//! `fxpc ls` against a server of every LIST family fxpc reads
//! (`tests/hostile_server.py --listing-family`): names, sizes and types as
//! the listing says, and, with `-v`, the server type and where it came
//! from.

mod common;

use std::process::{Command, Stdio};

use common::{Hostile, next_addr};

const FXPC: &str = env!("CARGO_BIN_EXE_fxpc");

/// `fxpc ls -v` of the family's server; (ok, stdout, stderr).
fn ls(family: &str, config: Option<&str>) -> (bool, String, String) {
    let server = Hostile::start(&next_addr(), &["--listing-family", family]);
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    let addr = server.socket_addr();
    if let Some(listing) = config {
        std::fs::write(
            &config_path,
            format!("[[site]]\nname = \"it\"\nurl = \"ftp://{addr}/\"\nlisting = \"{listing}\"\n"),
        )
        .unwrap();
    }
    let out = Command::new(FXPC)
        .args(["ls", "-v", &format!("ftp://{addr}/")])
        .env("XDG_STATE_HOME", dir.path())
        .env("NETRC", "/nonexistent")
        .env("FXPC_CONFIG", &config_path)
        .env_remove("FXPC_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One line of `ls`: type, size, name.
type Row = (String, String, String);

/// `ls`'s lines as (type, size, name): `T SIZE(12) TIME(19) NAME`.
fn rows(out: &str) -> Vec<Row> {
    out.lines()
        .map(|line| {
            let cell = |from: usize, to: usize| line.get(from..to).unwrap_or("").trim().to_string();
            (
                cell(0, 1),
                cell(2, 14),
                line.get(35..).unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn row(kind: &str, size: &str, name: &str) -> Row {
    (kind.into(), size.into(), name.into())
}

#[test]
fn every_family_is_read_by_fxpc_ls() {
    let file_and_dir = |file: &str, size: &str, dir: &str, dir_size: &str| {
        vec![row("-", size, file), row("d", dir_size, dir)]
    };
    let cases: Vec<(&str, Vec<Row>, &str)> = vec![
        (
            "unix",
            file_and_dir("a file.txt", "1234", "sub dir", "4096"),
            "Unix (SYST reply",
        ),
        (
            "dos",
            file_and_dir("a file.txt", "1234", "sub dir", "-"),
            "DOS/Windows (SYST reply",
        ),
        (
            "eplf",
            file_and_dir("file.txt", "1234", "subdir", "-"),
            "Unix (SYST reply",
        ),
        (
            "vms",
            file_and_dir("FILE.TXT;3", "1536", "SUBDIR", "-"),
            "VMS (SYST reply",
        ),
        (
            "os2",
            file_and_dir("file.txt", "1234", "subdir", "-"),
            "OS/2 (SYST reply",
        ),
        (
            "netware",
            file_and_dir("file.txt", "1234", "subdir", "-"),
            "NetWare (SYST reply",
        ),
        (
            "as400",
            file_and_dir("file.txt", "1234", "subdir", "-"),
            "AS/400 (IBM i) (SYST reply",
        ),
        (
            "netpresenz",
            file_and_dir("file.txt", "1234", "subdir", "2"),
            "NetPresenz (Mac OS) (SYST reply",
        ),
        (
            "vshell",
            file_and_dir("file.txt", "1234", "subdir", "0"),
            "Unix (SYST reply",
        ),
        (
            "wftpd",
            file_and_dir("FILE.TXT", "1234", "SUBDIR", "-"),
            "DOS/Windows (SYST reply",
        ),
        (
            "os9",
            file_and_dir("file.txt", "1234", "subdir", "-"),
            "automatic (SYST refused",
        ),
        (
            "vxworks",
            file_and_dir("file.txt", "1234", "subdir", "-"),
            "automatic (SYST refused",
        ),
        (
            "tandem",
            vec![row("-", "56789", "FILETXT"), row("-", "1234", "SUBVOL1")],
            "HP NonStop (SYST reply",
        ),
        (
            "mvs",
            vec![
                row("-", "-", "BREAD.CLIST"),
                row("-", "-", "HSM.DATASET"),
                row("d", "-", "SOURCE.COBOL"),
            ],
            "MVS (z/OS) (SYST reply",
        ),
        (
            "pds",
            vec![row("-", "-", "MEMBER1"), row("-", "-", "NOSTATS")],
            "MVS (z/OS) (a heading in the listing's first lines)",
        ),
        (
            "connect",
            vec![row("-", "1234", "QUADTEST"), row("-", "0", "QUADTEST2")],
            "Unix (SYST reply",
        ),
    ];
    for (family, expected, said) in cases {
        let (ok, out, err) = ls(family, None);
        assert!(ok, "{family}: {err}");
        assert_eq!(rows(&out), expected, "{family}:\n{out}");
        assert!(
            err.contains(&format!("fxpc: server type: {said}")),
            "{family}: {err}"
        );
    }
}

/// The `want:` rows of a corpus file (tests/fixtures/listings/README.md).
fn corpus_wants(text: &str) -> Vec<Row> {
    text.lines()
        .filter_map(|line| line.strip_prefix("want: "))
        .map(|want| {
            let mut parts = want.splitn(3, ' ');
            let (kind, size, name) = (parts.next(), parts.next(), parts.next());
            row(kind.unwrap_or(""), size.unwrap_or(""), name.unwrap_or(""))
        })
        .collect()
}

#[test]
fn every_corpus_line_is_read_by_fxpc_ls() {
    // Real servers' lines, each family served with its own SYST answer.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/listings");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}", dir.display());
    let mut wrong = Vec::new();
    for file in files {
        let family = file.file_stem().unwrap().to_str().unwrap().to_string();
        let mut wants = corpus_wants(&std::fs::read_to_string(&file).unwrap());
        let (ok, out, err) = ls(&format!("corpus-{family}"), None);
        assert!(ok, "{family}: {err}");
        let mut got = rows(&out);
        got.sort();
        wants.sort();
        if got != wants {
            wrong.push(format!("{family}:\n{out}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn zvm_files_are_named_as_the_server_takes_them() {
    // A CMS file's line says `PROFILE  EXEC`; the server takes
    // `PROFILE.EXEC`.
    let (ok, out, err) = ls("zvm", None);
    assert!(ok, "{err}");
    assert!(err.contains("fxpc: server type: z/VM (SYST reply"), "{err}");
    assert_eq!(
        rows(&out),
        // Variable records: length × count, an upper bound.
        [row("-", "284", "PROFILE.EXEC"), row("d", "-", "SUBDIR")],
        "{out}"
    );
}

#[test]
fn the_site_setting_reads_what_nothing_else_tells() {
    // No SYST, no heading: NonStop lines are too loose to guess.
    let (ok, out, err) = ls("tandem-bare", None);
    assert!(ok, "{err}");
    assert!(rows(&out).iter().all(|r| r.0 == "?"), "{out}");
    let (ok, out, err) = ls("tandem-bare", Some("tandem"));
    assert!(ok, "{err}");
    assert_eq!(
        rows(&out),
        [row("-", "56789", "FILETXT"), row("-", "1234", "SUBVOL1")],
        "{out}"
    );
    assert!(
        err.contains("fxpc: server type: HP NonStop (the site's listing setting)"),
        "{err}"
    );
    // A name fxpc does not know is an error that says which ones it does.
    let (ok, _, err) = ls("unix", Some("cobol"));
    assert!(!ok && err.contains("listing = \"cobol\""), "{err}");
}

#[tokio::test]
async fn syst_is_asked_once_and_only_for_list() {
    use fxpc::ftp::listing::{ListingStyle, StyleSource};
    use fxpc::ftp::{Client, Login, Options};
    let server = Hostile::start(&next_addr(), &["--listing-family", "mvs"]);
    let addr = server.socket_addr();
    let mut client = Client::open(
        &addr.ip().to_string(),
        addr.port(),
        &Login::default(),
        Options::default(),
    )
    .await
    .unwrap();
    assert_eq!(client.last_listing_style(), None);
    for _ in 0..2 {
        let entries = client.list(None).await.unwrap();
        assert_eq!(entries.len(), 3);
    }
    let style = client.last_listing_style().unwrap();
    assert_eq!(style.style, ListingStyle::Mvs);
    assert!(matches!(&style.source, StyleSource::Syst(text) if text.starts_with("MVS is")));
    assert_eq!(server.log().matches("SYST").count(), 1, "{}", server.log());
    // MVS takes LIST's argument as a data set pattern: no `-a`.
    assert!(!server.log().contains("LIST -a"), "{}", server.log());

    // A server with MLSD is never asked.
    let server = Hostile::start(&next_addr(), &["--evil-listing"]);
    let addr = server.socket_addr();
    let mut client = Client::open(
        &addr.ip().to_string(),
        addr.port(),
        &Login::default(),
        Options::default(),
    )
    .await
    .unwrap();
    client.list(None).await.unwrap();
    assert!(!server.log().contains("SYST"), "{}", server.log());
    assert_eq!(client.last_listing_style(), None);
}
