// docs/api.md's change notification example: a view of the "tasks"
// collection that stays current through local commits, downloads, client
// resets and replays.
#include <journaldb/client_reset_strategy.h>
#include <journaldb/database.h>

#include <iostream>
#include <map>
#include <mutex>
#include <string>

// What the app shows: every task's title, by key.
class TaskView {
 public:
  explicit TaskView(journaldb::Database& db) : db_(db) {}

  // Runs on the notifier thread after the change is committed and visible.
  void OnChanges(const journaldb::Changes& changes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (changes.reset) {
      // A client reset wiped the local data: nothing shown can be trusted.
      // Reload everything; the keys listed with the reset are in the reload.
      ReloadLocked();
      return;
    }
    for (const std::string& key : changes.inserted) Load(key);
    for (const journaldb::ModifiedObject& m : changes.modified) Load(m.key);
    for (const std::string& key : changes.deleted) titles_.erase(key);
  }

  void Reload() {
    std::lock_guard<std::mutex> lock(mu_);
    ReloadLocked();
  }

 private:
  void ReloadLocked() {
    titles_.clear();
    journaldb::ObjectIterator it = db_.Scan("tasks");
    for (; it.Valid(); it.Next()) titles_[it.object().key] = Title(it.object());
    if (!it.status().ok()) std::cerr << it.status().ToString() << "\n";
  }
  void Load(const std::string& key) {
    journaldb::Result<journaldb::Object> task = db_.Get("tasks", key);
    if (task.ok()) titles_[key] = Title(*task);
  }
  static std::string Title(const journaldb::Object& task) {
    const journaldb::Value* title = task.Find("title");
    return title != nullptr && title->type() == journaldb::ValueType::kString ? title->as_string()
                                                                             : "";
  }

  journaldb::Database& db_;
  std::mutex mu_;
  std::map<std::string, std::string> titles_;
};

int main() {
  journaldb::Options options;
  options.sync.server = "127.0.0.1:7000";
  options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges({});
  auto opened = journaldb::Database::Open("/data/app.journaldb", options);
  if (!opened.ok()) { std::cerr << opened.status().ToString() << "\n"; return 1; }
  std::unique_ptr<journaldb::Database> db = std::move(opened).value();

  TaskView view(*db);
  auto subscription = db->Observe("tasks", [&view](const journaldb::Changes& c) { view.OnChanges(c); });
  if (!subscription.ok()) { std::cerr << subscription.status().ToString() << "\n"; return 1; }
  view.Reload();   // after Observe: no change falls between the load and the first delivery

  // ... the app runs; the sync session downloads, a reset may wipe and replay ...

  subscription->Cancel();   // or let it go out of scope before `view`
}
