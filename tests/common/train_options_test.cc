// Tests of common/train_options.h: word2vec.c defaults, INI + command line precedence,
// and validation of values and rank layouts.
#include "common/train_options.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace item2vec {
namespace {

using testing::TempDir;
using testing::WriteFile;

Status Parse(const std::vector<std::string>& args, TrainOptions* o) {
  bool help = false;
  const Status st = ParseTrainOptions(args, o, &help);
  EXPECT_FALSE(help);
  return st;
}

// Writes an INI file `name` of `text` in dir and returns its path.
std::string WriteIni(const TempDir& dir, const std::string& name, const std::string& text) {
  WriteFile(dir.File(name), text);
  return dir.File(name);
}

// Options parsed from `--input x --output y` and `args`, which must parse.
TrainOptions Parsed(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--input", "x", "--output", "y"};
  all.insert(all.end(), args.begin(), args.end());
  TrainOptions o;
  const Status st = Parse(all, &o);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return o;
}

// An unknown value of an enumerated option is refused, naming the value after `must` ("--kernel
// must be shared, pair or hogbatch"): bad_arg on the command line and, when given, bad_ini in the
// INI file `ini`, whose message starts with the file's name.
void ExpectUnknownValueRefused(const std::string& option, const std::string& must, const std::string& bad_arg,
                               const std::string& ini = "", const std::string& bad_ini = "") {
  TrainOptions o;
  Status st = Parse({"--input", "x", "--" + option, bad_arg}, &o);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), must + ", got '" + bad_arg + "'");
  if (ini.empty()) return;
  WriteFile(ini, option + " = " + bad_ini + "\n");
  st = Parse({"--input", "x", "--config", ini}, &o);
  EXPECT_EQ(st.message().rfind("config file '" + ini + "': " + must + ", got '" + bad_ini + "'", 0), 0u)
      << st.message();
}

TEST(TrainOptionsTest, DefaultsAreWord2VecC) {
  TrainOptions o;
  ASSERT_TRUE(Parse({"--input", "corpus.txt", "--output", "out"}, &o).ok());
  EXPECT_EQ(o.input, std::vector<std::string>{"corpus.txt"});
  EXPECT_EQ(o.output, "out");
  EXPECT_EQ(o.dim, 100);          // -size 100
  EXPECT_EQ(o.window, 5);         // -window 5
  EXPECT_EQ(o.negative, 5);       // -negative 5
  EXPECT_DOUBLE_EQ(o.sample, 1e-3);
  EXPECT_EQ(o.min_count, 5);
  EXPECT_EQ(o.epochs, 5);         // -iter 5
  EXPECT_DOUBLE_EQ(o.alpha, 0.025);  // skip-gram's starting alpha
  EXPECT_DOUBLE_EQ(o.ns_exponent, 0.75);
  EXPECT_EQ(o.max_vocab, 0);
  EXPECT_EQ(o.max_sentence, 1000);  // MAX_SENTENCE_LENGTH
  EXPECT_FALSE(o.exact_sigmoid);
  EXPECT_FALSE(o.deterministic);
  // word2vec.c: if (alpha < starting_alpha * 0.0001) alpha = starting_alpha * 0.0001.
  EXPECT_DOUBLE_EQ(o.EffectiveMinAlpha(), 0.025 * 1e-4);
  o.min_alpha = 0.001;
  EXPECT_DOUBLE_EQ(o.EffectiveMinAlpha(), 0.001);
  EXPECT_TRUE(Validate(o, 0).ok());
}

