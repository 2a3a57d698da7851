// Output channels for the language client: log lines at the level of what they report, and a
// protocol trace that follows the `trigger-lsp.trace.server` setting on its own.
import * as vscode from 'vscode';

// JSON-RPC / LSP codes of a request that was dropped on purpose: the client cancelled it
// (RequestCancelled -32800), the document changed under it (ContentModified -32801) or the
// server gave it up for newer work (ServerCancelled -32802). Not errors.
const CANCELLED = /\b(-3280[012]|RequestCancelled|ContentModified|ServerCancelled|Request cancelled|Request got cancelled|Canceled)\b/i;

/** True when a log message reports a request dropped on purpose, not a failure. */
export function isCancellation(message: string): boolean {
  return CANCELLED.test(message);
}

/**
 * The channel handed to the language client: the same LogOutputChannel, but a "failed" request
 * that was only cancelled is logged at debug level instead of as a red [error] line.
 */
export function clientChannel(output: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(output, {
    get(target, property, receiver) {
      if (property === 'error') {
        return (message: string | Error, ...args: unknown[]) => {
          const text = [message instanceof Error ? message.message : message, ...args.map(String)].join(' ');
          if (isCancellation(text)) {
            target.debug(typeof message === 'string' ? message : message.message, ...args);
          } else {
            target.error(message, ...args);
          }
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const TRACE_SETTING = 'trigger-lsp.trace.server';

function traceEnabled(): boolean {
  return vscode.workspace.getConfiguration().get<string>(TRACE_SETTING, 'off') !== 'off';
}

/**
 * The client's trace channel. vscode-languageclient 11 traces only when its trace channel's log
 * level is Trace, and then writes with `.trace()`, which a log channel hides below that level:
 * so the setting alone did nothing. This channel reports the Trace level exactly when the setting
 * is not "off" (and tells the client when that changes), and writes every line it is given to
 * its own plain output channel, "trigger-lsp (trace)".
 */
export class TraceChannel implements vscode.Disposable {
  readonly name = 'trigger-lsp (trace)';
  private readonly channel: vscode.OutputChannel;
  private readonly levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  private readonly watcher: vscode.Disposable;
  readonly onDidChangeLogLevel = this.levelChanged.event;

  constructor() {
    this.channel = vscode.window.createOutputChannel(this.name);
    this.watcher = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(TRACE_SETTING)) {
        this.levelChanged.fire(this.logLevel);
      }
    });
  }

  get logLevel(): vscode.LogLevel {
    return traceEnabled() ? vscode.LogLevel.Trace : vscode.LogLevel.Info;
  }

  /** What the client takes as its `traceOutputChannel`. */
  asLogChannel(): vscode.LogOutputChannel {
    return this as unknown as vscode.LogOutputChannel;
  }

  trace(message: string): void {
    this.channel.appendLine(message);
  }
  debug(message: string): void {
    this.channel.appendLine(message);
  }
  info(message: string): void {
    this.channel.appendLine(message);
  }
  warn(message: string): void {
    this.channel.appendLine(message);
  }
  error(message: string | Error): void {
    this.channel.appendLine(message instanceof Error ? message.message : message);
  }
  append(value: string): void {
    this.channel.append(value);
  }
  appendLine(value: string): void {
    this.channel.appendLine(value);
  }
  replace(value: string): void {
    this.channel.replace(value);
  }
  clear(): void {
    this.channel.clear();
  }
  show(preserveFocus?: boolean): void {
    this.channel.show(preserveFocus);
  }
  hide(): void {
    this.channel.hide();
  }
  dispose(): void {
    this.watcher.dispose();
    this.levelChanged.dispose();
    this.channel.dispose();
  }
}
