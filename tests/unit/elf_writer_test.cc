#include "targets/elf_writer.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

namespace halo {
namespace {

struct Parsed {
  std::string bytes;
  const Elf64_Ehdr* eh() const { return reinterpret_cast<const Elf64_Ehdr*>(bytes.data()); }
  const Elf64_Shdr* sh(size_t i) const {
    return reinterpret_cast<const Elf64_Shdr*>(bytes.data() + eh()->e_shoff) + i;
  }
  std::string SectionName(size_t i) const {
    return bytes.data() + sh(eh()->e_shstrndx)->sh_offset + sh(i)->sh_name;
  }
  const Elf64_Shdr* Find(const std::string& name) const {
    for (size_t i = 0; i < eh()->e_shnum; ++i)
      if (SectionName(i) == name) return sh(i);
    return nullptr;
  }
};

Parsed Write(const std::string& symbol, const Blob& blob) {
  std::ostringstream os;
  WriteElfObject(os, symbol, blob);
  return Parsed{os.str()};
}

TEST(Blob, AlignsPieces) {
  uint8_t a[3] = {1, 2, 3}, b[1] = {9};
  Blob blob;
  EXPECT_EQ(blob.Append(a, 3, 64), 0u);
  EXPECT_EQ(blob.Append(b, 1, 64), 64u);
  EXPECT_EQ(blob.Append(a, 0, 64), 128u);
  EXPECT_EQ(blob.size, 128u);
  std::ostringstream os;
  blob.Write(os);
  std::string s = os.str();
  ASSERT_EQ(s.size(), 128u);
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[2], 3);
  EXPECT_EQ(s[3], 0);
  EXPECT_EQ(s[64], 9);
}

TEST(ElfWriter, WritesARelocatableObjectWithOneGlobalSymbol) {
  std::vector<uint8_t> w(100);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(i + 1);
  uint8_t extra[2] = {0xab, 0xcd};
  Blob blob;
  blob.Append(w.data(), w.size(), kWeightsAlign);
  blob.Append(extra, 2, kWeightsAlign);
  Parsed p = Write("model_weights", blob);
  const Elf64_Ehdr* eh = p.eh();
  ASSERT_GE(p.bytes.size(), sizeof(Elf64_Ehdr));
  EXPECT_EQ(std::memcmp(eh->e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(eh->e_ident[EI_CLASS], ELFCLASS64);
  EXPECT_EQ(eh->e_ident[EI_DATA], ELFDATA2LSB);
  EXPECT_EQ(eh->e_type, ET_REL);
#if defined(__x86_64__)
  EXPECT_EQ(eh->e_machine, EM_X86_64);
#elif defined(__aarch64__)
  EXPECT_EQ(eh->e_machine, EM_AARCH64);
#endif
  ASSERT_LE(eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr), p.bytes.size());

  const Elf64_Shdr* ro = p.Find(WeightsSectionName());
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->sh_type, static_cast<uint32_t>(SHT_PROGBITS));
#if defined(__x86_64__)
  EXPECT_STREQ(WeightsSectionName(), ".lrodata");
  EXPECT_EQ(ro->sh_flags, static_cast<uint64_t>(SHF_ALLOC | kShfX86_64Large));
#else
  EXPECT_EQ(ro->sh_flags, static_cast<uint64_t>(SHF_ALLOC));
#endif
  EXPECT_EQ(ro->sh_addralign, 64u);
  EXPECT_EQ(ro->sh_offset % 64, 0u);
  ASSERT_EQ(ro->sh_size, 130u);  // the second piece starts at 128
  const auto* data = reinterpret_cast<const uint8_t*>(p.bytes.data() + ro->sh_offset);
  EXPECT_EQ(data[0], 1);
  EXPECT_EQ(data[99], 100);
  EXPECT_EQ(data[100], 0);
  EXPECT_EQ(data[127], 0);
  EXPECT_EQ(data[128], 0xab);
  EXPECT_EQ(data[129], 0xcd);

  const Elf64_Shdr* stack = p.Find(".note.GNU-stack");
  ASSERT_NE(stack, nullptr);
  EXPECT_EQ(stack->sh_size, 0u);
  EXPECT_EQ(stack->sh_flags & SHF_EXECINSTR, 0u);

  const Elf64_Shdr* symtab = p.Find(".symtab");
  ASSERT_NE(symtab, nullptr);
  ASSERT_EQ(symtab->sh_entsize, sizeof(Elf64_Sym));
  const Elf64_Shdr* strtab = p.sh(symtab->sh_link);
  const auto* syms = reinterpret_cast<const Elf64_Sym*>(p.bytes.data() + symtab->sh_offset);
  size_t n = symtab->sh_size / sizeof(Elf64_Sym);
  int globals = 0;
  for (size_t i = 0; i < n; ++i) {
    if (ELF64_ST_BIND(syms[i].st_info) != STB_GLOBAL) {
      EXPECT_LT(i, symtab->sh_info) << "locals come first";
      continue;
    }
    ++globals;
    EXPECT_GE(i, symtab->sh_info);
    EXPECT_STREQ(p.bytes.data() + strtab->sh_offset + syms[i].st_name, "model_weights");
    EXPECT_EQ(ELF64_ST_TYPE(syms[i].st_info), STT_OBJECT);
    EXPECT_EQ(syms[i].st_value, 0u);
    EXPECT_EQ(syms[i].st_size, 130u);
    EXPECT_EQ(p.SectionName(syms[i].st_shndx), WeightsSectionName());
  }
  EXPECT_EQ(globals, 1);
}

}  // namespace
}  // namespace halo
