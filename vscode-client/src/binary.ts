// The standalone server inside a platform-specific .vsix (no Python needed), and a clear message
// when the universal .vsix cannot install its Python server because PyPI cannot be reached.
import * as fs from 'fs';
import * as path from 'path';

const IS_WINDOWS = process.platform === 'win32';

/** Where `vsce package --target <platform>` builds put the binary (scripts/package.sh). */
export function bundledServerPath(extensionPath: string): string {
  return path.join(extensionPath, 'server-bin', 'trigger-lsp', IS_WINDOWS ? 'trigger-lsp.exe' : 'trigger-lsp');
}

/**
 * The binary shipped in this .vsix, or undefined (the universal .vsix has none). A .vsix is a zip:
 * when an install lost the executable bit, it is set again here.
 */
export function bundledServer(extensionPath: string, log: (line: string) => void): string | undefined {
  const exe = bundledServerPath(extensionPath);
  if (!fs.existsSync(exe)) {
    return undefined;
  }
  if (!IS_WINDOWS) {
    try {
      fs.accessSync(exe, fs.constants.X_OK);
    } catch {
      try {
        fs.chmodSync(exe, 0o755);
      } catch (err) {
        log(`[client] the bundled server ${exe} is not executable and could not be made so: ${err}`);
        return undefined;
      }
    }
  }
  return exe;
}

// What pip prints when it cannot reach an index (offline, a proxy, DNS, TLS interception).
const UNREACHABLE = [
  /No matching distribution found/i,
  /Could not find a version that satisfies/i,
  /Failed to establish a new connection/i,
  /NewConnectionError/i,
  /Temporary failure in name resolution/i,
  /Name or service not known/i,
  /nodename nor servname/i,
  /getaddrinfo failed/i,
  /Network is unreachable/i,
  /Max retries exceeded/i,
  /ProxyError/i,
  /SSLError|CERTIFICATE_VERIFY_FAILED/i,
  /Connection (?:refused|reset|timed out)/i,
  /Read timed out/i,
];

export const OFFLINE_MESSAGE =
  'trigger-lsp could not download the Python packages its server needs (pygls, lsprotocol, tree-sitter) from ' +
  'PyPI: this machine seems to be offline, or PyPI is blocked or needs a proxy. Connect and run "Trigger.dev: ' +
  'Restart Language Server"; or install the extension built for your platform, which carries the server and ' +
  'needs neither Python nor a download; or set "trigger-lsp.server.path" to a trigger-lsp you installed ' +
  '(npm i -D trigger-lsp, pipx install trigger-lsp, or the standalone binary).';

/** The clear message for a failed pip install that could not reach PyPI, else undefined. */
export function explainPipFailure(output: string): string | undefined {
  return UNREACHABLE.some((re) => re.test(output)) ? OFFLINE_MESSAGE : undefined;
}
