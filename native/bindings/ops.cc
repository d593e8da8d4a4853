#include "bindings/ops.h"

#include "bindings/common.h"
#include "core/dtype.h"

namespace nodetorch {

namespace {

at::Tensor& A(const Napi::CallbackInfo& info) { return ToTensor(info[0], "input"); }

// In-place ops return nothing: the TypeScript method returns the tensor it was called on, so no
// second handle (and no second memory report) exists for the same tensor.
Napi::Value InPlace(Napi::Env env, const at::Tensor&) { return env.Undefined(); }

// ---- unary: f(t) ----------------------------------------------------------------------------
#define NT_UNARY(NAME, EXPR)                                          \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                 \
    at::Tensor& t = A(info);                                          \
    return Wrap(info.Env(), EXPR);                                    \
  }
NT_UNARY(Neg, t.neg())
NT_UNARY(Exp, t.exp())
NT_UNARY(Log, t.log())
NT_UNARY(Log2, t.log2())
NT_UNARY(Log10, t.log10())
NT_UNARY(Log1p, t.log1p())
NT_UNARY(Expm1, t.expm1())
NT_UNARY(Abs, t.abs())
NT_UNARY(Sqrt, t.sqrt())
NT_UNARY(Rsqrt, t.rsqrt())
NT_UNARY(Sin, t.sin())
NT_UNARY(Cos, t.cos())
NT_UNARY(Tan, t.tan())
NT_UNARY(Tanh, t.tanh())
NT_UNARY(Sigmoid, t.sigmoid())
NT_UNARY(Relu, t.relu())
NT_UNARY(Floor, t.floor())
NT_UNARY(Ceil, t.ceil())
NT_UNARY(Round, t.round())
NT_UNARY(Trunc, t.trunc())
NT_UNARY(Sign, t.sign())
NT_UNARY(Reciprocal, t.reciprocal())
NT_UNARY(Square, t.square())
NT_UNARY(Erf, t.erf())
NT_UNARY(LogicalNot, t.logical_not())
NT_UNARY(Isnan, t.isnan())
NT_UNARY(Isinf, t.isinf())
NT_UNARY(Clone, t.clone())
NT_UNARY(Detach, t.detach())
NT_UNARY(Contiguous, t.contiguous())
NT_UNARY(T, t.t())
NT_UNARY(Nonzero, t.nonzero())
#undef NT_UNARY

Napi::Value Zero_(const Napi::CallbackInfo& info) { return InPlace(info.Env(), A(info).zero_()); }
Napi::Value Sqrt_(const Napi::CallbackInfo& info) { return InPlace(info.Env(), A(info).sqrt_()); }

// addcmul/addcdiv(a, t1, t2, value, inPlace): a + value * t1 * t2 (or t1 / t2) in one kernel, so
// optimizers written over tensor ops round exactly as PyTorch's do.
template <bool Divide>
Napi::Value AddcOp(const Napi::CallbackInfo& info) {
  at::Tensor& a = A(info);
  at::Tensor& t1 = ToTensor(info[1], "tensor1");
  at::Tensor& t2 = ToTensor(info[2], "tensor2");
  c10::Scalar value = ToScalar(info[3], "value");
  if (ToBool(info[4], "inPlace")) return InPlace(info.Env(), Divide ? a.addcdiv_(t1, t2, value) : a.addcmul_(t1, t2, value));
  return Wrap(info.Env(), Divide ? a.addcdiv(t1, t2, value) : a.addcmul(t1, t2, value));
}
Napi::Value Relu_(const Napi::CallbackInfo& info) { return InPlace(info.Env(), A(info).relu_()); }

// ---- binary: f(a, tensor|scalar) -------------------------------------------------------------
#define NT_BINARY(NAME, METHOD)                                                   \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                             \
    at::Tensor& a = A(info);                                                      \
    if (IsTensor(info[1])) return Wrap(info.Env(), a.METHOD(ToTensor(info[1], "other"))); \
    return Wrap(info.Env(), a.METHOD(ToScalar(info[1], "other")));               \
  }
