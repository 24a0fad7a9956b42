//! Naming what holds a block node: LVM, RAID, dm-crypt or another device-mapper target.

use super::sysfs::Sysfs;

/// "LVM member of vg0", "RAID member of md0", "dm-crypt luks-1234", "held by dm-3".
pub fn describe(sys: &Sysfs, holder: &str) -> String {
    if let Some((dm_name, uuid)) = sys.dm_name(holder) {
        return describe_dm(&dm_name, &uuid);
    }
    if holder.starts_with("md") {
        return format!("RAID member of {holder}");
    }
    format!("held by {holder}")
}

fn describe_dm(dm_name: &str, uuid: &str) -> String {
    if uuid.starts_with("LVM-") {
        let vg = lvm_volume_group(dm_name);
        return format!("LVM member of {vg}");
    }
    if uuid.starts_with("CRYPT-") {
        return format!("dm-crypt {dm_name}");
    }
    if uuid.starts_with("mpath-") {
        return format!("multipath member of {dm_name}");
    }
    format!("device-mapper member of {dm_name}")
}

/// LVM names its dm nodes `VG-LV` with every `-` inside a name doubled; the volume group is
/// everything before the first single `-`.
pub fn lvm_volume_group(dm_name: &str) -> String {
    let mut vg = String::new();
    let mut chars = dm_name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' {
            if chars.peek() == Some(&'-') {
                chars.next();
                vg.push('-');
                continue;
            }
            return vg;
        }
        vg.push(c);
    }
    // No separator: not an LVM-shaped name; show it whole.
    dm_name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lvm_names() {
        assert_eq!(lvm_volume_group("vg0-root"), "vg0");
        assert_eq!(lvm_volume_group("my--vg-home--lv"), "my-vg");
        assert_eq!(lvm_volume_group("plain"), "plain");
        assert_eq!(describe_dm("vg0-swap", "LVM-abc"), "LVM member of vg0");
        assert_eq!(describe_dm("luks-1", "CRYPT-LUKS2-x"), "dm-crypt luks-1");
        assert_eq!(describe_dm("thing", ""), "device-mapper member of thing");
    }
}
