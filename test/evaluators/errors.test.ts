import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemInputError, InputError } from '../../evaluators/errors.js';
import { tempDir } from '../benchmark/cli-helpers.js';

/** A Node system error as fs raises it (the tests run as root, so EACCES cannot be provoked). */
function systemError(code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, dest, errno: -1 });
}

describe('file-system errors become one line naming the path', () => {
  it.each([
    ['EACCES', 'open', /^\/srv\/out\/x\.json: permission denied \(open\), EACCES$/],
    ['ENOSPC', 'write', /^\/srv\/out\/x\.json: no space left on the device \(write\), ENOSPC$/],
    ['EROFS', 'mkdir', /^\/srv\/out\/x\.json: read-only file system \(mkdir\), EROFS$/],
  ])('%s', (code, syscall, message) => {
    const error = fileSystemInputError(systemError(code, syscall, '/srv/out/x.json'));
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toMatch(message);
  });

  it('a rename refused at its destination names the destination', () => {
    expect(fileSystemInputError(systemError('EACCES', 'rename', '/srv/out/.x.tmp', '/srv/out/x.json'))!.file).toBe('/srv/out/x.json');
  });

  it('a real ENOTDIR from fs, and no conversion of other errors', () => {
    const dir = tempDir('fserror');
    writeFileSync(join(dir, 'file'), 'x');
    let caught: unknown;
    try {
      mkdirSync(join(dir, 'file', 'sub'), { recursive: true });
    } catch (error) {
      caught = error;
    }
    expect(fileSystemInputError(caught)!.message).toMatch(/file\/sub: a part of this path is a file, not a folder \(mkdir\), ENOTDIR$/);
    expect(fileSystemInputError(new RangeError('bug'))).toBeUndefined();
    expect(fileSystemInputError(Object.assign(new Error('x'), { code: 'ECONNRESET', path: '/x' }))).toBeUndefined();
  });
});
