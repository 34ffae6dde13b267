#include "tools/users/embed_users.h"

#include <cmath>
#include <iostream>
#include <unordered_map>

#include "common/command.h"
#include "common/input_files.h"
#include "common/word2vec_format.h"
#include "model/model_loader.h"
#include "model/user_records.h"
#include "model/user_vector.h"
#include "tools/users/embed_users_options.h"

namespace item2vec {
namespace {

// The users' vectors, one per user in order of first appearance: a user with several
// records (prep --holdout last:N writes N, each history extending the one before) keeps
// the vector of its record with the longest history (the later one on a tie).
class UserTable {
 public:
  explicit UserTable(int dim) : dim_(static_cast<std::size_t>(dim)) {}
  // Where to write the vector of `user` whose history has `length` items, or nullptr when
  // the user already has one from a longer history.
  float* Slot(std::string_view user, std::size_t length) {
    auto [it, fresh] = slot_of_.try_emplace(std::string(user), names_.size());
    if (fresh) {
      names_.push_back(it->first);
      lengths_.push_back(length);
      vectors_.resize(vectors_.size() + dim_);
    } else {
      ++repeated_;
      if (length < lengths_[it->second]) return nullptr;
      lengths_[it->second] = length;
    }
    return vectors_.data() + it->second * dim_;
  }
  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t u) const { return names_[u]; }
  const float* vector(std::size_t u) const { return vectors_.data() + u * dim_; }
  std::int64_t repeated() const { return repeated_; }

 private:
  std::size_t dim_;
  std::unordered_map<std::string, std::size_t> slot_of_;
  std::vector<std::string> names_;
  std::vector<std::size_t> lengths_;
  std::vector<float> vectors_;
  std::int64_t repeated_ = 0;  // records of users seen before
};

// Every user's vector from the records of `files` (one per user, UserTable); counts the
// records read and those skipped for having no item in the model.
Status EmbedAll(const LoadedModel& model, std::vector<InputFile> files, const UserVectorOptions& vector_options,
                UserTable* users, std::int64_t* records, std::int64_t* skipped) {
  std::vector<std::int64_t> rows;
  std::vector<double> sum(static_cast<std::size_t>(model.matrix.dim()));
  UserRecordReader reader(std::move(files), UserRecordReader::Kind::kEither);
  UserRecord record;
  while (reader.Next(&record)) {
    ++*records;
    rows.clear();
    std::size_t length = 0;
    ForEachHistoryItem(record.history, reader.kind() == UserRecordReader::Kind::kSequences, [&](std::string_view item) {
      ++length;
      if (const std::int64_t r = model.index.Find(item); r >= 0) rows.push_back(r);
    });
    if (rows.empty()) {
      ++*skipped;
      continue;
    }
    if (float* out = users->Slot(record.user, length))
      UserVector(model.matrix, rows.data(), rows.size(), vector_options, sum.data(), out);
  }
  return reader.status().WithContext("--sequences");
}

Status EmbedUsers(const EmbedUsersOptions& o) {
  if (o.last < 0) return Status::InvalidArgument("--last must be 0 (all) or positive");
  if (o.half_life < 0 || !std::isfinite(o.half_life)) return Status::InvalidArgument("--half-life must be >= 0");
  Result<std::vector<InputFile>> files = ListInputFiles(o.inputs, "--sequences");
  if (!files.ok()) return files.status();
  Result<ModelPaths> paths = ResolveModel(o.model, VectorFormat::kAuto);
  if (!paths.ok()) return paths.status();
  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths);
  if (!loaded.ok()) return loaded.status();
  const int d = (*loaded)->matrix.dim();
  // Users are few next to their events: their vectors are kept until the end (the header
  // needs the count).
  UserTable users(d);
  UserVectorOptions vector_options;
  vector_options.last = o.last;
  vector_options.half_life = o.half_life;
  std::int64_t records = 0, skipped = 0;
  ITEM2VEC_RETURN_IF_ERROR(EmbedAll(**loaded, std::move(files.value()), vector_options, &users, &records, &skipped));
  if (users.size() == 0)
    return Status::DataError("--sequences: none of the " + std::to_string(records) + " user record(s) has an "
                             "item the model knows, so there is no user vector to write (is it the model "
                             "trained on these users' items?); nothing written");
  Word2VecWriter writer;
  ITEM2VEC_RETURN_IF_ERROR(writer.Open(o.output, "", static_cast<std::int64_t>(users.size()), d));
  for (std::size_t u = 0; u < users.size(); ++u) writer.Add(users.name(u), users.vector(u));
  ITEM2VEC_RETURN_IF_ERROR(writer.Commit());
  std::cerr << "item2vec embed-users: " << users.size() << " users written to " << o.output << ", " << skipped
            << " record(s) skipped (no item in the model)";
  if (users.repeated() > 0)
    std::cerr << ", " << users.repeated() << " more record(s) of users already seen (one vector per user: from "
              << "the record with the longest history)";
  std::cerr << "\n";
  return Status::Ok();
}

}  // namespace

int RunEmbedUsersCommand(const std::vector<std::string>& args) {
  return RunTableCommand(EmbedUsersCommand, EmbedUsers, args);
}

}  // namespace item2vec
