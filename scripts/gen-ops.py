#!/usr/bin/env python3
"""Generates nodetorch's op layer from LibTorch's own op schemas (`npm run gen`).

    python3 scripts/gen-ops.py            # writes lib/generated/{ops,internal}.ts and docs/generated-ops.md
    python3 scripts/gen-ops.py --check    # exits 1 if the committed files differ from what it writes

It reads torchgen's native_functions.yaml from the installed PyTorch (pip torch 2.13) and asks
torchgen's own Python-binding logic (gen_python_functions: which ops Python exposes, under which
names and namespaces, how overloads are grouped and ordered) what Python users see, then writes
that surface in TypeScript:

- `torch.xxx` functions and `Tensor.xxx` methods where Python has them, camelCase names,
  positional arguments as in Python, keyword-only arguments as a trailing options object;
- for every overload, a row naming its schema (`aten::add.Tensor`) and how each JS argument maps
  to a schema argument. The native side (native/bindings/dispatch.cc) resolves the schema in the
  loaded LibTorch and calls it through the c10 dispatcher, converting arguments by the schema's
  types, so the same native code serves LibTorch 1.13 and 2.x;
- the list of overloads that have no JS form yet, with the reason (docs/generated-ops.md).

Ops that nodetorch writes by hand (variadic shapes, `to()`, factories with dtype inference, …)
are listed in HAND_WRITTEN: their public form is skipped here, their tables are still emitted so
the hand-written layer calls them.
"""
import argparse
import keyword
import os
import re
import sys
from collections import OrderedDict

import torch
import torchgen
from torchgen.gen import parse_native_yaml
from torchgen.model import BaseTy, BaseType, ListType, OptionalType, Variant
from torchgen.packaged.autograd import gen_python_functions as gpf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
OUT_TS = os.path.join(ROOT, 'lib', 'generated', 'ops.ts')
OUT_INTERNAL = os.path.join(ROOT, 'lib', 'generated', 'internal.ts')
OUT_DOC = os.path.join(ROOT, 'docs', 'generated-ops.md')

# Python's arg parser lets a number stand for a Tensor argument only for these ops
# (torch/csrc/utils/python_arg_parser.cpp, should_allow_numbers_as_tensors).
NUMBERS_AS_TENSORS = {
    'add', 'add_', 'div', 'div_', 'divide', 'divide_', 'mul', 'mul_', 'multiply', 'multiply_', 'sub', 'sub_',
    'subtract', 'subtract_', 'true_divide', 'true_divide_', 'floor_divide', 'floor_divide_', 'copy_',
}

# Public names the hand-written layer provides (lib/tensor.ts, lib/torch.ts); their generated
# form is reachable as `aten.<name>` only. Functions and methods are listed separately.
HAND_WRITTEN_FUNCTIONS = {
    'zeros', 'ones', 'empty', 'full', 'rand', 'randn', 'randint', 'randperm', 'arange', 'linspace', 'eye',
    'zeros_like', 'ones_like', 'full_like', 'rand_like', 'randn_like', 'tensor', 'from_file',
    # Python-level in torch/functional.py: lib/functional.ts has them with Python's semantics
    'norm', 'tensordot', 'unique_consecutive', 'cdist', 'nonzero',
}
HAND_WRITTEN_METHODS = {
    # variadic shapes: x.view(2, -1)
    'view', 'reshape', 'expand', 'permute', 'repeat', 'flip', 'tile',
    # Python-level conversions and properties
    'to', 'type', 'size', 'dim', 'numel', 'item', 'backward', 'requires_grad_', 'retain_grad', 'is_contiguous',
    'element_size', 'stride', 'storage_offset', 'tolist', 'numpy', 'is_leaf', 'data', 'is_floating_point',
    'contiguous', 'cpu', 'cuda', 'float', 'double', 'half', 'bfloat16', 'int', 'long', 'short', 'char', 'byte', 'bool',
    'dispose', 'slice', 'get', 'index', 'norm', 'unique_consecutive', 'nonzero',
}

