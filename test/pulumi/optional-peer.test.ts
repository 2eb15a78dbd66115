import { requireOptionalPeer } from '../../pulumi/optional-peer';
import { InfrakeyPulumiError } from '../../pulumi/pulumi-error';

describe('optional peer packages of the Pulumi adapter', () => {
  it('a missing package is PULUMI_PEER_MISSING naming the adapter function and the install command', () => {
    let caught: unknown;
    try {
      requireOptionalPeer('@pulumi/not-installed-peer', '/provider', 'gcpProvider');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InfrakeyPulumiError);
    expect(caught).toMatchObject({ code: 'PULUMI_PEER_MISSING', where: 'gcpProvider', fix: 'npm install @pulumi/not-installed-peer' });
    expect((caught as Error).message).toContain('gcpProvider needs the package @pulumi/not-installed-peer, which is not installed');
  });

  it('an installed one loads', () => {
    expect(typeof requireOptionalPeer<{ Provider: unknown }>('@pulumi/gcp', '/provider', 'gcpProvider').Provider).toBe('function');
  });
});
