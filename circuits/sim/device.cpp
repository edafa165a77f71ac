// Device selection, the test hook TC0_TEST_DEVICE, and the device half of BitSimulator: streaming a
// batch through a device block by block, and falling back to the CPU when the device fails.
#include "circuits/sim/device.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "circuits/cuda/cuda_eval.hpp"
#include "circuits/sim/bitsim.hpp"

namespace tc0::circuits::sim {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---- the test hook ---------------------------------------------------------------------------

struct TestDevice {
  bool emulate = false;
  long long fail_after = -1;  // batches that succeed before the injected failure; -1: never fail
  uint32_t block_words = 0;   // 0: no cap
  bool any() const { return emulate || fail_after >= 0 || block_words > 0; }
};

TestDevice test_device_from_env() {
  TestDevice t;
  const char* env = std::getenv("TC0_TEST_DEVICE");
  if (!env || !*env) return t;
  std::stringstream ss(env);
  std::string item;
  auto number = [&](const std::string& v, long long lo, long long hi) {
    size_t used = 0;
    long long x = 0;
    try {
      x = std::stoll(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != v.size() || x < lo || x > hi)
      throw std::invalid_argument(fmt::format("TC0_TEST_DEVICE='{}': '{}' must be an integer in [{}, {}]", env, v, lo, hi));
    return x;
  };
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    const std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "emulate" && eq == std::string::npos) t.emulate = true;
    else if (key == "fail-after" && eq != std::string::npos) t.fail_after = number(value, 0, 1ll << 40);
    else if (key == "block-words" && eq != std::string::npos) t.block_words = uint32_t(number(value, 1, 1 << 20));
    else
      throw std::invalid_argument(fmt::format(
          "TC0_TEST_DEVICE='{}': unknown item '{}' (expected emulate, fail-after=N, block-words=W)", env, item));
  }
  return t;
}

// A device emulated on the host: the CPU evaluator behind the device interface, for tests of the
// streaming and fallback paths on machines without a GPU. Owns a copy of the network so that it
// stays valid when the simulator that opened it is moved.
class EmulatedBackend final : public DeviceBackend {
 public:
  explicit EmulatedBackend(const FlatNetwork& flat) : flat_(flat) { profile_.level_s.assign(flat_.depth(), 0.0); }
  void eval(const uint64_t* inputs, uint32_t words, std::span<const uint32_t> wanted, uint64_t* out) override {
    if (words == 0 || words > max_block_words())
      throw std::runtime_error(fmt::format("emulated device: block of {} words outside 1..{}", words, max_block_words()));
    auto t0 = Clock::now();
    values_.assign(size_t(flat_.num_slots()) * words, 0);
    std::copy_n(inputs, size_t(1 + flat_.num_inputs) * words, values_.begin());
    profile_.upload_s += seconds_since(t0);
    t0 = Clock::now();
    eval_block(flat_, values_.data(), words);
    profile_.kernels_s += seconds_since(t0);
    t0 = Clock::now();
    for (size_t k = 0; k < wanted.size(); ++k)
      std::copy_n(values_.begin() + long(size_t(wanted[k]) * words), words, out + k * words);
    profile_.download_s += seconds_since(t0);
  }
  uint32_t max_block_words() const override { return 64; }  // eval_block's limit
  std::string name() const override { return "host emulation of a device (TC0_TEST_DEVICE=emulate)"; }
  std::string kind() const override { return "emulated"; }
  DeviceProfile profile() const override { return profile_; }

 private:
  FlatNetwork flat_;
  std::vector<uint64_t> values_;
  DeviceProfile profile_;
};

// TC0_TEST_DEVICE's fail-after and block-words around a real or emulated device.
class TestHookBackend final : public DeviceBackend {
 public:
  TestHookBackend(std::unique_ptr<DeviceBackend> inner, TestDevice t) : inner_(std::move(inner)), t_(t) {}
  void eval(const uint64_t* inputs, uint32_t words, std::span<const uint32_t> wanted, uint64_t* out) override {
    if (t_.fail_after >= 0 && batches_ >= t_.fail_after) {
      // A failing device leaves garbage behind: the caller must not read it.
      std::memset(out, 0xa5, wanted.size() * words * sizeof(uint64_t));
      throw std::runtime_error(fmt::format("injected device fault on batch {} (TC0_TEST_DEVICE=fail-after={})",
                                           batches_ + 1, t_.fail_after));
    }
    inner_->eval(inputs, words, wanted, out);
    ++batches_;
  }
  uint32_t max_block_words() const override {
    const uint32_t m = inner_->max_block_words();
    return t_.block_words ? std::min(m, t_.block_words) : m;
  }
  std::string name() const override { return inner_->name(); }
  std::string kind() const override { return inner_->kind(); }
  DeviceProfile profile() const override { return inner_->profile(); }