NT_BINARY(Mul, mul)
NT_BINARY(Div, div)
NT_BINARY(Pow, pow)
NT_BINARY(Remainder, remainder)
NT_BINARY(Fmod, fmod)
NT_BINARY(Eq, eq)
NT_BINARY(Ne, ne)
NT_BINARY(Gt, gt)
NT_BINARY(Lt, lt)
NT_BINARY(Ge, ge)
NT_BINARY(Le, le)
#undef NT_BINARY

#define NT_BINARY_(NAME, METHOD)                                                         \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                                    \
    at::Tensor& a = A(info);                                                             \
    if (IsTensor(info[1])) return InPlace(info.Env(), a.METHOD(ToTensor(info[1], "other"))); \
    return InPlace(info.Env(), a.METHOD(ToScalar(info[1], "other")));                    \
  }
NT_BINARY_(Mul_, mul_)
NT_BINARY_(Div_, div_)
NT_BINARY_(Fill_, fill_)
#undef NT_BINARY_

#define NT_BINARY_TENSOR(NAME, EXPR)                                 \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                \
    at::Tensor& a = A(info);                                         \
    at::Tensor& b = ToTensor(info[1], "other");                      \
    return Wrap(info.Env(), EXPR);                                   \
  }
NT_BINARY_TENSOR(Matmul, a.matmul(b))
NT_BINARY_TENSOR(Maximum, at::maximum(a, b))
NT_BINARY_TENSOR(Minimum, at::minimum(a, b))
NT_BINARY_TENSOR(LogicalAnd, a.logical_and(b))
NT_BINARY_TENSOR(LogicalOr, a.logical_or(b))
NT_BINARY_TENSOR(LogicalXor, a.logical_xor(b))
NT_BINARY_TENSOR(MaskedSelect, a.masked_select(b))
#undef NT_BINARY_TENSOR

Napi::Value Copy_(const Napi::CallbackInfo& info) { return InPlace(info.Env(), A(info).copy_(ToTensor(info[1], "src"))); }

// add/sub(a, b, alpha) and their in-place forms.
template <bool InPlace_, bool Subtract>
Napi::Value AddSub(const Napi::CallbackInfo& info) {
  at::Tensor& a = A(info);
  c10::Scalar alpha = info[2].IsUndefined() ? c10::Scalar(1) : ToScalar(info[2], "alpha");
  if (IsTensor(info[1])) {
    at::Tensor& b = ToTensor(info[1], "other");
    if (InPlace_) return InPlace(info.Env(), Subtract ? a.sub_(b, alpha) : a.add_(b, alpha));
    return Wrap(info.Env(), Subtract ? a.sub(b, alpha) : a.add(b, alpha));
  }
  c10::Scalar b = ToScalar(info[1], "other");
  if (InPlace_) return InPlace(info.Env(), Subtract ? a.sub_(b, alpha) : a.add_(b, alpha));
  return Wrap(info.Env(), Subtract ? a.sub(b, alpha) : a.add(b, alpha));
}

Napi::Value Clamp(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  c10::optional<c10::Scalar> lo, hi;
  if (!info[1].IsNull() && !info[1].IsUndefined()) lo = ToScalar(info[1], "min");
  if (!info[2].IsNull() && !info[2].IsUndefined()) hi = ToScalar(info[2], "max");
  bool in_place = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  if (in_place) return InPlace(info.Env(), t.clamp_(lo, hi));
  return Wrap(info.Env(), t.clamp(lo, hi));
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  at::Tensor& cond = ToTensor(info[0], "condition");
  if (IsTensor(info[1]) && IsTensor(info[2])) return Wrap(info.Env(), at::where(cond, ToTensor(info[1], "input"), ToTensor(info[2], "other")));
  if (IsTensor(info[1])) return Wrap(info.Env(), at::where(cond, ToTensor(info[1], "input"), ToScalar(info[2], "other")));
  if (IsTensor(info[2])) return Wrap(info.Env(), at::where(cond, ToScalar(info[1], "input"), ToTensor(info[2], "other")));
  return Wrap(info.Env(), at::where(cond, ToScalar(info[1], "input"), ToScalar(info[2], "other")));
}

Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  bool in_place = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  at::Tensor& t = A(info);
  at::Tensor& mask = ToTensor(info[1], "mask");
  auto value = ToScalar(info[2], "value");
  if (in_place) return InPlace(info.Env(), t.masked_fill_(mask, value));
  return Wrap(info.Env(), t.masked_fill(mask, value));
}

