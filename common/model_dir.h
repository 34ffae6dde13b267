// ModelDir: the model files of an output directory, replaced as one unit.
//
// Layout of an output directory DIR:
//   DIR/model.N/          one complete model (vectors.txt, vectors.bin, output_vectors.i2v,
//                         vocab.tsv, train.json), N = 1, 2, ... never reused by a run
//   DIR/model -> model.N  the published model: a relative symlink, switched by rename()
//   DIR/vectors.txt -> model/vectors.txt, and the same for every file of kModelFiles:
//                         fixed links, so DIR/vectors.bin etc. keep working for any reader
// A run writes every file into a fresh DIR/model.N (StageModel, which marks it with the
// empty file kStagedMarker) and publishes it with one rename of a new link over DIR/model
// (PublishModel), so a crash or a full disk at any point leaves the previous model whole:
// readers see the old model or the new one, never a mix. A reader that opens several files
// resolves DIR/model once (ResolveModelDir) and reads them all from that directory.
// Only what train provably wrote is ever removed: RemoveModelDebris deletes what a killed
// run left, the unpublished model.N directories that hold the marker and the temporaries
// NAME.tmp.PID of the names train writes in DIR (model, the fixed links, job_result);
// anything else (a model.2023/ of the user's, report.tmp.123) is left alone. Call it only
// while holding the OutputLock. CheckOutputNamesAreOurs refuses, before a run, a DIR whose
// names train writes hold something else (a plain file or a directory named model, a link
// elsewhere, a job_result of another tool): train would replace it. A directory of the older flat layout (regular files in DIR) is adopted on
// the first publish: its files are hard-linked into DIR/model.0, which becomes the
// published model, before they are replaced by the links, so that step is atomic too.
// Not thread-safe; rank 0 only.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace item2vec {

inline constexpr const char* kModelLink = "model";
inline constexpr const char* kStagedMarker = ".item2vec-model";  // in every model.N train made
inline constexpr const char* kReportLink = "report.html";        // DIR/report.html -> model/report.html
// The files of one model, in the order the stable links are made.
const std::vector<std::string>& ModelFiles();

// Removes unpublished DIR/model.N directories holding kStagedMarker and the temporaries
// of train's own names; returns how many entries it removed (for the log) or the first
// error.
Result<int> RemoveModelDebris(const std::string& dir);

// OK when every name train writes in DIR is absent or holds what train writes there:
// model a link to a model.N, the fixed links links to model/NAME (or a flat model's
// regular files, which are adopted), job_result a job result. Else kInvalidArgument
// naming the path.
Status CheckOutputNamesAreOurs(const std::string& dir);

// Creates DIR/model.N with N one above every model.* present, and returns its path.
Result<std::string> StageModel(const std::string& dir);

// Makes `staged` (from StageModel) the published model of DIR and removes the model it
// replaced. On error the previous model is still the published one.
Status PublishModel(const std::string& dir, const std::string& staged);

// Removes a staged directory after a failed write (best effort).
void DiscardStagedModel(const std::string& staged);

// Makes DIR/NAME a link to model/NAME (one rename of a new link), for a file added to the
// published model after its switch (the run report, report.html). Refuses (kInvalidArgument)
// to replace a DIR/NAME that is anything but that link: item2vec did not write it.
Status LinkPublishedFile(const std::string& dir, const std::string& name);

// The directory to read a model's files from: DIR/model resolved when DIR has that link,
// else DIR itself (a flat model directory, or one written by another tool).
std::string ResolveModelDir(const std::string& dir);

}  // namespace item2vec
