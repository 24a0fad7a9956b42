//! ESXi hosts that handed their own storage adapter to VMs (DirectPath I/O): read the
//! configuration archive (`state.tgz` -> `local.tgz` -> `etc/vmware/esx.conf`) from the
//! bootbanks of a boot disk or from a copied `state.tgz`, name the devices it gives to
//! `passthru`, and build a repaired `state.tgz` with one device given back to the VMkernel.
//!
//! Pure over bytes except [`bootdisk`], which reads the bootbanks' FAT filesystems through
//! carve's read-only disk layer.

pub mod archive;
pub mod bootdisk;
pub mod conf;

use archive::{TarEntry, read_tgz, write_tgz};
use conf::ConfDevice;

const LOCAL_TGZ: &str = "local.tgz";
const ESX_CONF: &str = "etc/vmware/esx.conf";

/// A `state.tgz`, unpacked.
pub struct State {
    outer: Vec<TarEntry>,
    /// Index of `local.tgz` in `outer` and its entries; None when encrypted.
    inner: Option<(usize, Vec<TarEntry>)>,
    /// Index of esx.conf in the inner entries.
    conf_at: usize,
    /// Whether the archive holds the encrypted form (`local.tgz.ve`, ESXi 7.0 U2 and later).
    pub encrypted: bool,
}

/// `./etc/x` and `etc/x` are the same entry.
fn plain(name: &str) -> &str {
    name.trim_start_matches("./")
}

impl State {
    /// Unpack `bytes` (named `what` in errors): state.tgz, then the local.tgz inside it.
    pub fn open(bytes: &[u8], what: &str) -> Result<State, String> {
        let outer = read_tgz(bytes, what)?;
        let local = outer.iter().position(|e| plain(&e.name) == LOCAL_TGZ);
        let Some(local) = local else {
            if outer
                .iter()
                .any(|e| matches!(plain(&e.name), "local.tgz.ve" | "encryption.info"))
            {
                return Ok(State {
                    outer,
                    inner: None,
                    conf_at: 0,
                    encrypted: true,
                });
            }
            return Err(format!(
                "{what} holds no local.tgz: not an ESXi configuration archive (state.tgz)"
            ));
        };
        let inner_what = format!("{what}: {LOCAL_TGZ}");
        let inner = read_tgz(&outer[local].data, &inner_what)?;
        let conf_at = inner
            .iter()
            .position(|e| plain(&e.name) == ESX_CONF)
            .ok_or_else(|| format!("{inner_what} holds no {ESX_CONF}"))?;
        Ok(State {
            outer,
            inner: Some((local, inner)),
            conf_at,
            encrypted: false,
        })
    }

    /// esx.conf's bytes; None when the archive is encrypted.
    pub fn conf(&self) -> Option<&[u8]> {
        self.inner
            .as_ref()
            .map(|(_, inner)| inner[self.conf_at].data.as_slice())
    }

    /// The devices of esx.conf; empty when encrypted.
    pub fn devices(&self) -> Vec<ConfDevice> {
        self.conf()
            .map(|c| conf::devices(&String::from_utf8_lossy(c)))
            .unwrap_or_default()
    }

    /// The names of the outer entries, in order (what `tar tzf state.tgz` lists).
    pub fn entry_names(&self) -> Vec<&str> {
        self.outer.iter().map(|e| e.name.as_str()).collect()
    }

    /// A new state.tgz with device `conf_address`'s owner set to `vmkernel` in esx.conf;
    /// every other entry of both archives copied header block and data as they were.
    pub fn repaired(&self, conf_address: &str) -> Result<Vec<u8>, String> {
        let (local, inner) = self.inner.as_ref().ok_or_else(|| encrypted_text(None))?;
        let conf = conf::give_back(&inner[self.conf_at].data, conf_address)?;
        let mut inner = inner.clone();
        replace_data(&mut inner[self.conf_at], conf);
        let local_bytes = write_tgz(&inner).map_err(|e| format!("cannot pack local.tgz: {e}"))?;
        let mut outer = self.outer.clone();
        replace_data(&mut outer[*local], local_bytes);
        write_tgz(&outer).map_err(|e| format!("cannot pack state.tgz: {e}"))
    }
}