# Ops not generated because LibTorch crashes the process or never returns on inputs it does not
# check, in Python as well (a segfault or an endless loop, not an error), and nodetorch promises
# an error instead. All are internal kernels that PyTorch programs do not call directly:
# - quantized_lstm_cell reads an `hx` of one tensor as two;
# - mkldnn_rnn_layer trusts its weights' shapes (oneDNN);
# - choose_qparams_optimized loops forever on a negative `n_bins`.
UNSAFE = {'quantized_lstm_cell', 'mkldnn_rnn_layer', 'choose_qparams_optimized'}

# Ops Python binds by hand (so gen_python_functions skips them) that nodetorch exposes from their
# schemas: as public methods, or (for the hand-written layer) as tables only.
EXTRA_METHODS = {'copy_': 'public', 'slice': 'hand', 'nonzero': 'hand', 'nonzero_numpy': 'hand'}
EXTRA_FUNCTIONS = {'nonzero': 'hand', '_unique2': 'hand'}

JS_RESERVED = set('''break case catch class const continue debugger default delete do else enum export extends false
finally for function if import in instanceof new null return super switch this throw true try typeof var void while
with yield let static implements interface package private protected public await arguments eval'''.split())


def camel(name):
    """`log_softmax` → `logSoftmax`; a trailing `_` (in place) and leading ones (private) stay."""
    lead = name[:len(name) - len(name.lstrip('_'))]
    name = name[len(lead):]
    trail = '_' if name.endswith('_') and not name.endswith('__') else ''
    core = name[:-1] if trail else name
    parts = core.split('_')
    head = parts[0]
    return lead + head + ''.join(p[:1].upper() + p[1:] for p in parts[1:]) + trail


# ---- argument kinds ---------------------------------------------------------------------------
# One letter code per JS argument kind, read by lib/dispatch.ts to match overloads. Conversion
# itself is done natively from the schema's types.

def kind_of(t):
    """(kind code, TS type, optional) for a torchgen type, or (None, reason, _) when unsupported."""
    optional = isinstance(t, OptionalType)
    if optional:
        t = t.elem
    if isinstance(t, BaseType):
        n = t.name
        table = {
            # Integers are numbers or bigints, as lib/validate.ts takes them (Python's ints).
            BaseTy.Tensor: ('T', 'Tensor'), BaseTy.Scalar: ('S', 'number | boolean | bigint'), BaseTy.int: ('i', 'number | bigint'),
            BaseTy.SymInt: ('i', 'number | bigint'), BaseTy.float: ('f', 'number'), BaseTy.bool: ('b', 'boolean'),
            BaseTy.str: ('s', 'string'), BaseTy.ScalarType: ('d', 'DTypeName'), BaseTy.Layout: ('l', 'Layout'),
            BaseTy.Device: ('v', 'Device'), BaseTy.MemoryFormat: ('m', 'MemoryFormat'), BaseTy.Generator: ('g', 'Generator'),
        }
        if n in table:
            code, ts = table[n]
            return code, ts, optional
        return None, f'argument type {t} has no JS form yet', optional
    if isinstance(t, ListType):
        e = t.elem
        if isinstance(e, OptionalType) and isinstance(e.elem, BaseType) and e.elem.name == BaseTy.Tensor:
            return 'L', '(Tensor | null)[]', optional
        if isinstance(e, BaseType):
            if e.name == BaseTy.Tensor:
                return 'V', 'Tensor[]', optional
            if e.name in (BaseTy.int, BaseTy.SymInt):
                # int[N] with N > 0 also takes one int (Python broadcasts it).
                return ('I' if t.size else 'J'), ('number | bigint | (number | bigint)[]' if t.size else '(number | bigint)[]'), optional
            if e.name == BaseTy.float:
                return 'F', 'number[]', optional
            if e.name == BaseTy.bool:
                return 'B', 'boolean[]', optional
            if e.name == BaseTy.Scalar:
                return 'A', '(number | boolean | bigint)[]', optional
        return None, f'argument type {t} has no JS form yet', optional
    return None, f'argument type {t} has no JS form yet', optional