// --wire-precision: bf16 unless --deterministic (fp32, byte-identical to earlier versions); an
// explicit value wins; a bad one is refused by Validate; --liveness-timeout is capped by
// --peer-timeout.
TEST(TrainOptionsTest, WirePrecisionAndLiveness) {
  TrainOptions o;
  ASSERT_TRUE(Parse({"--input", "c.txt", "--output", "out"}, &o).ok());
  EXPECT_EQ(o.Wire(), WirePrecision::kBf16);
  EXPECT_DOUBLE_EQ(o.LivenessTimeout(), 10);
  TrainOptions det;
  ASSERT_TRUE(Parse({"--input", "c.txt", "--output", "out", "--deterministic"}, &det).ok());
  EXPECT_EQ(det.Wire(), WirePrecision::kFp32);
  TrainOptions explicit_p;
  ASSERT_TRUE(Parse({"--input", "c.txt", "--output", "out", "--deterministic", "--wire-precision", "fp16",
                     "--peer-timeout", "3"},
                    &explicit_p)
                  .ok());
  EXPECT_EQ(explicit_p.Wire(), WirePrecision::kFp16);
  EXPECT_DOUBLE_EQ(explicit_p.LivenessTimeout(), 3);
  TrainOptions bad;
  const Status st = Parse({"--input", "c.txt", "--output", "out", "--wire-precision", "fp8"}, &bad);
  const Status vs = st.ok() ? Validate(bad, 0) : st;
  EXPECT_FALSE(vs.ok());
  EXPECT_NE(vs.ToString().find("--wire-precision must be fp32, bf16, fp16, int8, int4 or int4-int8"), std::string::npos)
      << vs.ToString();
}

TEST(TrainOptionsTest, CommandLineValuesAreParsed) {
  TrainOptions o;
  ASSERT_TRUE(Parse({"-i", "a.txt", "b_dir", "--input", "c.txt", "-o", "out", "--dim", "32", "--window=3",
                     "--negative", "10", "--sample", "0", "--min-count", "1", "--epochs", "2",
                     "--alpha", "0.05", "--min-alpha", "0.0001", "--ns-exponent", "-0.5", "--seed",
                     "18446744073709551615", "--exact-sigmoid", "--deterministic", "--servers", "3",
                     "--overlap", "false"},
                    &o)
                  .ok());
  EXPECT_EQ(o.input, (std::vector<std::string>{"a.txt", "b_dir", "c.txt"}));
  EXPECT_EQ(o.dim, 32);
  EXPECT_EQ(o.window, 3);
  EXPECT_EQ(o.negative, 10);
  EXPECT_EQ(o.sample, 0.0);
  EXPECT_EQ(o.min_count, 1);
  EXPECT_EQ(o.epochs, 2);
  EXPECT_DOUBLE_EQ(o.alpha, 0.05);
  EXPECT_DOUBLE_EQ(o.EffectiveMinAlpha(), 0.0001);
  EXPECT_DOUBLE_EQ(o.ns_exponent, -0.5);
  EXPECT_EQ(o.seed, 18446744073709551615ull);
  EXPECT_TRUE(o.exact_sigmoid);
  EXPECT_TRUE(o.deterministic);
  EXPECT_EQ(o.servers, 3);
  EXPECT_FALSE(o.overlap);
}

TEST(TrainOptionsTest, ConfigFileSetsValuesAndCommandLineWins) {
  TempDir dir;
  const std::string ini = WriteIni(dir, "train.ini",
                                   "# item2vec settings\n"
                                   "dim = 64\n"
                                   "window = 3\n"
                                   "sample = 0\n"
                                   "negative = 7\n"
                                   "output = from_ini\n"
                                   "exact-sigmoid = true\n");
  TrainOptions o;
  ASSERT_TRUE(Parse({"--input", "x", "--config", ini, "--window", "8", "--output", "from_cli"}, &o).ok());
  EXPECT_EQ(o.dim, 64);             // only in the file
  EXPECT_EQ(o.negative, 7);         // only in the file
  EXPECT_EQ(o.sample, 0.0);         // only in the file
  EXPECT_TRUE(o.exact_sigmoid);     // only in the file
  EXPECT_EQ(o.window, 8);           // both: the command line wins
  EXPECT_EQ(o.output, "from_cli");  // both: the command line wins
  EXPECT_EQ(o.epochs, 5);           // neither: default
}

TEST(TrainOptionsTest, ConfigFileErrors) {
  TempDir dir;
  const std::string ini = WriteIni(dir, "bad.ini", "dimension = 64\n");
  TrainOptions o;
  Status st = Parse({"--config", ini}, &o);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("config file '" + ini + "'"), std::string::npos) << st.message();

  WriteFile(ini, "dim = many\n");
  st = Parse({"--config", ini}, &o);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("config file '" + ini + "'"), std::string::npos) << st.message();

  TrainOptions o2;
  st = Parse({"--config", dir.File("missing.ini")}, &o2);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing.ini"), std::string::npos);
}