fn replace_data(entry: &mut TarEntry, data: Vec<u8>) {
    entry.header.set_size(data.len() as u64);
    entry.header.set_cksum();
    entry.data = data;
}

/// What carve says about an encrypted configuration archive.
pub fn encrypted_text(what: Option<&str>) -> String {
    format!(
        "{}the configuration archive is encrypted (local.tgz.ve: ESXi 7.0 U2 or later seal \
         it with a key of the host's own): carve cannot read or repair it; boot the host, undo \
         the passthrough there (esxcli hardware pci pcipassthru set -d ADDRESS -e false) and \
         make sure its boot disk is on a controller ESXi keeps",
        what.map(|w| format!("{w}: ")).unwrap_or_default()
    )
}

/// A finding of `carve esxi`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Finding {
    pub severity: &'static str,
    pub address: String,
    pub message: String,
}

/// Judge the passthru devices of one esx.conf: storage adapters are errors (the host loses
/// the disks behind them, its datastore among them), other devices warnings.
pub fn judge(devices: &[ConfDevice], source: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in devices.iter().filter(|d| d.is_passthru()) {
        let pci = d
            .pci_address
            .as_deref()
            .map(|p| format!(" at {p}"))
            .unwrap_or_default();
        let fix = format!(
            "carve esxi {source} --fix {} --out DIR writes a repaired state.tgz",
            d.conf_address
        );
        match d.storage_reason() {
            Some(why) => out.push(Finding {
                severity: "error",
                address: d.conf_address.clone(),
                message: format!(
                    "the host's storage adapter {}{pci} is handed to VMs ({why}): after a \
                     reboot ESXi loses the disks behind it, including its datastore; {fix}",
                    d.label()
                ),
            }),
            None => out.push(Finding {
                severity: "warning",
                address: d.conf_address.clone(),
                message: format!(
                    "{}{pci} is handed to VMs; carve does not know it as a storage adapter (no \
                     vmhba name, class or known id): if the host's disks are behind it, {fix}",
                    d.label()
                ),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::esxi::archive::tgz;

    const CONF: &[u8] = b"/device/000:00:31.2/owner = \"passthru\"\n/device/000:00:31.2/vmkname = \"vmhba0\"\n/device/000:00:31.2/vendor = \"8086\"\n/device/000:00:31.2/device = \"3b25\"\n";

    #[test]
    fn repair_changes_esx_conf_and_nothing_else() {
        let local = tgz(&[("etc/hosts", b"127.0.0.1 localhost\n"), (ESX_CONF, CONF)]);
        let state = tgz(&[("local.tgz", &local), ("other.bin", b"keep")]);
        let s = State::open(&state, "state.tgz").expect("open");
        assert!(!s.encrypted);
        let found = judge(&s.devices(), "esxi.img");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, "error");
        assert!(found[0].message.starts_with(
            "the host's storage adapter vmhba0 (8086:3b25) at 0000:00:1f.2 is handed to VMs"
        ));
        let fixed =
            State::open(&s.repaired("000:00:31.2").expect("repair"), "fixed").expect("open");
        assert!(fixed.devices().iter().all(|d| !d.is_passthru()));
        assert_eq!(fixed.entry_names(), s.entry_names());
        assert_eq!(
            fixed.outer[1].header.as_bytes(),
            s.outer[1].header.as_bytes()
        );
        let (_, a) = s.inner.as_ref().expect("inner");
        let (_, b) = fixed.inner.as_ref().expect("inner");
        assert_eq!(a[0].header.as_bytes(), b[0].header.as_bytes());
        assert_eq!(a[0].data, b[0].data);
        assert_eq!(a[1].header.mtime().ok(), b[1].header.mtime().ok());
    }

    #[test]
    fn encrypted_archives_are_recognised() {
        let state = tgz(&[("encryption.info", b"x"), ("local.tgz.ve", b"sealed")]);
        let s = State::open(&state, "state.tgz").expect("open");
        assert!(s.encrypted);
        assert!(s.conf().is_none());
        let e = s.repaired("000:00:31.2").expect_err("encrypted");
        assert!(e.contains("ESXi 7.0 U2"), "{e}");
        let e = State::open(&tgz(&[("x", b"y")]), "s.tgz")
            .err()
            .expect("no local");
        assert!(e.contains("holds no local.tgz"), "{e}");
    }
}
