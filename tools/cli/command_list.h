// The table of `journal` commands, in the order `journal help` lists them.
//
// Adding a command: write commands/<name>.cc defining
// `const Command& <Name>Command()` in namespace journaldb::cli (see
// commands/get.cc for a read command, commands/put.cc for a write command),
// then add one X(<Name>) line below (commands/list.cc defines the four list
// commands). CMake picks up commands/*.cc by itself.
#ifndef JOURNALDB_TOOLS_CLI_COMMAND_LIST_H_
#define JOURNALDB_TOOLS_CLI_COMMAND_LIST_H_

#include "command.h"

#define JOURNAL_CLI_COMMANDS(X) \
  X(Put)                        \
  X(Incr)                       \
  X(Del)                        \
  X(ListInsert)                 \
  X(ListRemove)                 \
  X(ListSet)                    \
  X(ListMove)                   \
  X(Get)                        \
  X(Ls)                         \
  X(Log)                        \
  X(Info)                       \
  X(Verify)                     \
  X(Sync)                       \
  X(Status)                     \
  X(Reset)                      \
  X(NewIdentity)                \
  X(Snapshot)                   \
  X(Recoveries)                 \
  X(Diff)                       \
  X(Replay)                     \
  X(Gc)                         \
  X(Export)

namespace journaldb::cli {

#define JOURNAL_CLI_DECLARE_COMMAND(Name) const Command& Name##Command();
JOURNAL_CLI_COMMANDS(JOURNAL_CLI_DECLARE_COMMAND)
#undef JOURNAL_CLI_DECLARE_COMMAND

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_COMMAND_LIST_H_
