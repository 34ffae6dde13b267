// CollectiveComm over MpiTransport, run under `mpirun -np 3` (prep.Mpi.CollectivesOverTransport):
// Transport's MPI collectives (AllreduceInt64, Gather) against its generic versions built
// on Broadcast (called as Transport::X, so the same ranks run both), and CollectiveComm's agreement
// and chunked gathers on top. Every rank runs every test; a failing rank fails mpirun.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/mpi_transport.h"
#include "common/collective_comm.h"

namespace item2vec {
namespace {

MpiTransport* g_transport = nullptr;

// Rank r's bytes: r * 3 bytes of 'a' + r (rank 0 sends nothing), so sizes differ.
std::string BytesOf(int rank) { return std::string(static_cast<std::size_t>(rank) * 3, static_cast<char>('a' + rank)); }

TEST(MpiCollectives, GatherMatchesTheGenericVersion) {
  MpiTransport& t = *g_transport;
  ASSERT_GE(t.size(), 2);
  for (int root : {-1, 0, t.size() - 1}) {
    std::vector<std::string> mpi, generic;
    ASSERT_TRUE(t.Gather(BytesOf(t.rank()), root, &mpi).ok());
    ASSERT_TRUE(t.Transport::Gather(BytesOf(t.rank()), root, &generic).ok());
    EXPECT_EQ(mpi, generic) << "root " << root;
    if (root < 0 || root == t.rank()) {
      ASSERT_EQ(mpi.size(), static_cast<std::size_t>(t.size()));
      for (int r = 0; r < t.size(); ++r) EXPECT_EQ(mpi[static_cast<std::size_t>(r)], BytesOf(r));
    } else {
      EXPECT_TRUE(mpi.empty()) << "a rank that is not the root receives nothing";
    }
  }
}

TEST(MpiCollectives, AllreduceInt64IsExactAndMatchesTheGenericVersion) {
  MpiTransport& t = *g_transport;
  const std::int64_t big = std::int64_t{1} << 60;  // sums beyond a double's 53 bits
  const std::vector<std::int64_t> mine{big + t.rank(), -t.rank(), 7};
  for (Transport::Reduce op : {Transport::Reduce::kSum, Transport::Reduce::kMax}) {
    std::vector<std::int64_t> mpi = mine, generic = mine;
    ASSERT_TRUE(t.AllreduceInt64(&mpi, op).ok());
    ASSERT_TRUE(t.Transport::AllreduceInt64(&generic, op).ok());
    EXPECT_EQ(mpi, generic);
    const std::int64_t n = t.size(), ranks_sum = n * (n - 1) / 2;
    const std::vector<std::int64_t> want = op == Transport::Reduce::kSum
                                               ? std::vector<std::int64_t>{n * big + ranks_sum, -ranks_sum, 7 * n}
                                               : std::vector<std::int64_t>{big + n - 1, 0, 7};
    EXPECT_EQ(mpi, want);
  }
}

TEST(CollectiveCommOverTransport, SyncStatusGivesEveryRankTheLowestFailingRanksStatus) {
  CollectiveComm comm(g_transport);
  EXPECT_TRUE(SyncStatus(comm, Status::Ok()).ok());
  // Ranks 1 and up fail, each with its own message: every rank gets rank 1's.
  const Status local = comm.rank() == 0 ? Status::Ok() : Status::DataError("bad row on rank " + std::to_string(comm.rank()));
  const Status agreed = SyncStatus(comm, local);
  EXPECT_EQ(agreed.code(), Status::Code::kDataError);
  EXPECT_EQ(agreed.message(), "bad row on rank 1");
  EXPECT_FALSE(comm.broken()) << "an agreed error is no failure of the collectives";
}

TEST(CollectiveCommOverTransport, AllgatherBytesAndGatherInRoundsMoveEveryChunk) {
  CollectiveComm comm(g_transport);
  std::vector<std::string> all;
  ASSERT_TRUE(AllgatherBytes(comm, BytesOf(comm.rank()), &all).ok());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)], BytesOf(r));
  // Rank r sends r chunks: there are size-1 rounds; root 0 sees every chunk, in rank order within a round.
  std::vector<std::string> chunks;
  for (int i = 0; i < comm.rank(); ++i) chunks.push_back(std::to_string(comm.rank()) + ":" + std::to_string(i));
  std::vector<std::string> seen;
  ASSERT_TRUE(GatherInRounds(comm, chunks, 0, [&](int rank, std::string_view c) {
                EXPECT_EQ(c.substr(0, c.find(':')), std::to_string(rank));
                seen.emplace_back(c);
              }).ok());
  std::vector<std::string> want;
  for (int i = 0; i < comm.size(); ++i)
    for (int r = 0; r < comm.size(); ++r)
      if (i < r) want.push_back(std::to_string(r) + ":" + std::to_string(i));
  EXPECT_EQ(seen, comm.rank() == 0 ? want : std::vector<std::string>()) << "only the root sees the chunks";
  EXPECT_FALSE(comm.broken());
}

TEST(CollectiveCommOneProcess, CallsAreCopies) {
  CollectiveComm comm;
  EXPECT_EQ(comm.rank(), 0);
  EXPECT_EQ(comm.size(), 1);
  std::vector<std::int64_t> v{3, -4};
  ASSERT_TRUE(comm.AllreduceSum(&v).ok());
  EXPECT_EQ(v, (std::vector<std::int64_t>{3, -4}));
  std::vector<std::string> all;
  ASSERT_TRUE(AllgatherBytes(comm, "abc", &all).ok());
  EXPECT_EQ(all, std::vector<std::string>{"abc"});
  EXPECT_EQ(SyncStatus(comm, Status::IOError("x")).code(), Status::Code::kIOError);
}

}  // namespace
}  // namespace item2vec

int main(int argc, char** argv) {
  item2vec::MpiSession mpi(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  item2vec::MpiTransport transport;
  item2vec::g_transport = &transport;
  return RUN_ALL_TESTS();
}
