//! `attach-virtualbox.sh` and `attach-virtualbox.cmd`: one `VBoxManage storageattach` line
//! per vdisk that names a `vm`, each word quoted for its shell. Pure: text out.

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
/// installer records in `VBOX_MSI_INSTALL_PATH`; stops at the first failure (`if errorlevel
/// 1 exit /b 1` after each line).
pub fn attach_cmd(lines: &[AttachLine]) -> String {
    let mut text = String::from("@echo off\r\n");
    for note in HEADER_NOTE.lines() {
        text.push_str("rem ");
        text.push_str(&note.replace('(', "^(").replace(')', "^)"));
        text.push_str("\r\n");
    }
    text.push_str("setlocal EnableExtensions DisableDelayedExpansion\r\n");
    text.push_str(
        "if defined VBOX_MSI_INSTALL_PATH set \"PATH=%VBOX_MSI_INSTALL_PATH%;%PATH%\"\r\n",
    );
    for line in lines {
        let mut words = vec!["VBoxManage".to_string()];
        words.extend(line.args());
        text.push_str(&cmd_line(&words));
        // Not `|| exit /b 1`: Wine's cmd runs the right side of `||` even on success.
        text.push_str("\r\nif errorlevel 1 exit /b 1\r\n");
    }
    text
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
        let text = attach_cmd(&[line("W 1", r"C:\p\vm1.vmdk")]);
        assert!(
            text.contains(
                "\r\nVBoxManage storageattach \"W 1\" --storagectl SATA --port 1 --device 0 --type hdd --medium C:\\p\\vm1.vmdk --mtype shareable\r\nif errorlevel 1 exit /b 1\r\n"
            ),
            "{text}"
        );
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    }
}
