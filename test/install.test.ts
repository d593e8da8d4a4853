// `npm install nodetorch` as a user gets it: the packed tarball installed into a new project with
// no compiler, cmake or make on the PATH, then a TypeScript script that trains one step — with
// pip torch 2.13, with Debian's 1.13, and with no LibTorch at all.
// Needs `npm run prebuild` and `npm run build:ts` first (CI does both); skipped locally without them.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const PREBUILDS = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
const ready = fs.existsSync(path.join(ROOT, 'dist', 'lib', 'index.js')) && fs.existsSync(PREBUILDS) &&
  fs.readdirSync(PREBUILDS).some((f) => f.endsWith('.node'));
if (process.env.CI && !ready) throw new Error('CI must run `npm run prebuild` and `npm run build:ts` before the install test');

const SCRIPT = `
import * as torch from 'nodetorch';
const { nn, optim } = torch;
class Model extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 5);
  linear = new nn.Linear(4 * 12 * 12, 10);
  forward(x: torch.Tensor): torch.Tensor {
    return this.linear.forward(nn.functional.maxPool2d(this.conv1.forward(x).relu(), 2).flatten(1));
  }
}
torch.manualSeed(0);
const model = new Model();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
const x = torch.randn([8, 1, 28, 28]);
const y = torch.randint(0, 10, [8]);
const before = nn.functional.crossEntropy(model.forward(x), y);
optimizer.zeroGrad();
before.backward();
optimizer.step();
const after = nn.functional.crossEntropy(model.forward(x), y);
console.log(JSON.stringify({ before: before.item(), after: after.item(), config: torch.config() }));
`;

function realPath(cmd: string): string {
  return execFileSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
}

describe.skipIf(!ready)('npm install of the packed package, without a compiler', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-consumer-'));
  const bin = path.join(project, '.bin-no-compiler');
  let env: NodeJS.ProcessEnv;
  let installLog = '';

  beforeAll(() => {
    // A PATH with node, npm, python3 (to find pip torch) and a shell, but no g++, cc, cmake or make.
    fs.mkdirSync(bin);
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const links: Record<string, string> = { node: process.execPath, python3: python };
    for (const cmd of ['npm', 'npx', 'sh', 'bash', 'env', 'uname', 'cat', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'chmod', 'ln', 'dirname', 'basename', 'sed', 'grep']) {
      links[cmd] = realPath(cmd);
    }
    for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(bin, name));
    env = { ...process.env, PATH: bin };
    delete env.LIBTORCH;
    delete env.NODETORCH_BUILD_DIR;
    for (const tool of ['g++', 'cc', 'c++', 'cmake', 'make']) {
      expect(spawnSync('bash', ['-c', `command -v ${tool}`], { env }).status, `${tool} must not be on the PATH`).not.toBe(0);
    }
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    fs.writeFileSync(path.join(project, 'train.ts'), SCRIPT);
    const res = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', path.join(project, tarball), 'tsx'],
      { cwd: project, env, encoding: 'utf8', timeout: 300_000 });
    installLog = res.stdout + res.stderr;
    expect(res.status, installLog).toBe(0);
  }, 360_000);

  function runScript(extra: NodeJS.ProcessEnv) {
    return spawnSync(path.join(project, 'node_modules', '.bin', 'tsx'), ['train.ts'], { cwd: project, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });
  }

  it('the install step chose the prebuilt binary (no build from source)', () => {
    expect(installLog).toMatch(/nodetorch: using the prebuilt binary prebuilds\/linux-x64\/nodetorch\.libtorch-2\.13\.node/);
    expect(fs.existsSync(path.join(project, 'node_modules', 'nodetorch', 'build'))).toBe(false);
  });

  it('trains one step with pip torch 2.13', () => {
    const res = runScript({});
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out.config.libtorchVersion).toMatch(/^2\.13\./);
    expect(out.config.binary.kind).toBe('prebuilt');
    expect(out.after).toBeLessThan(out.before);
  });

  it("trains one step with Debian's LibTorch 1.13", () => {
    if (!fs.existsSync(path.join(PREBUILDS, 'nodetorch.libtorch-1.13.node'))) throw new Error('no 1.13 prebuilt: run npm run prebuild on a machine with libtorch-dev');
    const res = runScript({ LIBTORCH: '/usr' });
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out.config.libtorchVersion).toMatch(/^1\.13\./);
    expect(out.config.root).toBe('/usr');
    expect(out.after).toBeLessThan(out.before);
  });

  it('with no LibTorch visible, one error lists what was tried and the fixes', () => {
    const res = runScript({ PYTHON: path.join(bin, 'no-such-python'), NODETORCH_SYSTEM_ROOTS: '' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('nodetorch could not load its native addon. Tried:');
    expect(res.stderr).toMatch(/LibTorch for a prebuilt binary: no LibTorch found/);
    expect(res.stderr).toContain([
      'Fix it with one of:',
      '  pip install torch                      (LibTorch from the Python package)',
      '  apt-get install libtorch-dev           (Debian/Ubuntu LibTorch)',
      '  LIBTORCH=/path/to/libtorch             (a LibTorch root: lib/, include/, share/cmake/Torch)',
      '  npm rebuild nodetorch                  (build from source against the LibTorch found; needs cmake and g++)',
    ].join('\n'));
  });

  it('a LibTorch with no prebuilt binary and no compiler: the install step says what is missing', () => {
    // A LibTorch root of a version nothing is prebuilt for.
    const fake = path.join(project, 'fake-libtorch');
    fs.mkdirSync(path.join(fake, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(fake, 'share', 'cmake', 'Torch'), { recursive: true });
    fs.mkdirSync(path.join(fake, 'include', 'torch', 'csrc', 'api', 'include', 'torch'), { recursive: true });
    fs.writeFileSync(path.join(fake, 'lib', 'libtorch.so'), '');
    fs.writeFileSync(path.join(fake, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'), '');
    fs.writeFileSync(path.join(fake, 'include', 'torch', 'csrc', 'api', 'include', 'torch', 'version.h'),
      '#define TORCH_VERSION_MAJOR 9\n#define TORCH_VERSION_MINOR 9\n#define TORCH_VERSION_PATCH 0\n');
    const res = spawnSync('node', [path.join(project, 'node_modules', 'nodetorch', 'scripts', 'install.js')],
      { cwd: project, env: { ...env, LIBTORCH: fake }, encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/no prebuilt binary matches LibTorch 9\.9\.0 .* building from source needs cmake, a C\+\+ compiler \(c\+\+\), make or ninja/);
  });
});
