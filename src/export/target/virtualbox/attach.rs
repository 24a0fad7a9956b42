//! `attach-virtualbox.sh` and `attach-virtualbox.cmd`: one `VBoxManage storageattach` line
//! per vdisk that names a `vm`, each word quoted for its shell. Pure: text out.

use std::path::Path;

/// The longest line cmd.exe reads (8191 characters); a longer one is not run.
const CMD_LINE_MAX: usize = 8191;

/// Why the export folder's absolute path cannot be written into the attach scripts (and
/// the other files that name descriptors by it), or None. Completes "export folder X ...".
/// Quoting carries any other character intact, in sh and in cmd; a line break cannot be
/// quoted in a batch file (cmd.exe ends the command there and runs the rest as its own),
/// and text that is not Unicode cannot be spelled in UTF-8 at all.
pub fn folder_path_problem(path: &Path) -> Option<&'static str> {
    match path.to_str() {
        None => Some(
            "is not valid Unicode text, so the files that name the descriptors by it cannot spell it",
        ),
        Some(text) if text.chars().any(char::is_control) => Some(
            "contains a control character (such as a line break), which no attach script can quote: in attach-virtualbox.cmd it would end the command and start another",
        ),
        Some(_) => None,
    }
}

/// One storageattach line's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachLine {
    pub vm: String,
    pub controller: String,
    pub port: u32,
    /// The descriptor's absolute path.
    pub medium: String,
    pub shareable: bool,
}

