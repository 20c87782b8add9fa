#include "targets/elf_writer.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "ir/error.h"

namespace halo {

size_t Blob::Append(const uint8_t* data, size_t n, size_t align) {
  size_t offset = (size + align - 1) / align * align;
  pieces.push_back({offset, data, n});
  size = offset + n;
  return offset;
}

static void WriteZeros(std::ostream& os, size_t n) {
  static const char zeros[4096] = {};
  for (; n > sizeof(zeros); n -= sizeof(zeros)) os.write(zeros, sizeof(zeros));
  os.write(zeros, static_cast<std::streamsize>(n));
}

void Blob::Write(std::ostream& os, const ProgressFn& progress) const {
  constexpr size_t kChunk = size_t{1} << 24;  // progress is reported between chunks
  size_t at = 0;
  for (const Piece& p : pieces) {
    WriteZeros(os, p.offset - at);
    for (size_t done = 0; done < p.size;) {
      size_t n = std::min(kChunk, p.size - done);
      os.write(reinterpret_cast<const char*>(p.data + done), static_cast<std::streamsize>(n));
      done += n;
      Report(progress, "emit", "bytes", p.offset + done, size);
    }
    at = p.offset + p.size;
  }
  WriteZeros(os, size - at);
}

static uint16_t HostMachine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#else
  throw Err("the ELF weights writer does not know this host; use --emit-data-as-c");
#endif
}

#if defined(__x86_64__)
static constexpr const char* kWeightsSection = ".lrodata";
static constexpr uint64_t kWeightsFlags = SHF_ALLOC | kShfX86_64Large;
#else
static constexpr const char* kWeightsSection = ".rodata";
static constexpr uint64_t kWeightsFlags = SHF_ALLOC;
#endif

const char* WeightsSectionName() { return kWeightsSection; }

static size_t AlignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

template <typename T>
static void Put(std::ostream& os, const T& v) {
  os.write(reinterpret_cast<const char*>(&v), sizeof(T));
}

void WriteElfObject(std::ostream& os, const std::string& symbol, const Blob& blob,
                    const ProgressFn& progress) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the ELF writer writes host order");
  const uint16_t machine = HostMachine();
  enum : uint16_t { kNull, kRodata, kNoteStack, kSymtab, kStrtab, kShstrtab, kNumSections };

  std::string shstrtab(1, '\0');
  auto add_name = [](std::string& table, const std::string& s) {
    uint32_t off = static_cast<uint32_t>(table.size());
    table += s;
    table += '\0';
    return off;
  };
  const uint32_t rodata_name = add_name(shstrtab, kWeightsSection);
  const uint32_t note_name = add_name(shstrtab, ".note.GNU-stack");
  const uint32_t symtab_name = add_name(shstrtab, ".symtab");
  const uint32_t strtab_name = add_name(shstrtab, ".strtab");
  const uint32_t shstrtab_name = add_name(shstrtab, ".shstrtab");
  std::string strtab(1, '\0');
  const uint32_t sym_name = add_name(strtab, symbol);

  // Symbols: the null symbol, the weights section symbol (local), then the global object.
  Elf64_Sym syms[3] = {};
  syms[1].st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
  syms[1].st_shndx = kRodata;
  syms[2].st_name = sym_name;
  syms[2].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
  syms[2].st_other = STV_DEFAULT;
  syms[2].st_shndx = kRodata;
  syms[2].st_value = 0;
  syms[2].st_size = blob.size;

  // File layout: header, the weights, .symtab, .strtab, .shstrtab, section headers.
  const size_t rodata_off = AlignUp(sizeof(Elf64_Ehdr), kWeightsAlign);
  const size_t symtab_off = AlignUp(rodata_off + blob.size, 8);
  const size_t strtab_off = symtab_off + sizeof(syms);
  const size_t shstrtab_off = strtab_off + strtab.size();
  const size_t shdr_off = AlignUp(shstrtab_off + shstrtab.size(), 8);

  Elf64_Ehdr eh = {};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_REL;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = shdr_off;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = kNumSections;
  eh.e_shstrndx = kShstrtab;

  Elf64_Shdr sh[kNumSections] = {};
  sh[kRodata].sh_name = rodata_name;
  sh[kRodata].sh_type = SHT_PROGBITS;
  sh[kRodata].sh_flags = kWeightsFlags;
  sh[kRodata].sh_offset = rodata_off;
  sh[kRodata].sh_size = blob.size;
  sh[kRodata].sh_addralign = kWeightsAlign;
  sh[kNoteStack].sh_name = note_name;
  sh[kNoteStack].sh_type = SHT_PROGBITS;
  sh[kNoteStack].sh_offset = symtab_off;
  sh[kNoteStack].sh_addralign = 1;
  sh[kSymtab].sh_name = symtab_name;
  sh[kSymtab].sh_type = SHT_SYMTAB;
  sh[kSymtab].sh_offset = symtab_off;
  sh[kSymtab].sh_size = sizeof(syms);
  sh[kSymtab].sh_link = kStrtab;
  sh[kSymtab].sh_info = 2;  // the index of the first global symbol
  sh[kSymtab].sh_addralign = 8;
  sh[kSymtab].sh_entsize = sizeof(Elf64_Sym);
  sh[kStrtab].sh_name = strtab_name;
  sh[kStrtab].sh_type = SHT_STRTAB;
  sh[kStrtab].sh_offset = strtab_off;
  sh[kStrtab].sh_size = strtab.size();
  sh[kStrtab].sh_addralign = 1;
  sh[kShstrtab].sh_name = shstrtab_name;
  sh[kShstrtab].sh_type = SHT_STRTAB;
  sh[kShstrtab].sh_offset = shstrtab_off;
  sh[kShstrtab].sh_size = shstrtab.size();
  sh[kShstrtab].sh_addralign = 1;

  Put(os, eh);
  WriteZeros(os, rodata_off - sizeof(eh));
  blob.Write(os, progress);
  WriteZeros(os, symtab_off - (rodata_off + blob.size));
  for (const Elf64_Sym& s : syms) Put(os, s);
  os.write(strtab.data(), static_cast<std::streamsize>(strtab.size()));
  os.write(shstrtab.data(), static_cast<std::streamsize>(shstrtab.size()));
  WriteZeros(os, shdr_off - (shstrtab_off + shstrtab.size()));
  for (const Elf64_Shdr& s : sh) Put(os, s);
}

}  // namespace halo