Napi::Value Uniform_(const Napi::CallbackInfo& info) {
  return InPlace(info.Env(), A(info).uniform_(ToDouble(info[1], "from"), ToDouble(info[2], "to")));
}

Napi::Value Normal_(const Napi::CallbackInfo& info) {
  return InPlace(info.Env(), A(info).normal_(ToDouble(info[1], "mean"), ToDouble(info[2], "std")));
}

// ---- reductions -----------------------------------------------------------------------------

// sum(t, dims|null, keepdim, dtype|null)
Napi::Value Sum(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dims = ToOptionalIntList(info[1], "dim");
  bool keepdim = ToBool(info[2], "keepdim");
  c10::optional<c10::ScalarType> dtype;
  if (info[3].IsString()) dtype = parse_dtype(info[3].As<Napi::String>());
  if (!dims) return Wrap(info.Env(), t.sum(dtype));
  return Wrap(info.Env(), t.sum(*dims, keepdim, dtype));
}

Napi::Value Mean(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dims = ToOptionalIntList(info[1], "dim");
  if (!dims) return Wrap(info.Env(), t.mean());
  return Wrap(info.Env(), t.mean(*dims, ToBool(info[2], "keepdim")));
}

Napi::Value Prod(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dim = ToOptionalInt(info[1], "dim");
  if (!dim) return Wrap(info.Env(), t.prod());
  return Wrap(info.Env(), t.prod(*dim, ToBool(info[2], "keepdim")));
}

// std/var(t, dims|null, unbiased, keepdim)
template <bool Std>
Napi::Value StdVar(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dims = ToOptionalIntList(info[1], "dim");
  bool unbiased = ToBool(info[2], "unbiased");
  bool keepdim = ToBool(info[3], "keepdim");
  at::OptionalIntArrayRef ref = dims ? at::OptionalIntArrayRef(*dims) : at::OptionalIntArrayRef();
  return Wrap(info.Env(), Std ? at::std(t, ref, unbiased, keepdim) : at::var(t, ref, unbiased, keepdim));
}

// max/min(t) → tensor; max/min(t, dim, keepdim) → [values, indices]
template <bool Max>
Napi::Value MaxMin(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dim = ToOptionalInt(info[1], "dim");
  if (!dim) return Wrap(info.Env(), Max ? t.max() : t.min());
  bool keepdim = ToBool(info[2], "keepdim");
  return WrapPair(info.Env(), Max ? t.max(*dim, keepdim) : t.min(*dim, keepdim));
}

template <bool Max>
Napi::Value ArgMaxMin(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dim = ToOptionalInt(info[1], "dim");
  bool keepdim = ToBool(info[2], "keepdim");
  return Wrap(info.Env(), Max ? t.argmax(dim, keepdim) : t.argmin(dim, keepdim));
}

template <bool All>
Napi::Value AllAny(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto dim = ToOptionalInt(info[1], "dim");
  if (!dim) return Wrap(info.Env(), All ? t.all() : t.any());
  bool keepdim = ToBool(info[2], "keepdim");
  return Wrap(info.Env(), All ? t.all(*dim, keepdim) : t.any(*dim, keepdim));
}

Napi::Value Norm(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  auto p = ToScalar(info[1], "p");
  auto dims = ToOptionalIntList(info[2], "dim");
  if (!dims) return Wrap(info.Env(), t.norm(p));
  return Wrap(info.Env(), t.norm(p, *dims, ToBool(info[3], "keepdim")));
}

