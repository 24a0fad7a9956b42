use std::process::ExitCode;

fn main() -> ExitCode {
    match carve::cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("carve: {e}");
            ExitCode::from(2)
        }
    }
}
