// Calls any registered ATen operator by schema name through the dispatcher (boxed), so the C#
// side can reach every op, with autograd, without a hand-written export per op. Arguments are
// coerced to the schema's types; missing trailing arguments take the schema's defaults.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/ivalue.h>
#include <ATen/core/jit_type.h>
#include <c10/util/Optional.h>  // c10::optional: its own type in 1.13, an alias of std::optional in 2.x

#include <vector>

#include "bridge_common.h"

using mlseg::as_tensor;
using mlseg::guarded;

namespace {

c10::TypePtr unwrap_optional(const c10::TypePtr& type) {
  if (auto optional = type->cast<c10::OptionalType>()) return optional->getElementType();
  return type;
}

bool is_list_of(const c10::TypePtr& type, c10::TypeKind element_kind) {
  auto list = type->cast<c10::ListType>();
  return list && unwrap_optional(list->getElementType())->kind() == element_kind;
}

bool is_list_of_optional_tensors(const c10::TypePtr& type) {
  auto list = type->cast<c10::ListType>();
  return list && list->getElementType()->cast<c10::OptionalType>() != nullptr;
}

std::vector<int64_t> int_list(const mlseg_arg& arg) {
  TORCH_CHECK(arg.n >= 0 && (arg.n == 0 || arg.p != nullptr), "bad int list argument");
  const auto* data = static_cast<const int64_t*>(arg.p);
  return std::vector<int64_t>(data, data + arg.n);
}

c10::IValue to_ivalue(const mlseg_arg& arg, const c10::Argument& formal) {
  const c10::TypePtr type = unwrap_optional(formal.type());
  switch (arg.kind) {
    case MLSEG_ARG_NONE:
      return c10::IValue();
    case MLSEG_ARG_TENSOR:
      if (arg.p == nullptr) return c10::IValue();
      return c10::IValue(as_tensor(const_cast<void*>(arg.p)));
    case MLSEG_ARG_INT:
      if (type->kind() == c10::TypeKind::FloatType) return c10::IValue(static_cast<double>(arg.i));
      if (type->kind() == c10::TypeKind::BoolType) return c10::IValue(arg.i != 0);
      if (type->kind() == c10::TypeKind::ListType) {
        // A single int for an int[N] argument is broadcast, as TorchScript does.
        const auto count = formal.N().has_value() ? *formal.N() : 1;
        return c10::IValue(std::vector<int64_t>(static_cast<size_t>(count), arg.i));
      }
      return c10::IValue(arg.i);
    case MLSEG_ARG_DOUBLE:
      if (type->kind() == c10::TypeKind::IntType) {
        TORCH_CHECK(false, "argument '", formal.name(), "' expects an int, got a float");
      }
      if (type->kind() == c10::TypeKind::ListType) {
        const auto count = formal.N().has_value() ? *formal.N() : 1;
        return c10::IValue(std::vector<double>(static_cast<size_t>(count), arg.d));
      }
      return c10::IValue(arg.d);
    case MLSEG_ARG_BOOL:
      return c10::IValue(arg.i != 0);
    case MLSEG_ARG_INT_LIST:
      if (is_list_of(type, c10::TypeKind::FloatType)) {
        auto ints = int_list(arg);
        return c10::IValue(std::vector<double>(ints.begin(), ints.end()));
      }
      return c10::IValue(int_list(arg));
    case MLSEG_ARG_DOUBLE_LIST: {
      TORCH_CHECK(arg.n >= 0 && (arg.n == 0 || arg.p != nullptr), "bad float list argument");
      const auto* data = static_cast<const double*>(arg.p);
      return c10::IValue(std::vector<double>(data, data + arg.n));
    }
    case MLSEG_ARG_TENSOR_LIST: {
      TORCH_CHECK(arg.n >= 0 && (arg.n == 0 || arg.p != nullptr), "bad tensor list argument");
      const auto* handles = static_cast<const mlseg_tensor*>(arg.p);
      if (is_list_of_optional_tensors(type)) {
        c10::List<c10::optional<at::Tensor>> list;
        for (int64_t k = 0; k < arg.n; ++k) {
          list.push_back(handles[k] == nullptr ? c10::optional<at::Tensor>() : as_tensor(handles[k]));
        }
        return c10::IValue(list);
      }
      c10::List<at::Tensor> list;
      for (int64_t k = 0; k < arg.n; ++k) list.push_back(as_tensor(handles[k]));
      return c10::IValue(list);
    }
    case MLSEG_ARG_STRING:
      TORCH_CHECK(arg.p != nullptr, "null string argument");
      return c10::IValue(std::string(static_cast<const char*>(arg.p)));
    case MLSEG_ARG_DEVICE:
      return c10::IValue(
          c10::Device(static_cast<c10::DeviceType>(arg.i), static_cast<c10::DeviceIndex>(arg.n)));
    case MLSEG_ARG_GENERATOR:
      TORCH_CHECK(arg.p != nullptr, "null generator argument");
      return c10::IValue(*static_cast<const at::Generator*>(arg.p));
    default:
      TORCH_CHECK(false, "unknown argument kind ", arg.kind);
  }
}

class ResultWriter {
 public:
  ResultWriter(mlseg_result* results, int32_t capacity) : results_(results), capacity_(capacity) {}

