use std::process::ExitCode;

fn main() -> ExitCode {
    match carve::commands::run() {
        Ok(code) => code,
        Err(e) => {
            // Paths, names and kinds from the user are in the message: one line, escaped.
            eprintln!("carve: {}", carve::text::escape(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
