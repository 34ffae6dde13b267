#include "tools/report/prometheus.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <curl/curl.h>

#include "common/atomic_file.h"

namespace item2vec {
namespace {

bool ValidName(const std::string& s, bool colon) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The metric family a line of the exposition format belongs to ("" for blank lines).
std::string FamilyOf(const std::string& line) {
  if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
    const std::size_t end = line.find(' ', 7);
    return line.substr(7, end == std::string::npos ? std::string::npos : end - 7);
  }
  if (line.empty() || line[0] == '#') return "";
  return line.substr(0, line.find_first_of("{ "));
}

std::size_t CollectBody(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at > url.find('/', scheme + 3)) return url;
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

Status MetricsText::Add(const std::string& name, const std::string& help, double value, const MetricLabels& labels) {
  if (!ValidName(name, true)) return Status::InvalidArgument("invalid metric name '" + name + "'");
  std::string line = name;
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (!ValidName(labels[i].first, false)) return Status::InvalidArgument("invalid label name '" + labels[i].first + "'");
      line += (i ? "," : "") + labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
    }
    line += '}';
  }
  line += ' ' + FormatValue(value);
  for (Family& f : families_)
    if (f.name == name) {
      f.samples.push_back(line);
      return Status::Ok();
    }
  families_.push_back({name, help, {line}});
  return Status::Ok();
}

std::string MetricsText::str() const {
  std::string out;
  for (const Family& f : families_) {
    std::string help;
    for (char c : f.help) help += c == '\n' ? ' ' : c;  // one line; backslashes are rare in our help
    out += "# HELP " + f.name + " " + help + "\n# TYPE " + f.name + " gauge\n";
    for (const std::string& s : f.samples) out += s + "\n";
  }
  return out;
}

std::string MergeMetricsText(const std::string& base, const std::string& update) {
  std::map<std::string, bool> updated;
  std::istringstream in(update);
  for (std::string line; std::getline(in, line);)
    if (!FamilyOf(line).empty()) updated[FamilyOf(line)] = true;
  std::string out = update;
  if (!out.empty() && out.back() != '\n') out += '\n';
  std::istringstream old(base);
  for (std::string line; std::getline(old, line);) {
    const std::string family = FamilyOf(line);
    if (!family.empty() && updated.count(family) == 0) out += line + "\n";
  }
  return out;
}

Status PushMetrics(const std::string& url, const std::string& job, const std::string& text, MetricsMode mode,
                   int timeout_ms) {
  if (job.empty() || job.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                         std::string::npos)
    return Status::InvalidArgument("invalid Prometheus job name '" + job + "'");
  std::string target = url;
  while (!target.empty() && target.back() == '/') target.pop_back();
  target += "/metrics/job/" + job;
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK) return Status::IOError(std::string("libcurl: ") + curl_easy_strerror(init));
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::IOError("libcurl: cannot create a handle");
  std::string answer;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/plain; version=0.0.4");
  curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, mode == MetricsMode::kReplace ? "PUT" : "POST");
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(text.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    return Status::IOError("pushing metrics to " + RedactUrl(target) + ": " + (error[0] ? error : curl_easy_strerror(rc)));
  if (status < 200 || status >= 300) {
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
    return Status::IOError("pushing metrics to " + RedactUrl(target) + ": HTTP " + std::to_string(status) +
                           (answer.empty() ? "" : ": " + answer.substr(0, 300)));
  }
  return Status::Ok();
}

Status WriteMetricsTextfile(const std::string& path, const std::string& text, MetricsMode mode) {
  std::string content = text;
  if (mode == MetricsMode::kMerge) {
    std::ifstream in(path);
    if (in) {
      std::ostringstream old;
      old << in.rdbuf();
      content = MergeMetricsText(old.str(), text);
    }
  }
  return WriteFileAtomically(path, content).WithContext("writing the metrics textfile");
}

}  // namespace item2vec
