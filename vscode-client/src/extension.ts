// Entry point: starts trigger-lsp for Trigger.dev workspaces and wires commands and the status bar.
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  MessageType,
  ShowMessageNotification,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  configuredServerPath,
  ManagedServer,
  PYTHON_DOWNLOAD,
  ServerExecutable,
  SetupAction,
  SetupError,
  which,
} from './serverInstall';
import { InstallOffer } from './installOffer';
import { clientChannel, serverStdio, TraceChannel } from './logging';
import { isTriggerWorkspace, TRIGGER_CONFIG_GLOB } from './workspace';
import { bundledServer } from './binary';
import { withoutShownMessages } from './hover';

const SECTION = 'trigger-lsp';
const EXPLAIN_COMMAND = 'trigger-lsp.explainRule'; // the server's command
const FIX_ALL_KIND = 'source.fixAll.trigger-lsp';
const RULE_DOC_SCHEME = 'trigger-lsp-rule';
const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

/** What the server reads from the "trigger-lsp" section (other keys are for the extension). */
function serverSettings(scope?: vscode.Uri): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const features = ['diagnostics', 'hover', 'completion', 'codeActions', 'codeLens', 'navigation', 'documentSymbols', 'workspaceDiagnostics'];
  return JSON.parse(
    JSON.stringify({
      rules: cfg.get('rules', {}),
      profile: cfg.get<string>('profile', 'recommended'),
      features: Object.fromEntries(features.map((f) => [f, cfg.get<boolean>(`features.${f}`, f !== 'documentSymbols')])),
      hover: { detail: cfg.get<string>('hover.detail', 'short') },
      completion: { keys: cfg.get<string>('completion.keys', 'auto') },
      debounceMs: cfg.get<number>('debounceMs', 100),
      indexWorkspace: cfg.get<boolean>('indexWorkspace', true),
    }),
  );
}

class Status {
  private readonly item = vscode.window.createStatusBarItem('trigger-lsp.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'trigger-lsp';
    this.item.command = 'trigger-lsp.showOutput';
  }

  set(
    state: 'starting' | 'installing' | 'running' | 'stopped' | 'failed' | 'offer' | 'notInstalled',
    detail = '',
  ): void {
    const icons = {
      starting: '$(loading~spin)',
      installing: '$(sync~spin)',
      running: '$(check)',
      stopped: '$(circle-slash)',
      failed: '$(error)',
      offer: '$(cloud-download)',
      notInstalled: '$(cloud-download)',
    };
    const asking = state === 'offer' || state === 'notInstalled';
    this.item.text = `${icons[state]} trigger-lsp`;
    const click = asking ? 'Click to install the server.' : 'Click to show the output.';
    const label = { offer: 'not installed (install?)', notInstalled: 'not installed' }[state as string] ?? state;
    this.item.tooltip = `trigger-lsp: ${label}${detail ? `\n${detail}` : ''}\n${click}`;
    this.item.command = asking ? 'trigger-lsp.installServer' : 'trigger-lsp.showOutput';
    this.item.backgroundColor =
      state === 'failed'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : state === 'offer'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  /** Not a Trigger.dev workspace: no status item at all. */
  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}

class RuleDocs implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? '';
  }

  /** Show a rule's markdown in the markdown preview (in the editor if the preview is missing). */
  async show(ruleId: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: RULE_DOC_SCHEME, path: `/${ruleId}.md` });
    this.docs.set(uri.path, markdown);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
  }
}

