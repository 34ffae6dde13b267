// EGES's weighted mean (Wang et al., KDD'18): an item's input vector from its own (id) row and
// its attribute rows, with per-item learned weights; and the gradients back to each of them.
//
// Contract (one entity, common/side_layout.h's parts): with logits a (the item's weight row),
// part p of column c_p holding m_p values, E_p = the mean of its value rows,
//   s = softmax of (a_0 if there is an id row, a_{1+c_p} for every part p),
//   H = s_0 W_id + sum_p s_{1+p} E_p.
// SideMixForward writes s (s[0] for the id, s[1 + p] for part p) and H. A cold item has no id
// row (id_row == nullptr): its softmax runs over its parts only.
// For a change dH of H (the SGD step the SGNS kernel applied to H, i.e. -lr dL/dH) the matching
// steps of the parameters are, by the chain rule:
//   W_id += s_0 dH;  every value row of part p += (s_{1+p} / m_p) dH;
//   a_0 += s_0 (W_id - H) . dH;  a_{1+c_p} += s_{1+p} (E_p - H) . dH.
// SideMixLogitSteps computes the logit steps (from the rows as they were at the forward pass);
// the row steps are plain axpys the caller applies (SideMixValueScale gives each part's factor).
// Tested against double-precision numerical gradients (tests/worker/side_mix_test.cc). Pure
// functions on caller-owned buffers: no allocation; `value_row(k)` returns the row of the
// entity's local value k. s holds 1 + parts floats; the logit row at least 1 + columns.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/side_layout.h"

namespace item2vec {

template <class ValueRow>
void SideMixForward(const float* id_row, const float* logits, const SidePart* parts, std::uint32_t n_parts,
                    ValueRow value_row, int dim, float* s, float* h) {
  float top = id_row != nullptr ? logits[0] : -INFINITY;
  for (std::uint32_t p = 0; p < n_parts; ++p) top = std::fmax(top, logits[1 + parts[p].column]);
  float sum = 0;
  s[0] = id_row != nullptr ? std::exp(logits[0] - top) : 0.0f;
  sum += s[0];
  for (std::uint32_t p = 0; p < n_parts; ++p) sum += s[1 + p] = std::exp(logits[1 + parts[p].column] - top);
  const float inv = 1.0f / sum;
  for (std::uint32_t p = 0; p <= n_parts; ++p) s[p] *= inv;
  for (int i = 0; i < dim; ++i) h[i] = id_row != nullptr ? s[0] * id_row[i] : 0.0f;
  for (std::uint32_t p = 0; p < n_parts; ++p) {
    const float w = s[1 + p] / static_cast<float>(parts[p].end - parts[p].begin);
    for (std::uint32_t k = parts[p].begin; k < parts[p].end; ++k) {
      const float* v = value_row(k);
      for (int i = 0; i < dim; ++i) h[i] += w * v[i];
    }
  }
}

// Part p's factor: each of its value rows moves by this times dH.
inline float SideMixValueScale(const SidePart& part, const float* s, std::uint32_t p) {
  return s[1 + p] / static_cast<float>(part.end - part.begin);
}

// Adds the logit steps into logit_step (1 + columns floats). `e` is dim floats of scratch.
template <class ValueRow>
void SideMixLogitSteps(const float* id_row, const SidePart* parts, std::uint32_t n_parts, ValueRow value_row, int dim,
                       const float* s, const float* h, const float* dh, float* e, float* logit_step) {
  if (id_row != nullptr) {
    float dot = 0;
    for (int i = 0; i < dim; ++i) dot += (id_row[i] - h[i]) * dh[i];
    logit_step[0] += s[0] * dot;
  }
  for (std::uint32_t p = 0; p < n_parts; ++p) {
    for (int i = 0; i < dim; ++i) e[i] = 0;
    const float inv = 1.0f / static_cast<float>(parts[p].end - parts[p].begin);
    for (std::uint32_t k = parts[p].begin; k < parts[p].end; ++k) {
      const float* v = value_row(k);
      for (int i = 0; i < dim; ++i) e[i] += inv * v[i];
    }
    float dot = 0;
    for (int i = 0; i < dim; ++i) dot += (e[i] - h[i]) * dh[i];
    logit_step[1 + parts[p].column] += s[1 + p] * dot;
  }
}

}  // namespace item2vec
