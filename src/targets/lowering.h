// The one lowering from IR nodes to ODLA builder calls, shared by the C++ emitter and the
// in-process executor. The signature of each builder derives from the op registry:
//   odla_value  odla_OP(inputs..., lowered attributes..., odla_value_type result_type, id)
//   odla_values odla_OP(..., odla_value_types result_types, id)   (several results)
// Inputs: odla_value (NULL when an optional input is absent), odla_values when variadic.
// Attributes: int -> odla_int64, float -> odla_float32, string -> const char*,
// ints -> odla_ints, floats -> odla_floats, dtype -> odla_element_type.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/batch_forms.h"
#include "ir/graph.h"
#include "ir/op_registry.h"

namespace halo {

// The sizes of ODLA's lists (odla.h's ODLA_MAX_*): a node lowers only within them.
constexpr size_t kOdlaMaxDims = 8;     // the rank of a value
constexpr size_t kOdlaMaxInts = 16;    // an odla_ints or odla_floats attribute
constexpr size_t kOdlaMaxValues = 64;  // variadic inputs (odla_values), results (odla_value_types)

struct OdlaArg {
  enum class Kind { kValue, kValues, kInt, kFloat, kString, kInts, kFloats, kDType, kType, kTypes };
  Kind kind = Kind::kValue;
  std::string param;  // the parameter name in the builder signature
  const Value* value = nullptr;
  std::vector<const Value*> values;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<Type> types;  // kType: one, kTypes: several
  // --dynamic-batch: the numbers that depend on the batch size. kInt (element 0), kInts:
  // element -> form; kType, kTypes: one map per type, dimension -> form.
  std::map<size_t, BatchAffine> batch_ints;
  std::vector<std::map<int, BatchAffine>> batch_dims;
};

struct OdlaCall {
  std::string func;  // "odla_Conv"
  std::vector<OdlaArg> args;
  std::string id;
  bool multi_result = false;
};

// Lowers one node (not Input/Constant). Throws Error when an attribute, an input list or the
// results do not fit ODLA (the kOdlaMax* limits; split-wide-ops keeps most nodes within them).
// With `batch`, the call's numbers that depend on the batch size carry their forms.
OdlaCall LowerNode(const Node& n, const BatchForms* batch = nullptr);

// Throws Error when a value of type `t` cannot be an ODLA value (rank above kOdlaMaxDims).
void CheckOdlaRank(const Type& t);

// Whether input `i` of a node of op `d` reaches its ODLA builder (ConstIn inputs do not).
bool LowersInput(const OpDef& d, size_t i);
// The values the lowered graph uses: its inputs and outputs and the lowered inputs of its
// nodes. A constant that only ConstIn inputs use is not needed at run time.
std::set<const Value*> RuntimeValues(const Graph& g);

struct OdlaParam {
  std::string ctype;
  std::string name;
};
// The builder's parameters (with the trailing id) and its return type.
std::vector<OdlaParam> OdlaParams(const OpDef& d);
std::string OdlaReturnType(const OpDef& d);
// The documented C declaration of the builder for odla_ops.h.
std::string OdlaDeclaration(const OpDef& d);

// --precision: the computation-level request both targets make right after
// odla_CreateComputation (odla_SetComputationPrecision, ODLA 1.3; tf32 1.4). fp32 makes none.
enum class Precision { kFp32, kBf16, kTf32 };
// The odla_precision enumerator to request ("ODLA_PRECISION_BF16"), "" for none.
std::string OdlaPrecisionName(Precision p);
// The ODLA API minor version the request needs: 0 (none), 3 (bf16) or 4 (tf32).
int OdlaMinorForPrecision(Precision p);
// "fp32", "bf16" or "tf32" (as --precision spells them).
const char* PrecisionName(Precision p);
// "fp32", "bf16" or "tf32" -> Precision; throws Error for anything else.
Precision ParsePrecision(const std::string& s);

// The C element-type enumerator ("ODLA_FLOAT32").
const char* OdlaElementTypeName(DataType t);

}  // namespace halo
