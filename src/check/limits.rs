//! `too-large`: sizes the descriptor's readers refuse or get wrong. libvmdk (`vmdkinfo`) and
//! qemu count a disk's bytes in a signed 64-bit number: libvmdk refuses an extent line of
//! 2^54 sectors or more, and VirtualBox adds the extents up in 64 bits and silently wraps past
//! 16 EiB (three ZERO extents of 2^63-1 sectors read as a disk of 2^64-512 bytes). A plan that
//! `check` passes must export into something every reader takes.

use super::{Context, Sink, codes, text};

/// The most sectors an extent, and a whole vdisk, may have: 2^54 - 1 (8 EiB less 512 bytes),
/// so its size in bytes fits a signed 64-bit number.
pub const MAX_SECTORS: u64 = (1 << 54) - 1;

pub fn check(ctx: &Context, sink: &mut Sink) {
    for (v, vdisk) in ctx.plan.vdisks.iter().enumerate() {
        let mut total: Option<u64> = Some(0);
        let mut reported = false;
        for (e, extent) in vdisk.extents.iter().enumerate() {
            let sectors = extent.sectors();
            total = total.and_then(|t| t.checked_add(sectors));
            if sectors > MAX_SECTORS {
                reported = true;
                sink.error(codes::TOO_LARGE, format!(
                        "{} extent of {sectors} sectors is larger than a VMDK extent can be: \
                         vmdkinfo and qemu take at most {MAX_SECTORS} sectors (8 EiB); make it smaller",
                        extent.kind_name()
                    )).vdisk(v).extent(e).span(extent.raw_span());
            }
        }
        if !reported && total.is_none_or(|t| t > MAX_SECTORS) {
            sink.error(
                codes::TOO_LARGE,
                format!(
                    "{} adds up to {} sectors, more than a VMDK disk can be: qemu takes at most \
                     {MAX_SECTORS} sectors (8 EiB) and VirtualBox wraps around past 16 EiB; \
                     make its extents smaller",
                    text::shown(&vdisk.name),
                    total.map_or_else(|| "more than 2^64".to_string(), |t| t.to_string())
                ),
            )
            .vdisk(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn extents_and_sums_past_the_limit() {
        let cases = [
            (vec![zero(MAX_SECTORS)], vec![]),
            (vec![zero(MAX_SECTORS + 1)], vec![(0, 0)]),
            (vec![file(u64::MAX, "h.bin")], vec![(0, 0)]),
            // Three ZERO extents of 2^63-1: each too large (and the sum overflows).
            (
                vec![
                    zero(i64::MAX as u64),
                    zero(i64::MAX as u64),
                    zero(i64::MAX as u64),
                ],
                vec![(0, 0), (0, 1), (0, 2)],
            ),
            // Each fits, the sum does not.
            (vec![zero(MAX_SECTORS), zero(1)], vec![(0, usize::MAX)]),
        ];
        for (extents, expected) in cases {
            let plan = plan_of(vec![vdisk("vm1", extents.clone())]);
            assert_eq!(flagged(&plan, codes::TOO_LARGE), expected, "{extents:?}");
        }
    }
}
