//! `--target libvirt`: qemu-style descriptors, `<name>/<name>.xml` (one `<disk>` element per
//! vdisk) and the scripts that serve them. Pure: text out, the XML escaped by quick-xml.
//!
//! Why NBD: libvirt runs qemu as its own user and labels (chowns) only a disk's own source,
//! never the files a vmdk's extents name, so a vdisk with a header file cannot be a `vmdk`
//! file disk (`Permission denied`); and a raw `<slice>` disk gets the whole device (or image
//! file) chowned to that user, while several qemus over one disk trip qemu's own locks. So
//! each vdisk is served by a root `qemu-nbd` over its descriptor, one NBD export on a unix
//! socket only the qemu user may open, and the domain's `<disk type="network">` reads raw
//! NBD: the guest's qemu reaches exactly the vdisk's bytes and nothing else of the disk.
//! qemu's lock is turned off on the raw extents only (carve's checks stand in: no two
//! overlap); header and zero files keep it.

use super::{Export, Hypervisor};
use crate::error::{Error, Result};
use crate::export::files::{Content, WantedFile};
use crate::model::{Extent, VDisk};
use crate::vmdk::write::{CreateType, Flavor};

use quick_xml::Writer;
use std::fmt::Write as _;

pub struct Libvirt;

impl Hypervisor for Libvirt {
    fn name(&self) -> &'static str {
        "libvirt"
    }

    fn help(&self) -> &'static str {
        "qemu-style descriptors, one libvirt <disk> element per vdisk (<name>/<name>.xml) read over NBD, and prepare-libvirt.sh that serves them"
    }

    /// libvirt's NBD server (qemu-nbd) reads the descriptor: qemu's monolithicFlat.
    fn descriptor(&self, _vdisk: &VDisk, _disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (CreateType::MonolithicFlat, Flavor::VirtualBox)
    }

    /// As qemu, which reads the descriptor.
    fn zero_extents_as_files(&self) -> bool {
        true
    }

    /// `qemu-read-only`, as for qemu: the server is qemu's.
    fn runtime_findings(&self, plan: &crate::model::Plan) -> Vec<crate::check::Finding> {
        super::qemu::read_only_findings(
            plan,
            "prepare-libvirt.sh serves it --read-only and its <disk> is <readonly/>",
        )
    }

    /// As qemu, which reads the descriptor: the server and the disk are read-only instead.
    fn read_only_lines(&self) -> bool {
        false
    }

    /// `<name>/<name>.xml` for every vdisk, then `prepare-libvirt.sh`, `stop-libvirt.sh` and
    /// `carve-libvirt.service`.
    fn extra_files(&self, export: &Export) -> Result<Vec<WantedFile>> {
        let has_raw = export.plan.vdisks.iter().any(VDisk::has_raw);
        let out_text = export.out.display().to_string();
        if let Some(problem) = problem(export.device_path, has_raw, &out_text) {
            return Err(Error::new(format!("--target libvirt: {problem}")));
        }
        let served: Vec<Served> = export
            .plan
            .vdisks
            .iter()
            .zip(&export.attached)
            .map(|(v, a)| Served {
                name: v.name.clone(),
                socket: socket_path(&v.effective_uuid(&export.plan.disk).to_string()),
                descriptor: export.descriptor(v),
                raw_extents: v
                    .extents
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| matches!(e, Extent::Raw { .. }))
                    .map(|(i, _)| i)
                    .collect(),
                port: a.port,
                shareable: v.shareable,
                read_only: super::qemu::read_only(v),
            })
            .collect();
        let mut files = Vec::new();
        for (v, s) in export.plan.vdisks.iter().zip(&served) {
            files.push(WantedFile {
                path: export.opts.out_dir.join(&v.name).join(format!("{}.xml", v.name)),
                what: "libvirt <disk> element".into(),
                content: Content::Text(disk_xml(s)),
            });
        }
        if !served.is_empty() {
            for (name, what, text) in [
                (
                    PREPARE_SH,
                    "starts the NBD servers libvirt's disks read (sh, as root)",
                    prepare_sh(&out_text, &served),
                ),
                (STOP_SH, "stops them (sh, as root)", stop_sh(&out_text, &served)),
                (UNIT, "systemd unit running the two", systemd_unit(&out_text)),
            ] {
                files.push(WantedFile {
                    path: export.opts.out_dir.join(name),
                    what: what.into(),
                    content: Content::Text(text),
                });
            }
        }
        Ok(files)
    }
}