# Python's varargs form: a signature whose only positional argument is an int[] (no fixed size)
# also takes the ints as separate arguments (`x.view(2, 3)`, `x.count_nonzero(0, 1)`; not
# `x.std(0, 1)`, whose dim is int[1]?), and the functions torch/functional.py defines with
# `*tensors` take tensors so (`torch.block_diag(a, b)`); other lists do not (`torch.hstack(a, b)`
# is a TypeError). The element's TS type by kind.
VARARGS_ELEMENTS = {'J': 'number | bigint', 'V': 'Tensor'}
VARARGS_TENSORS = {'atleast_1d', 'atleast_2d', 'atleast_3d', 'block_diag', 'broadcast_tensors', 'cartesian_prod',
                   'chain_matmul', 'meshgrid'}


def ts_type(code, ts, optional, numbers_as_tensors):
    if code == 'T' and numbers_as_tensors:
        ts = 'Tensor | number | boolean | bigint'
    return f'{ts} | null' if optional else ts


# ---- returns ----------------------------------------------------------------------------------

def returns_of(func):
    """(TS type for functions, TS type for methods, names or None, in-place-of-self)."""
    rets = func.returns
    if len(rets) == 0:
        return 'void', 'void', None, False
    in_place = func.name.name.inplace
    if len(rets) == 1:
        t = rets[0].type
        if isinstance(t, BaseType):
            simple = {BaseTy.Tensor: 'Tensor', BaseTy.Scalar: 'number', BaseTy.int: 'number', BaseTy.SymInt: 'number',
                      BaseTy.float: 'number', BaseTy.bool: 'boolean', BaseTy.ScalarType: 'DType', BaseTy.str: 'string',
                      BaseTy.Device: 'Device', BaseTy.QScheme: 'string'}
            if t.name in simple:
                ts = simple[t.name]
                return ts, ('this' if in_place and ts == 'Tensor' else ts), None, in_place
        if isinstance(t, ListType) and isinstance(t.elem, BaseType):
            if t.elem.name == BaseTy.Tensor:
                return 'Tensor[]', 'Tensor[]', None, False
            if t.elem.name in (BaseTy.int, BaseTy.SymInt, BaseTy.float):
                return 'number[]', 'number[]', None, False
        return None, None, None, False
    if all(isinstance(r.type, BaseType) and r.type.name == BaseTy.Tensor for r in rets):
        names = [r.name for r in rets] if all(r.name for r in rets) else None
        tup = '[' + ', '.join('Tensor' for _ in rets) + ']'
        if names:
            tup += ' & { ' + '; '.join(f'{camel(n)}: Tensor' for n in names) + ' }'
        return tup, tup, names, False
    return None, None, None, False


# ---- overloads --------------------------------------------------------------------------------

