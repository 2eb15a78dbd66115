/**
 * The aws-secrets-floci scenario (cloudposse/atmos tests), unchanged, against moto — driven the
 * way Atmos's own end-to-end test drives it (fixtures/README.md): set, list, validate,
 * get --path .password --mask=false, and describe showing <MASKED> without any value.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { motoEndpoint } from '../../support/services';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

const SCENARIO = join(ATMOS_SCENARIOS, 'aws-secrets-floci');

describe('aws-secrets-floci against moto', () => {
  const endpoint = motoEndpoint();
  const id = randomUUID().slice(0, 8);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLOCI_ENDPOINT_URL: endpoint,
    FLOCI_SECRETS_SSM_PREFIX: `/atmos-tests/secrets/${id}`,
    FLOCI_SECRETS_ASM_PREFIX: `atmos-tests/secrets/${id}`,
    // Until store identities are wired to auth, the stores use the SDK chain: point it at moto.
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  };
  const values = {
    SSM_INSTANCE_TOKEN: `inst-${id}-tok`,
    SSM_STACK_TOKEN: `stack-${id}-tok`,
    GLOBAL_SHARED_TOKEN: `global-${id}-tok`,
    ASM_DATABASE_CONFIG: JSON.stringify({ username: 'app', password: `db-${id}-pw` }),
  };
  // The AWS SDK's default chain reads the process environment, not the workspace's.
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, key: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });
  afterAll(() => {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.key === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.key;
  });
  const cli = async (argv: string[], stdin?: string) => {
    const io = captureIO({ stdin: Readable.from(stdin !== undefined ? [stdin] : []) });
    const code = await run(argv, { io, env, cwd: SCENARIO });
    return { code, out: io.stdout, err: io.stderr };
  };

  it('validate fails before the secrets are set, naming each missing one', async () => {
    const r = await cli(['secret', 'validate', '-s', 'dev', '-c', 'secret-consumer']);
    expect(r.code).toBe(1);
    for (const name of Object.keys(values)) expect(r.err).toContain(name);
  });

  it('secret set writes every declaration at its Atmos path (SSM SecureString)', async () => {
    for (const [name, value] of Object.entries(values)) {
      const r = await cli(['secret', 'set', name, '-s', 'dev', '-c', 'secret-consumer'], value);
      expect({ name, code: r.code, err: r.err }).toEqual({ name, code: 0, err: expect.stringContaining(name) });
    }
    const ssm = new SSMClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const p = await ssm.send(new GetParameterCommand({ Name: `/atmos-tests/secrets/${id}/dev/secret-consumer/SSM_INSTANCE_TOKEN`, WithDecryption: true }));
    expect(p.Parameter?.Type).toBe('SecureString');
    expect(p.Parameter?.Value).toBe(values.SSM_INSTANCE_TOKEN);
    const s = await ssm.send(new GetParameterCommand({ Name: `/atmos-tests/secrets/${id}/dev/SSM_STACK_TOKEN`, WithDecryption: true }));
    expect(s.Parameter?.Value).toBe(values.SSM_STACK_TOKEN);
    const g = await ssm.send(new GetParameterCommand({ Name: `/atmos-tests/secrets/${id}/GLOBAL_SHARED_TOKEN`, WithDecryption: true }));
    expect(g.Parameter?.Value).toBe(values.GLOBAL_SHARED_TOKEN);
  });

  it('secret list shows every declaration, scope and status, and no value', async () => {
    const r = await cli(['secret', 'list', '-s', 'dev', '-c', 'secret-consumer', '--verify', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { name: string; scope: string; status: string }[];
    expect(rows.map((x) => [x.name, x.scope, x.status])).toEqual([
      ['ASM_DATABASE_CONFIG', 'instance', 'initialized'],
      ['GLOBAL_SHARED_TOKEN', 'global', 'initialized'],
      ['SSM_INSTANCE_TOKEN', 'instance', 'initialized'],
      ['SSM_STACK_TOKEN', 'stack', 'initialized'],
    ]);
    for (const v of Object.values(values)) expect(r.out + r.err).not.toContain(v);
  });

  it('secret validate passes', async () => {
    const r = await cli(['secret', 'validate', '-s', 'dev', '-c', 'secret-consumer']);
    expect(r.code).toBe(0);
  });

  it('secret get --path .password --mask=false prints the password', async () => {
    const r = await cli(['secret', 'get', 'ASM_DATABASE_CONFIG', '-s', 'dev', '-c', 'secret-consumer', '--path', '.password', '--mask=false']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`db-${id}-pw\n`);
  });

  it('describe component --format json shows <MASKED> and no value', async () => {
    const r = await cli(['describe', 'component', 'secret-consumer', '-s', 'dev', '--format', 'json']);
    expect(r.code).toBe(0);
    const vars = (JSON.parse(r.out) as { vars: Record<string, unknown> }).vars;
    expect(vars).toMatchObject({ ssm_instance_token: '<MASKED>', ssm_stack_token: '<MASKED>', asm_database_password: '<MASKED>', global_shared_token: '<MASKED>' });
    for (const v of [...Object.values(values), `db-${id}-pw`]) expect(r.out).not.toContain(v);
  });

  it('the prod stack shares the global token but not the stack or instance ones', async () => {
    const r = await cli(['secret', 'list', '-s', 'prod', '-c', 'secret-consumer', '--verify', '--format', 'json']);
    const rows = JSON.parse(r.out) as { name: string; status: string }[];
    expect(Object.fromEntries(rows.map((x) => [x.name, x.status]))).toEqual({
      ASM_DATABASE_CONFIG: 'missing',
      GLOBAL_SHARED_TOKEN: 'initialized',
      SSM_INSTANCE_TOKEN: 'missing',
      SSM_STACK_TOKEN: 'missing',
    });
  });
});
