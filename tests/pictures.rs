//! The README's pictures of the planner (`assets/*.svg`) are what `examples/screenshot.rs`
//! draws with today's planner, byte for byte, and the README shows every one of them. After a
//! change to what the planner draws: `cargo run --example screenshot -- assets`, then look at
//! the pictures and commit them.

#[path = "../examples/screenshot.rs"]
#[allow(dead_code)]
mod screenshot;

use std::path::Path;

#[test]
fn the_readme_pictures_are_todays_planner() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let shots = screenshot::shots();
    assert_eq!(shots.len(), 3);
    for (name, (svg, text)) in shots {
        let committed = std::fs::read_to_string(assets.join(name)).unwrap_or_default();
        assert!(
            committed == svg,
            "assets/{name} is not what today's planner draws; run `cargo run --example screenshot -- assets`, look at the pictures and commit them. Today's screen:\n{text}"
        );
        assert!(
            readme.contains(&format!("](assets/{name})")),
            "the README shows assets/{name}"
        );
    }
}
