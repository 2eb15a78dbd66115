import { composeKey, composeKeyPrefix, prefixedRawKey as asmRawKeyPath } from '../../../core/stores/key-path';
import { ssmRawKeyPath } from '../../../core/stores/kinds/aws-ssm';
import { vaultRawKeyPath } from '../../../core/stores/kinds/hashicorp-vault';
import { backendKeyPath, defaultStackDelimiter, finalDelimiter } from '../../../core/stores/store-kinds';
import type { StoreKind } from '../../../core/stores/store';

const rules = (kind: StoreKind, prefix: string, stackDelimiter = defaultStackDelimiter(kind)) => ({ prefix, stackDelimiter, finalDelimiter: finalDelimiter(kind) });

describe('composeKey (Atmos getKey, semantics §5.3)', () => {
  it('composes the worked example: SSM, prefix /atmos, stack plat-ue2-dev, component vpc/main', () => {
    expect(composeKey('/atmos', '-', 'plat-ue2-dev', 'vpc/main', 'vpc_id', '/')).toBe('/atmos/plat/ue2/dev/vpc/main/vpc_id');
    expect(backendKeyPath('aws/ssm', rules('aws/ssm', '/atmos'), 'plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('/atmos/plat/ue2/dev/vpc/main/vpc_id');
  });

  it('keeps the empty first element of an empty prefix (leading "/")', () => {
    expect(composeKey('', '-', 'prod', 'vpc', 'k', '/')).toBe('/prod/vpc/k');
  });

  it('collapses "//" with one non-overlapping pass only', () => {
    expect(composeKey('/atmos/', '-', 'dev', 'app', 'k', '/')).toBe('/atmos/dev/app/k');
    // "///" → "//": Go's strings.ReplaceAll does not rescan its output.
    expect(composeKey('//atmos//', '-', 'dev', 'app', 'k', '/')).toBe('/atmos//dev/app/k');
    expect(composeKey('a///', '-', 'dev', '', 'k', '/')).toBe('a//dev/k');
  });

  it('omits an empty stack and an empty component (stack and global secret scopes, §6.4)', () => {
    expect(composeKey('/atmos', '-', 'plat-ue2-dev', 'api', 'TOKEN', '/')).toBe('/atmos/plat/ue2/dev/api/TOKEN');
    expect(composeKey('/atmos', '-', 'plat-ue2-dev', '', 'TOKEN', '/')).toBe('/atmos/plat/ue2/dev/TOKEN');
    expect(composeKey('/atmos', '-', '', '', 'TOKEN', '/')).toBe('/atmos/TOKEN');
  });

  it('splits the stack by the stack delimiter and the component by "/" only', () => {
    expect(composeKey('p', '_', 'a_b-c', 'x-y/z', 'k', '/')).toBe('p/a/b-c/x-y/z/k');
    expect(composeKey('p', '/', 'org/dev', 'c', 'k', '/')).toBe('p/org/dev/c/k');
  });

  it('matches the getKeyPrefix examples of Atmos keys_test.go', () => {
    expect(composeKeyPrefix('atmos', '-', 'prod-ue1', 'vpc', '/')).toBe('atmos/prod/ue1/vpc');
    expect(composeKeyPrefix('atmos', '-', 'prod', '', '/')).toBe('atmos/prod');
    expect(composeKeyPrefix('atmos', '-', '', '', '/')).toBe('atmos');
    expect(composeKeyPrefix('atmos', '-', 'prod', 'network/vpc', '/')).toBe('atmos/prod/network/vpc');
    expect(composeKeyPrefix('atmos', '-', 'prod-ue1', 'vpc', '-')).toBe('atmos-prod-ue1-vpc');
    expect(composeKeyPrefix('', '-', 'prod', 'vpc', '/')).toBe('/prod/vpc');
    expect(composeKey('atmos', '-', 'prod-ue1', 'vpc', 'image_tag', '/')).toBe(composeKeyPrefix('atmos', '-', 'prod-ue1', 'vpc', '/') + '/image_tag');
  });
});

describe('per-backend parameters (§5.3 table)', () => {
  it('has the default stack and final delimiters of each kind', () => {
    const table: [StoreKind, string, string][] = [
      ['aws/ssm', '-', '/'],
      ['aws/asm', '-', '/'],
      ['azure/keyvault', '-', '-'],
      ['gcp/secretmanager', '-', '_'],
      ['hashicorp/vault', '/', '/'],
      ['redis', '/', '/'],
      ['artifactory', '/', '/'],
      ['keychain', '-', '/'],
    ];
    for (const [kind, stackDelim, finalDelim] of table) {
      expect([kind, defaultStackDelimiter(kind), finalDelimiter(kind)]).toEqual([kind, stackDelim, finalDelim]);
    }
  });

  it("hashicorp/vault: Atmos's key-building cases (hashicorp_vault_store_test.go), under the mount", () => {
    // TestVaultStore_KeyBuilding: prefix atmos, delimiter "-".
    expect(backendKeyPath('hashicorp/vault', rules('hashicorp/vault', 'atmos', '-'), 'plat-prod-ue1', 'vpc/flow-logs', 'API_KEY')).toBe('atmos/plat/prod/ue1/vpc/flow-logs/API_KEY');
    // TestVaultStore_HTTPKVv2Integration: prefix atmos, delimiter "-".
    expect(backendKeyPath('hashicorp/vault', rules('hashicorp/vault', 'atmos', '-'), 'plat-prod', 'api', 'API_KEY')).toBe('atmos/plat/prod/api/API_KEY');
    // newTestVaultStore: no prefix, default "/" delimiter. Atmos composes "/prod/api/API_KEY";
    // Vault serves it at "prod/api/API_KEY" (it redirects data//x to data/x), the path infrakey shows.
    expect(composeKey('', '/', 'prod', 'api', 'API_KEY', '/')).toBe('/prod/api/API_KEY');
    expect(backendKeyPath('hashicorp/vault', rules('hashicorp/vault', ''), 'prod', 'api', 'API_KEY')).toBe('prod/api/API_KEY');
    // A prefix with a trailing "/" joins once (Atmos's one "//" pass).
    expect(backendKeyPath('hashicorp/vault', rules('hashicorp/vault', 'team/'), 'prod', 'api', 'k')).toBe('team/prod/api/k');
    // TestVaultStore_GetKey: "with prefix"; TestVaultStore_GetByPath_FallbackWholeMap: no prefix.
    expect(vaultRawKeyPath('atmos', 'api/token')).toBe('atmos/api/token');
    expect(vaultRawKeyPath('atmos', '/shared/token')).toBe('atmos/shared/token');
    expect(vaultRawKeyPath('', 'external')).toBe('external');
    expect(vaultRawKeyPath('', '/external')).toBe('external');
  });

  it('redis: "/" stack delimiter, prefix as is', () => {
    expect(backendKeyPath('redis', rules('redis', 'outputs'), 'org/dev', 'vpc', 'id')).toBe('outputs/org/dev/vpc/id');
  });

  it('keychain: prefix atmos, stack delimiter "-"', () => {
    expect(backendKeyPath('keychain', rules('keychain', 'atmos'), 'plat-ue2-dev', 'app/api', 'TOKEN')).toBe('atmos/plat/ue2/dev/app/api/TOKEN');
    expect(backendKeyPath('keychain', rules('keychain', 'atmos'), 'dev-sops', 'age-key', 'dev-sops')).toBe('atmos/dev/sops/age-key/dev-sops');
  });

  it('azure/keyvault: "-" joins, invalid characters become "-", runs collapse, ends trimmed, "" → default', () => {
    expect(backendKeyPath('azure/keyvault', rules('azure/keyvault', 'atmos'), 'plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('atmos-plat-ue2-dev-vpc-main-vpc-id');
    expect(backendKeyPath('azure/keyvault', rules('azure/keyvault', ''), 'dev', 'app', 'a.b')).toBe('dev-app-a-b');
    expect(backendKeyPath('azure/keyvault', rules('azure/keyvault', ''), '', '', '_')).toBe('default');
  });

  it('gcp/secretmanager: "_" joins, "/" → "_", one "__" pass, "_" trimmed', () => {
    expect(backendKeyPath('gcp/secretmanager', rules('gcp/secretmanager', 'atmos'), 'plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('atmos_plat_ue2_dev_vpc_main_vpc_id');
    expect(backendKeyPath('gcp/secretmanager', rules('gcp/secretmanager', '/atmos/'), 'dev', 'app', 'k')).toBe('atmos_dev_app_k');
  });

  it('raw keys (GetKey): SSM forces a leading "/", ASM joins with the prefix, Vault trims slashes', () => {
    expect(ssmRawKeyPath('/atmos', 'shared/k')).toBe('/atmos/shared/k');
    expect(ssmRawKeyPath('', 'shared/k')).toBe('/shared/k');
    expect(ssmRawKeyPath('atmos', 'k')).toBe('/atmos/k');
    expect(ssmRawKeyPath('', '/already')).toBe('/already');
    expect(asmRawKeyPath('atmos/secrets', 'k')).toBe('atmos/secrets/k');
    expect(asmRawKeyPath('', 'k')).toBe('k');
    expect(vaultRawKeyPath('app/', '/k')).toBe('app/k');
  });
});