TEST(TrainOptionsTest, ResumeModes) {
  TrainOptions o = Parsed({});
  EXPECT_FALSE(o.resume);
  TrainOptions strict = Parsed({"--resume"});
  EXPECT_TRUE(strict.resume);
  EXPECT_FALSE(strict.resume_if_possible);
  TrainOptions lenient;
  ASSERT_TRUE(Parse({"--input", "x", "--resume=if-possible", "--output", "y"}, &lenient).ok());
  EXPECT_TRUE(lenient.resume);
  EXPECT_TRUE(lenient.resume_if_possible);
  TrainOptions bad;
  const Status st = Parse({"--input", "x", "--output", "y", "--resume=maybe"}, &bad);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("--resume=if-possible"), std::string::npos) << st.message();
}

TEST(TrainOptionsTest, UnknownOrBadOptionIsInvalidArgument) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--input", "x", "--bogus", "1"}, std::vector<std::string>{"--dimm", "3"},
        std::vector<std::string>{"--dim", "abc"}, std::vector<std::string>{"--window"},
        std::vector<std::string>{"--min-count", "1.5"}}) {
    TrainOptions o;
    const Status st = Parse(args, &o);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << args[args.size() > 2 ? 2 : 0] << ": " << st.ToString();
    EXPECT_FALSE(st.message().empty());
  }
}

// --kernel and --new-items are typed once, by the parser; train.json and checkpoint
// manifests keep spelling them as before (a resumed run compares settings by these names).
TEST(TrainOptionsTest, KernelAndNewItemsAreParsedIntoEnums) {
  TrainOptions o = Parsed({});
  EXPECT_EQ(o.kernel, KernelKind::kShared);
  EXPECT_EQ(o.new_items, NewItemInit::kRandom);

  TempDir dir;
  const std::string ini = WriteIni(dir, "train.ini", "new-items = cooccurrence\nkernel = pair\n");
  TrainOptions p = Parsed({"--kernel", "hogbatch", "--config", ini});
  EXPECT_EQ(p.kernel, KernelKind::kHogBatch);  // the command line wins
  EXPECT_EQ(p.new_items, NewItemInit::kCooccurrence);
  const std::string json = TrainOptionsToJson(p);
  EXPECT_NE(json.find("\"kernel\":\"hogbatch\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"new_items\":\"cooccurrence\""), std::string::npos) << json;
  bool found = false;
  for (const auto& [name, value] : ResumeSettings(p))
    if (name == "kernel") {
      found = true;
      EXPECT_EQ(value, "hogbatch");
    }
  EXPECT_TRUE(found);
  EXPECT_STREQ(KernelKindName(KernelKind::kPair), "pair");
  EXPECT_STREQ(KernelKindName(KernelKind::kShared), "shared");
  EXPECT_STREQ(KernelKindName(KernelKind::kHogBatch), "hogbatch");
  TrainOptions shared;
  ASSERT_TRUE(Parse({"--input", "x", "--kernel", "shared"}, &shared).ok());
  EXPECT_EQ(shared.kernel, KernelKind::kShared);
  EXPECT_STREQ(NewItemInitName(NewItemInit::kRandom), "random");

  ExpectUnknownValueRefused("kernel", "--kernel must be shared, pair or hogbatch", "fast", ini, "hog");
  ExpectUnknownValueRefused("new-items", "--new-items must be random or cooccurrence", "mean");
}

