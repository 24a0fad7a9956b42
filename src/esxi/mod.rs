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

use archive::{Tar, gzip, read_tgz};
use conf::ConfDevice;

const LOCAL_TGZ: &str = "local.tgz";
const ESX_CONF: &str = "etc/vmware/esx.conf";

/// A `state.tgz`, unpacked.
pub struct State {
    outer: Tar,
    /// local.tgz and the esx.conf in it; None when encrypted.
    inner: Option<Inner>,
    /// Whether the archive holds the encrypted form (`local.tgz.ve`, ESXi 7.0 U2 and later).
    pub encrypted: bool,
}

struct Inner {
    /// The member of state.tgz that extracts as local.tgz.
    local_at: usize,
    tar: Tar,
    /// The member of local.tgz that extracts as esx.conf, and its content.
    conf_at: usize,
    conf: Vec<u8>,
}

impl State {
    /// Unpack `bytes` (named `what` in errors): state.tgz, then the local.tgz inside it, each
    /// read as tar extracts it (the last member of a name wins, hard links followed).
    pub fn open(bytes: &[u8], what: &str) -> Result<State, String> {
        let outer = read_tgz(bytes, what)?;
        let Some(local_at) = outer.extracted(LOCAL_TGZ, what)? else {
            if outer.holds("local.tgz.ve") || outer.holds("encryption.info") {
                return Ok(State {
                    outer,
                    inner: None,
                    encrypted: true,
                });
            }
            return Err(format!(
                "{what} holds no local.tgz: not an ESXi configuration archive (state.tgz)"
            ));
        };
        let inner_what = format!("{what}: {LOCAL_TGZ}");
        let tar = read_tgz(&outer.data(local_at, what)?, &inner_what)?;
        let conf_at = tar
            .extracted(ESX_CONF, &inner_what)?
            .ok_or_else(|| format!("{inner_what} holds no {ESX_CONF}"))?;
        let conf = tar.data(conf_at, &inner_what)?.into_owned();
        Ok(State {
            outer,
            inner: Some(Inner {
                local_at,
                tar,
                conf_at,
                conf,
            }),
            encrypted: false,
        })
    }

    /// esx.conf's bytes; None when the archive is encrypted.
    pub fn conf(&self) -> Option<&[u8]> {
        self.inner.as_ref().map(|i| i.conf.as_slice())
    }

    /// The devices of esx.conf; empty when encrypted.
    pub fn devices(&self) -> Vec<ConfDevice> {
        self.conf()
            .map(|c| conf::devices(&String::from_utf8_lossy(c)))
            .unwrap_or_default()
    }

    /// The names of the outer members, in order (what `tar tzf state.tgz` lists, normalised).
    pub fn entry_names(&self) -> Vec<&str> {
        self.outer.members.iter().map(|m| m.name.as_str()).collect()
    }

    /// A new state.tgz with the owner of the esx.conf devices `addresses` (one device's
    /// spellings) set to `vmkernel`; every other member of both archives copied block for
    /// block. Read back before it is returned: an archive that does not read as intended
    /// (other members changed, esx.conf not the edited text) is an error, never a result.
    pub fn repaired(&self, addresses: &[&str]) -> Result<Vec<u8>, String> {
        let inner = self.inner.as_ref().ok_or_else(|| encrypted_text(None))?;
        let conf = conf::give_back(&inner.conf, addresses)?;
        let local_tar = inner
            .tar
            .with_data(inner.conf_at, &conf)
            .map_err(|e| format!("cannot rewrite local.tgz: {e}"))?;
        let local = gzip(&local_tar).map_err(|e| format!("cannot pack local.tgz: {e}"))?;
        let outer_tar = self
            .outer
            .with_data(inner.local_at, &local)
            .map_err(|e| format!("cannot rewrite state.tgz: {e}"))?;
        let bytes = gzip(&outer_tar).map_err(|e| format!("cannot pack state.tgz: {e}"))?;

        let unlike = |why: &str| {
            format!("the repaired state.tgz did not read back as intended ({why}); nothing written")
        };
        let again = State::open(&bytes, "the repaired state.tgz")?;
        let Some(new) = again.inner.as_ref() else {
            return Err(unlike("no local.tgz"));
        };
        if new.local_at != inner.local_at || !self.outer.same_except(&again.outer, inner.local_at) {
            return Err(unlike("a member of state.tgz besides local.tgz differs"));
        }
        if new.conf_at != inner.conf_at || !inner.tar.same_except(&new.tar, inner.conf_at) {
            return Err(unlike("a member of local.tgz besides esx.conf differs"));
        }
        if new.conf != conf {
            return Err(unlike("esx.conf is not the edited text"));
        }
        Ok(bytes)
    }
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

/// `carve esxi` reports the one `Finding`, about an esx.conf device address.
pub use crate::model::Finding;
/// Its codes, declared with every other code in `crate::model::finding`.
pub use crate::model::finding::esxi as codes;

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
            Some(why) => out.push(
                Finding::error(
                    codes::STORAGE_PASSTHRU,
                    format!(
                        "the host's storage adapter {}{pci} is handed to VMs ({why}): after a \
                     reboot ESXi loses the disks behind it, including its datastore; {fix}",
                        d.label()
                    ),
                )
                .device(d.conf_address.clone(), None),
            ),
            None => out.push(
                Finding::warning(
                    codes::PASSTHRU,
                    format!(
                        "{}{pci} is handed to VMs; carve does not know it as a storage adapter (no \
                     vmhba name, class or known id): if the host's disks are behind it, {fix}",
                        d.label()
                    ),
                )
                .device(d.conf_address.clone(), None),
            ),
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
            State::open(&s.repaired(&["000:00:31.2"]).expect("repair"), "fixed").expect("open");
        assert!(fixed.devices().iter().all(|d| !d.is_passthru()));
        assert_eq!(fixed.entry_names(), s.entry_names());
        let (a, b) = (
            s.inner.as_ref().expect("inner"),
            fixed.inner.as_ref().expect("inner"),
        );
        assert!(s.outer.same_except(&fixed.outer, a.local_at));
        assert!(a.tar.same_except(&b.tar, a.conf_at));
        assert_eq!(
            b.conf,
            conf::give_back(CONF, &["000:00:31.2"]).expect("edit")
        );
    }

    #[test]
    fn encrypted_archives_are_recognised() {
        let state = tgz(&[("encryption.info", b"x"), ("local.tgz.ve", b"sealed")]);
        let s = State::open(&state, "state.tgz").expect("open");
        assert!(s.encrypted);
        assert!(s.conf().is_none());
        let e = s.repaired(&["000:00:31.2"]).expect_err("encrypted");
        assert!(e.contains("ESXi 7.0 U2"), "{e}");
        let e = State::open(&tgz(&[("x", b"y")]), "s.tgz")
            .err()
            .expect("no local");
        assert!(e.contains("holds no local.tgz"), "{e}");
    }
}
