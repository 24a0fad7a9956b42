//! Opening a file the user names for reading: a plan, a descriptor, a `.vbox` file. Only a
//! regular file is opened, and what is not one is refused without blocking: opening a FIFO
//! for reading waits for a writer (forever when none comes), and a terminal or `/dev/zero`
//! never ends. Disks and images are opened by `disk::readonly` (which takes block devices
//! too) and refuse the same way.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// What is read and how to name it in an error: `what` completes "pass ... as a regular
/// file" ("the plan", "each descriptor and .vbox file").
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub what: &'a str,
}

/// The first bytes of a file and whether they are all of it.
#[derive(Debug)]
pub struct Head {
    pub bytes: Vec<u8>,
    /// The file's size when it was opened.
    pub len: u64,
    pub whole: bool,
}

/// The kind of a file that is not a regular one, as said in an error.
fn kind_of(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe), which would wait for a writer";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    "not a regular file"
}

fn refuse(path: &Path, input: Input, kind: std::fs::FileType) -> Error {
    Error::at(
        path,
        format!(
            "is {}, not a file carve reads; pass {} as a regular file",
            kind_of(kind),
            input.what
        ),
    )
}

/// Open `path` for reading when it is a regular file (symlinks followed), else say what it
/// is. Looked at before opening, so a FIFO is never opened; opened without blocking (on
/// Unix) and looked at again, so one swapped in between is refused too.
pub fn open(path: &Path, input: Input) -> Result<File> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::io(path, &format!("read {}", input.what), &e))?;
    if !meta.is_file() {
        return Err(refuse(path, input, meta.file_type()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options
        .open(path)
        .map_err(|e| Error::io(path, "open it for reading", &e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(path, "read its metadata", &e))?;
    if !meta.is_file() {
        return Err(refuse(path, input, meta.file_type()));
    }
    // A regular file reads the same without O_NONBLOCK; cleared so nothing later depends on
    // it.
    #[cfg(unix)]
    rustix::fs::fcntl_setfl(&file, rustix::fs::OFlags::empty())
        .map_err(|e| Error::io(path, "open it for reading", &e.into()))?;
    Ok(file)
}

/// The first `limit` bytes of the regular file `path` (all of it when it is not larger).
pub fn read_head(path: &Path, input: Input, limit: u64) -> Result<Head> {
    let file = open(path, input)?;
    let len = file
        .metadata()
        .map_err(|e| Error::io(path, "read its metadata", &e))?
        .len();
    let mut bytes = Vec::with_capacity(len.min(limit).saturating_add(1) as usize);
    // One byte past the limit tells a file of exactly `limit` bytes from a larger one (the
    // size can change while it is read).
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, "read it", &e))?;
    let whole = bytes.len() as u64 <= limit;
    bytes.truncate(limit.min(bytes.len() as u64) as usize);
    Ok(Head { bytes, len, whole })
}

/// The whole regular file `path`, refused when larger than `limit` bytes (`limit_text` says
/// the limit for people: "16 MiB").
pub fn read_whole(path: &Path, input: Input, limit: u64, limit_text: &str) -> Result<Vec<u8>> {
    let head = read_head(path, input, limit)?;
    if !head.whole {
        return Err(Error::at(
            path,
            format!(
                "is too large ({} bytes, more than the {limit_text} carve reads of {}); pass {} as written by its program",
                head.len.max(limit.saturating_add(1)),
                input.what,
                input.what
            ),
        ));
    }
    Ok(head.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: Input = Input { what: "the plan" };

    #[test]
    fn reads_regular_files_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f");
        std::fs::write(&p, b"0123456789").expect("write");
        assert_eq!(
            read_whole(&p, INPUT, 10, "10 bytes").expect("read"),
            b"0123456789"
        );
        let err = read_whole(&p, INPUT, 9, "9 bytes").expect_err("too large");
        assert!(err.message().contains("is too large (10 bytes"), "{err}");
        let head = read_head(&p, INPUT, 4).expect("head");
        assert_eq!(
            (head.bytes.as_slice(), head.whole, head.len),
            (&b"0123"[..], false, 10)
        );
        let err = read_whole(dir.path(), INPUT, 9, "9 bytes").expect_err("a folder");
        assert!(
            err.message()
                .contains("is a folder, not a file carve reads; pass the plan as a regular file"),
            "{err}"
        );
        let err = open(&dir.path().join("missing"), INPUT).expect_err("missing");
        assert!(err.message().contains("cannot read the plan: "), "{err}");
    }

    /// A FIFO with no writer: refused at once (opening it to read would wait forever).
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .expect("mkfifo");
        let err = read_whole(&fifo, INPUT, 9, "9 bytes").expect_err("a fifo");
        assert!(err.message().contains("is a FIFO (named pipe)"), "{err}");
        let err = open(Path::new("/dev/null"), INPUT).expect_err("a device");
        assert!(err.message().contains("is a character device"), "{err}");
    }
}
