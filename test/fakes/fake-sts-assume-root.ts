/**
 * FAKE STS for `sts:AssumeRoot`, which moto 5.1 does not implement. Written from the AWS STS API
 * reference ("AssumeRoot": Query protocol, form-encoded `Action=AssumeRoot&Version=2011-06-15&
 * TargetPrincipal=...&TaskPolicyArn.arn=...&DurationSeconds=...`, SigV4-signed by the caller;
 * `AssumeRootResponse/AssumeRootResult/Credentials` XML, DurationSeconds 0..900) and
 * "GetCallerIdentity" (a root session is the member account's root user,
 * `arn:aws:iam::<account>:root`). It records each request's signing key id and parameters.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface AssumeRootRequest {
  readonly signingKeyId: string | undefined;
  readonly params: Record<string, string>;
}

export class FakeStsAssumeRoot {
  readonly requests: AssumeRootRequest[] = [];
  private readonly issued = new Map<string, string>();
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const signingKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
        this.requests.push({ signingKeyId, params });
        const xml = (name: string, inner: string) =>
          `<${name}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${name}Result>${inner}</${name}Result><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></${name}Response>`;
        const error = (status: number, code: string, message: string) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`);
        };
        if (!signingKeyId) return error(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
        if (params.Action === 'AssumeRoot') {
          const duration = params.DurationSeconds ? Number(params.DurationSeconds) : 900;
          if (!(duration >= 0 && duration <= 900)) return error(400, 'ValidationError', 'DurationSeconds must be <= 900');
          if (!/^\d{12}$/.test(params.TargetPrincipal ?? '')) return error(400, 'ValidationError', 'TargetPrincipal');
          const key = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
          this.issued.set(key, params.TargetPrincipal);
          const exp = new Date(Date.now() + duration * 1000).toISOString();
          res.writeHead(200, { 'content-type': 'text/xml' });
          return res.end(xml('AssumeRoot', `<Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString('base64')}</SecretAccessKey><SessionToken>${randomBytes(48).toString('base64')}</SessionToken><Expiration>${exp}</Expiration></Credentials><SourceIdentity></SourceIdentity>`));
        }
        if (params.Action === 'GetCallerIdentity') {
          const account = this.issued.get(signingKeyId);
          if (!account) return error(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
          res.writeHead(200, { 'content-type': 'text/xml' });
          return res.end(xml('GetCallerIdentity', `<Arn>arn:aws:iam::${account}:root</Arn><UserId>${account}</UserId><Account>${account}</Account>`));
        }
        return error(400, 'InvalidAction', `fake STS answers AssumeRoot and GetCallerIdentity only, not ${params.Action}`);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    return `http://127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((r) => this.server!.close(() => r()));
    this.server.closeAllConnections(); // the SDK keeps its connections alive
    await closed;
  }
}
