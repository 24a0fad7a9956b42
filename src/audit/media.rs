//! The media registries (.vbox files) that register the descriptors: duplicates and
//! shareability.

use super::input::{AuditInput, Descriptor};
use super::{Finding, MediumRead, codes};
use crate::check::Severity;
use crate::vbox::vboxfile::{self, Medium};
use std::path::Path;

/// HardDisk uuids registered twice: within one file an error (VirtualBox will not load a
/// media registry that names a uuid twice), across files a warning when the two entries
/// differ in location or type (the shareability audit reads could be either).
pub(super) fn duplicate_media(media: &[(std::path::PathBuf, Vec<Medium>)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut first: std::collections::HashMap<&str, (&Path, &Medium)> =
        std::collections::HashMap::new();
    for (path, list) in media {
        for m in list {
            if m.uuid.is_empty() {
                continue;
            }
            let Some(&(other_path, other)) = first.get(m.uuid.as_str()) else {
                first.insert(m.uuid.as_str(), (path, m));
                continue;
            };
            let shown = |m: &Medium| format!("`{}` ({})", crate::text::escape(&m.location), m.kind);
            let (severity, message) = if other_path == path.as_path() {
                (
                    Severity::Error,
                    format!(
                        "HardDisk uuid {{{}}} is registered twice in this file, as {} and {}; VirtualBox refuses a media registry that names one uuid twice: remove one entry",
                        m.uuid,
                        shown(other),
                        shown(m)
                    ),
                )
            } else if other.location != m.location || !other.kind.eq_ignore_ascii_case(&m.kind) {
                (
                    Severity::Warning,
                    format!(
                        "HardDisk uuid {{{}}} is {} here but {} in {}; which one VirtualBox uses depends on the VM it loads first: make the entries agree",
                        m.uuid,
                        shown(m),
                        shown(other),
                        crate::text::escape(&other_path.display().to_string())
                    ),
                )
            } else {
                continue;
            };
            findings.push(
                Finding::new(codes::DUPLICATE_MEDIUM, severity, message)
                    .file(path.display().to_string()),
            );
        }
    }
    findings
}

/// Shareable when a registry entry of type Shareable has the descriptor's uuid or location.
pub(super) fn is_shareable(d: &Descriptor, uuid: Option<&uuid::Uuid>, media: &[&Medium]) -> bool {
    media
        .iter()
        .filter(|m| m.is_shareable())
        .any(|m| registers(m, d, uuid))
}

/// Whether registry entry `m` is descriptor `d` (whose image uuid is `uuid`): by uuid, or
/// by its location from the folder the registry resolves it in.
pub(super) fn registers(m: &Medium, d: &Descriptor, uuid: Option<&uuid::Uuid>) -> bool {
    let own = std::fs::canonicalize(&d.path).ok();
    let by_uuid = uuid.is_some_and(|u| vboxfile::normalize_uuid(&u.to_string()) == m.uuid);
    let by_location = own.is_some()
        && d.registry_dirs
            .iter()
            .any(|dir| std::fs::canonicalize(dir.join(&m.location)).ok() == own);
    by_uuid || by_location
}

/// What each HardDisk entry of the .vbox files said, and the vdisk it registers.
pub(super) fn media_read(
    input: &AuditInput,
    vdisks: &[(String, Option<uuid::Uuid>)],
) -> Vec<MediumRead> {
    let mut out = Vec::new();
    for (path, media) in &input.media {
        for m in media {
            let vdisk = input
                .descriptors
                .iter()
                .zip(vdisks)
                .find(|(d, (_, uuid))| registers(m, d, uuid.as_ref()))
                .map(|(_, (name, _))| name.clone());
            out.push(MediumRead {
                file: path.display().to_string(),
                uuid: m.uuid.clone(),
                location: m.location.clone(),
                kind: m.kind.clone(),
                vdisk,
            });
        }
    }
    out
}
