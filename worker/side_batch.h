// SideBatchMixer: EGES on a pulled Batch: before the SGNS kernel every input item with side
// information gets its weighted mean H in its id row's slot (worker/side_mix.h); after it, the
// kernel's change of H goes back to the id row, the attribute-value rows and the weight row.
//
// Contract: Compose(batch) saves each side item's id row and H, then writes H over the id
// row; the kernel then trains H as the item's input vector for the whole batch (as it trains
// any input row: every pair of the batch that uses the item moves it). Expand(batch) takes
// dH = (row after the kernel) - H and applies worker/side_mix.h's steps: the id row becomes
// W_id + s_0 dH, every value row gets (s/m) dH (summed over the batch's items that share it),
// the weight row its logit steps, computed from the value rows as pulled. After Expand the
// batch's rows are ordinary parameter rows again, so pushes, CarryDeltas and the hot-row cache
// see plain row changes. Output rows are per item and untouched.
// Attribute dropout (--side-info-dropout P): an item of a batch is, with probability P (a hash
// of seed, batch id and item), composed without its own row, as a cold item is (the id row
// then gets no step). Its attribute mean is thus trained to stand for the item on its own,
// which is what a cold item's vector is (a DropoutNet-style regulariser, Volkovs et al. 2017). Without side items both are
// no-ops. Scratch grows to the largest batch, then the steady state allocates nothing. Not
// thread-safe: one per worker.
#pragma once

#include <cstdint>
#include <vector>

#include "common/side_layout.h"
#include "worker/batch.h"

namespace item2vec {

class SideBatchMixer {
 public:
  // dropout: the share of (batch, item) draws trained as if the item were cold (its H from its
  // attributes only, its own row left out); seed makes the draws repeatable.
  SideBatchMixer(const SideLayout* side, int dim, double dropout = 0, std::uint64_t seed = 0)
      : side_(side), dim_(dim), dropout_(dropout), seed_(seed) {}
  bool enabled() const { return side_ != nullptr && side_->enabled(); }
  void Compose(Batch* batch);
  void Expand(Batch* batch);

 private:
  bool Dropped(const Batch& b, ItemId item) const;
  const SideLayout* side_;
  int dim_;
  double dropout_;
  std::uint64_t seed_;
  std::vector<float> id_rows_, h_, s_, e_, logit_step_;  // per side item: dim, dim, 1 + parts
  std::vector<char> dropped_;                            // per side item: trained as cold
};

}  // namespace item2vec
