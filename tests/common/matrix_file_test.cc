// MatrixFile: round trip, checksum and truncation detection of the native matrix format.
#include "common/matrix_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

namespace item2vec {
namespace {

class MatrixFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("matrix_file_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "m.i2v").string();
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1, 1);
    data_.resize(rows_ * dim_);
    for (float& x : data_) x = u(rng);
    MatrixHeader h;
    h.name = "output";
    h.rows = rows_;
    h.dim = dim_;
    h.vocab_fingerprint = 42;
    MatrixFileWriter w;
    ASSERT_TRUE(w.Open(path_, h).ok());
    for (std::size_t r = 0; r < rows_; ++r) w.Add(data_.data() + r * dim_);
    ASSERT_TRUE(w.Commit().ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Status ReadAll(std::vector<float>* out) {
    MatrixFileReader r;
    ITEM2VEC_RETURN_IF_ERROR(r.Open(path_));
    out->resize(r.header().rows * r.header().dim);
    for (std::uint64_t i = 0; i < r.header().rows; ++i) ITEM2VEC_RETURN_IF_ERROR(r.Next(out->data() + i * dim_));
    return r.Finish();
  }

  std::filesystem::path dir_;
  std::string path_;
  const std::size_t rows_ = 37, dim_ = 13;
  std::vector<float> data_;
};

TEST_F(MatrixFileTest, RoundTripIsBitExactWithHeader) {
  MatrixFileReader r;
  ASSERT_TRUE(r.Open(path_).ok());
  EXPECT_EQ(r.header().name, "output");
  EXPECT_EQ(r.header().rows, rows_);
  EXPECT_EQ(r.header().dim, dim_);
  EXPECT_EQ(r.header().vocab_fingerprint, 42u);
  std::vector<float> back;
  ASSERT_TRUE(ReadAll(&back).ok());
  EXPECT_EQ(back, data_);
}

TEST_F(MatrixFileTest, FlippedByteFailsChecksum) {
  const auto size = std::filesystem::file_size(path_);
  std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(size / 2));
  f.put('\x55');
  f.close();
  std::vector<float> back;
  const Status st = ReadAll(&back);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("checksum"), std::string::npos) << st.message();
}

TEST_F(MatrixFileTest, TruncatedFileIsNamed) {
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 30);
  std::vector<float> back;
  const Status st = ReadAll(&back);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.message();
}

TEST_F(MatrixFileTest, WrongMagicIsRejected) {
  std::ofstream(path_, std::ios::binary) << "not a matrix file at all";
  MatrixFileReader r;
  EXPECT_EQ(r.Open(path_).code(), Status::Code::kCorruption);
}

TEST_F(MatrixFileTest, CommitRefusesMissingRows) {
  MatrixHeader h;
  h.rows = 3;
  h.dim = 2;
  MatrixFileWriter w;
  const std::string other = (dir_ / "short.i2v").string();
  ASSERT_TRUE(w.Open(other, h).ok());
  const float row[2] = {1, 2};
  w.Add(row);
  EXPECT_FALSE(w.Commit().ok());
  EXPECT_FALSE(std::filesystem::exists(other));
}

TEST(Checksum64Test, SplitUpdatesEqualOneUpdate) {
  std::vector<unsigned char> bytes(1000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 31 + 7);
  Checksum64 whole, parts;
  whole.Update(bytes.data(), bytes.size());
  parts.Update(bytes.data(), 3);
  parts.Update(bytes.data() + 3, 500);
  parts.Update(bytes.data() + 503, bytes.size() - 503);
  EXPECT_EQ(whole.Finish(), parts.Finish());
  bytes[500] ^= 1;
  Checksum64 changed;
  changed.Update(bytes.data(), bytes.size());
  EXPECT_NE(whole.Finish(), changed.Finish());
}

}  // namespace
}  // namespace item2vec
