#include "proofs/interval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "proofs/bv.hpp"
#include "proofs/fixed_spec.hpp"

namespace tc0::proofs {

using numerics::Format;

namespace {

BigInt shl(const BigInt& v, int k) { return k >= 0 ? BigInt(v << k) : throw std::logic_error("shl"); }

// The rounded, saturated raw value of the exact integer v * 2^-frac in out (numerics' rounding).
BigInt round_raw(const BigInt& v, int frac, Format out) { return BigInt(numerics::round_to_format(v, frac, out)); }

}  // namespace

OpGraph parse_op_graph(const nlohmann::json& j, const std::string& where) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("{}: {}", where, what));
  };
  try {
    OpGraph g;
    g.name = j.at("name").get<std::string>();
    for (const auto& jn : j.at("nodes")) {
      OpNode n;
      n.name = jn.at("name").get<std::string>();
      std::string kind = jn.at("kind").get<std::string>();
      n.fmt = Format::parse(jn.at("format").get<std::string>());
      if (kind == "input") {
        n.kind = OpNode::Kind::input;
        n.lo = n.fmt.min_raw();
        n.hi = n.fmt.max_raw();
        if (jn.contains("range")) {
          n.lo = jn.at("range").at(0).get<int64_t>();
          n.hi = jn.at("range").at(1).get<int64_t>();
          if (n.lo > n.hi || !n.fmt.contains_raw(int64_t(n.lo)) || !n.fmt.contains_raw(int64_t(n.hi)))
            fail(fmt::format("node '{}': range [{}, {}] is empty or outside {}", n.name, n.lo.str(), n.hi.str(), n.fmt.str()));
        }
      } else if (kind == "linear" || kind == "product") {
        n.kind = kind == "linear" ? OpNode::Kind::linear : OpNode::Kind::product;
        for (const auto& jt : jn.at("terms")) {
          OpTerm t;
          if (n.kind == OpNode::Kind::linear || jt.contains("x")) {
            t.a = jt.at("x").get<std::string>();
            t.num = jt.at("coef").at(0).get<int64_t>();
            t.frac = jt.at("coef").at(1).get<int>();
          } else {
            t.a = jt.at("a").get<std::string>();
            t.b = jt.at("b").get<std::string>();
            if (jt.contains("coef")) {
              t.num = jt.at("coef").at(0).get<int64_t>();
              t.frac = jt.at("coef").at(1).get<int>();
            }
          }
          if (t.frac < 0) fail(fmt::format("node '{}': coefficient fraction {} is negative", n.name, t.frac));
          n.terms.push_back(t);
        }
        if (jn.contains("constant")) {
          n.k_num = jn.at("constant").at(0).get<int64_t>();
          n.k_frac = jn.at("constant").at(1).get<int>();
        }
        n.acc_bits = jn.value("acc_bits", 0);
      } else {
        fail(fmt::format("node '{}': kind '{}' is not input, linear or product", n.name, kind));
      }
      g.nodes.push_back(n);
    }
    return g;
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("malformed op graph (") + e.what() + ")");
  } catch (const numerics::FormatError& e) {
    fail(e.what());
  }
  return {};
}

IntervalAnalysis::IntervalAnalysis(std::string graph_name, QueryOptions opt)
    : graph_(std::move(graph_name)), opt_(std::move(opt)), ctx_(std::make_unique<z3::context>()) {}

const RawInterval& IntervalAnalysis::interval(const std::string& name) const {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) throw std::invalid_argument(fmt::format("op graph '{}': no node '{}'", graph_, name));
  return it->second;
}

Verdict IntervalAnalysis::check_product(const RawInterval& a, const RawInterval& b, const BigInt& lo, const BigInt& hi,
                                        std::string& detail) {
  const std::string key = fmt::format("{}:{}:{}*{}:{}:{}", a.fmt.str(), a.lo.str(), a.hi.str(), b.fmt.str(), b.lo.str(),
                                      b.hi.str());
  auto it = product_cache_.find(key);
  if (it != product_cache_.end()) {
    detail = it->second.detail;
    return it->second.verdict;
  }
  z3::context& c = *ctx_;
  const unsigned wa = unsigned(a.fmt.width()), wb = unsigned(b.fmt.width()), w = wa + wb + 1;
  z3::expr x = c.bv_const("a", wa), y = c.bv_const("b", wb);
  z3::expr p = sext_to(x, w) * sext_to(y, w);  // exact: |a b| < 2^(wa+wb-2)
  std::vector<z3::expr> q{z3::sge(x, bv_num(c, a.lo, wa)), z3::sle(x, bv_num(c, a.hi, wa)),
                          z3::sge(y, bv_num(c, b.lo, wb)), z3::sle(y, bv_num(c, b.hi, wb)),
                          z3::slt(p, bv_num(c, lo, w)) || z3::sgt(p, bv_num(c, hi, w))};
  SolverOutcome so = check(c, q, opt_, fmt::format("nowrap.{}.product{}", graph_, product_cache_.size()));
  ++queries_;
  Verdict v = so.status == z3::unsat ? Verdict::proved : Verdict::inconclusive;
  detail = so.status == z3::sat     ? "solver found a product outside its corner hull: analysis bug"
           : so.status == z3::unsat ? ""
                                    : "product: solver: " + so.reason;
  product_cache_[key] = {v, detail};
  return v;
}

