//! The `aimpact` binary: parse the command line, load `.env`, run.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = aimpact::cli::Cli::parse();
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("error: .env: {e}; fix the file or remove it");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(aimpact::cli::run(cli))
}