pub const PREPARE_SH: &str = "prepare-libvirt.sh";
pub const STOP_SH: &str = "stop-libvirt.sh";
pub const UNIT: &str = "carve-libvirt.service";
/// Where the sockets and pid files live: outside the export folder, whose parents the qemu
/// user may not be able to enter, and short enough for a socket path (108 bytes).
pub const RUN_DIR: &str = "/run/carve";

/// One vdisk as its NBD server serves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    pub name: String,
    /// `RUN_DIR/<uuid>.sock`: the vdisk's uuid, stable across renames and exports.
    pub socket: String,
    /// The descriptor's absolute path.
    pub descriptor: String,
    /// The descriptor's extents (0-based) that are the disk itself.
    pub raw_extents: Vec<usize>,
    pub port: u32,
    pub shareable: bool,
    /// It has a read-only extent: served `--read-only`, attached `<readonly/>` (qemu makes
    /// a whole drive read-only, never one extent of it).
    pub read_only: bool,
}

/// The socket a vdisk of this uuid is served on.
pub fn socket_path(uuid: &str) -> String {
    format!("{RUN_DIR}/{uuid}.sock")
}

/// `vda`, `vdb`, ... `vdz`, `vdaa`: the name Linux gives the port's virtio disk.
pub fn target_dev(port: u32) -> String {
    let mut n = u64::from(port) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    format!("vd{}", String::from_utf8_lossy(&letters))
}

/// The `<disk>` element: raw over NBD on the vdisk's socket; `<shareable/>` when the plan
/// says so (libvirt allows it on raw disks, and the server takes any number of clients).
pub fn disk_xml(served: &Served) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let dev = target_dev(served.port);
    // Writing into a Vec cannot fail.
    let _ = w
        .create_element("disk")
        .with_attribute(("type", "network"))
        .with_attribute(("device", "disk"))
        .write_inner_content(|w| {
            w.write_event(quick_xml::events::Event::Comment(
                quick_xml::events::BytesText::from_escaped(format!(
                    " served by {PREPARE_SH} in the export folder: run it (as root) before starting the domain "
                )),
            ))?;
            // cache="none": the server's cache is the only one; guest flushes reach it.
            w.create_element("driver")
                .with_attribute(("name", "qemu"))
                .with_attribute(("type", "raw"))
                .with_attribute(("cache", "none"))
                .write_empty()?;
            w.create_element("source")
                .with_attribute(("protocol", "nbd"))
                .write_inner_content(|w| {
                    w.create_element("host")
                        .with_attribute(("transport", "unix"))
                        .with_attribute(("socket", served.socket.as_str()))
                        .write_empty()?;
                    Ok(())
                })?;
            w.create_element("target")
                .with_attribute(("dev", dev.as_str()))
                .with_attribute(("bus", "virtio"))
                .write_empty()?;
            if served.read_only {
                // Nothing writes it: shareable (a writer's cache setting) says nothing more.
                w.create_element("readonly").write_empty()?;
            } else if served.shareable {
                w.create_element("shareable").write_empty()?;
            }
            Ok(())
        });
    let mut text = String::from_utf8_lossy(&w.into_inner()).into_owned();
    text.push('\n');
    text
}

/// A value inside qemu's `key=value,...` options: a comma is written twice.
fn opt_value(value: &str) -> String {
    value.replace(',', ",,")
}

/// What `qemu-nbd --image-opts` opens: the descriptor through qemu's vmdk driver, with
/// qemu's lock off on the raw extents (a second server over the same disk would otherwise
/// be refused the "resize" lock its first extent holds).
pub fn image_opts(served: &Served) -> String {
    let mut opts = format!(
        "driver=vmdk,file.driver=file,file.filename={}",
        opt_value(&served.descriptor)
    );
    for i in &served.raw_extents {
        let _ = write!(opts, ",extents.{i}.locking=off");
    }
    opts
}