StepReport IntervalAnalysis::add(const OpNode& n) {
  if (nodes_.count(n.name)) throw std::invalid_argument(fmt::format("op graph '{}': node '{}' defined twice", graph_, n.name));
  StepReport rep;
  rep.node = n.name;
  if (n.kind == OpNode::Kind::input) {
    nodes_[n.name] = {n.fmt, n.lo, n.hi};
    rep.out_lo = n.lo;
    rep.out_hi = n.hi;
    rep.verdict = Verdict::proved;
    rep.detail = "declared input range";
    return rep;
  }
  if (n.terms.empty()) throw std::invalid_argument(fmt::format("op graph '{}': node '{}' has no terms", graph_, n.name));
  auto operand = [&](const std::string& name) -> const RawInterval& {
    auto it = nodes_.find(name);
    if (it == nodes_.end())
      throw std::invalid_argument(fmt::format("op graph '{}': node '{}' uses '{}', which is not defined before it",
                                              graph_, n.name, name));
    return it->second;
  };
  // Accumulator grid: the finest term.
  int F = n.k_num != 0 ? n.k_frac : 0;
  for (const OpTerm& t : n.terms) {
    int f = t.frac + operand(t.a).fmt.frac() + (t.b.empty() ? 0 : operand(t.b).fmt.frac());
    F = std::max(F, f);
  }
  // Interval propagation, and the key of the step (everything the solver query depends on).
  BigInt lo = 0, hi = 0;
  if (n.k_num != 0) lo = hi = shl(n.k_num, F - n.k_frac);
  std::string key = fmt::format("{}|{}|{}|{}", n.fmt.str(), n.acc_bits, n.k_num.str(), n.k_frac);
  struct Hull {
    BigInt lo, hi;  // of a * b (raw product, frac fa + fb)
  };
  std::vector<Hull> hulls(n.terms.size());
  for (size_t i = 0; i < n.terms.size(); ++i) {
    const OpTerm& t = n.terms[i];
    const RawInterval& ra = operand(t.a);
    BigInt tlo = ra.lo, thi = ra.hi;
    int sh = F - t.frac - ra.fmt.frac();
    if (!t.b.empty()) {
      const RawInterval& rb = operand(t.b);
      BigInt corners[4] = {ra.lo * rb.lo, ra.lo * rb.hi, ra.hi * rb.lo, ra.hi * rb.hi};
      tlo = *std::min_element(corners, corners + 4);
      thi = *std::max_element(corners, corners + 4);
      hulls[i] = {tlo, thi};
      sh -= rb.fmt.frac();
      key += fmt::format("|{}:{}:{}*{}:{}:{}", ra.fmt.str(), ra.lo.str(), ra.hi.str(), rb.fmt.str(), rb.lo.str(), rb.hi.str());
    } else {
      key += fmt::format("|{}:{}:{}", ra.fmt.str(), ra.lo.str(), ra.hi.str());
    }
    key += fmt::format("x{}/{}", t.num.str(), t.frac);
    BigInt p = shl(t.num * tlo, sh), q = shl(t.num * thi, sh);
    lo += std::min(p, q);
    hi += std::max(p, q);
  }
  rep.acc_frac = F;
  rep.acc_lo = lo;
  rep.acc_hi = hi;
  rep.needed_bits = int(signed_bits(lo, hi));
  rep.acc_bits = n.acc_bits;
  rep.out_lo = round_raw(lo, F, n.fmt);
  rep.out_hi = round_raw(hi, F, n.fmt);
  numerics::Rational flo(lo, BigInt(1) << F), fhi(hi, BigInt(1) << F);
  rep.saturation_possible = fhi > numerics::Rational(n.fmt.max_raw(), BigInt(1) << n.fmt.frac()) ||
                            flo < numerics::Rational(n.fmt.min_raw(), BigInt(1) << n.fmt.frac());
  nodes_[n.name] = {n.fmt, rep.out_lo, rep.out_hi};
  if (auto it = step_cache_.find(key); it != step_cache_.end()) {
    rep.verdict = it->second.verdict;
    rep.detail = it->second.detail;
    rep.reused = true;
    return rep;
  }
  // 1. Every product stays inside its corner hull (one query per distinct product).
  Verdict products = Verdict::proved;
  for (size_t i = 0; i < n.terms.size() && products == Verdict::proved; ++i)
    if (!n.terms[i].b.empty())
      products = check_product(operand(n.terms[i].a), operand(n.terms[i].b), hulls[i].lo, hulls[i].hi, rep.detail);
  // 2. The accumulator, in exact integers on grid F (QF_LIA), over operands in their intervals and
  //    products in their proved hulls: inside [lo, hi], and inside the declared width.
  SolverOutcome acc_outcome;
  {
    z3::context& c = *ctx_;
    std::vector<z3::expr> q;
    auto ranged = [&](const std::string& name, const BigInt& vlo, const BigInt& vhi) {
      z3::expr v = c.int_const(name.c_str());
      q.push_back(v >= c.int_val(vlo.str().c_str()) && v <= c.int_val(vhi.str().c_str()));
      return v;
    };
    auto num = [&](const BigInt& v) { return c.int_val(v.str().c_str()); };
    std::map<std::string, z3::expr> vars;
    z3::expr A = num(n.k_num != 0 ? shl(n.k_num, F - n.k_frac) : BigInt(0));
    for (size_t i = 0; i < n.terms.size(); ++i) {
      const OpTerm& t = n.terms[i];
      const RawInterval& ra = operand(t.a);
      int sh = F - t.frac - ra.fmt.frac();
      z3::expr v = c.int_val(0);
      if (t.b.empty()) {
        auto it = vars.find(t.a);
        if (it == vars.end()) it = vars.emplace(t.a, ranged("x" + std::to_string(vars.size()), ra.lo, ra.hi)).first;
        v = it->second;
      } else {
        sh -= operand(t.b).fmt.frac();
        v = ranged("p" + std::to_string(i), hulls[i].lo, hulls[i].hi);
      }
      A = A + num(shl(t.num, sh)) * v;
    }
    z3::expr bad = A < num(lo) || A > num(hi);
    if (n.acc_bits > 0) bad = bad || A < num(-(BigInt(1) << (n.acc_bits - 1))) || A >= num(BigInt(1) << (n.acc_bits - 1));
    q.push_back(bad);
    acc_outcome = check(c, q, opt_, fmt::format("nowrap.{}.{}.acc", graph_, n.name), "QF_LIA");
    ++queries_;
  }
  // 3. Rounding: the output interval is [round(lo), round(hi)] because rounding (half to even, then
  //    clamp: SPEC 2) is monotone. Z3 proves that once per accumulator width, grid and format
  //    (QF_BV: a <= b and round(a) > round(b) is unsat), and evaluates the encoding of SPEC 2.2 of
  //    rounding at both ends, which must give the interval computed here with numerics' rounding.
  std::string round_detail;
  Verdict rounding = Verdict::proved;
  {
    const unsigned w = std::max(signed_bits(lo, hi), 2u);
    const std::string rkey = fmt::format("{}:{}:{}", w, F, n.fmt.str());
    auto it = round_cache_.find(rkey);
    if (it == round_cache_.end()) {
      z3::context& c = *ctx_;
      z3::expr a = c.bv_const("a", w), b = c.bv_const("b", w);
      std::vector<z3::expr> q{z3::sle(a, b), z3::sgt(round_to_format(ExactBV{a, F}, n.fmt), round_to_format(ExactBV{b, F}, n.fmt))};
      SolverOutcome so = check(c, q, opt_, fmt::format("nowrap.{}.round_monotone.w{}.f{}.{}", graph_, w, F, n.fmt.str()));
      ++queries_;
      rep.seconds += so.seconds;
      Cached r{so.status == z3::unsat ? Verdict::proved : Verdict::inconclusive,
               so.status == z3::sat     ? fmt::format("rounding to {} is not monotone at width {}: encoding bug", n.fmt.str(), w)
               : so.status == z3::unsat ? ""
                                        : "rounding monotonicity: solver: " + so.reason};
      it = round_cache_.emplace(rkey, r).first;
    }
    rounding = it->second.verdict;
    round_detail = it->second.detail;
    z3::context& c = *ctx_;
    for (const auto& [v, want] : {std::pair{lo, rep.out_lo}, std::pair{hi, rep.out_hi}}) {
      z3::expr o = round_to_format(ExactBV{bv_num(c, v, w), F}, n.fmt).simplify();
      if (!(o == bv_num(c, want, unsigned(n.fmt.width()))).simplify().is_true()) {
        rounding = Verdict::inconclusive;
        round_detail = fmt::format("the encoding of SPEC 2.2 rounds {} * 2^-{} differently from numerics: encoding bug", v.str(), F);
      }
    }
  }
  rep.seconds += acc_outcome.seconds;
  if (products != Verdict::proved) {
    rep.verdict = Verdict::inconclusive;
  } else if (acc_outcome.status == z3::unsat) {
    rep.verdict = n.acc_bits > 0 && rep.needed_bits > n.acc_bits ? Verdict::refuted : rounding;
    if (rep.verdict == Verdict::refuted) rep.detail = fmt::format("needs {} bits, declared {}", rep.needed_bits, n.acc_bits);
    else rep.detail = round_detail;
  } else if (acc_outcome.status == z3::sat) {
    // Interval arithmetic is sound, so a model here means a declared width is too small (or a bug).
    rep.verdict = rep.needed_bits > n.acc_bits && n.acc_bits > 0 ? Verdict::refuted : Verdict::inconclusive;
    rep.detail = rep.verdict == Verdict::refuted
                     ? fmt::format("accumulator wraps in {} bits (needs {})", n.acc_bits, rep.needed_bits)
                     : "solver found a value outside the computed interval: analysis bug";
  } else {
    rep.detail = "solver: " + acc_outcome.reason;
  }
  step_cache_[key] = {rep.verdict, rep.detail};
  return rep;
}