class Overload:
    """One Python signature of a name, as the dispatcher table needs it."""

    def __init__(self, signature, function, method, numbers_as_tensors):
        self.sig = signature
        self.func = function.func
        self.schema = f'aten::{self.func.name.name}' + (f'.{self.func.name.overload_name}' if self.func.name.overload_name else '')
        self.method = method
        self.unsupported = None
        self.params = []  # (js name, code, ts, optional, has default, kw only, schema index or -1 for python-only)
        schema_args = [a.name for a in self.func.arguments.flat_all]
        self.schema_args = schema_args
        positional = list(self.sig.input_args)
        kw = list(self.sig.input_kwargs) + list(self.sig.tensor_options_args)
        for kw_only, args in ((False, positional), (True, kw)):
            for a in args:
                if a.name == 'requires_grad':
                    self.params.append(('requiresGrad', 'b', 'boolean', True, True, True, -2))
                    continue
                code, ts, optional = kind_of(a.type)
                if code is None:
                    self.unsupported = f'{a.name}: {ts}'
                    return
                if a.name not in schema_args:
                    self.unsupported = f'{a.name}: a Python-only argument'
                    return
                js = 'input' if a.name == 'self' and not method else camel(a.name)
                if js in JS_RESERVED:
                    js += '_'
                ts = ts_type(code, ts, optional, numbers_as_tensors)
                if code == 'T' and numbers_as_tensors:
                    code = 'N'
                self.params.append((js, code, ts, optional,
                                    a.default is not None, kw_only, schema_args.index(a.name)))
        if method:
            if 'self' not in schema_args:
                self.unsupported = 'a method without self'
                return
            self.self_index = schema_args.index('self')
        else:
            self.self_index = -1
        fn_ret, m_ret, self.names, self.in_place = returns_of(self.func)
        if fn_ret is None:
            self.unsupported = f'returns ({", ".join(str(r.type) for r in self.func.returns)}) have no JS form yet'
            return
        self.ret = m_ret if method else fn_ret

    def signature_ts(self, name):
        pos = [p for p in self.params if not p[5]]
        kw = [p for p in self.params if p[5]]
        parts = []
        # A required positional after an optional one cannot be optional in TS; Python never has that.
        for js, code, ts, optional, has_default, _, _ in pos:
            parts.append(f'{js}{"?" if has_default else ""}: {ts}')
        if kw:
            fields = '; '.join(f'{js}?: {ts}' for js, _, ts, _, _, _, _ in kw)
            required_kw = [p for p in kw if not p[4]]
            parts.append(f'options{"" if required_kw else "?"}: {{ {fields} }}')
        return f'{name}({", ".join(parts)}): {self.ret}'

    def varargs(self):
        """Whether Python takes this signature's list as separate arguments (VARARGS_ELEMENTS)."""
        pos = [p for p in self.params if not p[5]]
        if len(pos) != 1 or pos[0][1] not in VARARGS_ELEMENTS:
            return False
        return pos[0][1] != 'V' or str(self.func.name.name) in VARARGS_TENSORS

    def varargs_ts(self, name):
        """The varargs form's TS overload (at least one element), or None."""
        if not self.varargs():
            return None
        js, code = next((p[0], p[1]) for p in self.params if not p[5])
        elem = VARARGS_ELEMENTS[code] if code == 'V' else f'({VARARGS_ELEMENTS[code]})'
        kw = [p for p in self.params if p[5]]
        if not kw:
            return f'{name}(...{js}: [{elem}, ...{elem}[]]): {self.ret}'
        fields = '; '.join(f'{k}?: {t}' for k, _, t, _, _, _, _ in kw)
        return f'{name}(...{js}: [{elem}, ...{elem}[]] | [{elem}, ...{elem}[], {{ {fields} }}]): {self.ret}'

    def signatures_ts(self, name):
        """The TS overload lines of this signature: as written, then its varargs form."""
        varargs = self.varargs_ts(name)
        return [self.signature_ts(name)] + ([varargs] if varargs else [])

    def row(self, op_id):
        """One overload as lib/dispatch.ts parses it (rowsOf): `op,self,names,inPlace[,1 if varargs]|params`,
        params `;`-separated `name:kind:optional:default:kwOnly:schemaIndex`. A string, so that the
        1,600 tables cost the JS heap (and every garbage collection's marking) almost nothing until
        an op is first called."""
        params = ';'.join(
            f'{js}:{code}:{1 if optional else 0}:{1 if has_default else 0}:{1 if kw_only else 0}:{idx}'
            for js, code, _, optional, has_default, kw_only, idx in self.params)
        names = '.'.join(camel(n) for n in self.names) if self.names else ''
        return f'{op_id},{self.self_index},{names},{1 if self.in_place else 0}{",1" if self.varargs() else ""}|{params}'


class Pair:
    """A signature and its native function, as gen_python_functions pairs them."""

    def __init__(self, signature, base):
        self.signature = signature
        self.base = base


def load_extras(native, names, method):
    """EXTRA_METHODS / EXTRA_FUNCTIONS as signature groups, from every native function (bound or not)."""
    variant = Variant.method if method else Variant.function
    out = OrderedDict()
    for name in sorted(names):
        fs = [f for f in native if str(f.func.name.name) == name and variant in f.variants and not f.func.is_out_fn()]
        out[name] = [Pair(gpf.signature(f, method=method), f) for f in fs]
    return out


