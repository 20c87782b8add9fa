// Linear algebra: Einsum and Det.
#include <algorithm>
#include <cctype>

#include "ir/ops/rules.h"

namespace halo {
namespace {

void CheckNumeric(InferContext& c, const Type& t) {
  c.check(t.dtype != DataType::kBool && !IsHalfFloat(t.dtype) && t.dtype != DataType::kInvalid,
          "element type ", DataTypeName(t.dtype), " is not supported");
}

// One operand term of an equation: its letters, with the position of "..." (or -1).
struct Term {
  std::string letters;
  int ellipsis = -1;
};

Term ParseTerm(InferContext& c, const std::string& s) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "...") == 0) {
      c.check(t.ellipsis < 0, "term '", s, "' has more than one ellipsis");
      t.ellipsis = static_cast<int>(t.letters.size());
      i += 2;
      continue;
    }
    c.check(std::isalpha(static_cast<unsigned char>(s[i])) != 0, "term '", s,
            "' has an invalid character '", s[i], "'");
    t.letters += s[i];
  }
  return t;
}

// Einsum's equation is canonicalised to the explicit form without ellipses or spaces: the
// dimensions an ellipsis covers get letters of their own (unused ones, from A on).
void EinsumRule(InferContext& c) {
  Node* node = c.node();
  std::string eq;
  for (char ch : node->GetString("equation"))
    if (!std::isspace(static_cast<unsigned char>(ch))) eq += ch;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  for (size_t s = 0, e; s <= lhs.size(); s = e + 1) {
    e = std::min(lhs.find(',', s), lhs.size());
    terms.push_back(ParseTerm(c, lhs.substr(s, e - s)));
  }
  size_t n = node->num_inputs();
  c.check(n >= 1 && terms.size() == n, "the equation has ", terms.size(), " operand terms for ", n,
          " inputs");
  const Type& t0 = c.in(0);
  CheckNumeric(c, t0);
  std::string used;
  for (const Term& t : terms) used += t.letters;
  // The ellipsis dimensions of all operands broadcast, right-aligned.
  int64_t erank = 0;
  for (size_t i = 0; i < n; ++i) {
    const Type& t = c.in(i);
    c.check(t.dtype == t0.dtype, "inputs have different element types: ", t0.ToString(), " and ",
            t.ToString());
    int64_t letters = static_cast<int64_t>(terms[i].letters.size());
    if (terms[i].ellipsis < 0)
      c.check(t.Rank() == letters, "operand ", i, " ", t.ToString(), " has rank ", t.Rank(),
              " but its term names ", letters, " dimensions");
    else
      c.check(t.Rank() >= letters, "operand ", i, " ", t.ToString(), " has fewer dimensions than",
              " its term names");
    erank = std::max(erank, t.Rank() - letters);
  }
  std::string ell;
  for (char ch = 'A'; static_cast<int64_t>(ell.size()) < erank; ++ch) {
    if (ch == 'Z' + 1) ch = 'a';
    c.check(ch <= 'z', "the equation uses too many letters");
    if (used.find(ch) == std::string::npos) ell += ch;
  }
  // Letter sizes; size-1 dimensions broadcast.
  std::map<char, int64_t> size;
  std::vector<std::string> expanded;
  for (size_t i = 0; i < n; ++i) {
    const Term& t = terms[i];
    std::string s = t.letters;
    if (t.ellipsis >= 0) {
      int64_t k = c.in(i).Rank() - static_cast<int64_t>(t.letters.size());
      s = t.letters.substr(0, t.ellipsis) + ell.substr(erank - k) + t.letters.substr(t.ellipsis);
    }
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t dim = c.in(i).shape[d];
      auto it = size.find(s[d]);
      if (it == size.end() || it->second == 1)
        size[s[d]] = dim;
      else
        c.check(dim == it->second || dim == 1, "letter '", s[d], "' has sizes ", it->second,
                " and ", dim);
    }
    expanded.push_back(s);
  }
  std::string out;
  if (arrow == std::string::npos) {  // implicit: ellipsis, then letters used once, sorted
    out = ell;
    std::string once;
    for (char ch : used)
      if (std::count(used.begin(), used.end(), ch) == 1) once += ch;
    std::sort(once.begin(), once.end());
    out += once;
  } else {
    Term o = ParseTerm(c, eq.substr(arrow + 2));
    out = o.letters;
    if (o.ellipsis >= 0) out = o.letters.substr(0, o.ellipsis) + ell + o.letters.substr(o.ellipsis);
    for (size_t i = 0; i < out.size(); ++i) {
      c.check(size.count(out[i]) != 0, "output letter '", out[i], "' is not in any operand");
      c.check(out.find(out[i]) == i, "output letter '", out[i], "' repeats");
    }
  }
  std::string canon;
  for (size_t i = 0; i < n; ++i) canon += (i ? "," : "") + expanded[i];
  canon += "->" + out;
  node->set_attr("equation", canon);
  Shape shape;
  for (char ch : out) shape.push_back(size[ch]);
  c.set_out(Type(t0.dtype, shape));
}

void DetRule(InferContext& c) {
  const Type& x = c.in(0);
  c.check(x.dtype == DataType::kFloat32 || x.dtype == DataType::kFloat64,
          "X must be float32 or float64, got ", x.ToString());
  c.check(x.Rank() >= 2 && x.shape[x.Rank() - 1] == x.shape[x.Rank() - 2],
          "X must be [*, M, M], got ", x.ToString());
  c.set_out(Type(x.dtype, Shape(x.shape.begin(), x.shape.end() - 2)));
}

}  // namespace

void RegisterLinalgOps(OpRegistry& r) {
  r.Add("Einsum")
      .Doc(
          "Einstein summation over the Inputs by equation: each term names the dimensions of "
          "an operand; products over letters shared are summed unless the letter is in the "
          "output; a letter repeated within a term takes a diagonal; size-1 dimensions "
          "broadcast.")
      .VarIn("Inputs")
      .Str("equation", "",
           "e.g. 'ij,jk->ik' (canonicalised: explicit, no spaces, ellipsis dimensions named by "
           "letters of their own)")
      .Required()
      .Out("Output")
      .Rule(EinsumRule);
  r.Add("Det")
      .Doc("Determinants of the square matrices in the last two dimensions of X.")
      .In("X")
      .Out("Y")
      .Rule(DetRule);
}

}  // namespace halo