 private:
  std::unique_ptr<DeviceBackend> inner_;
  TestDevice t_;
  long long batches_ = 0;
};

std::string threads_phrase(int threads) { return fmt::format("{} thread{}", threads, threads == 1 ? "" : "s"); }

}  // namespace

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::cpu;
  if (name == "cuda") return Device::cuda;
  if (name == "auto") return Device::automatic;
  throw std::invalid_argument(fmt::format("unknown device '{}': expected cpu, cuda or auto", name));
}

const char* device_name(Device d) {
  switch (d) {
    case Device::cpu: return "cpu";
    case Device::cuda: return "cuda";
    case Device::automatic: return "auto";
  }
  return "?";
}

bool device_present(Device d, std::string* why) {
  if (d == Device::cpu) {
    if (why) *why = "the CPU was asked for";
    return false;
  }
  return test_device_from_env().emulate || cuda::cuda_available(why);
}

std::unique_ptr<DeviceBackend> open_device(const FlatNetwork& flat, Device d, std::string* why) {
  std::string reason;
  std::unique_ptr<DeviceBackend> backend;
  const TestDevice t = test_device_from_env();
  if (device_present(d, &reason)) {
    if (t.emulate) {
      backend = std::make_unique<EmulatedBackend>(flat);
    } else {
      try {
        backend = std::make_unique<cuda::CudaEvaluator>(flat);
      } catch (const std::exception& e) {
        reason = e.what();  // a device that cannot take this network counts as none
      }
    }
  }
  if (backend && t.any()) backend = std::make_unique<TestHookBackend>(std::move(backend), t);
  if (!backend && why) *why = reason;
  return backend;
}

// ---- DeviceProfile / DeviceRun ------------------------------------------------------------------

nlohmann::json DeviceProfile::to_json() const {
  return {{"blocks", blocks},       {"samples", samples},     {"block_words", block_words},
          {"pack_s", pack_s},       {"upload_s", upload_s},   {"kernels_s", kernels_s},
          {"download_s", download_s}, {"unpack_s", unpack_s}, {"level_s", level_s}};
}

std::string DeviceProfile::table() const {
  const double total = pack_s + upload_s + kernels_s + download_s + unpack_s;
  auto row = [&](const char* what, double s) {
    return fmt::format("  {:<28} {:>9.4f} s {:>5.1f}%\n", what, s, total > 0 ? 100 * s / total : 0.0);
  };
  std::string t = fmt::format("device profile: {} blocks, {} samples, up to {} words (x64 samples) per block\n", blocks,
                              samples, block_words);
  t += row("input packing (host)", pack_s);
  t += row("transfer to the device", upload_s);
  t += row(fmt::format("kernels ({} levels)", level_s.size()).c_str(), kernels_s);
  t += row("gather + transfer back", download_s);
  t += row("output unpacking (host)", unpack_s);
  if (std::any_of(level_s.begin(), level_s.end(), [](double x) { return x > 0; })) {
    std::vector<size_t> order(level_s.size());
    std::iota(order.begin(), order.end(), size_t(0));
    const size_t top = std::min<size_t>(5, order.size());
    std::partial_sort(order.begin(), order.begin() + long(top), order.end(),
                      [&](size_t a, size_t b) { return level_s[a] > level_s[b]; });
    t += "  slowest levels:";
    for (size_t i = 0; i < top; ++i) t += fmt::format(" {} ({:.4f} s)", order[i] + 1, level_s[order[i]]);
    t += "\n";
  }
  return t;
}

std::string DeviceRun::line() const {
  const std::string cpu = fmt::format("cpu ({})", threads_phrase(cpu_threads));
  if (device == "cpu") {
    if (note.empty()) return "device: " + cpu;
    return fmt::format("device: {}; --device {} found no usable device: {}", cpu, device_name(requested), note);
  }
  const std::string dev = fmt::format("{} ({})", device, name);
  if (fell_back())
    return fmt::format("device: {} for {} samples, then {} for {} samples after a device error: {}", dev,
                       device_samples, cpu, cpu_samples, fallback);
  if (profile.blocks == 0) return "device: " + dev;
  return fmt::format("device: {}: {} samples in {} block{} of up to {} samples", dev, device_samples, profile.blocks,
                     profile.blocks == 1 ? "" : "s", uint64_t(profile.block_words) * 64);
}

