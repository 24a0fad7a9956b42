//! Arbitrary input never panics the esx.conf reader, its one-line edit, or the archive
//! reader; an edit changes exactly the one owner value.

use carve::esxi::State;
use carve::esxi::archive::read_tgz;
use carve::esxi::conf;
use proptest::prelude::*;

/// A real state.tgz (local.tgz holding esx.conf) to damage.
fn state_tgz() -> Vec<u8> {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let pack = |files: &[(&str, &[u8])]| {
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, *data).expect("append");
        }
        b.into_inner().expect("tar").finish().expect("gzip")
    };
    let local = pack(&[(
        "etc/vmware/esx.conf",
        b"/device/000:00:31.2/owner = \"passthru\"\n/device/000:00:31.2/vmkname = \"vmhba0\"\n",
    )]);
    pack(&[("local.tgz", &local)])
}

proptest! {
    #[test]
    fn damaged_state_archives_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut bytes = state_tgz();
        for (at, value) in flips {
            let i = at % bytes.len();
            bytes[i] = value;
        }
        bytes.truncate(bytes.len() - cut % 16);
        match State::open(&bytes, "state.tgz") {
            Ok(s) => {
                for d in s.devices().iter().filter(|d| d.is_passthru()) {
                    let _ = s.repaired(&[d.conf_address.as_str()]);
                }
            }
            Err(e) => prop_assert!(!e.contains('\n'), "{}", e),
        }
    }

    #[test]
    fn esx_conf_reading_and_editing_never_panic(text in "(/device/[0-9:.]{0,12}/(owner|vmkname|vendor|device|class) ?= ?\"[a-z0-9]{0,9}\"\r?\n|[ -~]{0,30}\n){0,12}") {
        let devices = conf::devices(&text);
        for d in &devices {
            let _ = d.storage_reason();
            let _ = d.label();
            let _ = conf::find(&devices, &d.conf_address);
            if let Ok(edited) = conf::give_back(text.as_bytes(), &[d.conf_address.as_str()]) {
                prop_assert!(d.is_passthru());
                prop_assert_eq!(edited.len(), text.len());
                let after = conf::devices(&String::from_utf8_lossy(&edited));
                let same = after.iter().find(|x| x.conf_address == d.conf_address);
                prop_assert!(same.is_some_and(|x| !x.is_passthru()));
            }
        }
    }

    #[test]
    fn archive_reading_never_panics(mut bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if bytes.len() >= 2 {
            bytes[0] = 0x1f;
            bytes[1] = 0x8b;
        }
        if let Err(e) = read_tgz(&bytes, "x.tgz") {
            prop_assert!(!e.contains('\n'));
        }
        let _ = State::open(&bytes, "x.tgz");
    }
}
