//! One full planner frame at 200x60 over a 128-partition disk with 1,000 extents
//! (target: under 2 ms).

use carve::app::App;
use carve::model::{
    DiskLayout, Extent, HostInfo, Partition, Plan, PlanDisk, Reserved, ReservedKind, Span,
    TableKind, VDisk,
};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn big_disk() -> DiskLayout {
    let size = 4_000_000_000u64;
    let slot = 30_000_000u64;
    let partitions: Vec<Partition> = (0..128u64)
        .map(|i| Partition {
            number: i as u32 + 1,
            start: 2048 + i * slot,
            sectors: slot - 2048,
            type_name: "Linux filesystem".into(),
            type_id: "0FC63DAF-8483-4772-8E79-3D69D8477DE4".into(),
            name: format!("p{i}"),
            uuid: String::new(),
            extended: false,
            host_use: None,
            fs: None,
        })
        .collect();
    let mut free: Vec<Span> = partitions
        .iter()
        .map(|p| Span::new(p.start + p.sectors, 2048))
        .collect();
    let last = free.pop().map_or(0, |s| s.start);
    free.push(Span::from_bounds(last, size - 33));
    DiskLayout {
        source: "bench.img".into(),
        size_sectors: size,
        logical_sector_size: 512,
        physical_sector_size: 4096,
        table: TableKind::Gpt,
        id: "6b1f0000-0000-4000-8000-000000000000".into(),
        partitions,
        free,
        reserved: vec![
            Reserved {
                start: 0,
                sectors: 2048,
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

fn big_app() -> App {
    let layout = big_disk();
    let mut plan = Plan::new(PlanDisk::from_layout(&layout, None));
    for v in 0..10u64 {
        let mut vd = VDisk::new(format!("vm{v}"));
        vd.shareable = true;
        vd.extents = (0..100u64)
            .map(|e| Extent::raw(2048 + (v * 100 + e) * 3_800_000, 4_000_000))
            .collect();
        plan.vdisks.push(vd);
    }
    let mut app = App::new(layout, plan, "/bench".into(), true);
    app.update(carve::app::Action::ToggleAnchor);
    app.update(carve::app::Action::MoveCells(30));
    app
}

fn frame(c: &mut Criterion) {
    let mut app = big_app();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    terminal
        .draw(|f| {
            let hits = carve::ui::draw(f, &app);
            black_box(hits);
        })
        .expect("draw");
    app.focus = carve::app::Focus::Vdisks;
    c.bench_function("frame 200x60, 128 partitions, 1000 extents", |b| {
        b.iter(|| {
            // Clear so every frame rewrites every cell, as after a resize.
            terminal.clear().expect("clear");
            terminal
                .draw(|f| {
                    black_box(carve::ui::draw(f, &app));
                })
                .expect("draw");
        })
    });
}

criterion_group!(benches, frame);
criterion_main!(benches);
