//! `--target libvirt`: qemu-style descriptors and `<name>/<name>.xml`, one `<disk>` element
//! per vdisk, for `virsh attach-device` or a domain's `<devices>`. The element is text out,
//! escaped by quick-xml.

use super::{Export, Hypervisor};
use crate::error::Result;
use crate::export::files::{Content, WantedFile};
use crate::model::{Extent, SECTOR, VDisk};
use crate::vmdk::write::{CreateType, Flavor};
use quick_xml::Writer;

pub struct Libvirt;

impl Hypervisor for Libvirt {
    fn name(&self) -> &'static str {
        "libvirt"
    }

    fn help(&self) -> &'static str {
        "qemu-style descriptors and one libvirt <disk> element per vdisk (<name>/<name>.xml)"
    }

    /// libvirt hands the descriptor to qemu: qemu's monolithicFlat.
    fn descriptor(&self, _vdisk: &VDisk, _disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (CreateType::MonolithicFlat, Flavor::VirtualBox)
    }

    /// As qemu, which reads the descriptor.
    fn zero_extents_as_files(&self) -> bool {
        true
    }

    /// `<name>/<name>.xml` for every vdisk: a raw slice of the device for one raw extent,
    /// else the descriptor.
    fn extra_files(&self, export: &Export) -> Result<Vec<WantedFile>> {
        let mut files = Vec::new();
        for (v, a) in export.plan.vdisks.iter().zip(&export.attached) {
            let source = match v.extents.as_slice() {
                [Extent::Raw { start, sectors }] => DiskSource::Block {
                    dev: export.device_path.to_string(),
                    offset_bytes: start.saturating_mul(SECTOR),
                    size_bytes: sectors.saturating_mul(SECTOR),
                },
                _ => DiskSource::Vmdk {
                    file: export.descriptor(v),
                },
            };
            files.push(WantedFile {
                path: export.opts.out_dir.join(&v.name).join(format!("{}.xml", v.name)),
                what: "libvirt <disk> element".into(),
                content: Content::Text(disk_xml(&source, a.port, v.shareable)),
            });
        }
        Ok(files)
    }
}

/// What the disk reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskSource {
    /// One raw extent: the device itself, cut to a byte range by a storage `<slice>`
    /// (libvirt 6.1+). A path outside `/dev` is an image file standing in for the disk:
    /// then `type='file'` (qemu opens a block device only as `type='block'`, and a regular
    /// file only as `type='file'`), with the same raw driver and slice.
    Block {
        dev: String,
        offset_bytes: u64,
        size_bytes: u64,
    },
    /// Anything else: the qemu-style descriptor beside it (absolute path).
    Vmdk { file: String },
}