// The defaults are the fast path; --word2vec-exact and --model cbow turn the defaulted kernel,
// pool (and, for --word2vec-exact, init width) to word2vec.c's, and anything given explicitly
// stays as given, on the command line or in an INI file.
TEST(TrainOptionsTest, FastPathByDefaultWord2vecExactOnRequest) {
  TrainOptions d = Parsed({});
  EXPECT_EQ(d.kernel, KernelKind::kShared);
  EXPECT_EQ(d.negative_pool, 4096);
  EXPECT_EQ(d.init_width, 1.0);

  TrainOptions e = Parsed({"--word2vec-exact"});
  EXPECT_EQ(e.kernel, KernelKind::kPair);
  EXPECT_EQ(e.negative_pool, 0);
  EXPECT_EQ(e.init_width, 0.5);

  TrainOptions f = Parsed({"--word2vec-exact", "--negative-pool", "512"});
  EXPECT_EQ(f.kernel, KernelKind::kPair);
  EXPECT_EQ(f.negative_pool, 512);

  TempDir dir;
  const std::string ini = WriteIni(dir, "exact.ini", "word2vec-exact = true\ninit-width = 2\n");
  TrainOptions g = Parsed({"--config", ini});
  EXPECT_EQ(g.kernel, KernelKind::kPair);
  EXPECT_EQ(g.init_width, 2.0);

  TrainOptions c = Parsed({"--model", "cbow"});  // CBOW: own kernel, per-pair negatives, gensim's init width
  EXPECT_EQ(c.kernel, KernelKind::kPair);
  EXPECT_EQ(c.negative_pool, 0);
  EXPECT_TRUE(Validate(c, 2).ok()) << Validate(c, 2).ToString();
  TrainOptions ch = Parsed({"--model", "cbow", "--kernel", "hogbatch"});
  EXPECT_EQ(Validate(ch, 2).code(), Status::Code::kInvalidArgument);  // asked for explicitly: refused
  TrainOptions cs = Parsed({"--model", "cbow", "--kernel", "shared"});
  EXPECT_EQ(Validate(cs, 2).code(), Status::Code::kInvalidArgument);
}

// --window-mode and --model too: parsed once into enums, unknown values refused with the
// accepted ones; train.json and resume settings spell them as before; CBOW's per-model
// defaults (alpha 0.05, init width 1) apply only when not given.
TEST(TrainOptionsTest, WindowModeAndModelAreParsedIntoEnums) {
  TrainOptions o = Parsed({});
  EXPECT_EQ(o.window_mode, WindowMode::kSliding);
  EXPECT_EQ(o.model, ModelKind::kSkipGram);
  EXPECT_EQ(o.alpha, 0.025);
  EXPECT_EQ(o.init_width, 1.0);

  TempDir dir;
  const std::string ini = WriteIni(dir, "train.ini", "window-mode = set\nmodel = cbow\n");
  TrainOptions p = Parsed({"--config", ini});
  EXPECT_EQ(p.window_mode, WindowMode::kSet);
  EXPECT_EQ(p.model, ModelKind::kCbow);
  EXPECT_TRUE(p.SetMode());
  EXPECT_TRUE(p.Cbow());
  EXPECT_EQ(p.alpha, 0.05);
  EXPECT_EQ(p.init_width, 1.0);
  const std::string json = TrainOptionsToJson(p);
  EXPECT_NE(json.find("\"window_mode\":\"set\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"model\":\"cbow\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"init_width\":1,"), std::string::npos) << json;
  int listed = 0;
  for (const auto& [name, value] : ResumeSettings(p)) {
    if (name == "model") listed += value == "cbow";
    if (name == "window-mode") listed += value == "set";
  }
  EXPECT_EQ(listed, 2);

  TrainOptions q = Parsed({"--model", "cbow", "--alpha", "0.01", "--init-width", "0.5"});
  EXPECT_EQ(q.alpha, 0.01);
  EXPECT_EQ(q.init_width, 0.5);

  ExpectUnknownValueRefused("model", "--model must be sg or cbow", "skipgram", ini, "bow");
  ExpectUnknownValueRefused("window-mode", "--window-mode must be sliding or set", "bag");
  TrainOptions w = q;
  w.init_width = 0;
  EXPECT_FALSE(Validate(w, 0).ok());
}

TEST(TrainOptionsTest, HelpIsReported) {
  TrainOptions o;
  bool help = false;
  ASSERT_TRUE(ParseTrainOptions({"--help"}, &o, &help).ok());
  EXPECT_TRUE(help);
}

