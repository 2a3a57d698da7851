//! Zed extension: start `trigger-lsp serve` (from `lsp.trigger-lsp.binary` or PATH) and pass the
//! user's `lsp.trigger-lsp` settings through.
use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct TriggerLsp;

impl zed::Extension for TriggerLsp {
    fn new() -> Self {
        TriggerLsp
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|s| s.binary);
        let command = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which("trigger-lsp"))
            .ok_or("trigger-lsp is not on PATH: `pipx install trigger-lsp`, or set lsp.trigger-lsp.binary.path")?;
        let args = binary
            .and_then(|b| b.arguments)
            .unwrap_or_else(|| vec!["serve".into()]);
        Ok(zed::Command { command, args, env: worktree.shell_env() })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|s| s.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        // The server asks for the "trigger-lsp" section.
        Ok(LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|s| s.settings)
            .map(|settings| zed::serde_json::json!({ "trigger-lsp": settings })))
    }
}

zed::register_extension!(TriggerLsp);