class Controller {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly managed: ManagedServer;
  private readonly offerToInstall: InstallOffer;
  // Rules whose explanation is being fetched: the server's one-line toast for them is dropped
  // (the Explain view shows the whole text).
  private readonly explaining = new Set<string>();
  // The user asked for the server (a command, not the automatic start): ask again even after
  // "Not Now".
  private explicit = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly trace: TraceChannel,
    private readonly status: Status,
    private readonly ruleDocs: RuleDocs,
  ) {
    this.managed = new ManagedServer(context.globalStorageUri, context.extensionPath);
    this.offerToInstall = new InstallOffer(context.globalState);
  }

  /** "Restart Language Server" and the status item: the user asks for the server. */
  restartExplicitly(): Promise<void> {
    this.explicit = true;
    return this.restart();
  }

  /** The status item while the server is not installed: ask (again) now. */
  async askToInstall(): Promise<void> {
    await this.offerToInstall.reset();
    await this.offerInstall();
  }

  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** Stop the current server (if any) and start again; calls are serialized. */
  restart(): Promise<void> {
    this.queue = this.queue.then(
      () => this.doRestart(),
      () => this.doRestart(),
    );
    return this.queue;
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(() => this.doStop());
    return this.queue;
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.dispose(3000);
      } catch (err) {
        this.output.warn(`[client] stopping the server failed: ${err}`);
      }
    }
  }

  private async doRestart(): Promise<void> {
    await this.doStop();
    this.status.set('starting');
    this.output.info('[client] looking for the trigger-lsp server');
    let server: ServerExecutable | undefined;
    try {
      server = await this.findServer();
    } catch (err) {
      void this.report(err);
      return;
    }
    if (!server) {
      return; // not installed: findServer left the status item asking (or saying so after "Not Now")
    }
    this.output.info(`[client] starting ${server.command} serve (from ${server.source})`);
    const client = this.createClient(server);
    this.client = client;
    client.onDidChangeState((e) => {
      if (this.client !== client) {
        return;
      }
      if (e.newState === State.Running) {
        const info = client.initializeResult?.serverInfo;
        this.status.set('running', `${info?.name ?? 'trigger-lsp'} ${info?.version ?? ''} (${server!.command})`);
      } else if (e.newState === State.Starting) {
        this.status.set('starting');
      } else {
        this.status.set('stopped', 'The server stopped: see the output.');
      }
    });
    try {
      await client.start();
    } catch (err) {
      this.status.set('failed', String(err));
      this.output.error(`[client] the server did not start: ${err}`);
      void this.offer(`trigger-lsp could not start ${server.command}: ${err}`, ['Show Output', 'Open Settings']);
      return;
    }
    // The server's own toasts, except the one-line summary it sends with an explanation that
    // the Explain view is showing in full.
    client.onNotification(ShowMessageNotification.type, (params) => {
      if ([...this.explaining].some((id) => params.message.startsWith(`${id}: `))) {
        this.output.debug(`[client] explanation shown in the Explain view: ${params.message}`);
        return;
      }
      showServerMessage(params.type, params.message, this.output);
    });
  }

  /** setting, else the binary in a platform .vsix, else PATH, else the managed venv (offered). */
  private async findServer(): Promise<ServerExecutable | undefined> {
    const configured = configuredServerPath();
    if (configured) {
      if (!which(configured)) {
        throw new SetupError(`"trigger-lsp.server.path" is set to ${configured}, which does not exist.`, [
          'Open Settings',
        ]);
      }
      return { command: configured, source: 'setting' };
    }
    const bundled = bundledServer(this.context.extensionPath, (line) => this.output.appendLine(line));
    if (bundled) {
      return { command: bundled, source: 'bundled' };
    }
    const onPath = which('trigger-lsp');
    if (onPath) {
      return { command: onPath, source: 'PATH' };
    }
    const state = this.managed.state();
    if (state === 'current') {
      return { command: this.managed.executable, source: 'managed' };
    }
    if (state === 'outdated') {
      // The user agreed to a managed server before: update it with the shipped wheel.
      this.status.set('installing');
      return { command: await this.managed.install(this.output), source: 'managed' };
    }
    if (!this.managed.wheel) {
      throw new SetupError(
        'trigger-lsp was not found on PATH. Install it ("pipx install trigger-lsp") and restart, or set ' +
          '"trigger-lsp.server.path".',
        ['Open Settings'],
      );
    }
    const explicit = this.explicit;
    this.explicit = false;
    if (this.offerToInstall.declined && !explicit) {
      this.output.info('[client] the server is not installed ("Not Now" was chosen before): click the status item to install it');
      this.status.set('notInstalled', '"Not Now" was chosen before.');
      return undefined;
    }
    // Ask without holding up the restart queue: a settings change must still get through.
    void this.offerInstall();
    return undefined;
  }

  private async offerInstall(): Promise<void> {
    this.status.set('offer', 'Waiting for an answer to the install offer.');
    const choice = await this.offerToInstall.ask();
    if (choice === 'notNow') {
      this.status.set('notInstalled', '"Not Now": click here to install it later.');
    } else if (choice === 'unanswered') {
      this.status.set('offer', 'The install offer was closed without an answer: click here to answer it.');
    }
    if (choice === 'install') {
      const install = async (): Promise<void> => {
        this.status.set('installing');
        try {
          await this.managed.install(this.output);
        } catch (err) {
          this.status.set('failed', String(err));
          void this.report(err);
          return;
        }
        await this.doRestart();
      };
      this.queue = this.queue.then(install, install);
      await this.queue;
    } else if (choice === 'setPath') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'trigger-lsp.server.path');
    }
  }

  private createClient(server: ServerExecutable): LanguageClient {
    const serverOptions: ServerOptions = {
      command: server.command,
      args: ['serve'],
      transport: TransportKind.stdio,
    };
    const clientOptions: LanguageClientOptions = {
      // Saved files and unsaved ones (`untitled:`): the server serves both alike.
      // package.json too: the server checks it (sdk-version-mismatch) as the CLI does.
      documentSelector: [
        ...LANGUAGES.flatMap((language) => [
          { scheme: 'file', language },
          { scheme: 'untitled', language },
        ]),
        { scheme: 'file', language: 'json', pattern: '**/package.json' },
      ],
      outputChannel: clientChannel(this.output),
      traceOutputChannel: this.trace.asLogChannel(),
      stdioOptions: serverStdio,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: serverSettings(),
      synchronize: {
        configurationSection: SECTION,
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'),
          vscode.workspace.createFileSystemWatcher('**/{package.json,.trigger-lsp.yaml,.trigger-lsp.yml,package-lock.json,npm-shrinkwrap.json,pnpm-lock.yaml,pnpm-workspace.yaml,yarn.lock,bun.lock}'),
        ],
      },
      middleware: {
        workspace: {
          // Answer for "trigger-lsp" with the server's keys only (not server.path, trace, ...).
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) {
              return result;
            }
            return params.items.map((item, i) =>
              item.section === SECTION
                ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
                : result[i],
            );
          },
        },
        // VS Code shows a finding's message above every hover on it: ours does not repeat it.
        provideHover: async (document, position, token, next) =>
          withoutShownMessages(await next(document, position, token), document, position),
        // "Explain <rule>" code actions run the server command: show what it returns.
        executeCommand: async (command, args, next) => {
          if (command !== EXPLAIN_COMMAND) {
            return next(command, args);
          }
          const result = await this.explained(String(args[0]), () => next(command, args));
          if (typeof result === 'string') {
            await this.ruleDocs.show(String(args[0]), result);
          }
          return result;
        },
      },
    };
    return new LanguageClient(SECTION, 'trigger-lsp', serverOptions, clientOptions);
  }

  /** Run `fetch` with the rule's toast held back (see the showMessage handler). */
  private async explained<T>(ruleId: string, fetch: () => Promise<T>): Promise<T> {
    this.explaining.add(ruleId);
    try {
      return await fetch();
    } finally {
      this.explaining.delete(ruleId);
    }
  }

  private async report(err: unknown): Promise<void> {
    if (err instanceof SetupError) {
      this.status.set('failed', err.message);
      this.output.error(`[client] ${err.message}`);
      await this.offer(err.message, err.actions);
    } else {
      const message = `trigger-lsp: setting up the server failed: ${err instanceof Error ? err.message : err}`;
      this.status.set('failed', message);
      this.output.error(`[client] ${message}`);
      await this.offer(message, ['Show Output']);
    }
  }

  private async offer(message: string, actions: SetupAction[]): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:trigger-lsp.trigger-lsp');
    } else if (choice === 'Get Python') {
      await vscode.env.openExternal(vscode.Uri.parse(PYTHON_DOWNLOAD));
    } else if (choice === 'Show Output') {
      this.output.show(true);
    }
  }

  /** Trigger.dev: Explain Rule… (rule under the cursor preselected). */
  async explain(ruleId?: string): Promise<void> {
    const client = this.running;
    if (!client) {
      void vscode.window.showWarningMessage('trigger-lsp is not running.');
      return;
    }
    if (!ruleId) {
      ruleId = await pickRule(this.context);
      if (!ruleId) {
        return;
      }
    }
    const id = ruleId;
    const markdown = await this.explained(id, () =>
      client.sendRequest(ExecuteCommandRequest.type, { command: EXPLAIN_COMMAND, arguments: [id] }),
    );
    if (typeof markdown === 'string') {
      await this.ruleDocs.show(ruleId, markdown);
    }
  }
}