std::vector<StepReport> check_no_wrap(const OpGraph& g, const QueryOptions& opt) {
  IntervalAnalysis analysis(g.name, opt);
  std::vector<StepReport> reports;
  for (const OpNode& n : g.nodes) {
    StepReport r = analysis.add(n);
    if (n.kind != OpNode::Kind::input) reports.push_back(std::move(r));
  }
  return reports;
}

std::vector<OpGraph> builtin_op_graphs() {
  std::vector<OpGraph> gs;
  // MF2 update z' = z - h v + (h^2/2) abar, h = 1 (one step), z the clipped noise range [-4, 4).
  for (int w : {8, 12, 16}) {
    OpGraph g;
    g.name = fmt::format("mf2_update_q{}", w);
    Format fz(w, w - 4), fv(w, w - 4), fa(w, w - 5);
    g.nodes.push_back({"z", OpNode::Kind::input, fz, fz.min_raw(), fz.max_raw(), {}, 0, 0, 0});
    g.nodes.push_back({"v", OpNode::Kind::input, fv, fv.min_raw(), fv.max_raw(), {}, 0, 0, 0});
    g.nodes.push_back({"abar", OpNode::Kind::input, fa, fa.min_raw(), fa.max_raw(), {}, 0, 0, 0});
    OpNode u{"z_next", OpNode::Kind::linear, fz, 0, 0, {{"z", "", 1, 0}, {"v", "", -1, 0}, {"abar", "", 1, 1}}, 0, 0, w + 3};
    g.nodes.push_back(u);
    gs.push_back(g);
  }
  // A 4-input dense unit with a bias, then a product of two such units (attention-score-like),
  // 8-bit activations and weights; declared accumulators as an implementation would size them.
  {
    OpGraph g;
    g.name = "dense_product_q8";
    Format fx(8, 5);
    for (int i = 0; i < 4; ++i)
      g.nodes.push_back({fmt::format("x{}", i), OpNode::Kind::input, fx, -96, 95, {}, 0, 0, 0});  // clipped to [-3, 3)
    g.nodes.push_back({"h0", OpNode::Kind::linear, fx, 0, 0,
                       {{"x0", "", 45, 6}, {"x1", "", -101, 6}, {"x2", "", 17, 6}, {"x3", "", 127, 6}}, 3, 4, 18});
    g.nodes.push_back({"h1", OpNode::Kind::linear, fx, 0, 0,
                       {{"x0", "", -64, 6}, {"x1", "", 33, 6}, {"x2", "", 90, 6}, {"x3", "", -7, 6}}, -1, 3, 18});
    g.nodes.push_back({"s", OpNode::Kind::product, Format(10, 5), 0, 0, {{"h0", "h1"}, {"x0", "x1"}}, 0, 0, 18});
    gs.push_back(g);
  }
  return gs;
}

}  // namespace tc0::proofs
