//! `etc/vmware/esx.conf`: the `/device/<address>/...` lines, which devices it hands to VMs
//! (`owner = "passthru"`), and the one-line edit that gives a device back to the VMkernel.
//!
//! esx.conf writes PCI addresses in decimal: `000:31.2` (bus:slot.function, older hosts) or
//! `000:00:31.2` (segment:bus:slot.function); lspci writes the same device `0000:00:1f.2`.

use crate::host::pci::PciAddr;
use serde::Serialize;

/// One device of esx.conf's `/device/` tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfDevice {
    /// The address exactly as esx.conf writes it (`000:00:31.2`).
    pub conf_address: String,
    /// The same address as lspci writes it (`0000:00:1f.2`), when it reads as one.
    pub pci_address: Option<String>,
    pub owner: Option<String>,
    pub vmkname: Option<String>,
    /// `8086:3b25`, from the `vendor` and `device` keys when both are there.
    pub id: Option<String>,
    /// The `class` key, when esx.conf has one.
    pub class: Option<String>,
}

impl ConfDevice {
    pub fn is_passthru(&self) -> bool {
        self.owner.as_deref() == Some("passthru")
    }

    /// Why this device is a storage adapter, if it is one: its VMkernel name (`vmhbaN`),
    /// its PCI class (01xx), or a well-known storage controller id.
    pub fn storage_reason(&self) -> Option<String> {
        if let Some(name) = self.vmkname.as_deref().filter(|n| n.starts_with("vmhba")) {
            return Some(format!("VMkernel names it {name}"));
        }
        if let Some(class) = self.class.as_deref() {
            let hex = class.trim_start_matches("0x");
            if hex.starts_with("01") {
                return Some(format!("PCI class {hex} is mass storage"));
            }
        }
        let id = self.id.as_deref()?;
        KNOWN_STORAGE
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, what)| format!("{id} is {what}"))
    }

    /// `vmhba0 (8086:3b25)`, `000:00:31.2 (8086:3b25)`: how messages name the device.
    pub fn label(&self) -> String {
        let name = self.vmkname.as_deref().unwrap_or(&self.conf_address);
        match &self.id {
            Some(id) => format!("{name} ({id})"),
            None => name.to_string(),
        }
    }
}

/// A few storage controllers hosts commonly hand to a NAS VM, for an esx.conf that names a
/// passed-through device by id only (no vmkname, no class). Not a complete list: a device
/// that is not here and has no vmhba name is reported as a warning, not as safe.
const KNOWN_STORAGE: [(&str, &str); 14] = [
    ("8086:3b22", "Intel 5 Series/3400 (Ibex Peak) SATA AHCI"),
    ("8086:3b25", "Intel 5 Series/3400 (Ibex Peak) SATA RAID"),
    ("8086:3b2e", "Intel 5 Series/3400 (Ibex Peak) SATA IDE"),
    ("8086:3b2f", "Intel 5 Series/3400 (Ibex Peak) SATA AHCI"),
    ("8086:1c02", "Intel 6 Series (Cougar Point) SATA AHCI"),
    ("8086:1e02", "Intel 7 Series (Panther Point) SATA AHCI"),
    ("8086:8c02", "Intel 8 Series (Lynx Point) SATA AHCI"),
    ("8086:a102", "Intel 100 Series (Sunrise Point) SATA AHCI"),
    ("8086:a282", "Intel 200 Series SATA AHCI"),
    ("1000:0072", "LSI SAS2008"),
    ("1000:0087", "LSI SAS2308"),
    ("1000:0097", "LSI SAS3008"),
    ("1b21:0612", "ASMedia ASM1062 SATA AHCI"),
    ("1b4b:9230", "Marvell 88SE9230 SATA"),
];

