#include "driver/npy.h"

#include <gtest/gtest.h>

#include "ir/error.h"
#include "test_util.h"

namespace halo {
namespace {

// The bytes numpy 1.24 writes for np.save(f, np.array([[1, 2, 3]], dtype='<i8')).
std::string NumpyInt64() {
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 3), }";
  header.append(128 - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string s("\x93NUMPY\x01\x00", 8);
  s += static_cast<char>(header.size());
  s += '\0';
  s += header;
  for (int64_t v : {1, 2, 3}) s.append(reinterpret_cast<const char*>(&v), 8);
  return s;
}

std::string ErrorOf(const std::string& bytes) {
  try {
    ParseNpy(bytes, "f.npy");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Npy, ReadsNumpyOutput) {
  Tensor t = ParseNpy(NumpyInt64(), "f.npy");
  EXPECT_EQ(t.type(), Type(DataType::kInt64, {1, 3}));
  EXPECT_EQ(t.ToInts(), (std::vector<int64_t>{1, 2, 3}));
}

TEST(Npy, RoundTripsEveryElementType) {
  for (DataType d : {DataType::kFloat32, DataType::kFloat64, DataType::kInt8, DataType::kUInt8,
                     DataType::kInt16, DataType::kUInt16, DataType::kInt32, DataType::kUInt32,
                     DataType::kInt64, DataType::kUInt64, DataType::kBool, DataType::kFloat16}) {
    for (const Shape& shape : {Shape{}, Shape{3}, Shape{2, 0}, Shape{2, 3, 1}}) {
      Tensor t(Type(d, shape));
      for (size_t i = 0; i < t.byte_size(); ++i) t.mutable_bytes()[i] = static_cast<uint8_t>(i % 2);
      std::string bytes = SerializeNpy(t);
      size_t header = bytes.size() - t.byte_size();
      EXPECT_EQ(header % 64, 0u) << "the data is 64-byte aligned";
      EXPECT_EQ(bytes[header - 1], '\n');
      Tensor u = ParseNpy(bytes, "f.npy");
      ASSERT_EQ(u.type(), t.type()) << DataTypeName(d) << " " << ShapeToString(shape);
      EXPECT_EQ(std::string(u.bytes(), u.bytes() + u.byte_size()),
                std::string(t.bytes(), t.bytes() + t.byte_size()));
    }
  }
}

TEST(Npy, WritesNumpyStyleHeaders) {
  std::string s = SerializeNpy(test::F32({3}, {1, 2, 3}));
  EXPECT_NE(s.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
  s = SerializeNpy(Tensor(Type(DataType::kBool, {})));
  EXPECT_NE(s.find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(s.find("'shape': ()"), std::string::npos);
}

TEST(Npy, ReadsVersion2) {
  std::string v1 = NumpyInt64();
  std::string header = v1.substr(10, 118);
  std::string v2("\x93NUMPY\x02\x00", 8);
  v2 += static_cast<char>(header.size());
  v2.append(3, '\0');
  v2 += header + v1.substr(128);
  EXPECT_EQ(ParseNpy(v2, "f.npy").ToInts(), (std::vector<int64_t>{1, 2, 3}));
}

TEST(Npy, RejectsWhatItCannotRead) {
  std::string s = NumpyInt64();
  EXPECT_NE(ErrorOf("hello").find("f.npy: not an .npy file"), std::string::npos);
  EXPECT_NE(ErrorOf(s.substr(0, 60)).find("truncated"), std::string::npos);
  EXPECT_NE(ErrorOf(s.substr(0, s.size() - 1)).find("needs 24 bytes"), std::string::npos);
  std::string f = s;
  f.replace(f.find("False"), 5, "True ");
  EXPECT_NE(ErrorOf(f).find("Fortran-order"), std::string::npos);
  std::string be = s;
  be.replace(be.find("<i8"), 3, ">i8");
  EXPECT_NE(ErrorOf(be).find("big-endian"), std::string::npos);
  std::string obj = s;
  obj.replace(obj.find("<i8"), 3, "|O8");
  EXPECT_NE(ErrorOf(obj).find("unsupported element type '|O8'"), std::string::npos);
  std::string v9 = s;
  v9[6] = 9;
  EXPECT_NE(ErrorOf(v9).find("version 9"), std::string::npos);
}

TEST(Npy, ReadNpyNamesAMissingFile) {
  try {
    ReadNpy("/nonexistent/x.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/x.npy: cannot open the file");
  }
}

}  // namespace
}  // namespace halo
