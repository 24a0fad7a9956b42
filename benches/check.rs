//! `check::run` on plans of 1k, 10k and 100k raw extents over a synthetic GPT disk of 128
//! partitions (SPEC target: 100k under 0.3 s, at most 15x the time of 10k), the same 10k and
//! 100k dealt over 10 and over 1,000 vdisks (issue 23: 100k under 40 ms and at most 11x the
//! 10k, for both), plus the plan file parse the command does first.
//!
//! The whole process (read, parse, check, print) is timed by hand:
//! `cargo run --release --example gen_plan -- 100000 /tmp/p/carve.json` then
//! `/usr/bin/time -v target/release/carve check /tmp/p/carve.json`.

use carve::check;
use carve::model::{
    DiskLayout, Extent, HostInfo, MIB_SECTORS, Partition, Plan, PlanDisk, Reserved, ReservedKind,
    Span, TableKind, VDisk,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

const PARTITIONS: u64 = 128;
/// 1 GiB partitions: 1024 one-MiB extents each, so 100k extents fill 98 of them.
const PARTITION_SECTORS: u64 = 1024 * MIB_SECTORS;
const VDISKS: usize = 100;

/// GPT: primary table in the first MiB, 128 back-to-back 1 GiB partitions, a free MiB and
/// the backup table in the last 33 sectors.
fn layout() -> DiskLayout {
    let first = MIB_SECTORS;
    let end_of_partitions = first + PARTITIONS * PARTITION_SECTORS;
    let size = end_of_partitions + MIB_SECTORS + 33;
    let partitions = (0..PARTITIONS)
        .map(|i| Partition {
            number: i as u32 + 1,
            start: first + i * PARTITION_SECTORS,
            sectors: PARTITION_SECTORS,
            type_name: "Linux filesystem".into(),
            type_id: "0FC63DAF-8483-4772-8E79-3D69D8477DE4".into(),
            name: format!("part{}", i + 1),
            uuid: String::new(),
            extended: false,
            host_use: None,
            fs: None,
        })
        .collect();
    DiskLayout {
        source: "bench.img".into(),
        size_sectors: size,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::Gpt,
        id: "6b1f0000-0000-4000-8000-000000000128".into(),
        partitions,
        free: vec![Span::from_bounds(end_of_partitions, size - 33)],
        reserved: vec![
            Reserved {
                start: 0,
                sectors: 34,
                what: ReservedKind::GptPrimary,
            },
            Reserved {
                start: size - 33,
                sectors: 33,
                what: ReservedKind::GptBackup,
            },
        ],
        notes: Vec::new(),
        host: HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    }
}

/// `count` 1 MiB raw extents back to back from the first partition, dealt out in runs over
/// 100 shareable vdisks that each begin with a header file: a clean plan, so the time is the
/// checks' own and not message formatting.
fn plan(layout: &DiskLayout, count: usize) -> Plan {
    plan_over(layout, count, VDISKS)
}

/// [`plan`] over `vdisks` vdisks.
fn plan_over(layout: &DiskLayout, count: usize, vdisks: usize) -> Plan {
    let mut plan = Plan::new(PlanDisk::from_layout(
        layout,
        Some(r"\\.\PhysicalDrive1".into()),
    ));
    let per_vdisk = count.div_ceil(vdisks);
    let mut next = MIB_SECTORS;
    for v in 0..vdisks {
        let mut vdisk = VDisk::new(format!("vm{v}"));
        vdisk.shareable = true;
        vdisk.extents.push(Extent::File {
            sectors: MIB_SECTORS,
            path: None,
        });
        for _ in 0..per_vdisk.min(count.saturating_sub(v * per_vdisk)) {
            vdisk.extents.push(Extent::raw(next, MIB_SECTORS));
            next += MIB_SECTORS;
        }
        plan.vdisks.push(vdisk);
    }
    plan
}

fn bench_check(c: &mut Criterion) {
    let layout = layout();
    let mut group = c.benchmark_group("check::run");
    for count in [1_000usize, 10_000, 100_000] {
        let plan = plan(&layout, count);
        let report = check::run(&plan, Some(&layout));
        assert_eq!(report.findings, vec![], "the bench plan must be clean");
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(BenchmarkId::from_parameter(count), &plan, |b, plan| {
            b.iter(|| check::run(black_box(plan), Some(black_box(&layout))))
        });
    }
    group.finish();

    // Issue 23's shapes: many small vdisks and few large ones.
    for vdisks in [10usize, 1_000] {
        let mut group = c.benchmark_group(format!("check::run over {vdisks} vdisks"));
        for count in [10_000usize, 100_000] {
            let plan = plan_over(&layout, count, vdisks);
            let report = check::run(&plan, Some(&layout));
            assert_eq!(report.findings, vec![], "the bench plan must be clean");
            group.throughput(Throughput::Elements(count as u64));
            group.bench_with_input(BenchmarkId::from_parameter(count), &plan, |b, plan| {
                b.iter(|| check::run(black_box(plan), Some(black_box(&layout))))
            });
        }
        group.finish();
    }

    // Every extent overlapping the 2,047 before it: one grouped overlap finding (and a
    // misaligned warning) each, the worst case for messages.
    let mut group = c.benchmark_group("check::run all overlapping");
    for count in [10_000usize, 100_000] {
        let mut plan = plan(&layout, 0);
        plan.vdisks.truncate(1);
        plan.vdisks[0]
            .extents
            .extend((0..count as u64).map(|i| Extent::raw(MIB_SECTORS + i, MIB_SECTORS)));
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(BenchmarkId::from_parameter(count), &plan, |b, plan| {
            b.iter(|| check::run(black_box(plan), Some(black_box(&layout))))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("Plan::from_json");
    for count in [10_000usize, 100_000] {
        let text = plan(&layout, count).to_json().expect("plan json");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(count), &text, |b, text| {
            b.iter(|| Plan::from_json(black_box(text), Path::new("carve.json")))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_check
}
criterion_main!(benches);
