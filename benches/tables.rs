//! Reading partition tables: a 128-entry GPT and an MBR with 60 logical partitions, both
//! written into a temporary directory at start.

#[path = "../tests/disk_support/imagegen.rs"]
mod imagegen;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn tables(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpt = dir.path().join("gpt128.img");
    let spec = imagegen::gpt_with(512, 140_000, 128, 128, 1000);
    std::fs::write(&gpt, imagegen::gpt_image(&spec)).expect("write GPT image");
    let mbr = dir.path().join("mbr60.img");
    let logicals = imagegen::logicals(2048, 60, 2048);
    let img = imagegen::mbr_image(
        2048 + 60 * 4096 + 2048,
        &[(0x05, 2048, 60 * 4096)],
        &logicals,
    );
    std::fs::write(&mbr, img).expect("write MBR image");

    let gpt = gpt.to_str().expect("utf-8 path").to_string();
    let mbr = mbr.to_str().expect("utf-8 path").to_string();
    c.bench_function("read_layout gpt 128 partitions", |b| {
        b.iter(|| carve::probe::read_layout(black_box(&gpt)).expect("read GPT"))
    });
    c.bench_function("read_layout mbr 60 logicals", |b| {
        b.iter(|| carve::probe::read_layout(black_box(&mbr)).expect("read MBR"))
    });
}

criterion_group!(benches, tables);
criterion_main!(benches);