Napi::Value Logsumexp(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).logsumexp(ToIntList(info[1], "dim"), ToBool(info[2], "keepdim")));
}

Napi::Value Cumsum(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).cumsum(ToInt(info[1], "dim"))); }

Napi::Value Sort(const Napi::CallbackInfo& info) {
  return WrapPair(info.Env(), A(info).sort(ToInt(info[1], "dim"), ToBool(info[2], "descending")));
}

Napi::Value Topk(const Napi::CallbackInfo& info) {
  return WrapPair(info.Env(), A(info).topk(ToInt(info[1], "k"), ToInt(info[2], "dim"), ToBool(info[3], "largest"),
                                          ToBool(info[4], "sorted")));
}

Napi::Value Equal(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), A(info).equal(ToTensor(info[1], "other")));
}

Napi::Value Allclose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), A(info).allclose(ToTensor(info[1], "other"), ToDouble(info[2], "rtol"),
                                                         ToDouble(info[3], "atol"), ToBool(info[4], "equalNan")));
}

// ---- shape and indexing ----------------------------------------------------------------------

Napi::Value View(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).view(ToIntList(info[1], "shape"))); }
Napi::Value Reshape(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).reshape(ToIntList(info[1], "shape"))); }
Napi::Value Expand(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).expand(ToIntList(info[1], "size"))); }
Napi::Value Repeat(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).repeat(ToIntList(info[1], "repeats"))); }
Napi::Value Permute(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).permute(ToIntList(info[1], "dims"))); }
Napi::Value Flip(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).flip(ToIntList(info[1], "dims"))); }

Napi::Value Flatten(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).flatten(ToInt(info[1], "startDim"), ToInt(info[2], "endDim")));
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).transpose(ToInt(info[1], "dim0"), ToInt(info[2], "dim1")));
}

Napi::Value Unsqueeze(const Napi::CallbackInfo& info) { return Wrap(info.Env(), A(info).unsqueeze(ToInt(info[1], "dim"))); }

Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  auto dim = ToOptionalInt(info[1], "dim");
  return Wrap(info.Env(), dim ? A(info).squeeze(*dim) : A(info).squeeze());
}

Napi::Value Narrow(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).narrow(ToInt(info[1], "dim"), ToInt(info[2], "start"), ToInt(info[3], "length")));
}

// slice(t, dim, start|null, end|null, step)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).slice(ToInt(info[1], "dim"), ToOptionalInt(info[2], "start"),
                                        ToOptionalInt(info[3], "end"), ToInt(info[4], "step")));
}

Napi::Value Select(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).select(ToInt(info[1], "dim"), ToInt(info[2], "index")));
}

Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).index_select(ToInt(info[1], "dim"), ToTensor(info[2], "index")));
}

Napi::Value Gather(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).gather(ToInt(info[1], "dim"), ToTensor(info[2], "index")));
}

// Advanced indexing with one tensor (bool mask or int64 indices) along dim 0.
Napi::Value IndexTensor(const Napi::CallbackInfo& info) {
  c10::List<c10::optional<at::Tensor>> indices;
  indices.push_back(ToTensor(info[1], "indices"));
  return Wrap(info.Env(), at::index(A(info), indices));
}

Napi::Value AsStrided(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), A(info).as_strided(ToIntList(info[1], "size"), ToIntList(info[2], "stride"),
                                             ToInt(info[3], "storageOffset")));
}

Napi::Value Cat(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cat(ToTensorList(info[0], "tensors"), ToInt(info[1], "dim")));
}

Napi::Value Stack(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::stack(ToTensorList(info[0], "tensors"), ToInt(info[1], "dim")));
}

// split(t, size | sizes[], dim)
Napi::Value Split(const Napi::CallbackInfo& info) {
  at::Tensor& t = A(info);
  int64_t dim = ToInt(info[2], "dim");
  if (info[1].IsArray()) return WrapList(info.Env(), t.split_with_sizes(ToIntList(info[1], "splitSizes"), dim));
  return WrapList(info.Env(), t.split(ToInt(info[1], "splitSize"), dim));
}

