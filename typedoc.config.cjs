// `npm run docs`: the API reference from the TSDoc, into build-docs/. One page per public entry
// point, the package.json `exports` map read back to its sources (./dist/lib/x.js → lib/x.ts).
// Warnings are errors, so the run is also the check: every exported name documented, every
// {@link} resolving, nothing referenced that the entry points do not export.
const pkg = require('./package.json');

const entryPoints = Object.values(pkg.exports)
  .filter((target) => typeof target === 'object')
  .map((target) => target.default.replace(/^\.\/dist\/(.*)\.js$/, '$1.ts'));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
module.exports = {
  entryPoints,
  tsconfig: 'tsconfig.build.json',
  out: 'build-docs',
  name: pkg.name,
  readme: 'none',
  excludeInternal: true,
  excludePrivate: true,
  excludeExternals: true,
  excludeProtected: true,
  disableSources: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  // "Exported names": what a module exports. Their members (options fields, overridden methods)
  // inherit their parent's page and are not each required to carry a comment.
  requiredToBeDocumented: ['Class', 'Function', 'Interface', 'TypeAlias', 'Variable', 'Enum', 'Namespace'],
  // Names the public API's types are built from that are not themselves API: the dtype tables
  // (`DType` and `DTypeName` are the names to use), ModuleDict's and ParameterDict's shared base,
  // L-BFGS's number-or-tensor state fields and the `{ async: true }` of the distributed overloads.
  // Any other unexported name fails the check.
  intentionallyNotExported: ['DTYPES', 'DTYPE_ALIASES', 'KeyedModule', 'Num', 'Async'],
};
