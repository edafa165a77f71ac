#include "tools/cli/cluster.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#ifdef TC0_HAVE_MPI
#include <mpi.h>
#endif

namespace tc0::cli {

namespace {

#ifdef TC0_HAVE_MPI
// Started by mpirun (OpenMPI sets these; PMIx launchers set PMIX_RANK). A plain run does not touch
// MPI at all, so it starts as fast as a build without MPI.
bool launched_by_mpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK"); }

// MPI_Finalize when the process ends normally (every rank must call it, or mpirun reports a failure).
struct MpiSession {
  bool active = false;
  ~MpiSession() {
    int finalized = 0;
    if (active && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Finalize();
  }
};
MpiSession mpi_session;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(fmt::format("MPI {} failed (error {})", what, rc));
}
#endif

}  // namespace

bool Cluster::built_with_mpi() {
#ifdef TC0_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Cluster::Cluster() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) == 0) host_ = name;
#ifdef TC0_HAVE_MPI
  if (launched_by_mpirun()) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
    mpi_session.active = true;
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "size");
  }
#endif
}

const Cluster& Cluster::get() {
  static const Cluster c;
  return c;
}

Shard Cluster::shard(uint64_t n, uint64_t unit) const {
  const uint64_t units = (n + unit - 1) / unit;
  auto at = [&](uint64_t r) { return std::min(n, (units * r / uint64_t(size_)) * unit); };
  return Shard{at(uint64_t(rank_)), at(uint64_t(rank_) + 1)};
}

std::vector<Cluster::Outcome> Cluster::gather(const Outcome& mine) const {
  if (size_ == 1) return {mine};
#ifdef TC0_HAVE_MPI
  // Each outcome travels as CBOR: {"ok", "error", "payload"}.
  const nlohmann::json j = {{"ok", mine.ok}, {"error", mine.error}, {"payload", mine.payload}};
  const std::vector<uint8_t> bytes = nlohmann::json::to_cbor(j);
  if (bytes.size() > size_t(INT32_MAX))
    throw std::runtime_error("a rank's result is over 2 GiB; use --quiet or more ranks");
  const int len = int(bytes.size());
  std::vector<int> lens(root() ? size_ : 0), offsets(root() ? size_ : 0);
  check(MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "gather (sizes)");
  std::vector<uint8_t> all;
  if (root()) {
    int64_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[size_t(r)] = int(total);
      total += lens[size_t(r)];
    }
    if (total > INT32_MAX) throw std::runtime_error("the ranks' results are over 2 GiB together; use --quiet");
    all.resize(size_t(total));
  }
  check(MPI_Gatherv(bytes.data(), len, MPI_BYTE, all.data(), lens.data(), offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD),
        "gather (results)");
  std::vector<Outcome> out;
  if (!root()) return out;
  for (int r = 0; r < size_; ++r) {
    const auto* p = all.data() + offsets[size_t(r)];
    const nlohmann::json o = nlohmann::json::from_cbor(p, p + lens[size_t(r)]);
    out.push_back(Outcome{o.at("ok").get<bool>(), o.at("error").get<std::string>(), o.at("payload")});
  }
  return out;
#else
  return {mine};
#endif
}

int Cluster::broadcast(int value) const {
#ifdef TC0_HAVE_MPI
  if (size_ > 1) check(MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD), "broadcast");
#endif
  return value;
}

int run_sharded(const std::function<nlohmann::json()>& work,
                const std::function<int(const std::vector<nlohmann::json>&)>& merge) {
  const Cluster& c = Cluster::get();
  Cluster::Outcome mine;
  try {
    mine.payload = work();
  } catch (const std::exception& e) {
    mine.ok = false;
    mine.error = e.what();
  }
  const std::vector<Cluster::Outcome> all = c.gather(mine);
  int status = 0;
  std::string error;
  if (c.root()) {
    try {
      std::vector<nlohmann::json> payloads;
      for (size_t r = 0; r < all.size(); ++r) {
        if (!all[r].ok)
          throw std::runtime_error(c.size() == 1 ? all[r].error
                                                 : fmt::format("rank {} of {}: {}", r, c.size(), all[r].error));
        payloads.push_back(all[r].payload);
      }
      status = merge(payloads);
    } catch (const std::exception& e) {
      error = e.what();
      status = -1;
    }
  }
  // Every rank waits for the verdict, so none exits 0 while the run fails.
  status = c.broadcast(status);
  if (!error.empty()) throw std::runtime_error(error);
  return status < 0 ? 1 : status;
}

}  // namespace tc0::cli