/// A host block device (what libvirt's `type='block'` takes), by its path.
fn is_device(path: &str) -> bool {
    path.starts_with("/dev/")
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

/// The `<disk>` element. `shareable` adds `<shareable/>` (and `cache='none'`) to a block
/// disk; libvirt refuses shared access to any format but raw, so a vmdk disk gets a comment
/// saying so instead of an element that would stop the domain from starting.
pub fn disk_xml(source: &DiskSource, port: u32, shareable: bool) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let kind = match source {
        DiskSource::Block { dev, .. } if is_device(dev) => "block",
        DiskSource::Block { .. } | DiskSource::Vmdk { .. } => "file",
    };
    let dev = target_dev(port);
    // Writing into a Vec cannot fail.
    let _ = w
        .create_element("disk")
        .with_attribute(("type", kind))
        .with_attribute(("device", "disk"))
        .write_inner_content(|w| {
            match source {
                DiskSource::Block {
                    dev: path,
                    offset_bytes,
                    size_bytes,
                } => {
                    let driver = w
                        .create_element("driver")
                        .with_attribute(("name", "qemu"))
                        .with_attribute(("type", "raw"));
                    if shareable {
                        driver.with_attribute(("cache", "none")).write_empty()?;
                    } else {
                        driver.write_empty()?;
                    }
                    let (offset, size) = (offset_bytes.to_string(), size_bytes.to_string());
                    let attr = if is_device(path) { "dev" } else { "file" };
                    w.create_element("source")
                        .with_attribute((attr, path.as_str()))
                        .write_inner_content(|w| {
                            w.create_element("slices").write_inner_content(|w| {
                                w.create_element("slice")
                                    .with_attribute(("type", "storage"))
                                    .with_attribute(("offset", offset.as_str()))
                                    .with_attribute(("size", size.as_str()))
                                    .write_empty()?;
                                Ok(())
                            })?;
                            Ok(())
                        })?;
                }
                DiskSource::Vmdk { file } => {
                    w.create_element("driver")
                        .with_attribute(("name", "qemu"))
                        .with_attribute(("type", "vmdk"))
                        .write_empty()?;
                    w.create_element("source")
                        .with_attribute(("file", file.as_str()))
                        .write_empty()?;
                }
            }
            w.create_element("target")
                .with_attribute(("dev", dev.as_str()))
                .with_attribute(("bus", "virtio"))
                .write_empty()?;
            match source {
                DiskSource::Block { .. } if shareable => {
                    w.create_element("shareable").write_empty()?;
                }
                DiskSource::Vmdk { .. } if shareable => {
                    w.write_event(quick_xml::events::Event::Comment(
                        quick_xml::events::BytesText::from_escaped(
                            " shareable in the plan, but libvirt shares raw disks only: this vdisk needs the vmdk format (it has more than one extent), so it is not marked; a vdisk of one raw extent is ",
                        ),
                    ))?;
                }
                _ => {}
            }
            Ok(())
        });
    let mut text = String::from_utf8_lossy(&w.into_inner()).into_owned();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names() {
        assert_eq!(target_dev(0), "vda");
        assert_eq!(target_dev(25), "vdz");
        assert_eq!(target_dev(26), "vdaa");
        assert_eq!(target_dev(27), "vdab");
        assert_eq!(target_dev(26 + 26 * 26), "vdaaa");
    }

    #[test]
    fn block_with_a_slice() {
        let xml = disk_xml(
            &DiskSource::Block {
                dev: "/dev/disk/by-id/a&b".into(),
                offset_bytes: 1 << 20,
                size_bytes: 512,
            },
            1,
            true,
        );
        assert_eq!(
            xml,
            "<disk type=\"block\" device=\"disk\">\n\
             \x20 <driver name=\"qemu\" type=\"raw\" cache=\"none\"/>\n\
             \x20 <source dev=\"/dev/disk/by-id/a&amp;b\">\n\
             \x20   <slices>\n\
             \x20     <slice type=\"storage\" offset=\"1048576\" size=\"512\"/>\n\
             \x20   </slices>\n\
             \x20 </source>\n\
             \x20 <target dev=\"vdb\" bus=\"virtio\"/>\n\
             \x20 <shareable/>\n\
             </disk>\n"
        );
    }

    #[test]
    fn an_image_file_is_a_file_disk_with_the_same_slice() {
        let xml = disk_xml(
            &DiskSource::Block {
                dev: "/srv/disk.img".into(),
                offset_bytes: 512,
                size_bytes: 1024,
            },
            0,
            false,
        );
        assert!(
            xml.starts_with("<disk type=\"file\" device=\"disk\">"),
            "{xml}"
        );
        assert!(
            xml.contains("<driver name=\"qemu\" type=\"raw\"/>"),
            "{xml}"
        );
        assert!(xml.contains("<source file=\"/srv/disk.img\">"), "{xml}");
        assert!(
            xml.contains("<slice type=\"storage\" offset=\"512\" size=\"1024\"/>"),
            "{xml}"
        );
    }

    #[test]
    fn vmdk_file() {
        let xml = disk_xml(
            &DiskSource::Vmdk {
                file: "/p/<v>/v.vmdk".into(),
            },
            0,
            false,
        );
        assert!(
            xml.contains("<driver name=\"qemu\" type=\"vmdk\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains("<source file=\"/p/&lt;v&gt;/v.vmdk\"/>"),
            "{xml}"
        );
        assert!(!xml.contains("shareable"), "{xml}");
        let shared = disk_xml(
            &DiskSource::Vmdk {
                file: "/v.vmdk".into(),
            },
            0,
            true,
        );
        assert!(shared.contains("<!-- shareable in the plan"), "{shared}");
        assert!(!shared.contains("<shareable/>"), "{shared}");
    }
}