/// Read an esx.conf address (decimal, `BBB:SS.F` or `SSS:BB:SS.F`) as a PCI address.
pub fn conf_addr_to_pci(text: &str) -> Option<PciAddr> {
    let (head, function) = text.rsplit_once('.')?;
    let parts: Vec<&str> = head.split(':').collect();
    let (segment, bus, slot) = match parts.as_slice() {
        [bus, slot] => ("0", *bus, *slot),
        [segment, bus, slot] => (*segment, *bus, *slot),
        _ => return None,
    };
    let dec = |s: &str| {
        (!s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let segment = dec(segment).filter(|v| *v <= 0xffff)?;
    let bus = dec(bus).filter(|v| *v <= 255)?;
    let slot = dec(slot).filter(|v| *v < 32)?;
    let function = dec(function).filter(|v| *v < 8)?;
    Some(PciAddr {
        domain: segment,
        bus: bus as u8,
        device: slot as u8,
        function: function as u8,
    })
}

/// `key = "value"` (esx.conf's one line form); None for anything else.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once('=')?;
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    Some((key.trim(), value))
}

/// Every device under `/device/`, in the order esx.conf first names them.
pub fn devices(text: &str) -> Vec<ConfDevice> {
    let mut out: Vec<ConfDevice> = Vec::new();
    let mut vendor: Vec<Option<String>> = Vec::new();
    let mut device: Vec<Option<String>> = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        let Some(rest) = key.strip_prefix("/device/") else {
            continue;
        };
        let Some((addr, field)) = rest.split_once('/') else {
            continue;
        };
        let i = match out.iter().position(|d| d.conf_address == addr) {
            Some(i) => i,
            None => {
                out.push(ConfDevice {
                    conf_address: addr.to_string(),
                    pci_address: conf_addr_to_pci(addr).map(|a| a.to_string()),
                    owner: None,
                    vmkname: None,
                    id: None,
                    class: None,
                });
                vendor.push(None);
                device.push(None);
                out.len() - 1
            }
        };
        let value = value.to_string();
        match field {
            "owner" => out[i].owner = Some(value),
            "vmkname" => out[i].vmkname = Some(value),
            "class" => out[i].class = Some(value),
            "vendor" => vendor[i] = Some(value),
            "device" => device[i] = Some(value),
            _ => {}
        }
    }
    for (i, d) in out.iter_mut().enumerate() {
        if let (Some(v), Some(dev)) = (&vendor[i], &device[i]) {
            let clean = |s: &str| s.trim_start_matches("0x").to_ascii_lowercase();
            d.id = Some(format!("{}:{}", clean(v), clean(dev)));
        }
    }
    out
}

/// What a `--fix` argument names in esx.conf.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// One device: every spelling esx.conf gives it (`000:00:31.2` and `000:31.2` are one).
    One(Vec<&'a ConfDevice>),
    /// Readings of the argument that name different devices: each with how it was read.
    Ambiguous(Vec<(&'a ConfDevice, &'static str)>),
    None,
}

/// Whether `a` and `b` are one device: the same PCI address, however esx.conf spells it.
pub fn same_device(a: &ConfDevice, b: &ConfDevice) -> bool {
    match (&a.pci_address, &b.pci_address) {
        (Some(x), Some(y)) => x == y,
        _ => a.conf_address == b.conf_address,
    }
}

/// Find the device `wanted` names. esx.conf's own spelling of a device names it; anything
/// else is read both as esx.conf reads addresses (decimal) and as lspci writes them
/// (hexadecimal), whatever its zero padding (`0:16.0` and `00:16.0` read alike): readings
/// that name two different devices are ambiguous, never a guess.
pub fn find<'a>(devices: &'a [ConfDevice], wanted: &str) -> Lookup<'a> {
    let all_of = |d: &ConfDevice| -> Vec<&'a ConfDevice> {
        devices.iter().filter(|x| same_device(x, d)).collect()
    };
    if let Some(d) = devices.iter().find(|d| d.conf_address == wanted) {
        return Lookup::One(all_of(d));
    }
    let readings = [
        (
            conf_addr_to_pci(wanted),
            "decimal, as esx.conf writes addresses",
        ),
        (hex_to_pci(wanted), "hexadecimal, as lspci writes addresses"),
    ];
    let mut found: Vec<(&'a ConfDevice, &'static str)> = Vec::new();
    for (addr, how) in readings {
        let Some(addr) = addr.map(|a| a.to_string()) else {
            continue;
        };
        let hit = devices
            .iter()
            .find(|d| d.pci_address.as_deref() == Some(addr.as_str()));
        if let Some(d) = hit.filter(|d| !found.iter().any(|(f, _)| same_device(f, d))) {
            found.push((d, how));
        }
    }
    match found.len() {
        0 => Lookup::None,
        1 => Lookup::One(all_of(found[0].0)),
        _ => Lookup::Ambiguous(found),
    }
}

