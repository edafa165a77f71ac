#include "sampler/arith_double.hpp"

#include <fmt/format.h>

namespace tc0::sampler {

double DoubleArith::unary(UnaryFn fn, double x, Format) const {
  switch (fn) {
    case UnaryFn::exp: return std::exp(x);
    case UnaryFn::exp2: return std::exp2(x);
    case UnaryFn::log: return std::log(x);
    case UnaryFn::reciprocal: return 1.0 / x;
    case UnaryFn::sqrt: return x < 0 ? 0.0 : std::sqrt(x);
    case UnaryFn::rsqrt: return 1.0 / std::sqrt(x);
    case UnaryFn::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case UnaryFn::tanh: return std::tanh(x);
    case UnaryFn::silu: return x / (1.0 + std::exp(-x));
    case UnaryFn::gelu_tanh: {
      const double k = std::sqrt(2.0 / M_PI);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    }
    case UnaryFn::gelu_erf: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  }
  throw std::invalid_argument(fmt::format("unary function {} not supported", static_cast<int>(fn)));
}

}  // namespace tc0::sampler