Napi::Value Chunk(const Napi::CallbackInfo& info) {
  return WrapList(info.Env(), A(info).chunk(ToInt(info[1], "chunks"), ToInt(info[2], "dim")));
}

}  // namespace

void InitOps(Napi::Env env, Napi::Object exports) {
  struct {
    const char* name;
    Impl impl;
  } functions[] = {
      {"neg", Neg}, {"exp", Exp}, {"log", Log}, {"log2", Log2}, {"log10", Log10}, {"log1p", Log1p},
      {"expm1", Expm1}, {"abs", Abs}, {"sqrt", Sqrt}, {"rsqrt", Rsqrt}, {"sin", Sin}, {"cos", Cos},
      {"tan", Tan}, {"tanh", Tanh}, {"sigmoid", Sigmoid}, {"relu", Relu}, {"floor", Floor}, {"ceil", Ceil},
      {"round", Round}, {"trunc", Trunc}, {"sign", Sign}, {"reciprocal", Reciprocal}, {"square", Square},
      {"erf", Erf}, {"logicalNot", LogicalNot}, {"isnan", Isnan}, {"isinf", Isinf}, {"clone", Clone},
      {"detach", Detach}, {"contiguous", Contiguous}, {"t", T}, {"nonzero", Nonzero}, {"zero_", Zero_},
      {"relu_", Relu_}, {"sqrt_", Sqrt_}, {"addcmul", AddcOp<false>}, {"addcdiv", AddcOp<true>},
      {"mul", Mul}, {"div", Div}, {"pow", Pow}, {"remainder", Remainder}, {"fmod", Fmod}, {"eq", Eq},
      {"ne", Ne}, {"gt", Gt}, {"lt", Lt}, {"ge", Ge}, {"le", Le}, {"mul_", Mul_}, {"div_", Div_},
      {"fill_", Fill_}, {"matmul", Matmul}, {"maximum", Maximum}, {"minimum", Minimum},
      {"logicalAnd", LogicalAnd}, {"logicalOr", LogicalOr}, {"logicalXor", LogicalXor}, {"copy_", Copy_},
      {"maskedSelect", MaskedSelect}, {"add", AddSub<false, false>}, {"sub", AddSub<false, true>},
      {"add_", AddSub<true, false>}, {"sub_", AddSub<true, true>}, {"clamp", Clamp}, {"where", Where},
      {"maskedFill", MaskedFill}, {"uniform_", Uniform_}, {"normal_", Normal_},
      {"sum", Sum}, {"mean", Mean}, {"prod", Prod}, {"std", StdVar<true>}, {"var", StdVar<false>},
      {"max", MaxMin<true>}, {"min", MaxMin<false>}, {"argmax", ArgMaxMin<true>}, {"argmin", ArgMaxMin<false>},
      {"all", AllAny<true>}, {"any", AllAny<false>}, {"norm", Norm}, {"logsumexp", Logsumexp},
      {"cumsum", Cumsum}, {"sort", Sort}, {"topk", Topk}, {"equal", Equal}, {"allclose", Allclose},
      {"view", View}, {"reshape", Reshape}, {"expand", Expand}, {"repeat", Repeat}, {"permute", Permute},
      {"flip", Flip}, {"flatten", Flatten}, {"transpose", Transpose}, {"unsqueeze", Unsqueeze},
      {"squeeze", Squeeze}, {"narrow", Narrow}, {"slice", Slice}, {"select", Select},
      {"indexSelect", IndexSelect}, {"gather", Gather}, {"indexTensor", IndexTensor},
      {"asStrided", AsStrided}, {"cat", Cat}, {"stack", Stack}, {"split", Split}, {"chunk", Chunk},
  };
  for (const auto& f : functions) Export(env, exports, f.name, f.impl);
}

}  // namespace nodetorch
