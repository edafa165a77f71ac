#include "proofs/interval.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "proofs/fixed_spec.hpp"

namespace tc0::proofs {

using numerics::Format;

namespace {

struct Range {
  BigInt lo, hi;
  int frac;  // values are integers * 2^-frac
};

BigInt shl(const BigInt& v, int k) { return k >= 0 ? BigInt(v << k) : throw std::logic_error("shl"); }

// The rounded, saturated raw value of the exact integer v * 2^-frac in out (numerics' rounding).
BigInt round_raw(const BigInt& v, int frac, Format out) { return BigInt(numerics::round_to_format(v, frac, out)); }

const OpNode& find(const std::map<std::string, size_t>& index, const OpGraph& g, const std::string& name,
                   const std::string& user) {
  auto it = index.find(name);
  if (it == index.end())
    throw std::invalid_argument(fmt::format("op graph '{}': node '{}' uses '{}', which is not defined before it", g.name,
                                            user, name));
  return g.nodes[it->second];
}

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
          if (n.kind == OpNode::Kind::linear) {
            t.a = jt.at("x").get<std::string>();
            t.num = jt.at("coef").at(0).get<int64_t>();
            t.frac = jt.at("coef").at(1).get<int>();
          } else {
            t.a = jt.at("a").get<std::string>();
            t.b = jt.at("b").get<std::string>();
          }
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

std::vector<StepReport> check_no_wrap(const OpGraph& g, const QueryOptions& opt) {
  std::map<std::string, size_t> index;
  std::map<std::string, Range> out_range;  // raw output interval of every node (frac = fmt.frac)
  std::vector<StepReport> reports;
  for (size_t ni = 0; ni < g.nodes.size(); ++ni) {
    const OpNode& n = g.nodes[ni];
    if (index.count(n.name)) throw std::invalid_argument(fmt::format("op graph '{}': node '{}' defined twice", g.name, n.name));
    if (n.kind == OpNode::Kind::input) {
      out_range[n.name] = {n.lo, n.hi, n.fmt.frac()};
      index[n.name] = ni;
      continue;
    }
    if (n.terms.empty()) throw std::invalid_argument(fmt::format("op graph '{}': node '{}' has no terms", g.name, n.name));
    // Accumulator grid.
    int F = n.kind == OpNode::Kind::linear ? n.k_frac : 0;
    for (const OpTerm& t : n.terms) {
      const OpNode& a = find(index, g, t.a, n.name);
      int f = n.kind == OpNode::Kind::linear ? t.frac + a.fmt.frac() : a.fmt.frac() + find(index, g, t.b, n.name).fmt.frac();
      F = std::max(F, f);
    }
    // Interval propagation (exact integers on grid F) and the same accumulator as bit-vectors.
    z3::context c;
    std::map<std::string, z3::expr> vars;
    std::vector<z3::expr> domain;
    auto var = [&](const std::string& name) {
      auto it = vars.find(name);
      if (it != vars.end()) return it->second;
      const OpNode& a = g.nodes[index.at(name)];
      z3::expr v = c.bv_const(name.c_str(), unsigned(a.fmt.width()));
      const Range& r = out_range.at(name);
      domain.push_back(z3::sge(v, bv_num(c, r.lo, unsigned(a.fmt.width()))));
      domain.push_back(z3::sle(v, bv_num(c, r.hi, unsigned(a.fmt.width()))));
      vars.emplace(name, v);
      return v;
    };
    BigInt lo = 0, hi = 0;
    ExactBV acc = exact_const(c, 0, 0);
    if (n.kind == OpNode::Kind::linear && n.k_num != 0) {
      lo = hi = shl(n.k_num, F - n.k_frac);
      acc = exact_const(c, n.k_num, n.k_frac);
    }
    for (const OpTerm& t : n.terms) {
      const OpNode& a = g.nodes[index.at(t.a)];
      const Range& ra = out_range.at(t.a);
      if (n.kind == OpNode::Kind::linear) {
        BigInt c1 = shl(t.num, F - t.frac - a.fmt.frac());
        BigInt p = c1 * ra.lo, q = c1 * ra.hi;
        lo += std::min(p, q);
        hi += std::max(p, q);
        acc = exact_add(acc, exact_mul_const(exact_raw(var(t.a), a.fmt), t.num, t.frac));
      } else {
        const OpNode& b = g.nodes[index.at(t.b)];
        const Range& rb = out_range.at(t.b);
        int sh = F - a.fmt.frac() - b.fmt.frac();
        BigInt corners[4] = {ra.lo * rb.lo, ra.lo * rb.hi, ra.hi * rb.lo, ra.hi * rb.hi};
        BigInt mn = corners[0], mx = corners[0];
        for (auto& v : corners) {
          mn = std::min(mn, v);
          mx = std::max(mx, v);
        }
        lo += shl(mn, sh);
        hi += shl(mx, sh);
        acc = exact_add(acc, exact_mul(exact_raw(var(t.a), a.fmt), exact_raw(var(t.b), b.fmt)));
      }
    }
    StepReport rep;
    rep.node = n.name;
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
    // The solver's check of this step: the accumulator on grid F as a wide bit-vector.
    ExactBV a = align(acc, F);
    unsigned w = std::max<unsigned>(a.width(), unsigned(rep.needed_bits) + 1);
    z3::expr A = sext_to(a.bits, w);
    z3::expr bad = z3::slt(A, bv_num(c, lo, w)) || z3::sgt(A, bv_num(c, hi, w));
    if (n.acc_bits > 0 && unsigned(n.acc_bits) < w)
      bad = bad || sext_to(A.extract(unsigned(n.acc_bits) - 1, 0), w) != A;  // wraps in acc_bits
    z3::expr o = round_to_format(acc, n.fmt);
    unsigned ow = unsigned(n.fmt.width());
    bad = bad || z3::slt(o, bv_num(c, rep.out_lo, ow)) || z3::sgt(o, bv_num(c, rep.out_hi, ow));
    std::vector<z3::expr> q = domain;
    q.push_back(bad);
    SolverOutcome so = check(c, q, opt, fmt::format("nowrap.{}.{}", g.name, n.name));
    rep.seconds = so.seconds;
    if (so.status == z3::unsat) {
      rep.verdict = n.acc_bits > 0 && rep.needed_bits > n.acc_bits ? Verdict::refuted : Verdict::proved;
      if (rep.verdict == Verdict::refuted)
        rep.detail = fmt::format("needs {} bits, declared {}", rep.needed_bits, n.acc_bits);
    } else if (so.status == z3::sat) {
      // Interval arithmetic is sound, so a model here means a declared width is too small (or a bug).
      rep.verdict = rep.needed_bits > n.acc_bits && n.acc_bits > 0 ? Verdict::refuted : Verdict::inconclusive;
      rep.detail = rep.verdict == Verdict::refuted
                       ? fmt::format("accumulator wraps in {} bits (needs {})", n.acc_bits, rep.needed_bits)
                       : "solver found a value outside the computed interval: analysis bug";
    } else {
      rep.detail = "solver: " + so.reason;
    }
    out_range[n.name] = {rep.out_lo, rep.out_hi, n.fmt.frac()};
    index[n.name] = ni;
    reports.push_back(rep);
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
