#include "core/script_module.h"

#include <caffe2/serialize/read_adapter_interface.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/version.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <unordered_set>

#include "core/error.h"
#include "core/message.h"

namespace nodetorch {

namespace {

// The archive's bytes for LibTorch's zip reader: a view of the caller's memory while
// torch::jit::load runs (it reads every record before it returns), and a copy of its own should
// the loaded module keep the reader after that.
class BytesAdapter final : public caffe2::serialize::ReadAdapterInterface {
 public:
  BytesAdapter(const uint8_t* data, size_t size) : data_(reinterpret_cast<const char*>(data)), size_(size) {}
  size_t size() const override { return size_; }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    if (pos >= size_) return 0;
    n = std::min<size_t>(n, size_ - static_cast<size_t>(pos));
    std::memcpy(buf, data_ + pos, n);
    return n;
  }
  // Before the caller's memory goes away.
  void Own() {
    if (!owned_.empty() || size_ == 0) return;
    owned_.assign(data_, size_);
    data_ = owned_.data();
  }

 private:
  const char* data_;
  size_t size_;
  std::string owned_;
};

// LibTorch's loader does not check that a tensor's view fits its storage, and the first op on one
// that does not reads past the end. So every tensor the module holds — attributes at any depth,
// in containers or objects, and the constants of every compiled function — is checked after
// loading. (That each storage holds the bytes its pickle declares, lib/jit checks before LibTorch
// reads the archive.)
class StorageCheck {
 public:

  void Value(const c10::IValue& v, const std::string& where) {
    if (v.isTensor()) {
      Tensor(v.toTensor(), where);
    } else if (v.isList() || v.isTuple()) {
      c10::ArrayRef<c10::IValue> elements = v.isList() ? v.toListRef() : v.toTupleRef().elements();
      for (size_t i = 0; i < elements.size(); ++i) Value(elements[i], where + "[" + std::to_string(i) + "]");
    } else if (v.isGenericDict()) {
      for (const auto& entry : v.toGenericDict()) {
        Value(entry.key(), where + " (a key)");
        Value(entry.value(), where + " (a value)");
      }
    } else if (v.isObject()) {
      auto object = v.toObject();
      if (!seen_.insert(object.get()).second) return;
      const auto& type = object->type();
      for (size_t i = 0; i < object->slots().size(); ++i) {
        Value(object->getSlot(i), (where.empty() ? "" : where + ".") + type->getAttributeName(i));
      }
    }
  }

  void Functions(torch::jit::CompilationUnit& cu) {
    for (torch::jit::Function* fn : cu.get_functions()) {
      if (torch::jit::GraphFunction* graph_fn = torch::jit::tryToGraphFunction(*fn)) {
        Block(graph_fn->graph()->block(), "a constant of " + fn->qualname().qualifiedName());
      }
    }
  }

 private:
  void Block(torch::jit::Block* block, const std::string& where) {
    for (torch::jit::Node* node : block->nodes()) {
      if (node->kind() == c10::prim::Constant) {
        for (torch::jit::Value* out : node->outputs()) {
          if (auto constant = torch::jit::toIValue(out)) Value(*constant, where);
        }
      }
      for (torch::jit::Block* inner : node->blocks()) Block(inner, where);
    }
  }

  void Tensor(const at::Tensor& t, const std::string& where) {
    if (!t.defined() || !t.has_storage()) return;
    const c10::Storage& storage = t.storage();
    auto held = static_cast<uint64_t>(storage.nbytes());
    if (held > 0 && storage.data() == nullptr) Refuse(where, "has no memory for its " + std::to_string(held) + "-byte storage");
    if (t.numel() == 0) return;
    int64_t last = t.storage_offset();
    if (last < 0) Refuse(where, "has a negative storage offset");
    for (int64_t d = 0; d < t.dim(); ++d) {
      if (t.stride(d) < 0) Refuse(where, "has a negative stride");
      last += (t.size(d) - 1) * t.stride(d);
    }
    auto needed = static_cast<uint64_t>(last + 1) * t.element_size();
    if (needed > held) {
      Refuse(where, "needs " + std::to_string(needed) + " bytes of its storage but the archive holds " + std::to_string(held) +
                        " (the file is damaged)");
    }
  }

  [[noreturn]] static void Refuse(const std::string& where, const std::string& what) {
    throw Error("JIT_INVALID", "tensor " + (where.empty() ? std::string("(the module)") : where) + " " + what);
  }

