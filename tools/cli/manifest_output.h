// Display forms of a recovery snapshot's manifest, shared by snapshot,
// recoveries, info, diff and export (docs/cli.md lists them).
//
//   if (out.json()) WriteManifestJson(out.doc(), snapshot);
//   else PrintManifest(snapshot, out.text());
//
// Manifest strings (reason, original path, product version) are untrusted
// bytes from disk: human output quotes them, so they cannot carry terminal
// control bytes.
//
// Thread safety: pure functions.
#ifndef JOURNALDB_TOOLS_CLI_MANIFEST_OUTPUT_H_
#define JOURNALDB_TOOLS_CLI_MANIFEST_OUTPUT_H_

#include <ostream>
#include <string>

#include "journaldb/recovery_snapshot.h"
#include "output.h"

namespace journaldb::cli {

// {"path":..,"recovery_id":..,"reason":..,"created_time_us":..,
//  "created_time":..,"original_path":..,"old_client_id":..,"old_epoch":..,
//  "download_cursor":..,"upload_cursor":..,"first_diverged_lsn":..,
//  "last_diverged_lsn":..,"diverged_entries":..,"diverged_ops":..,
//  "product_version":..}
void WriteManifestJson(JsonWriter& w, const RecoverySnapshot& snapshot);
// The same members without the braces, for a caller that adds its own.
void WriteManifestMembers(JsonWriter& w, const RecoverySnapshot& snapshot);

// One `label  value` line per manifest member, labels padded to 16 columns
// like `journal info`.
void PrintManifest(const RecoverySnapshot& snapshot, std::ostream& out);

// The diverged lsns as `5-9`, `7` or `none`.
std::string DisplayDivergedRange(const RecoveryManifest& manifest);

// Free text (a reason, a path) as is when it is printable UTF-8, JSON-quoted
// otherwise.
std::string DisplayText(std::string_view s);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_MANIFEST_OUTPUT_H_