nlohmann::json DeviceRun::to_json() const {
  nlohmann::json j = {{"requested", device_name(requested)}, {"device", device}, {"cpu_threads", cpu_threads},
                      {"line", line()}};
  j["note"] = note.empty() ? nlohmann::json(nullptr) : nlohmann::json(note);
  if (device == "cpu") return j;  // the sample counts below are the device's and a fallback's
  j["name"] = name;
  j["block_samples"] = block_samples;
  j["device_samples"] = device_samples;
  j["cpu_samples"] = cpu_samples;
  j["fallback"] = fallback.empty() ? nlohmann::json(nullptr) : nlohmann::json(fallback);
  j["profile"] = profile.to_json();
  return j;
}

// ---- BitSimulator's device half -----------------------------------------------------------------

void BitSimulator::open_device_for(const Network& ntk, Device d) {
  device_run_.requested = d;
  device_run_.cpu_threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
  if (d == Device::cpu) return;
  std::string why;
  if (device_present(d, &why)) {
    flat_ = flatten(ntk);
    for (const Bus& p : inputs_) {
      auto& slots = input_slots_.emplace_back();
      for (Signal s : p.bits) slots.push_back(flat_.slot_of_node[s.index()]);
    }
    for (const Bus& o : outputs_) {
      auto& slots = output_slots_.emplace_back();
      for (Signal s : o.bits) slots.push_back(flat_.signal_slot(s));
    }
    device_ = open_device(flat_, d, &why);
  }
  if (!device_) {
    if (d == Device::cuda) throw std::runtime_error("--device cuda: " + why + " (use --device auto to fall back to the CPU)");
    device_run_.note = why;
    return;
  }
  device_run_.device = device_->kind();
  device_run_.name = device_->name();
  device_run_.block_samples = uint64_t(device_->max_block_words()) * 64;
  // The device returns each distinct output slot once; the buses read them by index.
  for (const auto& lits : output_slots_)
    for (uint32_t lit : lits) device_wanted_.push_back(lit >> 1);
  std::sort(device_wanted_.begin(), device_wanted_.end());
  device_wanted_.erase(std::unique(device_wanted_.begin(), device_wanted_.end()), device_wanted_.end());
  for (const auto& lits : output_slots_) {
    auto& mine = device_lits_.emplace_back();
    for (uint32_t lit : lits) {
      const auto at = std::lower_bound(device_wanted_.begin(), device_wanted_.end(), lit >> 1) - device_wanted_.begin();
      mine.push_back(uint32_t(at) << 1 | (lit & 1));
    }
  }
}

void BitSimulator::run_device(const BusBatch& inputs, BusBatch& out) const {
  const size_t n = inputs.empty() ? 0 : inputs[0].size();
  if (n == 0) return;
  DeviceProfile& prof = device_run_.profile;
  auto take_device_profile = [&] {
    const DeviceProfile d = device_->profile();
    prof.upload_s = d.upload_s;
    prof.kernels_s = d.kernels_s;
    prof.download_s = d.download_s;
    prof.level_s = d.level_s;
  };
  // Blocks as large as the batch needs and the device holds: host memory is the inputs and outputs
  // of one block, device memory the circuit's slots times the block.
  const uint32_t B = uint32_t(std::min<size_t>((n + 63) / 64, device_->max_block_words()));
  std::vector<uint64_t> in(size_t(1 + flat_.num_inputs) * B, 0), res(device_wanted_.size() * B, 0);
  for (size_t s0 = 0; s0 < n; s0 += size_t(B) * 64) {
    const size_t count = std::min(size_t(B) * 64, n - s0);
    auto t0 = Clock::now();
    pack_slots(inputs, s0, count, in.data(), B);
    prof.pack_s += seconds_since(t0);
    try {
      device_->eval(in.data(), B, device_wanted_, res.data());
    } catch (const std::exception& e) {
      // Nothing of this block is used: it and the rest of the batch are the CPU's.
      take_device_profile();
      device_run_.fallback = fmt::format("{} (block at sample {} of {})", e.what(), s0, n);
      device_.reset();
      if (options_.on_fallback)
        options_.on_fallback(fmt::format("device error, continuing on the CPU: {}", device_run_.fallback));
      run_cpu(inputs, s0, out);
      device_run_.cpu_samples += n - s0;
      return;
    }
    t0 = Clock::now();
    unpack_slots(res.data(), B, s0, count, out, device_lits_);
    prof.unpack_s += seconds_since(t0);
    ++prof.blocks;
    prof.samples += count;
    prof.block_words = std::max(prof.block_words, B);
    device_run_.device_samples += count;
  }
  take_device_profile();
}

}  // namespace tc0::circuits::sim
