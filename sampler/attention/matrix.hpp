#pragma once
// A dense row-major matrix over any scalar: the operand type of the attention functions.
// Rows are tokens, columns are features.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace tc0::sampler::attention {

template <class S>
struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<S> data;  // rows * cols, row-major

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c, const S& fill = S(0)) : rows(r), cols(c), data(r * c, fill) {}

  S& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
  const S& operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
  S* row(std::size_t i) { return data.data() + i * cols; }
  const S* row(std::size_t i) const { return data.data() + i * cols; }
};

// Checks the shapes of Att(Q, K, V): Q is n x d, K is m x d, V is m x dv, all non-empty.
template <class S>
void check_attention_shapes(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v, const char* who) {
  auto shape = [](const auto& m) { return std::to_string(m.rows) + "x" + std::to_string(m.cols); };
  if (q.rows == 0 || q.cols == 0 || k.rows == 0 || v.cols == 0)
    throw std::invalid_argument(std::string(who) + ": empty operand (Q " + shape(q) + ", K " + shape(k) + ", V " +
                                shape(v) + "); every matrix needs at least one row and column");
  if (k.cols != q.cols || v.rows != k.rows)
    throw std::invalid_argument(std::string(who) + ": shapes do not fit: Q " + shape(q) + ", K " + shape(k) +
                                ", V " + shape(v) + "; need Q n x d, K m x d, V m x dv");
  if (q.data.size() != q.rows * q.cols || k.data.size() != k.rows * k.cols || v.data.size() != v.rows * v.cols)
    throw std::invalid_argument(std::string(who) + ": a matrix's data size does not match its rows x cols");
}

}  // namespace tc0::sampler::attention