def load():
    base = os.path.join(os.path.dirname(torchgen.__file__), 'packaged')
    all_native = parse_native_yaml(os.path.join(base, 'ATen', 'native', 'native_functions.yaml'),
                                   os.path.join(base, 'ATen', 'native', 'tags.yaml')).native_functions
    native = [f for f in all_native if gpf.should_generate_py_binding(f) and str(f.func.name.name) not in UNSAFE]
    deprecated = os.path.join(base, 'autograd', 'deprecated.yaml')
    functions = gpf.load_signatures(native, deprecated, method=False, skip_deprecated=True)
    methods = gpf.load_signatures(native, deprecated, method=True, skip_deprecated=True)
    return functions, methods, load_extras(all_native, EXTRA_METHODS, True), load_extras(all_native, EXTRA_FUNCTIONS, False)


def grouped(pairs, pred):
    out = OrderedDict()
    for name, group in sorted(gpf.group_filter_overloads(pairs, pred).items(), key=lambda kv: str(kv[0])):
        out[str(name)] = gpf.sort_overloads(gpf.group_overloads(group, symint=True), symint=True)
    return out


NAMESPACES = [
    # (namespace in TS, predicate, prefix stripped from the name)
    ('torch', gpf.is_py_torch_function, ''),
    ('linalg', gpf.is_py_linalg_function, 'linalg_'),
    ('special', gpf.is_py_special_function, 'special_'),
    ('fft', gpf.is_py_fft_function, 'fft_'),
    ('nnOps', gpf.is_py_nn_function, ''),
]


def public_name(name):
    return not name.startswith('_') and not name.endswith('__')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()
    functions, methods, extras, extra_functions = load()

    schemas = OrderedDict()  # schema name -> (id, arg names)
    unsupported = []  # (where, name, python signature, reason)

    def op_id(ov):
        if ov.schema not in schemas:
            schemas[ov.schema] = (len(schemas), ov.schema_args)
        return schemas[ov.schema][0]

    def build(ns, name, group, method):
        ovs = []
        for grp in group:
            ov = Overload(grp.signature, grp.base, method, name in NUMBERS_AS_TENSORS)
            sig = grp.signature.signature_str(symint=True)
            if ov.unsupported:
                unsupported.append((ns if not method else 'Tensor', name, sig, ov.unsupported))
                continue
            ov.python = sig
            ovs.append(ov)
        return ovs

    tables = []  # (key, rows)
    fn_defs = {ns: [] for ns, _, _ in NAMESPACES}
    method_defs = []

    for ns, pred, prefix in NAMESPACES:
        for name, group in grouped(functions, pred).items():
            if not public_name(name) or (prefix and not name.startswith(prefix)) or not public_name(name[len(prefix):]):
                continue
            ovs = build(ns, name, group, False)
            if not ovs:
                continue
            short = name[len(prefix):]
            key = f'{ns}_{name}'
            tables.append((key, [ov.row(op_id(ov)) for ov in ovs]))
            hand = ns == 'torch' and name in HAND_WRITTEN_FUNCTIONS
            fn_defs[ns].append((camel(short), name, key, ovs, hand))
    for name, group in extra_functions.items():
        ovs = build('torch', name, group, False)
        key = f'torch_{name}'
        tables.append((key, [ov.row(op_id(ov)) for ov in ovs]))
        fn_defs['torch'].append((camel(name), name, key, ovs, EXTRA_FUNCTIONS[name] == 'hand'))
    fn_defs['torch'].sort(key=lambda d: d[1])
    for name, group in grouped(methods, gpf.is_py_variable_method).items():
        if not public_name(name):
            continue
        ovs = build('Tensor', name, group, True)
        if not ovs:
            continue
        key = f'method_{name}'
        tables.append((key, [ov.row(op_id(ov)) for ov in ovs]))
        method_defs.append((camel(name), name, key, ovs, name in HAND_WRITTEN_METHODS))
    for name, group in extras.items():
        ovs = build('Tensor', name, group, True)
        key = f'method_{name}'
        tables.append((key, [ov.row(op_id(ov)) for ov in ovs]))
        method_defs.append((camel(name), name, key, ovs, EXTRA_METHODS[name] == 'hand'))
    method_defs.sort(key=lambda d: d[1])

    outputs = {
        OUT_TS: render(schemas, tables, fn_defs, method_defs),
        OUT_INTERNAL: render_internal(schemas, tables, fn_defs, method_defs),
        OUT_DOC: render_doc(unsupported, schemas, fn_defs, method_defs),
    }
    if args.check:
        stale = [p for p, text in outputs.items() if not os.path.exists(p) or open(p, encoding='utf8').read() != text]
        if stale:
            print('gen-ops: these generated files are out of date; run `npm run gen` and commit them:\n  ' +
                  '\n  '.join(os.path.relpath(p, ROOT) for p in stale), file=sys.stderr)
            sys.exit(1)
        print('gen-ops: generated files are up to date')
        return
    for path, text in outputs.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf8') as f:
            f.write(text)
    n_fn = sum(len(v) for v in fn_defs.values())
    print(f'gen-ops: {len(schemas)} schemas, {n_fn} functions, {len(method_defs)} methods, '
          f'{len(unsupported)} overloads without a JS form (docs/generated-ops.md)')