  std::unordered_set<const c10::ivalue::Object*> seen_;
};

// Runs a torch::jit::load, turning what LibTorch throws into one JIT_INVALID Error. bad_alloc
// stays itself (out of memory is not a property of the file).
template <typename Load>
ScriptModulePtr Loaded(Load load) {
  try {
    auto m = std::make_shared<ScriptModule>();
    m->module = load();
    StorageCheck check;
    check.Value(m->module._ivalue(), "");
    check.Functions(*m->module._ivalue()->compilation_unit());
    m->lock = std::make_shared<std::mutex>();
    return m;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error("JIT_INVALID", clean_message(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error("JIT_INVALID", clean_message(e.what()));
  }
}

}  // namespace

ScriptModulePtr load_script_module(const std::string& path, const c10::optional<c10::Device>& device) {
#if TORCH_VERSION_MAJOR >= 2
  // Without the debug records, as lib/jit hands over archives it read itself (withoutDebugRecords).
  return Loaded([&] { return torch::jit::load(path, device, /*load_debug_files=*/false); });
#else
  return Loaded([&] { return torch::jit::load(path, device); });
#endif
}

ScriptModulePtr load_script_module(const uint8_t* data, size_t size, const c10::optional<c10::Device>& device) {
  auto adapter = std::make_shared<BytesAdapter>(data, size);
  ScriptModulePtr m = Loaded([&] { return torch::jit::load(adapter, device); });
  if (adapter.use_count() > 1) adapter->Own();
  return m;
}

std::string save_script_module(const ScriptModule& m) {
  std::ostringstream out;
  m.module.save(out);
  return out.str();
}

ScriptModulePtr child_of(const ScriptModule& parent, torch::jit::Module child) {
  auto m = std::make_shared<ScriptModule>();
  m->module = std::move(child);
  m->lock = parent.lock;
  return m;
}

std::string type_name(const ScriptModule& m) {
  auto name = m.module.type()->name();
  return name ? name->name() : std::string("Module");
}

std::vector<std::string> method_names(const ScriptModule& m) {
  std::vector<std::string> names;
  for (const auto& method : m.module.get_methods()) names.push_back(method.name());
  return names;
}

const c10::FunctionSchema& method_schema(const ScriptModule& m, const std::string& name) {
  auto method = m.module.find_method(name);
  if (!method) {
    std::string have;
    for (const auto& n : method_names(m)) have += (have.empty() ? "" : ", ") + n;
    throw Error("JIT_NO_METHOD", "this ScriptModule (" + type_name(m) + ") has no method '" + name +
                                     "'; its methods are: " + (have.empty() ? "none" : have));
  }
  return method->function().getSchema();
}

namespace {

GraphValue describe_value(const torch::jit::Value* v) {
  GraphValue out{v->debugName(), v->type()->str(), {}};
  if (auto tensor = v->type()->cast<c10::TensorType>()) {
    if (auto sizes = tensor->sizes().concrete_sizes()) out.sizes = *sizes;
  }
  return out;
}

// A constant's value as Python's add_graph prints node attributes, e.g. "{value: 2}".
std::string constant_attributes(const torch::jit::Node* node) {
  if (node->kind() != c10::prim::Constant || node->outputs().size() != 1) return "";
  auto value = torch::jit::toIValue(node->output());
  if (!value || !(value->isInt() || value->isDouble() || value->isBool() || value->isString() || value->isIntList())) return "";
  std::ostringstream text;
  text << "{value: " << *value << "}";
  return text.str();
}

}  // namespace

std::vector<GraphNode> method_graph(const ScriptModule& m, const std::string& name) {
  method_schema(m, name);  // the JIT_NO_METHOD error
  auto graph = m.module.get_method(name).graph()->copy();
  torch::jit::Inline(*graph);
  std::vector<GraphNode> nodes;
  auto inputs = graph->inputs();
  for (size_t i = 1; i < inputs.size(); ++i) nodes.push_back({"IO Node", "", {}, {describe_value(inputs[i])}, ""});
  for (const torch::jit::Node* node : graph->nodes()) {
    GraphNode out{node->kind().toQualString(), node->scopeName(), {}, {}, constant_attributes(node)};
    for (const torch::jit::Value* v : node->inputs()) out.inputs.push_back(v->debugName());
    for (const torch::jit::Value* v : node->outputs()) out.outputs.push_back(describe_value(v));
    nodes.push_back(std::move(out));
  }
  auto outputs = graph->outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    GraphValue value = describe_value(outputs[i]);
    value.name = "output." + std::to_string(i + 1);
    nodes.push_back({"IO Node", "", {outputs[i]->debugName()}, {value}, ""});
  }
  return nodes;
}

c10::IValue run_method(const ScriptModule& m, const std::string& name, std::vector<c10::IValue> args, bool exclusive) {
  method_schema(m, name);  // the JIT_NO_METHOD error
  std::unique_lock<std::mutex> guard(*m.lock, std::defer_lock);
  if (exclusive) guard.lock();
  return m.module.get_method(name)(std::move(args));
}

bool any_training(const ScriptModule& m) {
  for (const auto& module : m.module.modules()) {
    if (module.is_training()) return true;
  }
  return false;
}

void set_training(ScriptModule& m, bool mode) {
  auto slot = m.module._ivalue()->type()->findAttributeSlot("training");
  if (!slot) throw Error("JIT_UNSUPPORTED", "this ScriptModule has no 'training' attribute");
  m.module._ivalue()->setSlot(*slot, c10::IValue(mode));
}

}  // namespace nodetorch
