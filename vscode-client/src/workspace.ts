// Deciding whether a workspace is a Trigger.dev project (the server only starts in those).
import * as vscode from 'vscode';

export const TRIGGER_CONFIG_GLOB = '**/trigger.config.{ts,mts,cts,js,mjs,cjs}';
const PACKAGE_JSON_GLOB = '{package.json,*/package.json,*/*/package.json,*/*/*/package.json}';
const EXCLUDE = '**/node_modules/**';
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * True when the workspace has a trigger.config.* or a package.json that depends on a Trigger.dev
 * package (@trigger.dev/sdk or any other @trigger.dev/*, or the trigger.dev CLI). Other
 * JavaScript projects get no server and no status item.
 */
export async function isTriggerWorkspace(): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length) {
    return false;
  }
  if ((await vscode.workspace.findFiles(TRIGGER_CONFIG_GLOB, EXCLUDE, 1)).length) {
    return true;
  }
  for (const uri of await vscode.workspace.findFiles(PACKAGE_JSON_GLOB, EXCLUDE, 200)) {
    if (await dependsOnSdk(uri)) {
      return true;
    }
  }
  return false;
}

async function dependsOnSdk(uri: vscode.Uri): Promise<boolean> {
  try {
    const manifest = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    return DEPENDENCY_FIELDS.some((field) => {
      const deps = manifest?.[field];
      return (
        deps !== null &&
        typeof deps === 'object' &&
        Object.keys(deps).some((name) => name.startsWith('@trigger.dev/') || name === 'trigger.dev')
      );
    });
  } catch {
    return false; // unreadable or invalid JSON: not evidence either way
  }
}