TrainOptions Good() {
  TrainOptions o;
  o.input = {"corpus.txt"};
  o.output = "out";
  return o;
}

TEST(TrainOptionsValidateTest, RejectsBadValues) {
  struct Case {
    const char* what;
    void (*mutate)(TrainOptions*);
  };
  const Case cases[] = {
      {"no input", [](TrainOptions* o) { o->input.clear(); }},
      {"no output", [](TrainOptions* o) { o->output.clear(); }},
      {"dim 0", [](TrainOptions* o) { o->dim = 0; }},
      {"dim -3", [](TrainOptions* o) { o->dim = -3; }},
      {"window -1", [](TrainOptions* o) { o->window = -1; }},
      {"window 0", [](TrainOptions* o) { o->window = 0; }},
      {"negative 0", [](TrainOptions* o) { o->negative = 0; }},
      {"sample -1", [](TrainOptions* o) { o->sample = -1; }},
      {"sample 1", [](TrainOptions* o) { o->sample = 1; }},
      {"min-count 0", [](TrainOptions* o) { o->min_count = 0; }},
      {"max-vocab -1", [](TrainOptions* o) { o->max_vocab = -1; }},
      {"epochs 0", [](TrainOptions* o) { o->epochs = 0; }},
      {"alpha 0", [](TrainOptions* o) { o->alpha = 0; }},
      {"min-alpha > alpha", [](TrainOptions* o) { o->min_alpha = 0.5; }},
      {"servers -1", [](TrainOptions* o) { o->servers = -1; }},
      {"batch-tokens 1", [](TrainOptions* o) { o->batch_tokens = 1; }},
      {"max-sentence 1", [](TrainOptions* o) { o->max_sentence = 1; }},
      {"log-level loud", [](TrainOptions* o) { o->log_level = "loud"; }},
  };
  for (const Case& c : cases) {
    TrainOptions o = Good();
    c.mutate(&o);
    const Status st = Validate(o, 0);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c.what;
    EXPECT_FALSE(st.message().empty()) << c.what;
  }
}

TEST(TrainOptionsValidateTest, RankLayouts) {
  TrainOptions o = Good();
  // World size 1: nobody to be a server or a worker.
  EXPECT_EQ(Validate(o, 1).code(), Status::Code::kInvalidArgument);
  // Good layouts: default one server per 8 ranks; explicit counts below the world size.
  for (int world : {2, 3, 8, 9, 16, 64}) EXPECT_TRUE(Validate(o, world).ok()) << "world " << world;
  o.servers = 3;
  EXPECT_TRUE(Validate(o, 4).ok());
  EXPECT_TRUE(Validate(o, 8).ok());
  // Servers >= world size leaves no worker.
  EXPECT_EQ(Validate(o, 3).code(), Status::Code::kInvalidArgument);
  o.servers = 2;
  const Status st = Validate(o, 2);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("servers"), std::string::npos) << st.message();
  // world_size 0 skips the layout check.
  o.servers = 100;
  EXPECT_TRUE(Validate(o, 0).ok());
}

TEST(TrainOptionsValidateTest, DeterministicNeedsOneWorker) {
  TrainOptions o = Good();
  o.deterministic = true;
  EXPECT_TRUE(Validate(o, 2).ok());  // default: 1 server + 1 worker
  EXPECT_EQ(Validate(o, 3).code(), Status::Code::kInvalidArgument);  // 1 server + 2 workers
  EXPECT_EQ(Validate(o, 9).code(), Status::Code::kInvalidArgument);
  o.servers = 3;
  EXPECT_TRUE(Validate(o, 4).ok());  // 3 servers + 1 worker
  EXPECT_EQ(Validate(o, 5).code(), Status::Code::kInvalidArgument);
}

