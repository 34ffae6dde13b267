#include "worker/side_batch.h"

#include <algorithm>
#include <cstring>

#include "common/random.h"
#include "worker/side_mix.h"

namespace item2vec {

bool SideBatchMixer::Dropped(const Batch& b, ItemId item) const {
  if (dropout_ <= 0) return false;
  const std::uint64_t h = SeedFor(seed_, b.id, item);
  return static_cast<double>(h >> 11) * 0x1.0p-53 < dropout_;
}

void SideBatchMixer::Compose(Batch* b) {
  if (!enabled() || b->side_items.empty()) return;
  const std::size_t d = static_cast<std::size_t>(dim_), n = b->side_items.size();
  const std::size_t stride = side_->num_columns() + 1;
  if (id_rows_.size() < n * d) {
    id_rows_.resize(n * d);
    h_.resize(n * d);
  }
  if (s_.size() < n * stride) s_.resize(n * stride);
  dropped_.resize(n);
  float* const rows = b->rows.data();
  for (std::size_t i = 0; i < n; ++i) {
    const Batch::SideItem& it = b->side_items[i];
    float* id = rows + it.id_slot * d;
    std::memcpy(id_rows_.data() + i * d, id, d * sizeof(float));
    const std::uint32_t* slots = b->side_value_slots.data() + it.values_begin;
    dropped_[i] = Dropped(*b, it.item);
    SideMixForward(dropped_[i] ? nullptr : id_rows_.data() + i * d, rows + it.weight_slot * d, side_->Parts(it.item),
                   side_->NumParts(it.item), [&](std::uint32_t k) { return rows + slots[k] * d; }, dim_,
                   s_.data() + i * stride, h_.data() + i * d);
    std::memcpy(id, h_.data() + i * d, d * sizeof(float));
  }
}

void SideBatchMixer::Expand(Batch* b) {
  if (!enabled() || b->side_items.empty()) return;
  const std::size_t d = static_cast<std::size_t>(dim_), n = b->side_items.size();
  const std::size_t stride = side_->num_columns() + 1;
  if (e_.size() < d) e_.resize(d);
  if (logit_step_.size() < stride) logit_step_.resize(stride);
  float* const rows = b->rows.data();
  // First every logit step and id row, from the value rows as pulled; h_ becomes dH.
  for (std::size_t i = 0; i < n; ++i) {
    const Batch::SideItem& it = b->side_items[i];
    float* id = rows + it.id_slot * d;
    float* h = h_.data() + i * d;
    const float* w_id = id_rows_.data() + i * d;
    const float* s = s_.data() + i * stride;
    for (std::size_t k = 0; k < d; ++k) id[k] -= h[k];  // id now holds dH
    const std::uint32_t* slots = b->side_value_slots.data() + it.values_begin;
    std::fill(logit_step_.begin(), logit_step_.end(), 0.0f);
    SideMixLogitSteps(dropped_[i] ? nullptr : w_id, side_->Parts(it.item), side_->NumParts(it.item),
                      [&](std::uint32_t k) { return rows + slots[k] * d; }, dim_, s, h, id, e_.data(),
                      logit_step_.data());
    float* weights = rows + it.weight_slot * d;
    for (std::size_t c = 0; c < stride; ++c) weights[c] += logit_step_[c];
    for (std::size_t k = 0; k < d; ++k) {
      h[k] = id[k];
      id[k] = w_id[k] + s[0] * h[k];  // s[0] = 0 for a dropped item: its own row stays
    }
  }
  // Then the value rows, which several items may share.
  for (std::size_t i = 0; i < n; ++i) {
    const Batch::SideItem& it = b->side_items[i];
    const float* dh = h_.data() + i * d;
    const float* s = s_.data() + i * stride;
    const SidePart* parts = side_->Parts(it.item);
    const std::uint32_t* slots = b->side_value_slots.data() + it.values_begin;
    for (std::uint32_t p = 0; p < side_->NumParts(it.item); ++p) {
      const float scale = SideMixValueScale(parts[p], s, p);
      for (std::uint32_t k = parts[p].begin; k < parts[p].end; ++k) {
        float* v = rows + slots[k] * d;
        for (std::size_t j = 0; j < d; ++j) v[j] += scale * dh[j];
      }
    }
  }
}

}  // namespace item2vec