fn header(what: &str, out_dir: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # carve: {what} the vdisks of {out_dir} for libvirt.\n\
         # Written by `carve export --target libvirt`; run as root with sh. See {PREPARE_SH}.\n\
         set -eu\n\
         run={RUN_DIR}\n\
         # The qemu-nbd serving this socket with exactly these options, if one runs.\n\
         ours() {{\n\
         \x20 pid=$(cat \"${{1%.sock}}.pid\" 2>/dev/null) || return 1\n\
         \x20 [ -r \"/proc/$pid/cmdline\" ] || return 1\n\
         \x20 tr '\\000' '\\n' < \"/proc/$pid/cmdline\" | grep -qxF -- \"$2\" || return 1\n\
         \x20 tr '\\000' '\\n' < \"/proc/$pid/cmdline\" | grep -qxF -- \"--socket=$1\"\n\
         }}\n\
         # Any live process named by the socket's pid file.\n\
         alive() {{\n\
         \x20 pid=$(cat \"${{1%.sock}}.pid\" 2>/dev/null) && [ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null\n\
         }}\n\
         if [ \"$(id -u)\" != 0 ]; then\n\
         \x20 echo \"$0: run as root: qemu-nbd opens the disk, and each socket is given to the qemu user\" >&2\n\
         \x20 exit 1\n\
         fi\n"
    )
}

/// `DIR/prepare-libvirt.sh`: start one `qemu-nbd` per vdisk (unless it already runs), its
/// socket owned by the user libvirt runs qemu as, mode 0600. Running it again changes
/// nothing; a socket another export's server holds is refused, not taken over.
pub fn prepare_sh(out_dir: &str, served: &[Served]) -> String {
    let mut s = header("serve", out_dir);
    s.push_str(
        "# Each vdisk: one qemu-nbd (qemu's vmdk driver over the descriptor) serving one NBD export\n\
         # on a unix socket in /run/carve that only the qemu user may open. qemu's lock is off on\n\
         # the raw extents only (carve check verified that no two overlap);\n\
         # header and zero files keep it. Undo with stop-libvirt.sh; again after a reboot.\n\
         QEMU_NBD=${QEMU_NBD:-qemu-nbd}\n\
         user=${CARVE_QEMU_USER:-}\n\
         if [ -z \"$user\" ] && [ -r /etc/libvirt/qemu.conf ]; then\n\
         \x20 user=$(sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p' /etc/libvirt/qemu.conf | tail -n 1)\n\
         fi\n\
         if [ -z \"$user\" ]; then\n\
         \x20 for u in libvirt-qemu qemu; do\n\
         \x20   if id -u \"$u\" >/dev/null 2>&1; then user=$u; break; fi\n\
         \x20 done\n\
         fi\n\
         if [ -z \"$user\" ] || ! id -u \"$user\" >/dev/null 2>&1; then\n\
         \x20 echo \"$0: no qemu user '$user': set CARVE_QEMU_USER to the user libvirt runs qemu as (user= in qemu.conf)\" >&2\n\
         \x20 exit 1\n\
         fi\n\
         mkdir -p \"$run\"\n\
         chmod 0711 \"$run\"\n\
         serve() {\n\
         \x20 if ours \"$2\" \"$3\"; then\n\
         \x20   chown \"$user\" \"$2\"\n\
         \x20   echo \"vdisk $1: already served on $2\"\n\
         \x20   return\n\
         \x20 fi\n\
         \x20 if alive \"$2\"; then\n\
         \x20   echo \"$0: vdisk $1: $2 is served by process $pid for another export: run that export's stop-libvirt.sh first\" >&2\n\
         \x20   exit 1\n\
         \x20 fi\n\
         \x20 rm -f \"$2\" \"${2%.sock}.pid\"\n\
         \x20 # umask 077: nobody but root can connect until the socket is the qemu user's.\n\
         \x20 (umask 077 && exec \"$QEMU_NBD\" --fork --persistent --shared=0 ${4:+\"$4\"} \\\n\
         \x20   \"--pid-file=${2%.sock}.pid\" \"--socket=$2\" --image-opts \"$3\")\n\
         \x20 chown \"$user\" \"$2\"\n\
         \x20 echo \"vdisk $1: served on $2\"\n\
         }\n",
    );
    for v in served {
        let _ = writeln!(
            s,
            "serve {} {} {}{}",
            super::virtualbox::attach::sh_quote(&v.name),
            super::virtualbox::attach::sh_quote(&v.socket),
            super::virtualbox::attach::sh_quote(&image_opts(v)),
            // A vdisk with a read-only extent: the server refuses every write.
            if v.read_only { " --read-only" } else { "" }
        );
    }
    s
}

/// `DIR/stop-libvirt.sh`: end this export's servers (by their pid, and only when the process
/// is the one `prepare-libvirt.sh` started for this vdisk) and remove their sockets.
pub fn stop_sh(out_dir: &str, served: &[Served]) -> String {
    let mut s = header("stop serving", out_dir);
    s.push_str(
        "# Stop the domains using these disks first: their I/O fails once the server is gone.\n\
         stop() {\n\
         \x20 if ours \"$2\" \"$3\"; then\n\
         \x20   kill \"$pid\"\n\
         \x20   n=0\n\
         \x20   while kill -0 \"$pid\" 2>/dev/null; do\n\
         \x20     n=$((n + 1))\n\
         \x20     if [ \"$n\" -gt 100 ]; then echo \"$0: vdisk $1: qemu-nbd $pid did not end\" >&2; exit 1; fi\n\
         \x20     sleep 0.1\n\
         \x20   done\n\
         \x20   echo \"vdisk $1: stopped\"\n\
         \x20 elif alive \"$2\"; then\n\
         \x20   echo \"vdisk $1: $2 is served by process $pid for another export: left alone\"\n\
         \x20   return\n\
         \x20 else\n\
         \x20   echo \"vdisk $1: not served\"\n\
         \x20 fi\n\
         \x20 rm -f \"$2\" \"${2%.sock}.pid\"\n\
         }\n",
    );
    for v in served {
        let _ = writeln!(
            s,
            "stop {} {} {}",
            super::virtualbox::attach::sh_quote(&v.name),
            super::virtualbox::attach::sh_quote(&v.socket),
            super::virtualbox::attach::sh_quote(&image_opts(v))
        );
    }
    s
}

/// A path as one systemd command-line word: in double quotes, `\` and `"` escaped, and `%`
/// (a specifier) and `$` (a variable) doubled.
fn systemd_word(path: &str) -> String {
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `DIR/carve-libvirt.service`: the two scripts as a systemd unit ordered before libvirt,
/// so domains that autostart find their disks (`systemctl link` it, then `enable --now`).
pub fn systemd_unit(out_dir: &str) -> String {
    let script = |name: &str| systemd_word(&format!("{}/{name}", out_dir.trim_end_matches('/')));
    format!(
        "# carve: serve the vdisks of {out_dir} to libvirt (see {PREPARE_SH}).\n\
         [Unit]\n\
         Description=carve: the NBD servers of one export for libvirt\n\
         Before=libvirtd.service virtqemud.service\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         RemainAfterExit=yes\n\
         ExecStart=/bin/sh {}\n\
         ExecStop=/bin/sh {}\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        script(PREPARE_SH),
        script(STOP_SH)
    )
}

/// Why libvirt cannot serve a plan whose raw extents name `device_path`, exported into
/// `out_dir`, and what would: `None` when it can.
pub fn problem(device_path: &str, has_raw: bool, out_dir: &str) -> Option<String> {
    if has_raw && !device_path.starts_with('/') {
        return Some(format!(
            "libvirt's qemu runs on a Linux host, which cannot open `{}`, a Windows device path: \
             export with --device-path naming the disk as that host sees it (e.g. /dev/disk/by-id/...), \
             or use --target virtualbox or vmware on Windows",
            crate::text::escape(device_path)
        ));
    }
    if out_dir.chars().any(char::is_control) {
        return Some(format!(
            "the export folder `{}` has a control character in its path, which the scripts and \
             systemd unit for libvirt cannot name: export into another folder (--out)",
            crate::text::escape(out_dir)
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served() -> Served {
        Served {
            name: "vm 1".into(),
            socket: socket_path("0e1f"),
            descriptor: "/p/a,b/vm 1/vm 1.vmdk".into(),
            raw_extents: vec![1, 3],
            port: 1,
            shareable: true,
            read_only: false,
        }
    }

    #[test]
    fn a_vdisk_cannot_take_the_scripts_names() {
        for name in [PREPARE_SH, STOP_SH, UNIT] {
            assert!(crate::check::RESERVED_TOP_LEVEL.contains(&name), "{name}");
        }
    }

    #[test]
    fn target_names() {
        assert_eq!(target_dev(0), "vda");
        assert_eq!(target_dev(25), "vdz");
        assert_eq!(target_dev(26), "vdaa");
        assert_eq!(target_dev(27), "vdab");
        assert_eq!(target_dev(26 + 26 * 26), "vdaaa");
    }

    #[test]
    fn a_network_disk_on_the_vdisks_socket() {
        assert_eq!(
            disk_xml(&served()),
            "<disk type=\"network\" device=\"disk\">\n\
             \x20 <!-- served by prepare-libvirt.sh in the export folder: run it (as root) before starting the domain -->\n\
             \x20 <driver name=\"qemu\" type=\"raw\" cache=\"none\"/>\n\
             \x20 <source protocol=\"nbd\">\n\
             \x20   <host transport=\"unix\" socket=\"/run/carve/0e1f.sock\"/>\n\
             \x20 </source>\n\
             \x20 <target dev=\"vdb\" bus=\"virtio\"/>\n\
             \x20 <shareable/>\n\
             </disk>\n"
        );
        let alone = disk_xml(&Served {
            shareable: false,
            read_only: false,
            port: 0,
            ..served()
        });
        assert!(!alone.contains("shareable"), "{alone}");
        assert!(alone.contains("<target dev=\"vda\""), "{alone}");
    }

    /// A vdisk with a read-only extent: served `--read-only` (qemu-nbd then refuses a
    /// writable client: "Permission denied"), so its disk must be `<readonly/>` too.
    #[test]
    fn a_read_only_vdisk_is_served_and_attached_read_only() {
        let ro = Served {
            read_only: true,
            ..served()
        };
        let xml = disk_xml(&ro);
        assert!(xml.contains("  <readonly/>\n</disk>"), "{xml}");
        assert!(!xml.contains("shareable"), "{xml}");
        let sh = prepare_sh("/p", &[ro, served()]);
        let serves: Vec<&str> = sh.lines().filter(|l| l.starts_with("serve ")).collect();
        assert_eq!(serves.len(), 2, "{sh}");
        assert!(serves[0].ends_with("' --read-only"), "{}", serves[0]);
        assert!(!serves[1].contains("--read-only"), "{}", serves[1]);
        assert!(sh.contains("--shared=0 ${4:+\"$4\"} "), "{sh}");
    }

    #[test]
    fn qemu_options_double_commas_and_unlock_only_raw_extents() {
        assert_eq!(
            image_opts(&served()),
            "driver=vmdk,file.driver=file,file.filename=/p/a,,b/vm 1/vm 1.vmdk,extents.1.locking=off,extents.3.locking=off"
        );
    }

    #[test]
    fn scripts_quote_every_word() {
        let s = served();
        let prepare = prepare_sh("/p/a,b", std::slice::from_ref(&s));
        assert!(prepare.starts_with("#!/bin/sh\n"), "{prepare}");
        assert!(
            prepare.contains(
                "\nserve 'vm 1' /run/carve/0e1f.sock 'driver=vmdk,file.driver=file,file.filename=/p/a,,b/vm 1/vm 1.vmdk,extents.1.locking=off,extents.3.locking=off'\n"
            ),
            "{prepare}"
        );
        let stop = stop_sh("/p", &[s]);
        assert!(
            stop.contains("\nstop 'vm 1' /run/carve/0e1f.sock 'driver=vmdk"),
            "{stop}"
        );
    }

    #[test]
    fn the_unit_escapes_its_paths() {
        let unit = systemd_unit("/srv/a \"b\" 100%/$x\\");
        assert!(
            unit.contains(
                "ExecStart=/bin/sh \"/srv/a \\\"b\\\" 100%%/$$x\\\\/prepare-libvirt.sh\"\n"
            ),
            "{unit}"
        );
        assert!(unit.contains("ExecStop=/bin/sh \"/srv/a"), "{unit}");
    }

    #[test]
    fn problems_name_what_would_work() {
        assert_eq!(problem("/dev/sdb", true, "/p"), None);
        let windows = problem(r"\\.\PhysicalDrive1", true, "/p").expect("refused");
        assert!(windows.contains("--device-path"), "{windows}");
        // Files only: the device path is never opened.
        assert_eq!(problem(r"\\.\PhysicalDrive1", false, "/p"), None);
        let folder = problem("/dev/sdb", true, "/p/a\nb").expect("refused");
        assert!(folder.contains("--out"), "{folder}");
    }
}
