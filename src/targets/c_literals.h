// C and C++ literals and layout for the generated code.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/batch_forms.h"
#include "ir/types.h"

namespace halo {

// A C string literal (escaped, no trigraphs).
std::string CString(const std::string& s);
// Text safe inside a /* */ or // comment on one line.
std::string CommentText(const std::string& s);
std::string IntLit(int64_t v);
std::string FloatLit(double d);  // a float literal; inf and NaN through std::numeric_limits
// scale * batch + offset as a C expression: "batch", "4 * batch", "2 * batch + 1".
std::string BatchExpr(const BatchAffine& f);

extern const std::map<int, BatchAffine> kNoDims;
// An odla_value_type; with --dynamic-batch, `dims` gives the dimensions that depend on it.
std::string TypeLit(const Type& t, const std::map<int, BatchAffine>& dims = kNoDims);
// A type for comments: "f32[2x3]", with --dynamic-batch "f32[batch x 3]", "f32[4*batch x 6]".
std::string TypeText(const Type& t, const std::map<int, BatchAffine>& dims);
// "odla_ints{2, {1, 2}}".
std::string ListLit(const char* type, const std::vector<std::string>& items);

// Joins `items` after `head` (which ends with "("), wrapped at 100 columns like
// clang-format: continuation lines align with the opening parenthesis (or, after a head
// over 50 columns, start 8 columns in). Where that leaves a line over 100 columns or a
// continuation line after a long head, the items start on the next line instead, 4 columns
// deeper than `head` (only an item wider than a line then overflows).
std::string Wrap(const std::string& head, const std::vector<std::string>& items,
                 const std::string& tail);

}  // namespace halo
