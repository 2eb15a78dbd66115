/**
 * The store contract over the hosted backends that have no server or emulator here, each against
 * its named fake written from the vendor's API documents (DESIGN.md §7): 1Password in Connect
 * mode (FAKE 1Password Connect), Artifactory (FAKE Artifactory) and GitHub Actions (FAKE GitHub,
 * read back through a runner's environment made from the sealed values the fake received and
 * opened with its private key). No service needed: the fakes are HTTP servers of this process.
 */
import { ARTIFACTORY_MAX_VALUE_BYTES } from '../../core/stores/kinds/artifactory';
import { GITHUB_SECRET_MAX_BYTES } from '../../core/stores/kinds/github-actions';
import { ONEPASSWORD_MAX_VALUE_BYTES } from '../../core/stores/kinds/onepassword';
import { FakeArtifactory } from '../fakes/fake-artifactory';
import { FakeGithub } from '../fakes/fake-github';
import { FakeOnePasswordConnect } from '../fakes/fake-onepassword-connect';
import { describeStoreContract, run, strip } from './store-contract';

const onePassword = new FakeOnePasswordConnect();
const artifactory = new FakeArtifactory();
const github = new FakeGithub();
const urls: Record<string, string> = {};

beforeAll(async () => {
  onePassword.addVault('Infra');
  urls.onePassword = await onePassword.start();
  urls.artifactory = await artifactory.start();
  urls.github = await github.start();
});
afterAll(async () => {
  await Promise.all([onePassword.stop(), artifactory.stop(), github.stop()]);
});

describeStoreContract([
  {
    name: 'onepassword (Connect, FAKE 1Password Connect)',
    config: () => ({ kind: 'onepassword', options: { mode: 'connect', connect_host: urls.onePassword, connect_token: onePassword.token, vault: 'Infra' } }),
    // One item per stack (`global` for the global scope), one field per key.
    keyFor: (key) => `{{ if .atmos_stack }}{{ .atmos_stack }}{{ else }}global{{ end }}/${key}`,
    typedScalars: false,
    jsonTextDecodes: true,
    rawKeyFor: (path) => path,
    maxStringChars: ONEPASSWORD_MAX_VALUE_BYTES,
    listing: 'none',
  },
  {
    name: 'artifactory (FAKE Artifactory)',
    config: () => ({ kind: 'artifactory', options: { url: urls.artifactory, repo_name: 'atmos-values', prefix: run, access_token: artifactory.token } }),
    typedScalars: true,
    jsonTextDecodes: false,
    // Atmos's GetKey appends `.json`, which set/get paths do not have: no raw key reaches them.
    rawKeyFor: (path) => (path.endsWith('.json') ? strip(`atmos-values/${run}`)(path) : undefined),
    maxStringChars: ARTIFACTORY_MAX_VALUE_BYTES - 2,
  },
  {
    name: 'github/actions (FAKE GitHub, read in a runner)',
    config: () => ({ kind: 'github/actions', options: { owner: github.owner, repo: github.repo, token: github.token, api_url: urls.github } }),
    env: () => github.runnerEnv(),
    typedScalars: true,
    jsonTextDecodes: true,
    rawKeyFor: (path) => path,
    maxStringChars: GITHUB_SECRET_MAX_BYTES,
    listing: 'flat',
  },
]);
