"""TensorBoard's own readers (and PyTorch's own writer) for test/tensorboard.test.ts.

    tensorboard_events.py [write SPEC.json OUT_DIR] [read DIR...]

write: replays the operations in SPEC.json with PyTorch's torch.utils.tensorboard.SummaryWriter
into OUT_DIR (imports torch only for this). read: every directory under each DIR that holds event
files, loaded by TensorBoard's EventAccumulator, printed as one JSON object {DIR: {run: ...}}:
scalars, histograms, images (size and a hash of the decoded RGBA pixels), text, PR curves and
hparams plugin data by tag; the graph's nodes; each file's non-summary events (file_version, session_log); the
other files (projector) by content, images among them hashed the same way.
"""
import hashlib
import io
import json
import os
import sys

from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader


def pixels(png):
    from PIL import Image
    im = Image.open(io.BytesIO(png))
    return {"mode": im.mode, "size": list(im.size), "sha": hashlib.sha256(im.convert("RGBA").tobytes()).hexdigest()}


def tensor_value(plugin, proto):
    from tensorboard.util import tensor_util
    if plugin == "text":
        return [s.decode("utf-8") for s in proto.string_val]
    return tensor_util.make_ndarray(proto).tolist()


def read_run(path):
    acc = ea.EventAccumulator(path, size_guidance={k: 0 for k in ea.DEFAULT_SIZE_GUIDANCE})
    acc.Reload()
    tags = acc.Tags()
    out = {"scalars": {}, "histograms": {}, "images": {}, "tensors": {}, "hparams": {}, "events": {}}
    for tag in tags["scalars"]:
        out["scalars"][tag] = [[e.step, e.wall_time, e.value] for e in acc.Scalars(tag)]
    for tag in tags["histograms"]:
        out["histograms"][tag] = [{
            "step": e.step, "wall_time": e.wall_time, "min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
            "sum_squares": h.sum_squares, "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket),
        } for e in acc.Histograms(tag) for h in [e.histogram_value]]
    for tag in tags["images"]:
        out["images"][tag] = [{"step": e.step, "wall_time": e.wall_time, "width": e.width, "height": e.height,
                               **pixels(e.encoded_image_string)} for e in acc.Images(tag)]
    for tag in tags["tensors"]:
        meta = acc.SummaryMetadata(tag)
        plugin = meta.plugin_data.plugin_name
        content = meta.plugin_data.content
        out["tensors"][tag] = [{"step": e.step, "wall_time": e.wall_time, "plugin": plugin, "content": content.hex(),
                                "value": tensor_value(plugin, e.tensor_proto)} for e in acc.Tensors(tag)]
    try:
        hparams = acc.PluginTagToContent("hparams")
    except KeyError:
        hparams = {}
    if hparams:
        from google.protobuf.json_format import MessageToDict
        from tensorboard.plugins.hparams import plugin_data_pb2
        for tag, content in hparams.items():
            out["hparams"][tag] = MessageToDict(plugin_data_pb2.HParamsPluginData.FromString(content))
    if tags.get("graph"):
        g = acc.Graph()
        out["graph"] = {"producer": g.versions.producer, "node": [
            {"name": n.name, "op": n.op, "input": list(n.input), "attr": n.attr["attr"].s.decode("utf-8")} for n in g.node]}
    for name in sorted(os.listdir(path)):
        if "tfevents" not in name:
            continue
        events = []
        for e in EventFileLoader(os.path.join(path, name)).Load():
            what = e.WhichOneof("what")
            if what == "summary":
                continue
            item = {"step": e.step, "wall_time": e.wall_time, "what": what}
            if what == "file_version":
                item["file_version"] = e.file_version
                item["writer"] = e.source_metadata.writer
            elif what == "session_log":
                item["status"] = e.session_log.status
            events.append(item)
        out["events"][name] = events
    return out


def read(root):
    runs, files = {}, {}
    for path, _dirs, names in os.walk(root):
        if any("tfevents" in n for n in names):
            runs[os.path.relpath(path, root)] = read_run(path)
        for n in names:
            if "tfevents" in n:
                continue
            rel = os.path.relpath(os.path.join(path, n), root)
            data = open(os.path.join(path, n), "rb").read()
            files[rel] = pixels(data) if n.endswith(".png") else data.decode("utf-8")
    return {"runs": runs, "files": files}


def tensor(spec):
    import torch
    return torch.tensor(spec["data"], dtype=getattr(torch, spec["dtype"])).reshape(spec["shape"])


def value(v):
    if isinstance(v, dict) and "jit" in v:
        import torch
        return torch.jit.load(v["jit"])
    if isinstance(v, dict) and "data" in v:
        return tensor(v).numpy() if v.get("numpy") else tensor(v)
    return v


def write(spec_file, out_dir):
    from torch.utils.tensorboard import SummaryWriter
    ops = json.load(open(spec_file))
    w = SummaryWriter(out_dir)
    for op in ops:
        kind, args = op["op"], {k: value(v) for k, v in op["args"].items()}
        getattr(w, kind)(**args)
    w.close()


def main(argv):
    i, result = 0, {}
    while i < len(argv):
        if argv[i] == "write":
            write(argv[i + 1], argv[i + 2])
            i += 3
        elif argv[i] == "read":
            for d in argv[i + 1:]:
                result[d] = read(d)
            break
        else:
            raise SystemExit(__doc__)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
