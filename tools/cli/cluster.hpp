#pragma once
// Scale-out of input-parallel commands (check, simulate) over the ranks of an OpenMPI `mpirun`
// launch (tools/cluster/README.md). Each rank takes a contiguous shard of the inputs and uses its own
// cores; rank 0 gathers every rank's result and writes the one report, which equals the
// single-process run's except for timings and the added list of shards. A failing rank fails the
// run with its message: rank 0 reports it and every rank exits 1, never with a partial verdict.
//
// Without mpirun (or in a build without MPI) the process is rank 0 of 1 and the same code runs.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tc0::cli {

struct Shard {
  uint64_t begin = 0, end = 0;
};

class Cluster {
 public:
  // This process's place in the launch; initialises MPI on first use when started by mpirun.
  static const Cluster& get();
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  const std::string& host() const { return host_; }
  // Whether this binary was built with MPI.
  static bool built_with_mpi();

  // This rank's share of [0, n) in whole units of `unit` inputs (the last unit may be short), so that
  // per-unit partial results combine in the same order whatever the rank count.
  Shard shard(uint64_t n, uint64_t unit = 64) const;

  struct Outcome {
    bool ok = true;
    std::string error;       // when !ok
    nlohmann::json payload;  // when ok
  };
  // Collective: rank 0 gets every rank's outcome in rank order, the others an empty vector.
  std::vector<Outcome> gather(const Outcome& mine) const;
  // Collective: rank 0's value on every rank.
  int broadcast(int value) const;

 private:
  Cluster();
  int rank_ = 0, size_ = 1;
  std::string host_;
};

// Runs `work` on every rank (an exception becomes that rank's failure), then `merge` on rank 0 with
// every rank's payload in rank order; returns merge's exit status on every rank. When a rank failed,
// rank 0 throws "rank R (host): message" (just the message with one rank) and the others return 1.
int run_sharded(const std::function<nlohmann::json()>& work,
                const std::function<int(const std::vector<nlohmann::json>&)>& merge);

}  // namespace tc0::cli
