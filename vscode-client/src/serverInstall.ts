// Finding the trigger-lsp executable, and installing it into a private venv from the shipped wheel.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { explainPipFailure } from './binary';

const IS_WINDOWS = process.platform === 'win32';
const MIN_PYTHON: [number, number] = [3, 11];
export const PYTHON_DOWNLOAD = 'https://www.python.org/downloads/';

export type ServerSource = 'setting' | 'bundled' | 'PATH' | 'managed';

export interface ServerExecutable {
  command: string;
  source: ServerSource;
}

/** A problem the user has to act on; `message` is shown as is. */
export class SetupError extends Error {
  constructor(
    message: string,
    readonly actions: SetupAction[] = [],
  ) {
    super(message);
  }
}

export type SetupAction = 'Open Settings' | 'Get Python' | 'Show Output';

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    return path.join(os.homedir(), p.slice(1));
  }
  return p.replace(/\$\{userHome\}/g, os.homedir());
}

/** The `trigger-lsp.server.path` setting, made absolute (relative to the first workspace folder). */
export function configuredServerPath(): string | undefined {
  const raw = vscode.workspace.getConfiguration('trigger-lsp').get<string>('server.path', '').trim();
  if (!raw) {
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let p = expandHome(raw.replace(/\$\{workspaceFolder\}/g, folder ?? ''));
  if (!path.isAbsolute(p) && folder) {
    p = path.join(folder, p);
  }
  return p;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, IS_WINDOWS ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `name` looked up on PATH like a shell would; a name with a directory is only checked. */
export function which(name: string): string | undefined {
  if (name.includes('/') || (IS_WINDOWS && name.includes('\\'))) {
    return isExecutable(name) ? name : undefined;
  }
  const exts = IS_WINDOWS ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext.toLowerCase());
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** Where the extension keeps its own copy of the server. */
export class ManagedServer {
  constructor(
    private readonly storage: vscode.Uri,
    private readonly extensionPath: string,
  ) {}

  get venv(): string {
    return path.join(this.storage.fsPath, 'server-venv');
  }

  get executable(): string {
    return IS_WINDOWS
      ? path.join(this.venv, 'Scripts', 'trigger-lsp.exe')
      : path.join(this.venv, 'bin', 'trigger-lsp');
  }

  private get venvPython(): string {
    return IS_WINDOWS ? path.join(this.venv, 'Scripts', 'python.exe') : path.join(this.venv, 'bin', 'python');
  }

  private get marker(): string {
    return path.join(this.venv, 'installed-wheel.txt');
  }

  /** The wheel shipped inside the .vsix (server-wheel/trigger_lsp-*.whl), if any. */
  get wheel(): string | undefined {
    const dir = path.join(this.extensionPath, 'server-wheel');
    try {
      const wheels = fs.readdirSync(dir).filter((f) => /^trigger_lsp-.*\.whl$/.test(f));
      return wheels.length ? path.join(dir, wheels.sort().at(-1)!) : undefined;
    } catch {
      return undefined;
    }
  }

  /** 'current': installed from the shipped wheel; 'outdated': from an older one; 'missing'. */
  state(): 'current' | 'outdated' | 'missing' {
    if (!isExecutable(this.executable)) {
      return 'missing';
    }
    let installed = '';
    try {
      installed = fs.readFileSync(this.marker, 'utf8').trim();
    } catch {
      return 'outdated';
    }
    const wheel = this.wheel;
    return !wheel || path.basename(wheel) === installed ? 'current' : 'outdated';
  }

  /** Create the venv with the user's Python and pip-install the shipped wheel, with progress. */
  async install(output: vscode.OutputChannel): Promise<string> {
    const wheel = this.wheel;
    if (!wheel) {
      throw new SetupError(
        'This build of the extension does not contain the trigger-lsp server. Install it with ' +
          '"pipx install trigger-lsp" (or pip) and restart, or set "trigger-lsp.server.path".',
        ['Open Settings'],
      );
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'trigger-lsp', cancellable: false },
      async (progress) => {
        progress.report({ message: 'Looking for Python 3.11+…' });
        const python = await findPython(output);
        output.appendLine(`[install] using ${python.display} (Python ${python.version})`);
        progress.report({ message: `Creating a private environment with Python ${python.version}…` });
        await fs.promises.rm(this.venv, { recursive: true, force: true });
        await fs.promises.mkdir(path.dirname(this.venv), { recursive: true });
        try {
          await run(python.command, [...python.args, '-m', 'venv', this.venv], output);
        } catch (err) {
          const text = String(err instanceof Error ? err.message : err);
          if (/ensurepip|venv/i.test(text)) {
            throw new SetupError(
              `Python ${python.version} (${python.display}) cannot create virtual environments: install its venv ` +
                'module (Debian/Ubuntu: "sudo apt install python3-venv") and run "Trigger.dev: Restart Language Server".',
              ['Show Output'],
            );
          }
          throw err;
        }
        progress.report({ message: 'Installing the trigger-lsp server and its dependencies from PyPI…' });
        try {
          await run(
            this.venvPython,
            ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--retries', '1', wheel],
            output,
          );
        } catch (err) {
          const offline = explainPipFailure(String(err instanceof Error ? err.message : err));
          throw offline ? new SetupError(offline, ['Open Settings', 'Show Output']) : err;
        }
        await fs.promises.writeFile(this.marker, path.basename(wheel) + '\n');
        if (!isExecutable(this.executable)) {
          throw new SetupError(`The install finished but ${this.executable} is missing.`, ['Show Output']);
        }
        output.appendLine(`[install] installed ${path.basename(wheel)} into ${this.venv}`);
        return this.executable;
      },
    );
  }
}

interface Python {
  command: string;
  args: string[];
  display: string;
  version: string;
}

/** The first Python >= 3.11: the `trigger-lsp.server.python` setting, else the usual names. */
export async function findPython(output: vscode.OutputChannel): Promise<Python> {
  const configured = vscode.workspace.getConfiguration('trigger-lsp').get<string>('server.python', '').trim();
  const candidates: [string, string[]][] = configured
    ? [[expandHome(configured), []]]
    : IS_WINDOWS
      ? [['py', ['-3']], ['python3', []], ['python', []]]
      : [['python3', []], ['python3.13', []], ['python3.12', []], ['python3.11', []], ['python', []]];
  const tooOld: string[] = [];
  for (const [command, args] of candidates) {
    const display = [command, ...args].join(' ');
    let out: string;
    try {
      out = await run(command, [...args, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], undefined, 15000);
    } catch {
      continue; // not installed under this name
    }
    const version = out.trim();
    const [major, minor] = version.split('.').map(Number);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) {
      return { command, args, display, version };
    }
    tooOld.push(`${display} is ${version}`);
  }
  output.appendLine(`[install] no Python 3.11+: tried ${candidates.map((c) => [c[0], ...c[1]].join(' ')).join(', ')}`);
  const found = tooOld.length ? ` (${tooOld.join('; ')})` : '';
  throw new SetupError(
    `trigger-lsp needs Python 3.11 or newer to install its language server, and none was found${found}. ` +
      'Install Python 3.11+ and run "Trigger.dev: Restart Language Server", or set "trigger-lsp.server.python" ' +
      'to a Python 3.11+, or "trigger-lsp.server.path" to an installed trigger-lsp.',
    ['Get Python', 'Open Settings'],
  );
}

/** Run a program; resolves with stdout, rejects with the end of its output. */
function run(command: string, args: string[], output?: vscode.OutputChannel, timeoutMs = 300000): Promise<string> {
  return new Promise((resolve, reject) => {
    output?.appendLine(`[install] $ ${[command, ...args].join(' ')}`);
    let stdout = '';
    let stderr = '';
    const child = cp.spawn(command, args, { shell: false, windowsHide: true });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output?.append(chunk.toString());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output?.append(chunk.toString());
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(stdout);
      } else {
        const tail = (stderr || stdout).trim().split('\n').slice(-3).join(' ');
        reject(new Error(`${path.basename(command)} exited with ${code}: ${tail}`));
      }
    });
  });
}
