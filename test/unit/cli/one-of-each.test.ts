/**
 * Logic that lived in the CLI twice or three times now lives once in core (issue 11, item 4):
 * one child runner (a child killed by signal N exits 128 + N, as shells report it, from every
 * verb), one boolean parser (`fasle` is a usage error everywhere), one shell quoting.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { parseBooleanFlag, runChild, shellQuote } from '../../../core/internal';
import { signalExitCode } from '../../../core/exec/run-child';
import { thrown } from '../../support/errors';

describe('one child runner', () => {
  it('returns 128 + the signal number for a child killed by a signal', async () => {
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode('SIGKILL')).toBe(137);
    await expect(runChild('sh', ['-c', 'kill -TERM $$'], { env: process.env, output: { mode: 'inherit' } })).resolves.toBe(143);
    await expect(runChild('sh', ['-c', 'exit 7'], { env: process.env, output: { mode: 'inherit' } })).resolves.toBe(7);
  });

  it('secret exec and secret shell pass a signal exit on as 128 + N', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ik-runner-'));
    cpSync(join(__dirname, '../../../examples/quickstart'), dir, { recursive: true });
    const env = { PATH: process.env.PATH, HOME: dir, SHELL: '/bin/sh' };
    for (const argv of [
      ['secret', 'exec', '-s', 'dev', '-c', 'api', '--', 'sh', '-c', 'kill -TERM $$'],
      ['secret', 'exec', '-s', 'dev', '-c', 'api', '--mask', '--', 'sh', '-c', 'kill -TERM $$'],
      ['secret', 'shell', '-s', 'dev', '-c', 'api', '--', '-c', 'kill -TERM $$'],
    ]) {
      const io = captureIO();
      expect(await run(argv, { io, env, cwd: dir })).toBe(143);
    }
  });
});

describe('one boolean parser', () => {
  it.each(['true', 'TRUE', '1', 'yes', 'on'])('%s is true', (v) => expect(parseBooleanFlag(v)).toBe(true));
  it.each(['false', 'False', '0', 'no', 'off'])('%s is false', (v) => expect(parseBooleanFlag(v)).toBe(false));

  it('anything else is USAGE_BOOLEAN, naming the flag', () => {
    const e = thrown(() => parseBooleanFlag('fasle', '--process-functions'));
    expect(e.code).toBe('USAGE_BOOLEAN');
    expect(e.message).toContain('--process-functions');
  });

  it.each([
    [['--mask=fasle', 'list', 'stacks']],
    [['describe', 'component', 'api', '-s', 'dev', '--process-functions=fasle']],
    [['describe', 'stacks', '--process-functions=fasle']],
    [['secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api', '--mask=fasle']],
  ])('the CLI answers %j with exit 2', async (argv) => {
    const io = captureIO();
    const cwd = join(__dirname, '../../../examples/quickstart');
    expect(await run(argv, { io, env: { PATH: process.env.PATH, HOME: cwd }, cwd })).toBe(2);
    expect(io.stderr).toContain('USAGE_BOOLEAN');
  });
});

describe('one shell quoting', () => {
  it('quotes what a shell would split or expand, and reads back as the value', () => {
    expect(shellQuote('plain-value_1.2')).toBe('plain-value_1.2');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    for (const v of ["it's-a-secret-42", 'a b\nc', '$(rm -rf /)', 'ü "x" `y`']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(v)}`], { encoding: 'utf8' })).toBe(v);
    }
  });
});
