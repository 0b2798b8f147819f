// Finds files that ship with the product, whether the code runs from source (tests) or from dist/.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './config.js';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The folder holding riskstream's package.json. */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'core'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the riskstream project folder above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** A path inside the source tree (reference data, Lua scripts, model artifacts). */
export function sourcePath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

/** The shared reference data next to the checkout (`../shared/data`): for tests of files whose licence keeps them out of the product (the goAML schema, the Fedwire samples). */
export function sharedDataPath(...parts: string[]): string {
  return join(projectRoot(), '..', 'shared', 'data', ...parts);
}

/**
 * The mode of every folder riskstream creates: its user's alone. The data folder holds the embedded
 * ClickHouse data (personal data, written by chDB with the process's umask: files 0644) and the
 * secrets; a folder closed to others keeps all of it from the machine's other users.
 */
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Creates a folder and its parents (mkdirSync's recursive mode, without its flaw: on some special
 * filesystems, /proc for one, it loops for ever) and says what is wrong in the words of the setting
 * the folder comes from: a ConfigError naming it, never a stack trace. Only the folders it creates
 * get `mode` (default PRIVATE_FOLDER_MODE); folders that exist, the parents of a folder the user
 * named among them, are left as they are.
 */
export function makeFolder(path: string, setting: string, mode: number = PRIVATE_FOLDER_MODE): void {
  const missing: string[] = [];
  let at = resolve(path);
  for (;;) {
    let code: string | undefined;
    try {
      if (statSync(at).isDirectory()) break;
      throw new ConfigError(`${setting}: ${at} is a file, not a folder; choose a folder`);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      code = (error as NodeJS.ErrnoException).code;
    }
    if (code !== 'ENOENT') throw new ConfigError(`${setting}: cannot use ${at} (${code}); choose a folder this user can write`);
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, { mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(`${setting}: cannot create the folder ${folder} (${code}); choose a folder this user can write`);
    }
  }
}

/**
 * What to tell the operator when an existing folder lets the machine's other users in (any
 * permission for group or others), or null (closed, or not there). Read at start for the data
 * folder: riskstream never changes the mode of a folder it did not create.
 */
export function folderOpenToOthers(path: string, what: string): string | null {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return null;
  }
  if ((mode & 0o077) === 0) return null;
  return `${what} ${path} is open to other users of this machine (mode ${mode.toString(8).padStart(4, '0')}); it holds the embedded ClickHouse data (personal data). Close it with: chmod 700 ${path}`;
}

/**
 * Creates the file at `path` holding `content` (mode 0600) unless it exists, so that every reader
 * finds it either whole or missing: the content is written to a file of its own beside it, then
 * linked into place. Writing in place leaves an empty file behind when the disk is full (the file
 * is made, its bytes are not) or to a second process that reads while the first writes; every later
 * start would read it and refuse. Two processes creating it at once: the first link stands, and
 * both read that one. Returns whether this call created it. Throws what the file system says (ENOSPC
 * on a full disk), leaving nothing behind.
 */
export function createFileOnce(path: string, content: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(aside, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(aside);
  }
}
