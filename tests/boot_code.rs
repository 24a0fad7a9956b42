//! The guest MBR boot code carve ships (`assets/boot/mbr.bin`) is what its source
//! (`assets/boot/mbr.S`) assembles to, byte for byte: the bytes in a guest's sector 0 are
//! the reviewed source, nothing else.

use std::path::Path;
use std::process::Command;

#[test]
fn the_shipped_boot_code_is_its_source_assembled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/boot");
    let tools = ["as", "ld"].iter().all(|t| {
        Command::new(t)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !tools {
        assert!(
            std::env::var_os("CI").is_none(),
            "GNU as and ld (binutils) are needed under CI"
        );
        eprintln!("note: GNU as/ld missing; the boot code is not re-assembled");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let object = dir.path().join("mbr.o");
    let binary = dir.path().join("mbr.bin");
    let out = Command::new("as")
        .arg("--32")
        .arg("-o")
        .arg(&object)
        .arg(root.join("mbr.S"))
        .output()
        .expect("as");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("ld")
        .args([
            "-m",
            "elf_i386",
            "-Ttext=0x600",
            "--oformat=binary",
            "-e",
            "start",
            "-o",
        ])
        .arg(&binary)
        .arg(&object)
        .output()
        .expect("ld");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let assembled = std::fs::read(&binary).expect("assembled");
    let shipped = std::fs::read(root.join("mbr.bin")).expect("shipped");
    assert_eq!(assembled.len(), 440);
    assert!(
        assembled == shipped,
        "assets/boot/mbr.bin is not mbr.S assembled: run the command at the top of mbr.S"
    );
}