// --alpha's skip-gram default depends on the corpus size (AutoAlpha): 0.03 up to 1.5M training
// tokens, 0.025 from 3M on, linear in log T between; an explicit --alpha wins, and
// --word2vec-exact and cbow keep word2vec.c's fixed rates (0.025, 0.05).
TEST(TrainOptionsTest, AutomaticAlphaFollowsTheCorpusSize) {
  EXPECT_EQ(AutoAlpha(0), 0.03);
  EXPECT_EQ(AutoAlpha(52818), 0.03);              // ml-latest-small
  EXPECT_EQ(AutoAlpha(889153), 0.03);             // the retail baskets
  EXPECT_EQ(AutoAlpha(1479922), 0.03);            // the panel's small hierarchical corpus
  EXPECT_EQ(AutoAlpha(1500000), 0.03);
  EXPECT_NEAR(AutoAlpha(2121320), 0.0275, 1e-8);  // the geometric middle: half the extra rate
  EXPECT_NEAR(AutoAlpha(2000000), 0.03 - 0.005 * std::log(4.0 / 3.0) / std::log(2.0), 1e-12);
  EXPECT_NEAR(AutoAlpha(2979727), 0.025049, 1e-6);     // the medium hierarchical corpus: almost 0.025
  EXPECT_EQ(AutoAlpha(3000000), 0.025);           // from here on exactly word2vec.c's
  EXPECT_EQ(AutoAlpha(5660000), 0.025);           // the full long-tail corpus
  EXPECT_EQ(AutoAlpha(9979951), 0.025);           // the full hierarchical corpus
  EXPECT_EQ(AutoAlpha(std::int64_t{1} << 62), 0.025);
  for (std::int64_t t = 1000000; t < 4000000; t += 100000) EXPECT_GE(AutoAlpha(t), AutoAlpha(t + 100000)) << t;

  const TrainOptions sg = Parsed({});
  EXPECT_TRUE(sg.alpha_auto);
  EXPECT_FALSE(sg.alpha_given);
  const TrainOptions given = Parsed({"--alpha", "0.04"});
  EXPECT_FALSE(given.alpha_auto);
  EXPECT_EQ(given.alpha, 0.04);
  const TrainOptions given_default = Parsed({"--alpha", "0.025"});
  EXPECT_FALSE(given_default.alpha_auto);
  const TrainOptions exact = Parsed({"--word2vec-exact"});
  EXPECT_FALSE(exact.alpha_auto);
  EXPECT_EQ(exact.alpha, 0.025);
  const TrainOptions cbow = Parsed({"--model", "cbow"});
  EXPECT_FALSE(cbow.alpha_auto);
  EXPECT_EQ(cbow.alpha, 0.05);
  TrainOptions resolved = sg;
  resolved.alpha = AutoAlpha(61107);
  const std::string json = TrainOptionsToJson(resolved);
  EXPECT_NE(json.find("\"alpha\":0.03,\"alpha_auto\":true"), std::string::npos) << json;
  EXPECT_NE(TrainOptionsToJson(given).find("\"alpha_auto\":false"), std::string::npos);
}