  void write(const c10::IValue& value) {
    if (value.isTuple()) {
      for (const auto& element : value.toTupleRef().elements()) write(element);
      return;
    }
    if (value.isTensorList()) {
      for (const at::Tensor& tensor : value.toTensorVector()) write(c10::IValue(tensor));
      return;
    }
    mlseg_result& slot = next();
    if (value.isTensor()) {
      const auto& tensor = value.toTensor();
      slot.kind = MLSEG_RES_TENSOR;
      slot.p = tensor.defined() ? mlseg::new_handle(tensor) : nullptr;
    } else if (value.isInt()) {
      slot.kind = MLSEG_RES_INT;
      slot.i = value.toInt();
    } else if (value.isDouble()) {
      slot.kind = MLSEG_RES_DOUBLE;
      slot.d = value.toDouble();
    } else if (value.isBool()) {
      slot.kind = MLSEG_RES_BOOL;
      slot.i = value.toBool() ? 1 : 0;
    } else if (value.isNone()) {
      slot.kind = MLSEG_RES_NONE;
    } else {
      TORCH_CHECK(false, "unsupported return type ", value.tagKind());
    }
  }

  int32_t count() const { return count_; }

  // Frees the tensors written so far (used when a later result cannot be converted).
  void release() {
    for (int32_t k = 0; k < count_; ++k) {
      if (results_[k].kind == MLSEG_RES_TENSOR) mlseg_tensor_free(results_[k].p);
      results_[k] = mlseg_result{};
    }
    count_ = 0;
  }

 private:
  mlseg_result& next() {
    TORCH_CHECK(count_ < capacity_, "operator returned more than ", capacity_, " results");
    mlseg_result& slot = results_[count_++];
    slot = mlseg_result{};
    return slot;
  }

  mlseg_result* results_;
  int32_t capacity_;
  int32_t count_ = 0;
};

}  // namespace

MLSEG_API int32_t mlseg_op_find(const char* name, const char* overload_name, mlseg_op* out) {
  return guarded([&] {
    TORCH_CHECK(name != nullptr, "null operator name");
    auto handle = c10::Dispatcher::singleton().findSchema({name, overload_name == nullptr ? "" : overload_name});
    TORCH_CHECK(handle.has_value(), "no operator ", name,
                (overload_name != nullptr && *overload_name) ? std::string(".") + overload_name : std::string(),
                " is registered in this libtorch");
    *out = new c10::OperatorHandle(*handle);
  });
}

MLSEG_API int32_t mlseg_op_call(mlseg_op op, const mlseg_arg* args, int32_t arg_count, mlseg_result* results,
                                int32_t result_capacity, int32_t* result_count) {
  *result_count = 0;
  ResultWriter writer(results, result_capacity);
  const int32_t status = guarded([&] {
    TORCH_CHECK(op != nullptr, "null operator handle");
    const auto& handle = *static_cast<c10::OperatorHandle*>(op);
    const auto& formals = handle.schema().arguments();
    TORCH_CHECK(arg_count >= 0 && static_cast<size_t>(arg_count) <= formals.size(), handle.schema().name(),
                " takes at most ", formals.size(), " arguments, got ", arg_count);
    torch::jit::Stack stack;
    stack.reserve(formals.size());
    for (size_t k = 0; k < formals.size(); ++k) {
      if (static_cast<int32_t>(k) < arg_count) {
        stack.push_back(to_ivalue(args[k], formals[k]));
      } else {
        TORCH_CHECK(formals[k].default_value().has_value(), handle.schema().name(), ": missing argument '",
                    formals[k].name(), "'");
        stack.push_back(*formals[k].default_value());
      }
    }
    handle.callBoxed(stack);
    for (const auto& value : stack) writer.write(value);
  });
  if (status != 0) writer.release();
  *result_count = writer.count();
  return status;
}