def example(name, ov, method, ns='torch'):
    """A call of the first overload with its required arguments named: `torch.add(input, other)`."""
    args = [p[0] for p in ov.params if not p[5] and not p[4]]
    required_kw = [p[0] for p in ov.params if p[5] and not p[4]]
    if required_kw:
        args.append('{ ' + ', '.join(required_kw) + ' }')
    if method:
        return f'x.{camel(name)}({", ".join(args)})'
    prefix = 'torch.' if ns == 'torch' else f'torch.{ns}.'
    short = name[len(ns) + 1:] if ns != 'torch' and name.startswith(ns + '_') else name
    return f'{prefix}{camel(short)}({", ".join(args)})'


def doc_block(name, ovs, method, ns='torch'):
    lines = ['/**']
    lines.append(f' * PyTorch `{"Tensor." if method else "torch." if ns == "torch" else "torch." + ns + "."}{name}`:')
    for ov in ovs:
        lines.append(f' * - `{ov.python}` — `{ov.schema}`')
    lines.append(' *')
    lines.append(' * Keyword-only arguments go in the trailing options object, in camelCase.')
    lines.append(f' * @example `{example(name, ovs[0], method, ns)}`')
    lines.append(' */')
    return lines


def header(w, what):
    torch_version = torch.__version__.split('+')[0]
    w(f'// GENERATED by scripts/gen-ops.py from PyTorch {torch_version}\'s native_functions.yaml (`npm run gen`). Do not edit.')
    w(what)
    w('/* eslint-disable */')


def fn_type(ovs):
    return ' & '.join('((' + sig.replace('): ', ') => ', 1)[1:] + ')' for ov in ovs for sig in ov.signatures_ts(''))


def render_internal(schemas, tables, fn_defs, method_defs):
    out = []
    w = out.append
    header(w, '// The op tables (overloads in Python\'s order, argument kinds, schema positions), the generated Tensor\n'
              '// methods, and the ops the hand-written layer builds on. lib/dispatch.ts reads the tables.')
    w("import { native as N } from '../binding';")
    w("import type { DType, DTypeName } from '../dtype';")
    w("import { callFunction, callMethod, registerSchemas, table, type Table } from '../dispatch';")
    w("import type { Device, Generator, Layout, MemoryFormat, Tensor } from '../dispatch';")
    w('')
    w('// Schema names by op id, with their argument names in schema order.')
    w('registerSchemas([')
    for schema, (i, argnames) in schemas.items():
        w(f'  [{schema!r}, [{", ".join(repr(a) for a in argnames)}]],')
    w(']);')
    w('')
    w('/** Overload tables by namespace and PyTorch name, as compact strings parsed on first use. */')
    w('export const R: Record<string, Table> = {')
    for key, rows in tables:
        w(f"  {key}: table('{'/'.join(rows)}'),")
    w('};')
    w('')
    w('/** The ops whose public form is hand-written (lib/factories.ts), as generated: `aten.zeros([2, 3])`. */')
    w('export const aten = {')
    for js, name, key, ovs, hand in fn_defs['torch']:
        if hand:
            w(f'  {js}: ((...args: any[]): any => callFunction(R.{key}, {name!r}, args)) as {fn_type(ovs)},')
    w('};')
    w('')
    w('/** `torch._C._nn`: the native ops behind nn.functional. */')
    w('export const nnOps = {')
    for js, name, key, ovs, hand in fn_defs['nnOps']:
        out.extend('  ' + l for l in doc_block(name, ovs, False))
        w(f'  {js}: ((...args: any[]): any => callFunction(R.{key}, {name!r}, args)) as {fn_type(ovs)},')
    w('};')
    w('')
    w('/**')
    w(' * The generated Tensor methods; `Tensor` (lib/tensor.ts) extends this class and adds the')
    w(' * hand-written ones (variadic shapes, `to()`, printing, data access).')
    w(' */')
    w('export abstract class TensorMethods {')
    for js, name, key, ovs, hand in method_defs:
        if hand:
            continue
        out.extend('  ' + l for l in doc_block(name, ovs, True))
        for ov in ovs:
            for sig in ov.signatures_ts(js):
                w(f'  {sig};')
        w(f'  {js}(...args: any[]): any {{ return callMethod(R.{key}, {name!r}, this, args); }}')
    w('}')
    w('')
    w("/** Tables of the methods whose public form is hand-written (lib/tensor.ts). */")
    w('export const handMethods = {')
    for js, name, key, ovs, hand in method_defs:
        if hand:
            w(f'  {js}: R.{key},')
    w('};')
    w('')
    return '\n'.join(out)