async function pickRule(context: vscode.ExtensionContext): Promise<string | undefined> {
  const schema = context.extension.packageJSON.contributes.configuration.properties[`${SECTION}.rules`];
  const rules = Object.entries(schema.properties as Record<string, { description: string }>).filter(
    ([id]) => id !== 'all',
  );
  const editor = vscode.window.activeTextEditor;
  const here = editor
    ? vscode.languages
        .getDiagnostics(editor.document.uri)
        .find((d) => d.source === 'trigger-lsp' && d.range.contains(editor.selection.active))
    : undefined;
  const current = here ? String(typeof here.code === 'object' ? here.code.value : here.code) : undefined;
  const items = rules.map(([id, p]) => ({ label: id, description: p.description, picked: id === current }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Explain a trigger-lsp rule',
    placeHolder: 'Rule id',
    matchOnDescription: true,
  });
  return pick?.label;
}

/** Trigger.dev: Fix All — applies the server's source.fixAll.trigger-lsp action to this file. */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return;
  }
  const doc = editor.document;
  const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      whole,
      FIX_ALL_KIND,
    )) ?? [];
  const action = actions.find((a) => a.kind?.value === FIX_ALL_KIND);
  if (!action?.edit) {
    void vscode.window.showInformationMessage('No auto-fixable trigger-lsp problems in this file.');
    return;
  }
  await vscode.workspace.applyEdit(action.edit);
}

