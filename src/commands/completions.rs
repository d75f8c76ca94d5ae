//! `wfk completions <shell>`: the script that registers wfk's completions with a shell.
//! The script asks `wfk` itself for candidates as you type (clap_complete's dynamic
//! completion), so environment names come from the project at hand.

use crate::Exit;
use crate::cli::CompletionsArgs;
use clap_complete::Shell;
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

pub fn run(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    let shell: &dyn EnvCompleter = match args.shell {
        Shell::Bash => &Bash,
        Shell::Elvish => &Elvish,
        Shell::Fish => &Fish,
        Shell::PowerShell => &Powershell,
        Shell::Zsh => &Zsh,
        other => {
            anyhow::bail!("no completions for `{other}`; use bash, zsh, fish, elvish or powershell")
        }
    };
    let mut out = Vec::new();
    shell.write_registration(super::COMPLETE_VAR, "wfk", "wfk", "wfk", &mut out)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Exit::Success)
}
