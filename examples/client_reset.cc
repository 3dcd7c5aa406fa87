// docs/client-reset.md's examples: retention, and a strategy with callbacks.
#include <journaldb/client_reset_strategy.h>
#include <journaldb/database.h>

#include <iostream>
#include <string>

namespace {

void refresh_views(journaldb::Database&) {}
void report(const std::string& what, const std::string& where) { std::cerr << what << " " << where; }

void Retention(journaldb::Options& options) {
  options.retention.keep_entries = 10000;         // default
  options.retention.keep_seconds = 7 * 24 * 3600; // default: 7 days
}

journaldb::Status StrategyWithCallbacks() {
  journaldb::Options options;
  options.sync.server = "sync.example.com:7000";
  journaldb::ClientResetCallbacks callbacks;
  callbacks.before_reset = [](const journaldb::Database& before) { /* still the old data */ };
  callbacks.after_reset = [](const journaldb::RecoverySnapshot& before, journaldb::Database& after) {
    refresh_views(after);
  };
  callbacks.on_manual_reset_fallback = [](journaldb::SyncSession*, journaldb::ClientResetRequiredError& e) {
    report(e.status().ToString(), e.recovery_path());
  };
  options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges(callbacks);
  auto db = journaldb::Database::Open("/data/app.journaldb", options);
  return db.status();
}

}  // namespace

int main() {
  journaldb::Options options;
  Retention(options);
  (void)StrategyWithCallbacks;
  return options.retention.keep_entries == 10000 ? 0 : 1;
}
