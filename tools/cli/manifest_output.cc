#include "manifest_output.h"

#include <fmt/format.h>

#include "journaldb/journal/text.h"

namespace journaldb::cli {

void WriteManifestJson(JsonWriter& w, const RecoverySnapshot& snapshot) {
  w.BeginObject();
  WriteManifestMembers(w, snapshot);
  w.EndObject();
}

void WriteManifestMembers(JsonWriter& w, const RecoverySnapshot& snapshot) {
  const RecoveryManifest& m = snapshot.manifest;
  w.Key("path").String(snapshot.path);
  w.Key("recovery_id").String(m.recovery_id);
  w.Key("reason").String(m.reason);
  w.Key("created_time_us").Int(m.created_time_us);
  w.Key("created_time").String(FormatTimeUs(m.created_time_us));
  w.Key("original_path").String(m.original_path);
  w.Key("old_client_id").Uint(m.old_client_id);
  w.Key("old_epoch").Uint(m.old_epoch);
  w.Key("download_cursor").Uint(m.download_cursor);
  w.Key("upload_cursor").Uint(m.upload_cursor);
  w.Key("first_diverged_lsn").Uint(m.first_diverged_lsn);
  w.Key("last_diverged_lsn").Uint(m.last_diverged_lsn);
  w.Key("diverged_entries").Uint(m.diverged_entries);
  w.Key("diverged_ops").Uint(m.diverged_ops);
  w.Key("product_version").String(m.product_version);
}

std::string DisplayDivergedRange(const RecoveryManifest& m) {
  if (m.diverged_entries == 0) return "none";
  if (m.first_diverged_lsn == m.last_diverged_lsn) return fmt::format("{}", m.first_diverged_lsn);
  return fmt::format("{}-{}", m.first_diverged_lsn, m.last_diverged_lsn);
}

std::string DisplayText(std::string_view s) {
  bool plain = !s.empty();
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') plain = false;
  }
  // JsonQuote leaves valid UTF-8 unescaped; anything else grows.
  if (plain && text::JsonQuote(s).size() != s.size() + 2) plain = false;
  return plain ? std::string(s) : text::JsonQuote(s);
}

void PrintManifest(const RecoverySnapshot& snapshot, std::ostream& out) {
  const RecoveryManifest& m = snapshot.manifest;
  auto line = [&](std::string_view label, const std::string& value) {
    out << fmt::format("{:<16} {}\n", label, value);
  };
  line("path", DisplayText(snapshot.path));
  line("recovery id", DisplayText(m.recovery_id));
  line("reason", text::JsonQuote(m.reason));
  line("created", FormatTimeUs(m.created_time_us));
  line("original path", DisplayText(m.original_path));
  line("old client id", fmt::format("{}", m.old_client_id));
  line("old epoch", fmt::format("{}", m.old_epoch));
  line("download cursor", fmt::format("{}", m.download_cursor));
  line("upload cursor", fmt::format("{}", m.upload_cursor));
  line("diverged lsns", DisplayDivergedRange(m));
  line("diverged entries", fmt::format("{}", m.diverged_entries));
  line("diverged ops", fmt::format("{}", m.diverged_ops));
  line("product version", DisplayText(m.product_version));
}

}  // namespace journaldb::cli
