#pragma once
// Exact attention Att(Q,K,V) = D^-1 A V, A = exp(Q K^T / d), D = diag(A 1) (SPEC 4), the reference
// for the polynomial method. d is the number of columns of Q. Each row subtracts its largest score
// before exp: the same value in exact arithmetic, and no overflow for large scores. O(n m d).
#include <algorithm>
#include <cmath>

#include "sampler/attention/matrix.hpp"

namespace tc0::sampler::attention {

// Row i of Att(Q,K,V) written to out[0 .. dv); `scores` is scratch of length m.
template <class S>
void attention_exact_row(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v, std::size_t i, S* out,
                         std::vector<S>& scores) {
  using std::exp;
  const std::size_t m = k.rows, d = q.cols, dv = v.cols;
  const S inv_d = S(1) / S(static_cast<double>(d));
  scores.resize(m);
  const S* qi = q.row(i);
  S top = S(0);
  for (std::size_t j = 0; j < m; ++j) {
    const S* kj = k.row(j);
    S dot = S(0);
    for (std::size_t c = 0; c < d; ++c) dot += qi[c] * kj[c];
    scores[j] = dot * inv_d;
    if (j == 0 || scores[j] > top) top = scores[j];
  }
  S den = S(0);
  for (std::size_t c = 0; c < dv; ++c) out[c] = S(0);
  for (std::size_t j = 0; j < m; ++j) {
    S a = exp(scores[j] - top);
    den += a;
    const S* vj = v.row(j);
    for (std::size_t c = 0; c < dv; ++c) out[c] += a * vj[c];
  }
  for (std::size_t c = 0; c < dv; ++c) out[c] /= den;
}

template <class S>
Matrix<S> attention_exact(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v) {
  check_attention_shapes(q, k, v, "exact attention");
  Matrix<S> out(q.rows, v.cols);
  std::vector<S> scores;
  for (std::size_t i = 0; i < q.rows; ++i) attention_exact_row(q, k, v, i, out.row(i), scores);
  return out;
}

}  // namespace tc0::sampler::attention

namespace tc0::sampler::attention {

// sqrt(d) Q: a model's softmax(Q K^T / sqrt(d)) equals exp((sqrt(d) Q) K^T / d) normalised (SPEC 4:
// "matched by scaling Q first"); B then bounds the entries of sqrt(d) Q and of K.
template <class S>
Matrix<S> scale_for_softmax(const Matrix<S>& q) {
  using std::sqrt;
  Matrix<S> out = q;
  const S c = sqrt(S(static_cast<double>(q.cols)));
  for (auto& x : out.data) x *= c;
  return out;
}

// softmax(Q K^T / sqrt(d)) V, the attention of a transformer head.
template <class S>
Matrix<S> softmax_attention_exact(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v) {
  return attention_exact(scale_for_softmax(q), k, v);
}

}  // namespace tc0::sampler::attention