impl AttachLine {
    /// The arguments after `VBoxManage`, unquoted.
    pub fn args(&self) -> Vec<String> {
        [
            "storageattach",
            &self.vm,
            "--storagectl",
            &self.controller,
            "--port",
            &self.port.to_string(),
            "--device",
            "0",
            "--type",
            "hdd",
            "--medium",
            &self.medium,
            "--mtype",
            if self.shareable {
                "shareable"
            } else {
                "normal"
            },
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

/// A word for POSIX sh: kept bare when it holds only safe characters, else in single quotes
/// (inside which nothing is special; a `'` is closed, escaped and reopened).
pub fn sh_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+,@".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A word for a Windows program's command line (the C runtime's rules, which VBoxManage
/// follows): bare when it holds only letters, digits and `-_.:/\\`, else in double quotes, a `"` written `\"`, backslashes doubled only where they end
/// up before a quote.
fn msvcrt_quote(word: &str) -> String {
    let bare = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/\\".contains(c));
    if bare {
        return word.to_string();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0usize;
    for c in word.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// A command line for a batch file: each word quoted for the C runtime, then the line made
/// safe from cmd.exe, which reads it first: `%` becomes `%%` everywhere (a batch file
/// expands `%...%` even inside quotes), and where cmd.exe believes it is outside quotes
/// (it knows nothing of `\"`) the characters `^ & | < > ( )` are escaped with `^`.
pub fn cmd_line(words: &[String]) -> String {
    let line = words
        .iter()
        .map(|w| msvcrt_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(line.len() + 8);
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '%' => out.push_str("%%"),
            '^' | '&' | '|' | '<' | '>' | '(' | ')' if !quoted => {
                out.push('^');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

const HEADER_NOTE: &str =
    "Attach carve's vdisks to their VirtualBox VMs. Each VM must be powered off and have the
storage controller named below (add one with: VBoxManage storagectl VM --name SATA --add sata).
Written by carve export; run it again after each export, it changes nothing when attached.";

/// The sh script: `set -e`, then one line per vdisk.
pub fn attach_sh(lines: &[AttachLine]) -> String {
    let mut text = String::from("#!/bin/sh\n");
    for note in HEADER_NOTE.lines() {
        text.push_str("# ");
        text.push_str(note);
        text.push('\n');
    }
    text.push_str("set -e\n");
    for line in lines {
        text.push_str("VBoxManage");
        for word in line.args() {
            text.push(' ');
            text.push_str(&sh_quote(&word));
        }
        text.push('\n');
    }
    text
}

/// The batch file (CRLF line ends): VBoxManage from PATH, or from the folder VirtualBox's
/// installer records in `VBOX_MSI_INSTALL_PATH`; stops at the first failure (exit status 1).
/// The file is UTF-8, and cmd.exe reads a batch file in the console's code page (437, 850,
/// 932, ... never UTF-8 by default), so it switches to UTF-8 (`chcp 65001`) before the first
/// line that can hold a word that is not ASCII, and gives the console its code page back
/// before it exits. Everything up to that switch is ASCII. Errors when a line is longer than
/// cmd.exe reads.
pub fn attach_cmd(lines: &[AttachLine]) -> Result<String, String> {
    let mut text = String::from("@echo off\r\n");
    for note in HEADER_NOTE.lines() {
        text.push_str("rem ");
        text.push_str(&note.replace('(', "^(").replace(')', "^)"));
        text.push_str("\r\n");
    }
    text.push_str("setlocal EnableExtensions DisableDelayedExpansion\r\n");
    // chcp prints "Active code page: 850" (localized, some with a final dot): the number is
    // the second field split at `:` and `.`.
    text.push_str("set \"carve_cp=\"\r\n");
    text.push_str("for /f \"tokens=2 delims=:.\" %%c in ('chcp') do set \"carve_cp=%%c\"\r\n");
    text.push_str("chcp 65001 >nul\r\n");
    text.push_str(
        "if defined VBOX_MSI_INSTALL_PATH set \"PATH=%VBOX_MSI_INSTALL_PATH%;%PATH%\"\r\n",
    );
    for line in lines {
        let mut words = vec!["VBoxManage".to_string()];
        words.extend(line.args());
        let command = cmd_line(&words);
        let length = command.encode_utf16().count();
        if length > CMD_LINE_MAX {
            return Err(format!(
                "the attach line for vm `{}` is {length} characters long, more than cmd.exe reads ({CMD_LINE_MAX}); use a shorter vm name, controller name or export folder",
                crate::text::escape(&line.vm)
            ));
        }
        text.push_str(&command);
        // Not `|| goto ...`: Wine's cmd runs the right side of `||` even on success.
        text.push_str("\r\nif errorlevel 1 goto carve_failed\r\n");
    }
    text.push_str("set carve_rc=0\r\ngoto carve_end\r\n");
    text.push_str(":carve_failed\r\nset carve_rc=1\r\n");
    text.push_str(":carve_end\r\n");
    // Under Wine (no console) chcp reports code page 0, which it cannot set back: quiet.
    text.push_str("if defined carve_cp chcp %carve_cp% >nul 2>&1\r\n");
    text.push_str("exit /b %carve_rc%\r\n");
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(vm: &str, medium: &str) -> AttachLine {
        AttachLine {
            vm: vm.into(),
            controller: "SATA".into(),
            port: 1,
            medium: medium.into(),
            shareable: true,
        }
    }

    #[test]
    fn sh_quoting() {
        assert_eq!(sh_quote("SATA"), "SATA");
        assert_eq!(sh_quote("/tmp/p/vm1/vm1.vmdk"), "/tmp/p/vm1/vm1.vmdk");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("Win 11"), "'Win 11'");
        assert_eq!(sh_quote("it's $HOME `x`"), r"'it'\''s $HOME `x`'");
        let text = attach_sh(&[line("Win \"11\"", "/p/a b/vm1.vmdk")]);
        assert!(
            text.ends_with(
                "set -e\nVBoxManage storageattach 'Win \"11\"' --storagectl SATA --port 1 --device 0 --type hdd --medium '/p/a b/vm1.vmdk' --mtype shareable\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn cmd_quoting() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(cmd_line(&words(&["a b", "c"])), r#""a b" c"#);
        assert_eq!(cmd_line(&words(&[""])), r#""""#);
        assert_eq!(cmd_line(&words(&["100%"])), r#""100%%""#);
        // Inside quotes as cmd.exe sees them, & and ^ are plain.
        assert_eq!(cmd_line(&words(&["R&D ^x"])), r#""R&D ^x""#);
        // A quote in a word: the C runtime reads \" as a quote; cmd.exe toggles its state
        // there, so what follows until the next quote is escaped for it.
        assert_eq!(cmd_line(&words(&[r#"a"&b"#])), r#""a\"^&b""#);
        // Backslashes before a quote and at the end are doubled, elsewhere kept.
        assert_eq!(cmd_line(&words(&[r"C:\x\"])), r"C:\x\");
        assert_eq!(cmd_line(&words(&[r"C:\x y\"])), r#""C:\x y\\""#);
        assert_eq!(cmd_line(&words(&[r#"a\"b"#])), r#""a\\\"b""#);
        let text = attach_cmd(&[line("W 1", r"C:\p\vm1.vmdk")]).expect("cmd");
        assert!(
            text.contains(
                "\r\nVBoxManage storageattach \"W 1\" --storagectl SATA --port 1 --device 0 --type hdd --medium C:\\p\\vm1.vmdk --mtype shareable\r\nif errorlevel 1 goto carve_failed\r\n"
            ),
            "{text}"
        );
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    }

    /// cmd.exe decodes a batch file in the console's code page: everything before the
    /// switch to UTF-8 is ASCII, the switch comes before the first VBoxManage line, and the
    /// code page is given back before the one exit.
    #[test]
    fn cmd_switches_to_utf8_before_any_word_and_back_at_the_end() {
        let text = attach_cmd(&[line("Müller 日本 😀", r"C:\Ünï\vm1.vmdk")]).expect("cmd");
        let switch = "\r\nchcp 65001 >nul\r\n";
        let at = text.find(switch).expect("chcp 65001");
        assert!(text[..at + switch.len()].is_ascii(), "{text}");
        let first = text.find("VBoxManage storageattach").expect("a line");
        assert!(at < first, "{text}");
        let restore = text
            .find("if defined carve_cp chcp %carve_cp% >nul 2>&1\r\n")
            .expect("restore");
        assert!(
            restore > text.rfind("VBoxManage").expect("a line"),
            "{text}"
        );
        assert_eq!(text.matches("exit /b").count(), 1, "{text}");
        assert!(text.ends_with("exit /b %carve_rc%\r\n"), "{text}");
    }

    #[test]
    fn folder_paths_attach_scripts_cannot_carry() {
        for bad in [
            "/p/a\nb",
            "/p/a\rb",
            "/p/a\tb",
            "/p/\u{1b}[31m",
            "/p/\u{85}x",
        ] {
            assert!(folder_path_problem(Path::new(bad)).is_some(), "{bad:?}");
        }
        // Quoting carries these in both scripts (tests/export_hypervisors.rs runs them).
        for good in ["/p/100% & ^x \"q\" (a) !b", "/p/Müller/日本", r"C:\p\x"] {
            assert_eq!(folder_path_problem(Path::new(good)), None, "{good:?}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let latin1 = std::ffi::OsStr::from_bytes(b"/p/caf\xe9");
            assert!(folder_path_problem(Path::new(latin1)).is_some());
        }
    }

    #[test]
    fn a_line_longer_than_cmd_reads_is_refused() {
        let long = "v".repeat(CMD_LINE_MAX);
        let err = attach_cmd(&[line(&long, r"C:\p\vm1.vmdk")]).expect_err("too long");
        assert!(err.contains("more than cmd.exe reads (8191)"), "{err}");
        assert!(attach_cmd(&[line(&"v".repeat(8000), r"C:\p\vm1.vmdk")]).is_ok());
    }
}
