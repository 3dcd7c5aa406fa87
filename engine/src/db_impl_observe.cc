// DatabaseImpl's change notifications (journaldb/changes.h): subscribing.
// The writers publish: Prepare/WriteQueued (db_impl_commit.cc) for local
// commits and replays, sync::Integrator for downloads, WipeLocalData
// (client_reset_record.cc) for the reset; change_notifier.cc delivers.
#include "db_impl.h"

namespace journaldb {

Result<ChangeSubscription> DatabaseImpl::Subscribe(std::string_view collection,
                                                   std::optional<std::string> key,
                                                   ChangeCallback callback) {
  if (collection.empty()) return Status::InvalidArgument("observe: the collection name is empty");
  if (!callback) return Status::InvalidArgument("observe: the callback is empty");
  ChangeSubscription sub;
  // With commits held no write is between its Prepare (which looks whether
  // anyone observes) and its publication: the subscription gets every change
  // written after this, and none before.
  Status s = RunWithCommitsHeld([&] {
    sub = notifier_.Subscribe(std::string(collection), std::move(key), std::move(callback));
    return Status::OK();
  });
  if (!s.ok()) return s;
  return sub;
}

Result<ChangeSubscription> DatabaseImpl::Observe(std::string_view collection,
                                                 ChangeCallback callback) {
  return Subscribe(collection, std::nullopt, std::move(callback));
}

Result<ChangeSubscription> DatabaseImpl::ObserveObject(std::string_view collection,
                                                       std::string_view key,
                                                       ChangeCallback callback) {
  return Subscribe(collection, std::string(key), std::move(callback));
}

}  // namespace journaldb
