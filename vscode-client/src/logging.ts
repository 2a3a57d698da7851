// Output channels for the language client: log lines at the level of what they report, and a
// protocol trace that follows the `trigger-lsp.trace.server` setting on its own.
import * as readline from 'readline';
import type { Readable } from 'stream';
import * as vscode from 'vscode';

// JSON-RPC / LSP codes of a request that was dropped on purpose: the client cancelled it
// (RequestCancelled -32800), the document changed under it (ContentModified -32801) or the
// server gave it up for newer work (ServerCancelled -32802). Not errors.
// pygls words it "Cancel notification for unknown message id" (a request already answered).
const CANCELLED = /(-3280[012]|RequestCancelled|ContentModified|ServerCancelled|\bcancel(?:l?ed|lation)?\b)/i;

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

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

// The server logs to stderr as "LEVEL logger: message" (Python logging; lsp/server.py).
const PYTHON_LEVELS: Record<string, Level> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'error',
};

/** The level of a line the server wrote to stderr; a line without one continues the last. */
export function stderrLevel(line: string, previous: Level): Level {
  const word = /^([A-Z]+)\s/.exec(line)?.[1];
  let level: Level = (word && PYTHON_LEVELS[word]) || (line.startsWith('Traceback') ? 'error' : previous);
  if (isCancellation(line)) {
    level = 'debug';
  }
  return level;
}

/**
 * How the client reads the server's stdout and stderr. vscode-languageclient logs every stderr
 * line as [error]; the server's own warnings, information and harmless cancellations go at
 * their level instead.
 */
export const serverStdio = {
  stdout: (input: Readable, output: vscode.LogOutputChannel): void => {
    lines(input, (line) => output.info(line));
  },
  stderr: (input: Readable, output: vscode.LogOutputChannel): void => {
    let level: Level = 'error';
    lines(input, (line) => {
      level = stderrLevel(line, level);
      output[level](line);
    });
  },
};

function lines(input: Readable, each: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on('line', each);
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