/// An lspci-style address (`[DDDD:]BB:SS.F`, hexadecimal) with any zero padding.
fn hex_to_pci(text: &str) -> Option<PciAddr> {
    let (head, function) = text.rsplit_once('.')?;
    let parts: Vec<&str> = head.split(':').collect();
    let (domain, bus, slot) = match parts.as_slice() {
        [bus, slot] => ("0", *bus, *slot),
        [domain, bus, slot] => (*domain, *bus, *slot),
        _ => return None,
    };
    let hex = |s: &str, max: u32| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(s, 16).ok())
            .flatten()
            .filter(|v| *v <= max)
    };
    Some(PciAddr {
        domain: hex(domain, 0xffff)?,
        bus: hex(bus, 255)? as u8,
        device: hex(slot, 31)? as u8,
        function: hex(function, 7)? as u8,
    })
}

/// esx.conf with the `owner = "passthru"` line of each device in `addresses` (the spellings
/// of one device) now reading `"vmkernel"`; every other byte as it was. Errors when there is
/// no such line.
pub fn give_back(text: &[u8], addresses: &[&str]) -> Result<Vec<u8>, String> {
    let keys: Vec<String> = addresses
        .iter()
        .map(|a| format!("/device/{a}/owner"))
        .collect();
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut changed = 0usize;
    for line in text.split_inclusive(|b| *b == b'\n') {
        let as_text = String::from_utf8_lossy(line);
        match key_value(as_text.trim_end_matches(['\n', '\r'])) {
            Some((k, "passthru")) if keys.iter().any(|key| key == k) => {
                let at = find_bytes(line, b"passthru").ok_or("no passthru value")?;
                out.extend_from_slice(&line[..at]);
                out.extend_from_slice(b"vmkernel");
                out.extend_from_slice(&line[at + b"passthru".len()..]);
                changed += 1;
            }
            _ => out.extend_from_slice(line),
        }
    }
    if changed == 0 {
        return Err(format!(
            "esx.conf has no `{} = \"passthru\"` line: that device is not handed to VMs",
            keys.join("` or `")
        ));
    }
    Ok(out)
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    // The value comes after the `=`: search there, so a key can never match.
    let eq = hay.iter().position(|b| *b == b'=')?;
    hay[eq..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| eq + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "/adv/Misc/HostName = \"esx1\"\n\
/device/000:00:31.2/owner = \"passthru\"\n\
/device/000:00:31.2/vmkname = \"vmhba0\"\n\
/device/000:00:31.2/vendor = \"0x8086\"\n\
/device/000:00:31.2/device = \"0x3b25\"\n\
/device/000:27.0/owner = \"passthru\"\n\
/device/001:00.0/owner = \"vmkernel\"\n\
/device/001:00.0/vmkname = \"vmnic0\"\n";

    #[test]
    fn both_address_forms_read_as_lspci_addresses() {
        assert_eq!(
            conf_addr_to_pci("000:00:31.2").map(|a| a.to_string()),
            Some("0000:00:1f.2".into())
        );
        assert_eq!(
            conf_addr_to_pci("000:31.2").map(|a| a.to_string()),
            Some("0000:00:1f.2".into())
        );
        assert_eq!(
            conf_addr_to_pci("002:00.1").map(|a| a.to_string()),
            Some("0000:02:00.1".into())
        );
        for bad in [
            "",
            "31.2",
            "000:32.0",
            "000:31.8",
            "256:00.0",
            "0a:1f.2",
            "1:2:3:4.0",
        ] {
            assert_eq!(conf_addr_to_pci(bad), None, "{bad}");
        }
    }

    #[test]
    fn devices_owners_names_and_ids() {
        let d = devices(CONF);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].conf_address, "000:00:31.2");
        assert_eq!(d[0].pci_address.as_deref(), Some("0000:00:1f.2"));
        assert!(d[0].is_passthru());
        assert_eq!(d[0].id.as_deref(), Some("8086:3b25"));
        assert_eq!(d[0].label(), "vmhba0 (8086:3b25)");
        assert_eq!(
            d[0].storage_reason().as_deref(),
            Some("VMkernel names it vmhba0")
        );
        assert_eq!(d[1].pci_address.as_deref(), Some("0000:00:1b.0"));
        assert!(d[1].is_passthru());
        assert_eq!(d[1].storage_reason(), None);
        assert!(!d[2].is_passthru());
        // By id alone.
        let only_id = devices(
            "/device/000:31.2/owner = \"passthru\"\n/device/000:31.2/vendor = \"8086\"\n/device/000:31.2/device = \"3b25\"\n",
        );
        assert!(
            only_id[0]
                .storage_reason()
                .is_some_and(|r| r.contains("Ibex Peak"))
        );
    }

    fn one<'a>(l: Lookup<'a>) -> Vec<&'a str> {
        match l {
            Lookup::One(list) => list.iter().map(|d| d.conf_address.as_str()).collect(),
            other => panic!("not one device: {other:?}"),
        }
    }

    #[test]
    fn find_takes_every_spelling() {
        let d = devices(CONF);
        for spelling in [
            "000:00:31.2",
            "000:31.2",
            "0000:00:1f.2",
            "00:1f.2",
            "0:1f.2",
        ] {
            assert_eq!(one(find(&d, spelling)), vec!["000:00:31.2"], "{spelling}");
        }
        assert_eq!(one(find(&d, "00:1b.0")), vec!["000:27.0"]);
        assert_eq!(find(&d, "00:02.0"), Lookup::None);
        assert_eq!(find(&d, "junk"), Lookup::None);
    }

    /// Issue 24 item 6: one device written in both esx.conf forms is one device, and an
    /// argument whose decimal and hexadecimal readings name two devices is refused.
    #[test]
    fn one_reading_of_addresses() {
        let both = devices(
            "/device/000:00:31.2/owner = \"passthru\"\n/device/000:31.2/owner = \"passthru\"\n",
        );
        for spelling in ["000:00:31.2", "000:31.2", "00:1f.2"] {
            assert_eq!(one(find(&both, spelling)), vec!["000:00:31.2", "000:31.2"]);
        }
        let edited = give_back(
            b"/device/000:00:31.2/owner = \"passthru\"\n/device/000:31.2/owner = \"passthru\"\n",
            &["000:00:31.2", "000:31.2"],
        )
        .expect("edit");
        assert!(
            devices(&String::from_utf8_lossy(&edited))
                .iter()
                .all(|d| !d.is_passthru())
        );

        let two = devices(
            "/device/000:00:16.0/owner = \"passthru\"\n/device/000:00:22.0/owner = \"passthru\"\n",
        );
        // `00:16.0` and `0:16.0` read alike: decimal 16 is 000:00:16.0, hexadecimal 0x16 is
        // 000:00:22.0; both exist, so neither is taken.
        for spelling in ["00:16.0", "0:16.0", "0000:00:16.0"] {
            match find(&two, spelling) {
                Lookup::Ambiguous(list) => {
                    let names: Vec<&str> =
                        list.iter().map(|(d, _)| d.conf_address.as_str()).collect();
                    assert_eq!(names, vec!["000:00:16.0", "000:00:22.0"], "{spelling}");
                }
                other => panic!("{spelling}: {other:?}"),
            }
        }
        // esx.conf's own spelling is never ambiguous; a reading only one device answers is
        // that device.
        assert_eq!(one(find(&two, "000:00:16.0")), vec!["000:00:16.0"]);
        assert_eq!(one(find(&two, "00:10.0")), vec!["000:00:16.0"]);
        let only = devices("/device/000:00:22.0/owner = \"passthru\"\n");
        assert_eq!(one(find(&only, "0:16.0")), vec!["000:00:22.0"]);
        assert_eq!(one(find(&only, "00:16.0")), vec!["000:00:22.0"]);
    }

    #[test]
    fn give_back_changes_one_value_and_nothing_else() {
        let out = give_back(CONF.as_bytes(), &["000:00:31.2"]).expect("edit");
        let expected = CONF.replacen(
            "/device/000:00:31.2/owner = \"passthru\"",
            "/device/000:00:31.2/owner = \"vmkernel\"",
            1,
        );
        assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
        let e = give_back(CONF.as_bytes(), &["001:00.0"]).expect_err("not passthru");
        assert!(e.contains("not handed to VMs"), "{e}");
        // CRLF and odd spacing survive.
        let crlf = b"/device/000:27.0/owner=\"passthru\"\r\nx\r\n";
        assert_eq!(
            give_back(crlf, &["000:27.0"]).expect("edit"),
            b"/device/000:27.0/owner=\"vmkernel\"\r\nx\r\n"
        );
    }
}
