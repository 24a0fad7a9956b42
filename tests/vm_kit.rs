//! The guest kit itself (tests/vm_support): it boots, runs its script, sees a virtio disk,
//! and what it writes lands on the host's file.

use crate::vm_support;

#[test]
fn the_guest_boots_runs_its_script_and_writes_its_disk() {
    if vm_support::kit().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("disk.img");
    std::fs::write(&image, vm_support::disk::tagged(0, 1 << 20)).expect("image");
    let ran = vm_support::run(
        "cmp /expected /dev/vda\n\
         echo carve-read: ok\n\
         echo carve-size: $(cat /sys/block/vda/size)\n\
         printf 'from the guest' | dd of=/dev/vda bs=512 seek=3 conv=notrunc,fsync 2>/dev/null\n",
        &[format!("file={},format=raw,if=virtio", image.display())],
        &[("expected", &vm_support::disk::tagged(0, 1 << 20))],
    );
    assert_eq!(
        ran.lines_with("carve-read: ").collect::<Vec<_>>(),
        ["ok"],
        "{}",
        ran.output
    );
    assert_eq!(
        ran.lines_with("carve-size: ").collect::<Vec<_>>(),
        ["2048"],
        "{}",
        ran.output
    );
    let now = std::fs::read(&image).expect("image");
    let mut want = vm_support::disk::tagged(0, 1 << 20);
    want[3 * 512..3 * 512 + 14].copy_from_slice(b"from the guest");
    assert!(
        now == want,
        "the guest's write is at sector 3 and nowhere else"
    );
    eprintln!(
        "vm-kit: booted to its script in {:.1} s, powered off after {:.1} s",
        ran.boot.as_secs_f64(),
        ran.total.as_secs_f64()
    );
}
