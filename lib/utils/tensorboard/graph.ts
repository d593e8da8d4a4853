/**
 * `addGraph`'s `GraphDef`: a TorchScript method's graph (submodule calls inlined, from
 * native/core/script_module.cc) as TensorBoard's graph plugin draws PyTorch's: the method's
 * inputs as `input/…` IO nodes, one node per TorchScript node named by its scope and first output,
 * the method's outputs as `output/…` IO nodes; each node carries its attributes as text (`attr`)
 * and the sizes of its tensor outputs where the graph knows them (`_output_shapes`).
 */
import { native as N } from '../../binding';
import type { GraphDefProto } from './schema';

/** PyTorch's add_graph writes VersionDef(producer=22). */
const PRODUCER = 22;

type Node = GraphDefProto['node'][number];

export function graphDef(handle: unknown, method: string): GraphDefProto {
  const nodes = N.jitGraph(handle, method);
  const producer = new Map<string, string>();  // value name → the node name that makes it
  const encoder = new TextEncoder();
  const out: Node[] = [];
  for (const [i, n] of nodes.entries()) {
    const io = n.kind === 'IO Node';
    const first = n.outputs[0]?.name ?? `${n.kind}_${i}`;
    const name = io ? `${n.inputs.length === 0 ? 'input' : 'output'}/${first}` : `${n.scope ? `${n.scope}/` : ''}${first}`;
    for (const o of n.outputs) producer.set(o.name, name);
    out.push({
      name, op: n.kind, device: io ? undefined : '/device:CPU:0',
      // The module itself (`self`, what prim::GetAttr reads parameters from) is not a node.
      input: n.inputs.filter((v) => producer.has(v)).map((v) => producer.get(v)!),
      attr: {
        attr: { s: encoder.encode(n.attributes) },
        _output_shapes: { list: { shape: n.outputs.filter((o) => o.sizes.length > 0).map((o) => ({ dim: o.sizes.map((size) => ({ size })) })) } },
      },
    });
  }
  return { node: out, versions: { producer: PRODUCER } };
}
