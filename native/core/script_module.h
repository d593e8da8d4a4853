// TorchScript modules (torch.jit): loading, saving and calling methods, over torch::jit. No Node
// here; native/bindings/jit.cc converts JS values to IValues by the methods' schemas.
#pragma once
#include <torch/script.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nodetorch {

// A loaded TorchScript module, or one of its submodules. torch::jit::Module is a handle on an
// object that the submodules' handles share; so do their call locks.
struct ScriptModule {
  torch::jit::Module module;
  // Held by every call made while the module is in training mode, which may write its state
  // (BatchNorm's running statistics, num_batches_tracked). Calls in eval mode do not take it:
  // torch::jit::Module's methods may run concurrently when they only read the module.
  std::shared_ptr<std::mutex> lock;
};
using ScriptModulePtr = std::shared_ptr<ScriptModule>;

// Loads a TorchScript archive (torch.jit.save's zip) from a file or from bytes, onto `device`
// when given (map_location). Anything LibTorch refuses — a damaged, truncated or foreign file,
// a newer format, an operator this LibTorch lacks — is an Error with code JIT_INVALID.
ScriptModulePtr load_script_module(const std::string& path, const c10::optional<c10::Device>& device);
ScriptModulePtr load_script_module(const uint8_t* data, size_t size, const c10::optional<c10::Device>& device);

// The archive torch.jit.save writes for `m`.
std::string save_script_module(const ScriptModule& m);

// A submodule of `parent`, sharing its lock.
ScriptModulePtr child_of(const ScriptModule& parent, torch::jit::Module child);

// The schema of method `name` (its first argument is self). Error JIT_NO_METHOD when there is
// none; the message lists the methods there are.
const c10::FunctionSchema& method_schema(const ScriptModule& m, const std::string& name);

// The module's TorchScript class name (Python's original_name), e.g. "Conv2d".
std::string type_name(const ScriptModule& m);

// Names of the module's methods (forward and the @torch.jit.export ones), in definition order.
std::vector<std::string> method_names(const ScriptModule& m);

// Calls method `name` with `args` (self excluded; missing trailing arguments take their
// defaults) in the calling thread's grad mode; under the module's lock when `exclusive`, which
// callers set to any_training(m), read on the JS thread that owns the module.
c10::IValue run_method(const ScriptModule& m, const std::string& name, std::vector<c10::IValue> args, bool exclusive);

// One node of a method's graph (submodule calls inlined), as SummaryWriter.addGraph draws it.
struct GraphValue {
  std::string name;   // the value's debug name, unique in the graph
  std::string type;   // its TorchScript type, e.g. "Tensor", "int"
  std::vector<int64_t> sizes;  // a tensor's sizes where the graph knows them
};
struct GraphNode {
  std::string kind;   // e.g. "aten::conv2d", "prim::Constant"; "IO Node" for the method's inputs
  std::string scope;  // the module path of a traced graph's node (empty when not recorded)
  std::vector<std::string> inputs;  // names of the values it takes
  std::vector<GraphValue> outputs;
  std::string attributes;  // a constant's value, e.g. "{value: 2}", else ""
};
// The graph of method `name`, with the calls to submodules inlined: the method's inputs (self
// excluded) as "IO Node"s without inputs, every node in order, then its outputs as "IO Node"s
// named output.1, output.2, … that take the value returned.
std::vector<GraphNode> method_graph(const ScriptModule& m, const std::string& name);

// Whether the module or any submodule is in training mode: then a call may write the module's
// state, and calls on it take turns (run_method's `exclusive`).
bool any_training(const ScriptModule& m);

// Sets the module's own `training` attribute (not its submodules'; nn.Module.train() visits each).
void set_training(ScriptModule& m, bool mode);

}  // namespace nodetorch
