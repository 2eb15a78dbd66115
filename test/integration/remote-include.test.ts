import { spawn, type ChildProcess } from 'node:child_process';
import { Workspace } from '../../core/workspace';
import { atmosYaml, writeProject } from '../unit/stacks/project';

// `!include https://…` (here http on 127.0.0.1): downloaded once per URL and load, parsed by the
// extension of the URL's path, with Atmos's path expressions; failures are coded. The server runs
// in its own process: manifests load synchronously, so the download blocks this one.

const SERVER = `
const http = require('node:http');
const files = {
  '/stack/settings.yaml': 'components:\\n  terraform:\\n    component-1:\\n      settings:\\n        config: { a: 1, b: [x, y] }\\n',
  '/vars.json': '{"string_var": "abc", "n": 2}',
  '/vars.tfvars': 'list_var = ["a", "b"]\\nmap_var = { k = "v" }\\n',
  '/notes.txt': 'plain text',
};
let hits = 0;
http.createServer((req, res) => {
  if (req.url === '/hits') { res.end(String(hits)); return; }
  if (req.url === '/private.json') { res.end(JSON.stringify({ auth: req.headers.authorization || null })); return; }
  hits++;
  const body = files[req.url.split('?')[0]];
  if (body === undefined) { res.writeHead(404); res.end('no'); return; }
  res.end(body);
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

describe('!include of an http(s) URL', () => {
  let server: ChildProcess;
  let base: string;
  beforeAll(async () => {
    server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) => server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.kill();
  });

  it('parses by extension, applies the path expression, downloads each URL once per load', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml(),
      'stacks/dev.yaml': [
        `settings: !include ${base}/stack/settings.yaml?ref=main .components.terraform.component-1.settings`,
        'components:',
        '  terraform:',
        '    app:',
        '      vars:',
        `        string_var: !include ${base}/vars.json .string_var`,
        `        all: !include ${base}/vars.json`,
        `        list_var: !include ${base}/vars.tfvars .list_var`,
        `        map_var: !include ${base}/vars.tfvars .map_var`,
        `        notes: !include.raw ${base}/notes.txt`,
        '',
      ].join('\n'),
    });
    const d = await (await Workspace.load({ cwd: root, env: {} })).describeComponent('app', 'dev');
    expect(d.settings).toEqual({ config: { a: 1, b: ['x', 'y'] } });
    expect(d.vars).toEqual({ string_var: 'abc', all: { string_var: 'abc', n: 2 }, list_var: ['a', 'b'], map_var: { k: 'v' }, notes: 'plain text' });
    const hits = await (await fetch(`${base}/hits`)).text();
    expect(Number(hits)).toBe(4); // settings.yaml, vars.json, vars.tfvars, notes.txt
  });

  it('a failed download is YAML_INCLUDE_REMOTE_FAILED naming the URL, the reason and the manifest line; other schemes stay refused', async () => {
    const missing = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': `components:\n  terraform:\n    app:\n      vars: !include ${base}/missing.yaml\n` });
    await expect(Workspace.load({ cwd: missing, env: {} }).then((ws) => ws.listStacks())).rejects.toMatchObject({
      code: 'YAML_INCLUDE_REMOTE_FAILED',
      message: expect.stringContaining(`${base}/missing.yaml: HTTP 404`),
      where: expect.stringMatching(/stacks\/dev\.yaml:4/),
    });
    // Credentials in a URL go to the server, never into the message.
    const withToken = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': `components:\n  terraform:\n    app:\n      vars: !include ${base.replace('//', '//user:s3cretToken@')}/missing.yaml\n` });
    const e = await Workspace.load({ cwd: withToken, env: {} }).then((ws) => ws.listStacks()).catch((err: Error) => err);
    expect(String((e as Error).message)).toContain('//***@127.0.0.1');
    expect(String((e as Error).message)).not.toContain('s3cretToken');
    // ... and reach it as HTTP basic authentication.
    const priv = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': `components:\n  terraform:\n    app:\n      vars: !include ${base.replace('//', '//user:s3cretToken@')}/private.json\n` });
    const got = await (await Workspace.load({ cwd: priv, env: {} })).describeComponent('app', 'dev');
    expect(got.vars).toEqual({ auth: `Basic ${Buffer.from('user:s3cretToken').toString('base64')}` });
    const closed = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': 'components:\n  terraform:\n    app:\n      vars: !include http://127.0.0.1:9/x.yaml\n' });
    await expect(Workspace.load({ cwd: closed, env: {} }).then((ws) => ws.listStacks())).rejects.toMatchObject({ code: 'YAML_INCLUDE_REMOTE_FAILED' });
    const git = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': 'components:\n  terraform:\n    app:\n      vars: !include git::https://example.com/r.git//x.yaml\n' });
    await expect(Workspace.load({ cwd: git, env: {} }).then((ws) => ws.listStacks())).rejects.toMatchObject({ code: 'YAML_INCLUDE_REMOTE' });
  });
});
