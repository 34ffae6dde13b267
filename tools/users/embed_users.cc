#include "tools/users/embed_users.h"

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "common/command_line.h"
#include "common/word2vec_format.h"
#include "tools/eval/model_loader.h"
#include "tools/eval/user_vector.h"

namespace po = boost::program_options;

namespace item2vec {

int RunEmbedUsersCommand(const std::vector<std::string>& args) {
  std::string model_path, input, output;
  int last = 0;
  double half_life = 0;
  po::options_description desc("item2vec embed-users options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("model,m", po::value(&model_path), "model directory or vectors file (required)")
      ("sequences", po::value(&input),
       "test.tsv written by item2vec prep (user<TAB>next<TAB>history: the history is embedded) or a "
       "sequence file (one user per line, items separated by spaces; the user is the line number) (required)")
      ("output,o", po::value(&output), "users file to write, word2vec text format (required)")
      ("last", po::value(&last)->default_value(0), "use only the last K known items of each user (0 = all)")
      ("half-life", po::value(&half_life)->default_value(0),
       "weigh the item N places before the last by 0.5^(N/half-life) (0 = equal weights)");
  const auto fail = [](const Status& st) {
    std::cerr << "item2vec embed-users: " << st.ToString() << "\n";
    return ExitCodeOf(st);
  };
  bool help = false;
  if (Status st = ParseCommandOptions(desc, args, "embed-users", &help); !st.ok()) return fail(st);
  if (help) {
    std::cout << "Usage: item2vec embed-users --model DIR --sequences test.tsv --output users.vec [--last K] "
                 "[--half-life N]\n\nA user's vector is the mean of the unit-normalised vectors of their items.\n\n"
              << desc << "\n";
    return 0;
  }
  if (model_path.empty() || input.empty() || output.empty())
    return fail(Status::InvalidArgument("--model, --sequences and --output are required"));
  if (last < 0) return fail(Status::InvalidArgument("--last must be 0 (all) or positive"));
  if (half_life < 0 || !std::isfinite(half_life)) return fail(Status::InvalidArgument("--half-life must be >= 0"));
  std::ifstream in(input);
  if (!in) return fail(Status::NotFound("cannot open --sequences '" + input + "'"));
  Result<ModelPaths> paths = ResolveModel(model_path, VectorFormat::kAuto);
  if (!paths.ok()) return fail(paths.status());
  Result<std::unique_ptr<LoadedModel>> loaded = LoadModel(*paths);
  if (!loaded.ok()) return fail(loaded.status());
  const LoadedModel& model = **loaded;
  const int d = model.matrix.dim();

  // Two passes over the input would be needed to know the row count for the header; users
  // are few next to their events, so the vectors are kept until the end.
  std::vector<std::string> users;
  std::vector<float> vectors;
  std::vector<std::int64_t> rows;
  std::vector<double> sum(static_cast<std::size_t>(d));
  UserVectorOptions vector_options;
  vector_options.last = last;
  vector_options.half_life = half_life;
  std::string line, item;
  std::int64_t line_no = 0, skipped = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string user = std::to_string(line_no), history = line;
    const std::size_t t1 = line.find('\t');
    if (t1 != std::string::npos) {
      const std::size_t t2 = line.find('\t', t1 + 1);
      if (t2 == std::string::npos)
        return fail(Status::DataError(input + ":" + std::to_string(line_no) +
                                      ": a tab-separated line needs user<TAB>next<TAB>history"));
      user = line.substr(0, t1);
      history = line.substr(t2 + 1);
    }
    rows.clear();
    std::istringstream items(history);
    while (items >> item)
      if (const std::int64_t r = model.index.Find(item); r >= 0) rows.push_back(r);
    if (rows.empty()) {
      ++skipped;
      continue;
    }
    users.push_back(user);
    vectors.resize(vectors.size() + static_cast<std::size_t>(d));
    UserVector(model.matrix, rows.data(), rows.size(), vector_options, sum.data(),
               vectors.data() + vectors.size() - static_cast<std::size_t>(d));
  }
  if (in.bad()) return fail(Status::IOError("reading --sequences '" + input + "' failed"));
  Word2VecWriter writer;
  if (Status st = writer.Open(output, "", static_cast<std::int64_t>(users.size()), d); !st.ok()) return fail(st);
  for (std::size_t u = 0; u < users.size(); ++u) writer.Add(users[u], vectors.data() + u * static_cast<std::size_t>(d));
  if (Status st = writer.Commit(); !st.ok()) return fail(st);
  std::cerr << "item2vec embed-users: " << users.size() << " users written to " << output << ", " << skipped
            << " skipped (no item in the model)\n";
  return 0;
}

}  // namespace item2vec