/** A window/showMessage from the server, as the client library would show it. */
function showServerMessage(type: MessageType, message: string, output: vscode.LogOutputChannel): void {
  if (type === MessageType.Error) {
    void vscode.window.showErrorMessage(message);
  } else if (type === MessageType.Warning) {
    void vscode.window.showWarningMessage(message);
  } else if (type === MessageType.Info) {
    void vscode.window.showInformationMessage(message);
  } else {
    output.info(message);
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('trigger-lsp', { log: true });
  const trace = new TraceChannel();
  const status = new Status();
  const ruleDocs = new RuleDocs();
  controller = new Controller(context, output, trace, status, ruleDocs);
  const ctl = controller;
  context.subscriptions.push(
    output,
    trace,
    status,
    vscode.workspace.registerTextDocumentContentProvider(RULE_DOC_SCHEME, ruleDocs),
    vscode.commands.registerCommand('trigger-lsp.restartServer', () => ctl.restartExplicitly()),
    vscode.commands.registerCommand('trigger-lsp.installServer', () => ctl.askToInstall()),
    vscode.commands.registerCommand('trigger-lsp.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('trigger-lsp.explain', (ruleId?: string) => ctl.explain(ruleId)),
    vscode.commands.registerCommand('trigger-lsp.fixAllInFile', fixAll),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Other trigger-lsp settings reach the running server through workspace/configuration.
      if (e.affectsConfiguration(`${SECTION}.server`)) {
        output.info('[client] server settings changed: restarting');
        void ctl.restart();
      }
    }),
  );

  if (await isTriggerWorkspace()) {
    await ctl.restart();
    return;
  }
  output.info(
    '[client] no trigger.config.* and no package.json depending on a @trigger.dev package in this workspace: ' +
      'the server is not started ("Trigger.dev: Restart Language Server" starts it anyway).',
  );
  status.hide(); // not a Trigger.dev workspace: no status item
  const watcher = vscode.workspace.createFileSystemWatcher(TRIGGER_CONFIG_GLOB, false, true, true);
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(() => {
      if (!ctl.running) {
        void ctl.restart();
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
}
