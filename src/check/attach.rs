//! Checks on how vdisks are attached: `guest-table` (the vdisk's shape cannot hold the
//! guest partition table it asks for) and `port-clash` (two vdisks of one VM on one
//! controller port).

use super::{Context, Sink, codes, text};
use crate::model::attachments;
use std::collections::HashMap;

pub fn check(ctx: &Context, sink: &mut Sink) {
    for (v, vdisk) in ctx.plan.vdisks.iter().enumerate() {
        if let Some(problem) = crate::guest_table::shape_problem(vdisk) {
            sink.error(codes::GUEST_TABLE, problem).vdisk(v);
        }
    }
    let mut first: HashMap<(&str, String, u32), usize> = HashMap::new();
    for (v, a) in attachments(ctx.plan).iter().enumerate() {
        let Some(vm) = ctx.plan.vdisks.get(v).and_then(|d| d.vm.as_deref()) else {
            continue;
        };
        let key = (vm, a.controller.clone(), a.port);
        if let Some(&earlier) = first.get(&key) {
            sink.warning(codes::PORT_CLASH, format!(
                    "{} and {} are both attached to VM {} on controller {} port {}: the second attach replaces the first; give one another \"port\"",
                    text::shown(ctx.vdisk_name(earlier)),
                    text::shown(ctx.vdisk_name(v)),
                    text::shown(vm),
                    text::shown(&a.controller),
                    a.port
                )).vdisk(v);
        } else {
            first.insert(key, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::GuestTable;

    #[test]
    fn same_vm_same_port_warns_once_on_the_later_vdisk() {
        let mut a = vdisk("a", vec![header()]);
        let mut b = vdisk("b", vec![header()]);
        let mut c = vdisk("c", vec![header()]);
        let mut d = vdisk("d", vec![header()]);
        for v in [&mut a, &mut b, &mut c] {
            v.vm = Some("win 11".into());
        }
        a.port = Some(1);
        b.port = Some(1);
        // c takes the next free port (0); d has no VM and clashes with nobody.
        d.port = Some(1);
        let plan = plan_of(vec![a, b, c, d]);
        assert_eq!(flagged(&plan, codes::PORT_CLASH), vec![(1, usize::MAX)]);
        let messages = messages_on(&plan, None, codes::PORT_CLASH);
        assert_eq!(
            messages,
            vec![
                "a and b are both attached to VM win 11 on controller SATA port 1: the second attach replaces the first; give one another \"port\""
            ]
        );
        // Another controller is another port.
        let mut plan = plan;
        plan.vdisks[1].controller = Some("IDE".into());
        assert_eq!(flagged(&plan, codes::PORT_CLASH), vec![]);
    }

    #[test]
    fn guest_table_shape_is_an_error() {
        let mut v = vdisk("a", vec![raw(125_831_168, 2048)]);
        v.guest_table = GuestTable::Mbr;
        let plan = plan_of(vec![v]);
        assert_eq!(flagged(&plan, codes::GUEST_TABLE), vec![(0, usize::MAX)]);
        let mut ok = vdisk("b", vec![header(), raw(125_831_168, 2048)]);
        ok.guest_table = GuestTable::Mbr;
        assert_eq!(flagged(&plan_of(vec![ok]), codes::GUEST_TABLE), vec![]);
    }
}