def render(schemas, tables, fn_defs, method_defs):
    out = []
    w = out.append
    header(w, '// Every function Python exposes as torch.xxx (and torch.linalg, torch.special, torch.fft), with its\n'
              '// overloads in Python\'s order; lib/dispatch.ts picks the overload, native/bindings/dispatch.cc calls it.')
    w("import type { DType, DTypeName } from '../dtype';")
    w("import { callFunction } from '../dispatch';")
    w("import type { Device, Generator, Layout, MemoryFormat, Tensor } from '../dispatch';")
    w("import { R } from './internal';")
    w('')
    for ns, _, _ in NAMESPACES:
        defs = fn_defs[ns]
        if ns == 'nnOps':
            continue
        if ns == 'torch':
            for js, name, key, ovs, hand in defs:
                local = js + '_' if js in JS_RESERVED else js
                if hand:
                    continue
                out.extend(doc_block(name, ovs, False))
                for ov in ovs:
                    for sig in ov.signatures_ts(local):
                        w(f'export function {sig};')
                w(f'export function {local}(...args: any[]): any {{ return callFunction(R.{key}, {name!r}, args); }}')
                if local != js:
                    w(f'export {{ {local} as {js} }};')
        else:
            w(f'/** `torch.{ns}`. */')
            w(f'export const {ns} = {{')
            for js, name, key, ovs, hand in defs:
                out.extend('  ' + l for l in doc_block(name, ovs, False, ns))
                w(f'  {js}: ((...args: any[]): any => callFunction(R.{key}, {name!r}, args)) as {fn_type(ovs)},')
            w('};')
        w('')
    return '\n'.join(out)


def render_doc(unsupported, schemas, fn_defs, method_defs):
    torch_version = torch.__version__.split('+')[0]
    lines = [
        '# Generated ops',
        '',
        f'Generated by `scripts/gen-ops.py` from PyTorch {torch_version}\'s `native_functions.yaml` (`npm run gen`); do not edit.',
        '',
        f'- {len(schemas)} op schemas are bound.',
    ]
    for ns, _, _ in NAMESPACES:
        label = 'torch._C._nn (used by nn.functional)' if ns == 'nnOps' else f'torch.{ns}' if ns != 'torch' else 'torch'
        lines.append(f'- {label}: {len(fn_defs[ns])} functions.')
    lines.append(f'- Tensor: {len(method_defs)} methods.')
    lines += ['', '## Overloads without a JS form', '',
              'These Python overloads are not generated; the reason names the argument or return.', '',
              '| where | name | Python signature | reason |', '| --- | --- | --- | --- |']
    for where, name, sig, reason in sorted(unsupported):
        lines.append(f'| {where} | `{name}` | `{sig}` | {reason} |')
    lines.append('')
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