// --batch-tokens defaults to 0 (automatic); AutoBatchTokens falls with the square of a
// worker's tokens P: (P / 32768)^2, never fewer than 512 or more than 16384
// tokens, nor more than 32768 tokens for all workers together unless that is below 4096;
// 1..15 are refused.
TEST(TrainOptionsTest, AutomaticBatchTokens) {
  TrainOptions o;
  ASSERT_TRUE(Parse({"--input", "c", "--output", "o"}, &o).ok());
  EXPECT_EQ(o.batch_tokens, 0);
  EXPECT_TRUE(Validate(o, 3).ok());
  EXPECT_EQ(AutoBatchTokens(50000, 2), 512);           // MovieLens-sized: the floor
  EXPECT_EQ(AutoBatchTokens(0, 1), 512);
  EXPECT_EQ(AutoBatchTokens(1480000, 2), 512);         // the panel's 1.5M-token corpora: (740000 / 32768)^2 = 484
  EXPECT_EQ(AutoBatchTokens(10000000, 2), 16384);      // 10M tokens on 2 workers: the cap
  EXPECT_EQ(AutoBatchTokens(5100000, 2), 77 * 77);     // 2.55M per worker: the square
  EXPECT_EQ(AutoBatchTokens(40000000, 4), 8192);       // 32768 / 4 workers
  EXPECT_EQ(AutoBatchTokens(40000000, 7), 4681);       // 32768 / 7
  EXPECT_EQ(AutoBatchTokens(100000000, 16), 4096);     // 32768 / 16 is below 4096
  EXPECT_EQ(AutoBatchTokens(10000000, 16), 512);       // 625000 per worker: 19^2 = 361, the floor
  EXPECT_EQ(AutoBatchTokens(192000, 1), 512);
  EXPECT_EQ(AutoBatchTokens(4000000, 1), 122 * 122);
  EXPECT_EQ(AutoBatchTokens(std::int64_t{1} << 40, 1000), 4096);
  EXPECT_EQ(AutoBatchTokens(std::int64_t{1} << 62, 1), 16384);  // no overflow
  EXPECT_EQ(AutoBatchTokens(3000000, 0), 91 * 91);     // no workers counts as one
  // Sets keep the earlier rule: 1/64 of a worker's epoch, at least 4096.
  EXPECT_EQ(AutoBatchTokens(900000, 2, WindowMode::kSet), 7031);   // retail baskets
  EXPECT_EQ(AutoBatchTokens(90000, 2, WindowMode::kSet), 4096);    // Last.fm sets
  EXPECT_EQ(AutoBatchTokens(10000000, 2, WindowMode::kSet), 16384);
  EXPECT_EQ(AutoBatchTokens(100000000, 16, WindowMode::kSet), 4096);
  o.batch_tokens = 8;
  EXPECT_FALSE(Validate(o, 3).ok());
  o.batch_tokens = 16;
  EXPECT_TRUE(Validate(o, 3).ok());
}

TEST(TrainOptionsTest, DefaultServerCount) {
  EXPECT_EQ(DefaultServerCount(1), 1);
  EXPECT_EQ(DefaultServerCount(2), 1);
  EXPECT_EQ(DefaultServerCount(8), 1);
  EXPECT_EQ(DefaultServerCount(15), 1);
  EXPECT_EQ(DefaultServerCount(16), 2);
  EXPECT_EQ(DefaultServerCount(24), 3);
  EXPECT_EQ(DefaultServerCount(100), 12);
  TrainOptions o;
  EXPECT_EQ(o.ServerCount(16), 2);
  o.servers = 5;
  EXPECT_EQ(o.ServerCount(16), 5);
}

}  // namespace
}  // namespace item2vec

namespace item2vec {
namespace {

TEST(TrainOptionsTest, RunReportOptionsParseAndValidate) {
  TrainOptions o = Parsed({});
  EXPECT_TRUE(o.report.write_report);
  EXPECT_EQ(o.report.items, 5000);
  EXPECT_EQ(o.report.metrics_job, "item2vec_train");
  EXPECT_TRUE(Validate(o, 0).ok());
  TrainOptions p = Parsed({"--report", "false", "--report-test", "t.tsv", "--names", "m.csv", "--name-columns", "1,2",
                           "--report-items", "100", "--pushgateway", "http://gw:9091", "--metrics-textfile",
                           "/tmp/i.prom", "--metrics-job", "nightly-train"});
  EXPECT_FALSE(p.report.write_report);
  EXPECT_EQ(p.report.test, "t.tsv");
  EXPECT_EQ(p.report.names, "m.csv");
  EXPECT_EQ(p.report.name_columns, "1,2");
  EXPECT_EQ(p.report.items, 100);
  EXPECT_EQ(p.report.pushgateway, "http://gw:9091");
  EXPECT_EQ(p.report.metrics_textfile, "/tmp/i.prom");
  EXPECT_TRUE(Validate(p, 0).ok());
  for (auto mutate : std::vector<void (*)(RunReportOptions*)>{
           [](RunReportOptions* r) { r->items = 5; },
           [](RunReportOptions* r) { r->pushgateway = "gw:9091"; },
           [](RunReportOptions* r) { r->metrics_textfile = "/tmp/metrics.txt"; },
           [](RunReportOptions* r) { r->metrics_job = "a/b"; },
           [](RunReportOptions* r) { r->metrics_job = ""; }}) {
    TrainOptions bad = p;
    mutate(&bad.report);
    EXPECT_EQ(Validate(bad, 0).code(), Status::Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace item2vec
