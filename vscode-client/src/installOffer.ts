// The offer to install the server into the extension's private Python environment: it stays
// until the user answers (the notification can slide into the notification centre; the status
// item keeps asking), and "Not Now" is remembered across windows and restarts.
import * as vscode from 'vscode';

const DECLINED_KEY = 'trigger-lsp.install.declined';

export type InstallAnswer = 'install' | 'setPath' | 'notNow' | 'unanswered';

const INSTALL = 'Install';
const SET_PATH = 'Set Server Path';
const NOT_NOW = 'Not Now';

export class InstallOffer {
  private pending: Promise<InstallAnswer> | undefined;

  constructor(private readonly state: vscode.Memento) {}

  /** The user said "Not Now" before (in any window). */
  get declined(): boolean {
    return this.state.get<boolean>(DECLINED_KEY, false);
  }

  /** Forget "Not Now": the user asked for the server explicitly. */
  async reset(): Promise<void> {
    await this.state.update(DECLINED_KEY, undefined);
  }

  /**
   * Ask (once at a time). "Not Now" is stored; closing the notification without an answer
   * leaves the question open (the caller keeps the status item asking).
   */
  ask(): Promise<InstallAnswer> {
    if (!this.pending) {
      this.pending = this.show().finally(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  private async show(): Promise<InstallAnswer> {
    const choice = await vscode.window.showInformationMessage(
      'The trigger-lsp language server is not installed. Install it into a private Python environment ' +
        'for this extension? (Needs Python 3.11+; its dependencies come from PyPI.)',
      INSTALL,
      SET_PATH,
      NOT_NOW,
    );
    if (choice === NOT_NOW) {
      await this.state.update(DECLINED_KEY, true);
      return 'notNow';
    }
    if (choice === INSTALL || choice === SET_PATH) {
      await this.reset();
      return choice === INSTALL ? 'install' : 'setPath';
    }
    return 'unanswered';
  }
}
